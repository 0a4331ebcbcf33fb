using System.Diagnostics;
using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>SPEC §4: abort, dispose, detach, cancellation, timeouts, graceful signal and kill grace; no zombie on any path.</summary>
public sealed class LifecycleTests
{
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public async Task Abort_stops_a_running_child_reaps_it_and_WaitAsync_then_throws_cancelled()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet", "--sleep", "10000"));
        var pid = running.Pid;
        Assert.True(ProcessInspector.IsRunning(pid));

        await running.AbortAsync().OrHang();

        AssertReaped(pid);
        var error = await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync().OrHang());
        Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
        Assert.Equal(pid, error.Result.Pid);
    }

    [Fact]
    public async Task Abort_after_a_normal_exit_changes_nothing()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet"));
        var result = await running.WaitAsync().OrHang();

        await running.AbortAsync().OrHang();

        Assert.Same(result, await running.WaitAsync().OrHang());
    }

    [Fact]
    public async Task Abort_after_the_child_exited_while_its_output_still_drains_changes_nothing()
    {
        // IRunningCommand.AbortAsync: "Does nothing if it already exited." Here the child has exited and
        // been reaped; only its background child still holds stdout, so the run is draining.
        await using var running = await _runner.StartAsync(Command.NewArgList("sh", "-c", "sleep 3 & echo done")
            .SetOutputBuffer().SetDrainTimeout(TimeSpan.FromSeconds(2)));
        Assert.True(ProcessInspector.WaitUntil(() => !ProcessInspector.Children().Contains(running.Pid), TimeSpan.FromSeconds(10)),
            "the child was not reaped");

        await running.AbortAsync().OrHang();

        var result = await running.WaitAsync().OrHang();
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("done\n", result.StandardOutput);
    }

    [Fact]
    public async Task Disposing_an_owned_handle_kills_and_reaps_the_child()
    {
        var running = await _runner.StartAsync(Probe.Command("--quiet", "--sleep", "10000"));
        var pid = running.Pid;

        await running.DisposeAsync().AsTask().OrHang();

        AssertReaped(pid);
    }

    [Fact]
    public async Task A_detached_child_survives_disposal_and_can_be_aborted_and_waited_later()
    {
        var running = await _runner.StartAsync(Probe.Command("--quiet", "--sleep", "10000"));
        var pid = running.Pid;
        try
        {
            running.Detach();
            Assert.True(running.IsDetached);

            await running.DisposeAsync().AsTask().OrHang();
            await Task.Delay(100);

            Assert.Equal(0, LibC.Kill(pid, 0));
            Assert.True(ProcessInspector.IsRunning(pid), $"the detached child {pid} is {ProcessInspector.State(pid)}");

            await running.AbortAsync().OrHang();
            AssertReaped(pid);
            var error = await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync().OrHang());
            Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
        }
        finally
        {
            ProcessInspector.KillIfRunning(pid);
        }
    }

    [Fact]
    public async Task A_detached_child_that_exits_is_reaped_and_its_result_can_be_waited_for_later()
    {
        var running = await _runner.StartAsync(Probe.Command("--quiet", "--sleep", "200", "--exit", "7").AllowNonZeroExit().SetOutputBuffer());
        var pid = running.Pid;
        running.Detach();
        await running.DisposeAsync();

        Assert.True(ProcessInspector.WaitUntil(() => !ProcessInspector.Children().Contains(pid), HangGuard.Limit), "the detached child was never reaped");
        var result = await running.WaitAsync().OrHang();

        Assert.Equal(7, result.ExitCode);
        Assert.Equal(Probe.StdoutBlock(""), result.StandardOutput);
    }

    [Fact]
    public async Task Cancelling_a_run_sends_SIGTERM_and_throws_cancelled_with_the_result()
    {
        using var cts = new CancellationTokenSource();
        var run = _runner.RunAsync(Probe.Command("--quiet", "--sleep", "10000"), cts.Token);
        await Task.Delay(200);

        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<CommandCanceledException>(() => run.OrHang());
        Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
        Assert.Equal(cts.Token, error.CancellationToken);
        AssertReaped(error.Result.Pid);
    }

    [Fact]
    public async Task A_synchronous_run_can_be_cancelled()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Task.Run(() => Assert.Throws<CommandCanceledException>(() => _runner.Run(Probe.Command("--quiet", "--sleep", "10000"), cts.Token))).OrHang();

        Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
    }

    [Fact]
    public async Task Cancelling_WaitAsync_of_a_started_child_stops_it()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet", "--sleep", "10000"));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync(cts.Token).OrHang());

        Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
        AssertReaped(running.Pid);
    }

    [Fact]
    public async Task An_already_cancelled_token_spawns_nothing()
    {
        var marker = "marker-" + Guid.NewGuid().ToString("N");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _runner.RunAsync(Probe.Command("--quiet", "--sleep", "10000", marker), new CancellationToken(canceled: true)).OrHang());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _runner.StartAsync(Probe.Command("--quiet", "--sleep", "10000", marker), new CancellationToken(canceled: true)).OrHang());

        Assert.DoesNotContain(ProcessInspector.Children(), pid => CommandLineOf(pid).Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_timeout_stops_the_child_and_throws_timeout_with_the_result()
    {
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() =>
            _runner.RunAsync(Probe.Command("--quiet", "--sleep", "10000").SetTimeout(TimeSpan.FromMilliseconds(200))).OrHang());

        Assert.Equal(TimeSpan.FromMilliseconds(200), error.Timeout);
        Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(190), $"the run ended after {clock.Elapsed}, before its timeout");
        AssertReaped(error.Result.Pid);
    }

    [Fact]
    public async Task A_timeout_applies_to_a_started_child_too()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet", "--sleep", "10000").SetTimeout(TimeSpan.FromMilliseconds(200)));

        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() => running.WaitAsync().OrHang());

        Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
    }

    [Fact]
    public async Task The_runners_default_timeout_and_graceful_signal_apply_when_the_command_sets_none()
    {
        var runner = new PosixCommandRunner(new CommandRunnerOptions { DefaultTimeout = TimeSpan.FromMilliseconds(200), GracefulSignal = Signal.SIGUSR1 });

        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() => runner.RunAsync(Probe.Command("--quiet", "--sleep", "10000")).OrHang());

        Assert.Equal(Signal.SIGUSR1, error.Result!.TerminatingSignal);
    }

    [Fact]
    public async Task A_child_that_finishes_within_its_timeout_succeeds()
    {
        var result = await _runner.RunAsync(Probe.Command("--quiet", "--sleep", "50").SetTimeout(TimeSpan.FromSeconds(20))).OrHang();

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task The_graceful_signal_can_be_SIGINT()
    {
        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() =>
            _runner.RunAsync(Probe.Command("--quiet", "--sleep", "10000").SetTimeout(TimeSpan.FromMilliseconds(200)).SetGracefulSignal(Signal.SIGINT)).OrHang());

        Assert.Equal(Signal.SIGINT, error.Result!.TerminatingSignal);
    }

    [Fact]
    public async Task Abort_uses_the_graceful_signal_too()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet", "--sleep", "10000").SetGracefulSignal(Signal.SIGHUP));

        await running.AbortAsync().OrHang();

        var error = await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync().OrHang());
        Assert.Equal(Signal.SIGHUP, error.Result!.TerminatingSignal);
    }

    [Fact]
    public async Task A_child_that_ignores_SIGTERM_is_SIGKILLed_after_the_grace_period()
    {
        await using var running = await _runner.StartAsync(
            Command.NewArgList("sh", "-c", "trap '' TERM; echo ready; exec sleep 10").SetOutputPipe().SetKillGracePeriod(TimeSpan.FromMilliseconds(200)));
        Assert.Equal("ready", await new StreamReader(running.StandardOutput!).ReadLineAsync().OrHang());
        var clock = Stopwatch.StartNew();

        await running.AbortAsync().OrHang();

        var error = await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync().OrHang());
        Assert.Equal(Signal.SIGKILL, error.Result!.TerminatingSignal);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(180), $"SIGKILL came after {clock.Elapsed}, before the 200 ms grace period");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"the abort took {clock.Elapsed}: the child ran out its sleep");
        AssertReaped(running.Pid);
    }

    [Fact]
    public async Task A_timed_out_child_that_ignores_SIGTERM_is_SIGKILLed_after_the_grace_period()
    {
        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() => _runner.RunAsync(
            Command.NewArgList("sh", "-c", "trap '' TERM; exec sleep 10")
                .SetTimeout(TimeSpan.FromMilliseconds(300)).SetKillGracePeriod(TimeSpan.FromMilliseconds(200))).OrHang());

        Assert.Equal(Signal.SIGKILL, error.Result!.TerminatingSignal);
        Assert.True(error.Result.RunTime < TimeSpan.FromSeconds(8), $"the child ran {error.Result.RunTime}: it was not killed");
    }

    [Fact]
    public async Task A_shell_that_ignores_SIGTERM_is_SIGKILLed_after_the_grace_period()
    {
        // The shell's own child (sleep, SIGTERM ignored too) outlives it holding the stderr-tail pipe:
        // the run still ends, after the drain time, with the shell's SIGKILL.
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() => _runner.RunAsync(
            Command.NewArgList("sh", "-c", "trap \"\" TERM; sleep 10")
                .SetTimeout(TimeSpan.FromMilliseconds(300)).SetKillGracePeriod(TimeSpan.FromMilliseconds(200)).SetDrainTimeout(TimeSpan.FromMilliseconds(300))).OrHang());

        Assert.Equal(Signal.SIGKILL, error.Result!.TerminatingSignal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"the run took {clock.Elapsed}: the shell was not killed");
    }

    [Fact]
    public async Task A_zero_grace_period_kills_at_once()
    {
        await using var running = await _runner.StartAsync(
            Command.NewArgList("sh", "-c", "trap '' TERM; echo ready; exec sleep 10").SetOutputPipe().SetKillGracePeriod(TimeSpan.Zero));
        Assert.Equal("ready", await new StreamReader(running.StandardOutput!).ReadLineAsync().OrHang());

        await running.AbortAsync().OrHang();

        var error = await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync().OrHang());
        Assert.Equal(Signal.SIGKILL, error.Result!.TerminatingSignal);
    }

    [Fact]
    public async Task Concurrent_aborts_and_waits_agree()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet", "--sleep", "10000"));

        var waits = Enumerable.Range(0, 4).Select(_ => Task.Run(() => running.WaitAsync())).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(running.AbortAsync))).OrHang();

        foreach (var wait in waits)
            Assert.Equal(Signal.SIGTERM, (await Assert.ThrowsAsync<CommandCanceledException>(() => wait.OrHang())).Result!.TerminatingSignal);
    }

    /// <summary>The child was reaped: it is no longer our child (not even a zombie) and its pid names nothing.</summary>
    internal static void AssertReaped(int pid)
    {
        Assert.DoesNotContain(pid, ProcessInspector.Children());
        Assert.Equal(LibC.ESRCH, ProcessInspector.KillZeroErrno(pid));
    }

    private static string CommandLineOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return "";
        }
    }
}
