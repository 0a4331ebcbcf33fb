using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// SPEC §4 on every backend: a non-zero exit is an error with the status and the tail of stderr unless
/// the caller allows it; death by a signal is always an error without the raw status (which the
/// <see cref="CommandFeatures.RawStatus"/> case of <see cref="FeatureConformanceTests"/> covers);
/// a result carries the pid and times; waiting again gives the same answer.
/// </summary>
public sealed class ExitStatusConformanceTests
{
    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_zero_exit_succeeds_with_the_pid_and_times_of_the_child(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        await using var running = await runner.StartAsync(Probe.Command("--quiet")).OrHang();
        var result = await running.WaitAsync().OrHang();

        Assert.True(result.Succeeded);
        Assert.Equal(0, result.ExitCode);
        Assert.Null(result.TerminatingSignal);
        Assert.True(running.Pid > 0);
        Assert.Equal(running.Pid, result.Pid);
        Assert.Equal(running.StartTime, result.StartTime);
        Assert.True(result.ExitTime >= result.StartTime);
        Assert.Equal(running.CommandLine, result.CommandLine);
        Assert.StartsWith(Probe.Path, result.CommandLine, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_non_zero_exit_throws_with_the_status_and_the_tail_of_the_uncaptured_stderr(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        var error = await Assert.ThrowsAsync<CommandExitException>(() =>
            runner.RunAsync(Probe.Command("--quiet", "--exit", "3", "--write-stderr", "boom: the reason\n")).OrHang());

        Assert.Equal(3, error.ExitCode);
        Assert.Null(error.Signal);
        Assert.Equal(3, error.Result.ExitCode);
        Assert.Contains("boom: the reason", error.StandardErrorTail, StringComparison.Ordinal);
        Assert.Contains("exit status 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("boom: the reason", error.Message, StringComparison.Ordinal);
        Assert.StartsWith(Probe.Path, error.CommandLine, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task The_uncaptured_stderr_kept_for_the_message_is_bounded_and_keeps_the_end(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner(new CommandRunnerOptions { StandardErrorTailBytes = 1000 });
        var text = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"line {i}\n"));

        var error = await Assert.ThrowsAsync<CommandExitException>(() =>
            runner.RunAsync(Probe.Command("--quiet", "--exit", "1").SetInputBuffer(text)).OrHang());

        Assert.InRange(error.StandardErrorTail.Length, 1, 1000);
        Assert.EndsWith("line 19999\nEND STDERR", error.StandardErrorTail.TrimEnd('\n'), StringComparison.Ordinal);
        Assert.False(error.Result.HasStandardError, "stderr was not asked for, so the result holds none");
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public void A_synchronous_run_throws_the_same_way_with_the_captured_stderr_in_the_message(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        var error = Assert.Throws<CommandExitException>(() =>
            runner.Run(Probe.Command("--quiet", "--exit", "4", "--write-stderr", "captured reason").SetErrorBuffer()));

        Assert.Equal(4, error.ExitCode);
        Assert.StartsWith("captured reason", error.Result.StandardError, StringComparison.Ordinal);
        Assert.Contains("captured reason", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task AllowNonZeroExit_returns_the_exit_code_for_the_caller_to_judge(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        var result = await runner.RunAsync(Probe.Command("--quiet", "--exit", "255").AllowNonZeroExit().SetOutputBuffer()).OrHang();

        Assert.Equal(255, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Null(result.TerminatingSignal);
        Assert.Equal(Probe.StdoutBlock(""), result.StandardOutput);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Death_by_a_signal_is_an_error(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        var error = await Assert.ThrowsAsync<CommandExitException>(() => runner.RunAsync(Probe.Command("--quiet", "--signal", "9")).OrHang());

        Assert.False(error.Result.Succeeded);
        // Telling the signal from an exit code (and so refusing it under AllowNonZeroExit) is the
        // RawStatus feature: its case in FeatureCases proves it where claimed.
        if (runner.Features.HasFlag(CommandFeatures.RawStatus))
        {
            Assert.Equal(Signal.SIGKILL, error.Signal);
            Assert.Null(error.ExitCode);
            Assert.Contains("SIGKILL", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task WaitAsync_gives_the_same_result_or_failure_every_time(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        await using var allowed = await runner.StartAsync(Probe.Command("--quiet", "--exit", "5").AllowNonZeroExit()).OrHang();
        var first = await allowed.WaitAsync().OrHang();
        Assert.Same(first, await allowed.WaitAsync().OrHang());
        Assert.Equal(5, first.ExitCode);

        await using var failing = await runner.StartAsync(Probe.Command("--quiet", "--exit", "6")).OrHang();
        var failures = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Assert.ThrowsAsync<CommandExitException>(() => failing.WaitAsync().OrHang())));
        Assert.All(failures, f => Assert.Equal(6, f.ExitCode));
    }
}
