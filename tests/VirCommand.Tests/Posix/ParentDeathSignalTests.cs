using System.Globalization;

namespace VirCommand.Tests.Posix;

/// <summary>SetParentDeathSignal (beyond libvirt): the child gets the signal when the parent process dies, not before.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ParentDeathSignalTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Starts this assembly as an intermediate process that spawns the probe; returns it and the probe's report.</summary>
    private async Task<(IRunningCommand Helper, string Report)> StartIntermediateAsync(Signal? signal, bool handshake = false)
    {
        var report = _dir.File("report");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var helper = Command.NewArgList(dotnet, typeof(HelperProgram).Assembly.Location, "pdeathsig",
                ((int?)signal ?? 0).ToString(CultureInfo.InvariantCulture), Probe.Path, report)
            .SetOutputPipe().SetGracefulSignal(Signal.SIGKILL);
        if (handshake)
            helper.AddArg("handshake");
        var running = await Posix.Runner.StartAsync(helper);
        using var reader = new StreamReader(running.StandardOutput!);
        Assert.Equal("started", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        return (running, await Probe.ReadReportAsync(report));
    }

    [LinuxTheory]
    [InlineData(false)]
    [InlineData(true)] // a handshake: the clone comes from a parked thread, which never exits (issue 18, P6)
    public async Task The_child_gets_the_signal_when_the_parent_process_dies(bool handshake)
    {
        var (helper, report) = await StartIntermediateAsync(Signal.SIGTERM, handshake);
        var child = Probe.Int(report, "pid");
        try
        {
            Assert.Equal("15", Probe.Value(report, "pdeathsig"));
            Assert.Equal(helper.Pid, Probe.Int(report, "ppid"));
            await Task.Delay(300);
            Assert.True(ProcessInspector.IsRunning(child), "the helper's spawning thread-pool thread may retire: the child must not die with it");

            await helper.AbortAsync(); // SIGKILL: the intermediate dies without a word
            Assert.True(await Processes.WaitGoneAsync(child, TimeSpan.FromSeconds(10)), "the child outlived its parent");
            // If nobody reaped it yet, its stat says how it died: by SIGTERM.
            if (ProcessInspector.StatFields(child) is { } stat)
                Assert.Equal(((int)Signal.SIGTERM).ToString(CultureInfo.InvariantCulture), stat[^1].Trim());
        }
        finally
        {
            await helper.DisposeAsync();
            await Processes.KillAsync(child);
        }
    }

    [LinuxFact]
    public async Task Without_it_the_child_outlives_the_parent()
    {
        var (helper, report) = await StartIntermediateAsync(null);
        var child = Probe.Int(report, "pid");
        try
        {
            Assert.Equal("0", Probe.Value(report, "pdeathsig"));
            await helper.AbortAsync();
            await Task.Delay(500);
            Assert.True(ProcessInspector.IsRunning(child));
        }
        finally
        {
            await helper.DisposeAsync();
            await Processes.KillAsync(child);
        }
    }

    [LinuxFact]
    public async Task A_spawn_from_a_thread_that_ends_does_not_signal_the_child()
    {
        // Linux sends the signal when the thread that forked dies: the backend forks on a thread of its own.
        using var command = Probe.Command("--quiet", "--sleep", "60000").SetParentDeathSignal(Signal.SIGKILL);
        IRunningCommand? running = null;
        var thread = new Thread(() => running = Posix.Runner.StartAsync(command).GetAwaiter().GetResult());
        thread.Start();
        thread.Join();
        await using (running!)
        {
            await Task.Delay(300);
            Assert.True(ProcessInspector.IsRunning(running!.Pid), "the child died with the thread that asked for it");
        }
    }

    [LinuxFact]
    public async Task The_child_reports_the_signal()
    {
        using var command = Probe.Command().SetParentDeathSignal(Signal.SIGUSR1).SetOutputBuffer();
        Assert.Equal("10", Probe.Value((await Posix.Runner.RunAsync(command)).StandardOutput, "pdeathsig"));
    }
}
