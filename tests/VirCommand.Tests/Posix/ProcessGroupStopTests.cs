using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>SPEC §3.3 and §4: a new session or process group, and signals that reach the whole group.</summary>
public sealed class ProcessGroupStopTests
{
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public async Task By_default_the_child_stays_in_the_parents_session_and_group()
    {
        var report = await RunProbe(Probe.Command());

        Assert.Equal(ProcessInspector.SessionId, report.SessionId);
        Assert.Equal(ProcessInspector.ProcessGroupId, report.ProcessGroupId);
        Assert.Equal(System.Environment.ProcessId, report.ParentPid);
    }

    [Fact]
    public async Task NewSession_makes_the_child_lead_its_own_session_and_group()
    {
        var report = await RunProbe(Probe.Command().NewSession());

        Assert.Equal(report.Pid, report.SessionId);
        Assert.Equal(report.Pid, report.ProcessGroupId);
    }

    [Fact]
    public async Task NewProcessGroup_makes_the_child_lead_its_own_group_in_the_parents_session()
    {
        var report = await RunProbe(Probe.Command().NewProcessGroup());

        Assert.Equal(report.Pid, report.ProcessGroupId);
        Assert.Equal(ProcessInspector.SessionId, report.SessionId);
    }

    [Fact]
    public async Task A_timeout_with_NewProcessGroup_kills_the_shell_and_its_background_child()
    {
        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() => _runner.RunAsync(
            Command.NewArgList("sh", "-c", "sleep 100 & echo $!; wait").NewProcessGroup().SetOutputBuffer().SetTimeout(TimeSpan.FromMilliseconds(500))).OrHang());

        await AssertGrandchildGone(error.Result!.StandardOutput);
    }

    [Fact]
    public async Task A_timeout_with_NewSession_kills_the_whole_group_too()
    {
        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() => _runner.RunAsync(
            Command.NewArgList("sh", "-c", "sleep 100 & echo $!; wait").NewSession().SetOutputBuffer().SetTimeout(TimeSpan.FromMilliseconds(500))).OrHang());

        await AssertGrandchildGone(error.Result!.StandardOutput);
    }

    [Fact]
    public async Task A_group_member_that_ignores_SIGTERM_dies_with_its_leader()
    {
        // The shell dies of SIGTERM at once; its background child ignores SIGTERM and must still go.
        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() => _runner.RunAsync(
            Command.NewArgList("sh", "-c", "(trap '' TERM; exec sleep 100) & echo $!; wait")
                .NewProcessGroup().SetOutputBuffer().SetTimeout(TimeSpan.FromMilliseconds(500)).SetKillGracePeriod(TimeSpan.FromSeconds(5))).OrHang());

        Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
        await AssertGrandchildGone(error.Result.StandardOutput);
    }

    [Fact]
    public async Task The_graceful_signal_reaches_every_member_of_the_group_not_only_the_leader()
    {
        // The member says when it gets SIGTERM; the leader, on SIGTERM, waits for the member and exits 0.
        // Were SIGTERM sent to the leader alone, the member would only ever see the final SIGKILL.
        // "ready" comes from the member once its trap is set: a signal before that may be lost.
        const string script = "trap 'wait $m; exit 0' TERM; "
            + "(trap 'echo member got TERM; exit 0' TERM; echo ready; while :; do sleep 0.05; done) & m=$!; wait";
        await using var running = await _runner.StartAsync(Command.NewArgList("sh", "-c", script)
            .NewProcessGroup().SetOutputPipe().SetKillGracePeriod(TimeSpan.FromSeconds(10)));
        using var reader = new StreamReader(running.StandardOutput!);
        Assert.Equal("ready", await reader.ReadLineAsync().OrHang());

        await running.AbortAsync().OrHang();

        Assert.Equal("member got TERM\n", await reader.ReadToEndAsync().OrHang());
        var error = await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync().OrHang());
        Assert.Equal(0, error.Result!.ExitCode);
    }

    [Fact]
    public async Task Abort_with_NewProcessGroup_kills_the_whole_group()
    {
        await using var running = await _runner.StartAsync(
            Command.NewArgList("sh", "-c", "sleep 100 & echo $!; wait").NewProcessGroup().SetOutputPipe());
        var line = await new StreamReader(running.StandardOutput!).ReadLineAsync().OrHang();

        await running.AbortAsync().OrHang();

        await AssertGrandchildGone(line!);
    }

    /// <summary>
    /// The background child whose pid the shell printed is dead: gone, or a zombie waiting for init
    /// (or a subreaper) to reap it, since it was reparented when the shell died.
    /// </summary>
    private static async Task AssertGrandchildGone(string output)
    {
        var pid = int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            Assert.True(await Processes.WaitGoneAsync(pid, TimeSpan.FromSeconds(5)), $"the background child {pid} survived its group: state {ProcessInspector.State(pid)}");
        }
        finally
        {
            ProcessInspector.KillIfRunning(pid);
        }
    }

    private async Task<ProbeReport> RunProbe(Command command) =>
        ProbeReport.Parse((await _runner.RunAsync(command.SetOutputBuffer()).OrHang()).StandardOutput);
}
