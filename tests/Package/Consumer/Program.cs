using Microsoft.Extensions.DependencyInjection;
using VirCommand;

// What a package user's first program does: register the default backend, run a command, capture it.
var services = new ServiceCollection().AddVirCommand();
using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
var choice = provider.GetRequiredService<BackendChoice>();
var runner = provider.GetRequiredService<ICommandRunner>();
using var command = Command.NewArgList("/bin/sh", "-c", "printf 'captured %s\\n' \"$0\"", "from-the-child").SetOutputBuffer();
var result = await runner.RunAsync(command);
Console.WriteLine($"backend: {choice.Backend} ({choice.Reason})");
Console.Write(result.StandardOutput);
