using System.Globalization;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Lifetime;

/// <summary>
/// A real generic host in a child test process (<see cref="HelperModes.RunHostAsync"/>), whose worker
/// starts children and never disposes them: no child survives the host.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HostLifetimeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [LinuxTheory]
    [InlineData("posix")]
    [InlineData("managed")]
    public async Task SIGTERM_to_the_host_stops_every_child_its_runner_owns_and_logs_it(string backend)
    {
        var host = await HostProcess.StartAsync(backend, parentDeathSignal: null);
        try
        {
            LibC.Kill(host.Running.Pid, (int)Signal.SIGTERM);

            var log = await host.Output.ReadToEndAsync().WaitAsync(Patience);
            Assert.Equal(0, (await host.Running.WaitAsync().WaitAsync(Patience)).ExitCode);
            foreach (var child in host.Children)
                Assert.True(await Processes.WaitGoneAsync(child, TimeSpan.FromSeconds(10)), $"child {child} outlived the host; its log:\n{log}");
            Assert.Contains($"The {backend} runner is shutting down: stopping the 2 children it owns", log, StringComparison.Ordinal);
            Assert.Contains($"(pid {host.Children[1]}, {backend}) ", log, StringComparison.Ordinal);
            Assert.EndsWith("host stopped", log.TrimEnd(), StringComparison.Ordinal);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [LinuxFact]
    public async Task SIGKILL_to_a_host_with_the_parent_death_option_takes_every_child_with_it()
    {
        var host = await HostProcess.StartAsync("posix", Signal.SIGKILL);
        try
        {
            LibC.Kill(host.Running.Pid, (int)Signal.SIGKILL);

            foreach (var child in host.Children)
                Assert.True(await Processes.WaitGoneAsync(child, TimeSpan.FromSeconds(10)), $"child {child} outlived the killed host");
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [LinuxFact]
    public async Task Without_the_option_a_child_outlives_a_host_killed_by_SIGKILL()
    {
        var host = await HostProcess.StartAsync("posix", parentDeathSignal: null);
        try
        {
            LibC.Kill(host.Running.Pid, (int)Signal.SIGKILL);
            Assert.IsType<CommandExitException>(await Record.ExceptionAsync(() => host.Running.WaitAsync().WaitAsync(Patience)));
            await Task.Delay(300);

            Assert.All(host.Children, child => Assert.True(ProcessInspector.IsRunning(child)));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_host_whose_backend_cannot_honour_the_parent_death_option_fails_to_start()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new());
        Microsoft.Extensions.DependencyInjection.ManagedServiceCollectionExtensions.AddVirCommandManaged(builder.Services, o => o.ParentDeathSignal = Signal.SIGTERM);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<CommandNotSupportedException>(() => host.StartAsync());

        Assert.Equal("CommandRunnerOptions.ParentDeathSignal: the managed backend does not support ParentDeathSignal; the posix backend does", error.Message);
    }

    /// <summary>The helper host, its stdout after the <c>started</c> line, and the pids of its two children.</summary>
    private sealed record HostProcess(IRunningCommand Running, StreamReader Output, int[] Children) : IAsyncDisposable
    {
        public static async Task<HostProcess> StartAsync(string backend, Signal? parentDeathSignal)
        {
            var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
            using var command = Command.NewArgList(dotnet, typeof(HelperProgram).Assembly.Location, "host", backend,
                    ((int?)parentDeathSignal ?? 0).ToString(CultureInfo.InvariantCulture), Probe.Path)
                .SetOutputPipe().SetGracefulSignal(Signal.SIGKILL);
            var running = await VirCommand.Tests.Posix.Posix.Runner.StartAsync(command);
            var output = new StreamReader(running.StandardOutput!);
            var seen = new List<string>();
            while (await output.ReadLineAsync().WaitAsync(Patience) is { } line)
            {
                if (line.StartsWith("started ", StringComparison.Ordinal))
                    return new HostProcess(running, output, [.. line.Split(' ').Skip(1).Select(p => int.Parse(p, CultureInfo.InvariantCulture))]);
                seen.Add(line);
            }
            await running.DisposeAsync();
            throw new Xunit.Sdk.XunitException("The host ended before its worker started the children:\n" + string.Join('\n', seen));
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var child in Children)
                await Processes.KillAsync(child);
            Output.Dispose();
            await Running.DisposeAsync();
        }
    }
}
