using System.Globalization;

namespace VirCommand.Tests.Posix;

/// <summary>NewSession/NewProcessGroup (beyond libvirt): stopping a command stops its whole group.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ProcessGroupTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [LinuxFact]
    public async Task A_new_process_group_and_a_new_session_as_the_child_sees_them()
    {
        using var group = Probe.Command().NewProcessGroup().SetOutputBuffer();
        var report = (await Posix.Runner.RunAsync(group)).StandardOutput;
        Assert.Equal(Probe.Int(report, "pid"), Probe.Int(report, "pgid"));
        Assert.NotEqual(Probe.Int(report, "pid"), Probe.Int(report, "sid"));

        using var session = Probe.Command().NewSession().SetOutputBuffer();
        report = (await Posix.Runner.RunAsync(session)).StandardOutput;
        Assert.Equal(Probe.Int(report, "pid"), Probe.Int(report, "sid"));
        Assert.Equal(Probe.Int(report, "pid"), Probe.Int(report, "pgid"));
    }

    /// <summary>A shell that starts two background sleeps, writes their pids, and waits.</summary>
    private static Command ShellWithChildren(string pids) =>
        Command.NewArgList("sh", "-c", $"sleep 1000 & echo $! > {pids}.tmp; sleep 1000 & echo $! >> {pids}.tmp; mv {pids}.tmp {pids}; wait");

    private static async Task<int[]> ReadPidsAsync(string pids)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!File.Exists(pids))
        {
            Assert.True(DateTime.UtcNow < deadline, "the shell never wrote its children's pids");
            await Task.Delay(20);
        }
        return (await File.ReadAllLinesAsync(pids)).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();
    }

    [LinuxFact]
    public async Task SignalAsync_to_the_process_reaches_the_child_alone_and_the_group_goes_unsignalled_once_it_is_reaped()
    {
        var pids = _dir.File("pids");
        using var command = ShellWithChildren(pids).NewProcessGroup().SetTimeout(TimeSpan.FromSeconds(60));
        await using var running = await Posix.Runner.StartAsync(command);
        var children = await ReadPidsAsync(pids);
        try
        {
            Assert.True(await running.SignalAsync(Signal.SIGKILL, SignalTarget.Process));
            var error = await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync());
            Assert.Equal(Signal.SIGKILL, error.Result.TerminatingSignal);
            Assert.All(children, child => Assert.True(ProcessInspector.IsRunning(child), $"grandchild {child} went with the shell"));

            // The leader is reaped: its group id may name another group one day, so it is not signalled any more.
            Assert.False(await running.SignalAsync(Signal.SIGTERM, SignalTarget.ProcessGroup));
            Assert.All(children, child => Assert.True(ProcessInspector.IsRunning(child)));
        }
        finally
        {
            foreach (var child in children)
                ProcessInspector.KillIfRunning(child);
        }
    }

    [LinuxFact]
    public async Task SignalAsync_to_the_process_group_ends_the_shell_and_its_children()
    {
        var pids = _dir.File("pids");
        using var command = ShellWithChildren(pids).NewProcessGroup();
        await using var running = await Posix.Runner.StartAsync(command);
        var children = await ReadPidsAsync(pids);

        Assert.True(await running.SignalAsync(Signal.SIGTERM, SignalTarget.ProcessGroup));

        var error = await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync());
        Assert.Equal(Signal.SIGTERM, error.Result.TerminatingSignal);
        foreach (var child in children)
            Assert.True(await Processes.WaitGoneAsync(child, TimeSpan.FromSeconds(5)), $"grandchild {child} survived");
    }

    [LinuxFact]
    public async Task Cancellation_kills_the_shell_and_all_its_children()
    {
        var pids = _dir.File("pids");
        using var command = ShellWithChildren(pids).NewProcessGroup();
        using var cts = new CancellationTokenSource();
        var run = Posix.Runner.RunAsync(command, cts.Token);
        var children = await ReadPidsAsync(pids);
        await cts.CancelAsync();
        var error = await Assert.ThrowsAsync<CommandCanceledException>(() => run);
        Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
        foreach (var child in children)
            Assert.True(await Processes.WaitGoneAsync(child, TimeSpan.FromSeconds(5)), $"grandchild {child} survived");
    }

    [LinuxFact]
    public async Task A_timeout_and_an_abort_kill_the_whole_session_too()
    {
        var pids = _dir.File("pids");
        using var command = ShellWithChildren(pids).NewSession().SetTimeout(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAsync<CommandTimeoutException>(() => Posix.Runner.RunAsync(command));
        foreach (var child in await ReadPidsAsync(pids))
            Assert.True(await Processes.WaitGoneAsync(child, TimeSpan.FromSeconds(5)), $"grandchild {child} survived the timeout");

        var more = _dir.File("more");
        using var again = ShellWithChildren(more).NewProcessGroup();
        await using var running = await Posix.Runner.StartAsync(again);
        var children = await ReadPidsAsync(more);
        await running.AbortAsync();
        foreach (var child in children)
            Assert.True(await Processes.WaitGoneAsync(child, TimeSpan.FromSeconds(5)), $"grandchild {child} survived the abort");
    }

    [LinuxFact]
    public async Task Without_a_group_only_the_child_is_signalled()
    {
        var pids = _dir.File("pids");
        using var command = ShellWithChildren(pids);
        using var cts = new CancellationTokenSource();
        var run = Posix.Runner.RunAsync(command, cts.Token);
        var children = await ReadPidsAsync(pids);
        try
        {
            await cts.CancelAsync();
            await Assert.ThrowsAsync<CommandCanceledException>(() => run);
            Assert.All(children, c => Assert.True(ProcessInspector.IsRunning(c)));
        }
        finally
        {
            foreach (var child in children)
                await Processes.KillAsync(child);
        }
    }
}
