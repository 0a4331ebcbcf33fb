using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>
/// The POSIX backend's blocking <c>Run</c>, which waits on the calling thread (poll on the pidfd and
/// the run's pipes) instead of the event loop: the same rules as <c>RunAsync</c> for pumping, stopping,
/// draining and judging. Each test runs on a pool thread so that a hang fails instead of blocking the suite.
/// Serial: the leak checks count the fds and children of the whole process.
/// </summary>
[Collection("Serial")]
public sealed class BlockingRunTests
{
    private readonly PosixCommandRunner _runner = new();

    private static Task<T> OnPoolThread<T>(Func<T> run) => Task.Run(run).OrHang();

    [Fact]
    public async Task Input_and_both_captures_of_a_megabyte_each_are_pumped_without_deadlock()
    {
        var data = Probe.Binary(1024 * 1024, seed: 60);

        var result = await OnPoolThread(() => _runner.Run(Probe.Command("--quiet").SetInputBuffer(data).SetOutputBuffer().SetErrorBuffer()));

        Assert.Equal(Probe.StdoutBlock(data), result.StandardOutputBytes.ToArray());
        Assert.Equal(Probe.StderrBlock(data), result.StandardErrorBytes.ToArray());
    }

    [Fact]
    public async Task Send_buffers_reach_the_child()
    {
        var command = Command.NewArgList("sh", "-c", "cat <&3").SetOutputBuffer();
        command.SetSendBuffer("through fd 3"u8.ToArray(), 3);

        var result = await OnPoolThread(() => _runner.Run(command));

        Assert.Equal("through fd 3", result.StandardOutput);
    }

    [Fact]
    public async Task The_stderr_tail_is_in_the_failure_message_and_a_large_stderr_does_not_block_the_child()
    {
        var error = await OnPoolThread(() => Assert.Throws<CommandExitException>(() =>
            _runner.Run(Command.NewArgList("sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x >&2; echo the-end >&2; exit 3"))));

        Assert.Equal(3, error.Result.ExitCode);
        Assert.Contains("the-end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeout_stops_the_child_and_throws_timeout_with_the_result()
    {
        var clock = Stopwatch.StartNew();

        var error = await OnPoolThread(() => Assert.Throws<CommandTimeoutException>(() =>
            _runner.Run(Probe.Command("--quiet", "--sleep", "10000").SetTimeout(TimeSpan.FromMilliseconds(200)))));

        Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(190), $"the run ended after {clock.Elapsed}, before its timeout");
        LifecycleTests.AssertReaped(error.Result.Pid);
    }

    [Fact]
    public async Task A_timed_out_child_that_ignores_SIGTERM_is_SIGKILLed_after_the_grace_period()
    {
        var clock = Stopwatch.StartNew();

        var error = await OnPoolThread(() => Assert.Throws<CommandTimeoutException>(() => _runner.Run(
            Command.NewArgList("sh", "-c", "trap '' TERM; exec sleep 10")
                .SetTimeout(TimeSpan.FromMilliseconds(200)).SetKillGracePeriod(TimeSpan.FromMilliseconds(200)))));

        Assert.Equal(Signal.SIGKILL, error.Result!.TerminatingSignal);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(380), $"SIGKILL came after {clock.Elapsed}, before timeout + grace");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"the run took {clock.Elapsed}: the child ran out its sleep");
    }

    [Fact]
    public async Task Cancelling_from_another_thread_sends_SIGTERM_and_throws_cancelled_with_the_token()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await OnPoolThread(() => Assert.Throws<CommandCanceledException>(() =>
            _runner.Run(Probe.Command("--quiet", "--sleep", "10000"), cts.Token)));

        Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
        Assert.Equal(cts.Token, error.CancellationToken);
        LifecycleTests.AssertReaped(error.Result.Pid);
    }

    [Fact]
    public async Task A_cancelled_child_that_ignores_SIGTERM_is_SIGKILLed_after_the_grace_period()
    {
        // The cancellation comes from another thread while the run sits in poll: the run must wake up to keep the kill deadline.
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        var error = await OnPoolThread(() => Assert.Throws<CommandCanceledException>(() => _runner.Run(
            Command.NewArgList("sh", "-c", "trap '' TERM; exec sleep 10").SetKillGracePeriod(TimeSpan.FromMilliseconds(200)), cts.Token)));

        Assert.Equal(Signal.SIGKILL, error.Result!.TerminatingSignal);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(380), $"SIGKILL came after {clock.Elapsed}, before cancellation + grace");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"the run took {clock.Elapsed}: the child ran out its sleep");
    }

    [Fact]
    public async Task A_token_that_is_never_cancelled_changes_nothing()
    {
        using var cts = new CancellationTokenSource();

        var result = await OnPoolThread(() => _runner.Run(Probe.Command("--quiet", "--exit", "0").SetOutputBuffer(), cts.Token));

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task A_timeout_with_NewProcessGroup_kills_the_shell_and_its_background_child()
    {
        var error = await OnPoolThread(() => Assert.Throws<CommandTimeoutException>(() => _runner.Run(
            Command.NewArgList("sh", "-c", "sleep 100 & echo $!; wait").NewProcessGroup().SetOutputBuffer().SetTimeout(TimeSpan.FromMilliseconds(300)))));

        var grandchild = int.Parse(error.Result!.StandardOutput.Trim(), CultureInfo.InvariantCulture);
        Assert.True(ProcessInspector.WaitUntil(() => !ProcessInspector.IsRunning(grandchild), TimeSpan.FromSeconds(5)), "the background child survived");
    }

    [Fact]
    public async Task A_child_that_would_write_forever_is_stopped_at_the_capture_limit()
    {
        var error = await OnPoolThread(() => Assert.Throws<CommandCaptureLimitException>(() =>
            _runner.Run(Command.NewArgList("cat", "/dev/zero").SetOutputBuffer().SetCaptureLimit(1000))));

        Assert.Equal("stdout", error.Stream);
        Assert.Equal(Signal.SIGTERM, error.Result.TerminatingSignal);
        Assert.Equal(new byte[1000], error.Result.StandardOutputBytes.ToArray());
        LifecycleTests.AssertReaped(error.Result.Pid);
    }

    [Fact]
    public async Task Overflowing_the_limit_while_the_output_drains_after_the_exit_is_still_reported()
    {
        var error = await OnPoolThread(() => Assert.Throws<CommandCaptureLimitException>(() => _runner.Run(
            Command.NewArgList("sh", "-c", "(sleep 0.3; head -c 5000 /dev/zero) & exit 0")
                .SetOutputBuffer().SetCaptureLimit(1000).SetDrainTimeout(TimeSpan.FromSeconds(10)))));

        Assert.Equal(0, error.Result.ExitCode);
        Assert.Equal(1000, error.Result.StandardOutputBytes.Length);
    }

    [Fact]
    public async Task A_grandchild_holding_stdout_delays_the_run_by_the_drain_time_at_most()
    {
        var clock = Stopwatch.StartNew();

        var result = await OnPoolThread(() => _runner.Run(Command.NewArgList("sh", "-c", "sleep 30 & echo $! >&2; echo done")
            .SetOutputBuffer().SetErrorBuffer().SetDrainTimeout(TimeSpan.FromMilliseconds(300))));

        ProcessInspector.KillIfRunning(int.Parse(result.StandardError.Trim(), CultureInfo.InvariantCulture));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the run took {clock.Elapsed}: it waited for the grandchild");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(290), $"the run took {clock.Elapsed}: it did not drain");
        Assert.Equal("done\n", result.StandardOutput);
    }

    [Fact]
    public async Task Output_a_grandchild_writes_within_the_drain_time_is_captured()
    {
        var result = await OnPoolThread(() => _runner.Run(Command.NewArgList("sh", "-c", "(sleep 0.2; echo late) & echo early")
            .SetOutputBuffer().SetDrainTimeout(TimeSpan.FromSeconds(10))));

        Assert.Equal("early\nlate\n", result.StandardOutput);
    }

    [Fact]
    public async Task A_zero_drain_time_still_keeps_everything_the_child_wrote()
    {
        var data = Probe.Binary(48 * 1024, seed: 61);

        var result = await OnPoolThread(() => _runner.Run(Probe.Command("--quiet").SetInputBuffer(data).SetOutputBuffer().SetErrorBuffer()
            .SetDrainTimeout(TimeSpan.Zero)));

        Assert.Equal(Probe.StdoutBlock(data), result.StandardOutputBytes.ToArray());
        Assert.Equal(Probe.StderrBlock(data), result.StandardErrorBytes.ToArray());
    }

    [Fact]
    public async Task A_start_failure_is_thrown_and_leaves_nothing_behind()
    {
        _runner.Run(Command.New("/bin/true")); // warm-up: the loop and /dev/null are opened once
        var leaks = new LeakCheck();

        var error = await OnPoolThread(() => Assert.Throws<CommandStartException>(() =>
            _runner.Run(Command.New("/bin/true").SetWorkingDirectory("/nonexistent-" + Guid.NewGuid().ToString("N")))));

        Assert.Equal(StartStage.WorkingDirectory, error.Stage);
        await leaks.AssertCleanAsync();
    }

    [Fact]
    public async Task A_daemon_runs_to_completion_too()
    {
        var result = await OnPoolThread(() => _runner.Run(Probe.Command("--quiet").Daemonize()));

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Many_threads_running_at_once_with_every_ending_leave_no_fd_and_no_zombie()
    {
        _runner.Run(Command.New("/bin/true"));
        var leaks = new LeakCheck();
        var failures = new ConcurrentQueue<string>();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 10; i++)
            {
                var text = $"run {t}/{i}";
                try
                {
                    switch ((t + i) % 4)
                    {
                        case 0:
                            if (_runner.Run(Probe.Command("--quiet").SetInputBuffer(text).SetOutputBuffer()).StandardOutput != Probe.StdoutBlock(text))
                                failures.Enqueue($"{text}: wrong output");
                            break;
                        case 1:
                            Assert.Throws<CommandExitException>(() => _runner.Run(Probe.Command("--quiet", "--exit", "4")));
                            break;
                        case 2:
                            Assert.Throws<CommandTimeoutException>(() =>
                                _runner.Run(Probe.Command("--quiet", "--sleep", "10000").SetTimeout(TimeSpan.FromMilliseconds(50))));
                            break;
                        default:
                            using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(30)))
                                Assert.Throws<CommandCanceledException>(() => _runner.Run(Probe.Command("--quiet", "--sleep", "10000"), cts.Token));
                            break;
                    }
                }
#pragma warning disable CA1031 // collected and reported below
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failures.Enqueue($"{text}: {e}");
                }
            }
        }))).OrHang();

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(3)));
        await leaks.AssertCleanAsync();
    }

    [Fact]
    public async Task Blocking_runs_on_more_pool_threads_than_the_pool_has_do_not_wait_for_the_pool_to_grow()
    {
        // Sync-over-async needed a free pool thread to complete each run; blocking every pool thread
        // then left the runs waiting for the pool's slow growth. The blocking run needs no other thread.
        ThreadPool.GetMinThreads(out var workers, out _);
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, workers * 2).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10; i++)
                _runner.Run(Command.New("/bin/true"));
        }))).OrHang();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{workers * 2} x 10 runs took {clock.Elapsed}");
    }
}
