// The libvirt "Spawning processes / commands" examples, in C#.
using Microsoft.Extensions.DependencyInjection;
using VirCommand;
using VirCommand.Backends.Fake;

// Defining a command and adding arguments: the dnsmasq example.
using var dnsmasq = Command.New("/usr/sbin/dnsmasq")
    .AddArg("--strict-order")
    .AddArgPair("--conf-file", "/etc/dnsmasq.conf")
    .AddArgFormat("--dhcp-lease-max={0}", 253)
    .AddArgSet(["--except-interface", "lo"])
    .AddArgList("--domain", "localdomain");
dnsmasq.AddEnvPassCommon().AddEnvPair("TERM", "xterm");

Console.WriteLine("== virCommandToString");
Console.WriteLine(dnsmasq.ToString());
Console.WriteLine();
Console.WriteLine("== virCommandToStringFull, with line breaks");
Console.WriteLine(dnsmasq.ToString(lineBreaks: true));
Console.WriteLine();
Console.WriteLine("== virCommandWriteArgLog");
dnsmasq.WriteArgLog(Console.Out);
Console.WriteLine();

// The hook-runner example, run through the fake backend as libvirt's dry run would.
using var services = new ServiceCollection()
    .AddVirCommandFake(fake => fake.RegisterPattern("*/qemu", "**").Returns(FakeResponse.Success("hook ran\n")))
    .BuildServiceProvider();
var runner = services.GetRequiredService<ICommandRunner>();

using var hook = Command.New("/etc/libvirt/hooks/qemu")
    .AddEnvPassCommon()
    .AddArgList("guest1", "start", "begin", "-")
    .SetInputBuffer("<domain type='kvm'><name>guest1</name></domain>\n")
    .SetOutputBuffer();
var result = await runner.RunAsync(hook);

var recorded = services.GetRequiredService<FakeCommandRunner>().Invocations.Single();
Console.WriteLine("== hook runner (dry run through the fake backend)");
Console.WriteLine($"transcript: {recorded.CommandLine}");
Console.WriteLine($"stdin fed:  {recorded.InputText.TrimEnd()}");
Console.WriteLine($"result:     {result.DescribeStatus()}, stdout {result.StandardOutput.TrimEnd()}");
