using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace VirCommand.Tests.Posix;

internal static partial class HelperModes
{
    /// <summary>
    /// A worker service as <c>dotnet new worker</c> makes it, on the generic host: its worker starts
    /// two children with <c>StartAsync(command, stoppingToken)</c> and never disposes them — PROBE
    /// sleeping, and a shell that ignores SIGTERM — prints <c>started PID PID</c>, and waits for the
    /// host to stop (SIGTERM). The runner is <paramref name="backend"/>'s, with a 1 s kill grace and,
    /// unless <paramref name="parentDeathSignal"/> is 0, that parent-death signal for every child.
    /// Prints the host's log (Information and up, one line each) and <c>host stopped</c> at the end.
    /// </summary>
    public static async Task<int> RunHostAsync(string backend, int parentDeathSignal, string probe)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information);
        Action<CommandRunnerOptions> configure = o =>
        {
            o.KillGracePeriod = TimeSpan.FromSeconds(1);
            o.ParentDeathSignal = parentDeathSignal == 0 ? null : (Signal)parentDeathSignal;
        };
        if (backend == "managed")
            builder.Services.AddVirCommandManaged(configure);
        else
            builder.Services.AddVirCommandPosix(configure);
        builder.Services.AddHostedService(sp => new StartingWorker(sp.GetRequiredService<ICommandRunner>(), probe));
        using var host = builder.Build();
        await host.RunAsync();
        await Console.Out.WriteLineAsync("host stopped");
        return 0;
    }

    private sealed class StartingWorker(ICommandRunner runner, string probe) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var sleeper = await runner.StartAsync(Command.NewArgList(probe, "--quiet", "--sleep", "600000"), stoppingToken);
            var stubborn = await runner.StartAsync(Command.NewArgList("/bin/sh", "-c", "trap '' TERM; while :; do sleep 0.1; done"), stoppingToken);
            await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"started {sleeper.Pid} {stubborn.Pid}"));
            await Console.Out.FlushAsync(stoppingToken);
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
    }
}
