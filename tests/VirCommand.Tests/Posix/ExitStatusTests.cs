using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>SPEC §4: exit status as libvirt judges it; the raw status tells exit codes and signals apart.</summary>
public sealed class ExitStatusTests
{
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public async Task A_zero_exit_succeeds_with_pid_and_times()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet"));
        var result = await running.WaitAsync().OrHang();

        Assert.Equal(0, result.ExitCode);
        Assert.Null(result.TerminatingSignal);
        Assert.True(result.Succeeded);
        Assert.Equal(running.Pid, result.Pid);
        Assert.True(result.Pid > 0);
        Assert.Equal(running.StartTime, result.StartTime);
        Assert.True(result.ExitTime >= result.StartTime);
        Assert.Equal(running.CommandLine, result.CommandLine);
    }

    [Fact]
    public async Task A_non_zero_exit_throws_by_default()
    {
        var error = await Assert.ThrowsAsync<CommandExitException>(() => _runner.RunAsync(Probe.Command("--quiet", "--exit", "3")).OrHang());

        Assert.Equal(3, error.ExitCode);
        Assert.Null(error.Signal);
        Assert.Equal(3, error.Result.ExitCode);
        Assert.Contains("exit status 3", error.Message, StringComparison.Ordinal);
        Assert.StartsWith(Probe.Path, error.CommandLine, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_zero_exit_throws_from_a_synchronous_run_too()
    {
        var error = Assert.Throws<CommandExitException>(() => _runner.Run(Probe.Command("--quiet", "--exit", "3")));

        Assert.Equal(3, error.ExitCode);
    }

    [Fact]
    public async Task AllowNonZeroExit_returns_the_exit_code()
    {
        var result = await _runner.RunAsync(Probe.Command("--quiet", "--exit", "3").AllowNonZeroExit()).OrHang();

        Assert.Equal(3, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Equal(CommandResult.ExitStatus(3), result.RawStatus);
    }

    [Fact]
    public async Task Exit_code_255_is_not_mistaken_for_anything_else()
    {
        var result = await _runner.RunAsync(Probe.Command("--quiet", "--exit", "255").AllowNonZeroExit()).OrHang();

        Assert.Equal(255, result.ExitCode);
        Assert.Null(result.TerminatingSignal);
    }

    [Fact]
    public async Task Death_by_a_signal_throws_even_with_AllowNonZeroExit()
    {
        var error = await Assert.ThrowsAsync<CommandExitException>(() =>
            _runner.RunAsync(Probe.Command("--quiet", "--signal", "9").AllowNonZeroExit()).OrHang());

        Assert.Equal(Signal.SIGKILL, error.Signal);
        Assert.Null(error.ExitCode);
        Assert.Contains("SIGKILL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Death_by_a_signal_throws_by_default()
    {
        var error = await Assert.ThrowsAsync<CommandExitException>(() => _runner.RunAsync(Probe.Command("--quiet", "--signal", "15")).OrHang());

        Assert.Equal(Signal.SIGTERM, error.Signal);
    }

    [Fact]
    public async Task RawStatus_returns_death_by_a_signal()
    {
        var result = await _runner.RunAsync(Probe.Command("--quiet", "--signal", "9").RawStatus()).OrHang();

        Assert.Equal(Signal.SIGKILL, result.TerminatingSignal);
        Assert.Null(result.ExitCode);
        Assert.Equal(CommandResult.SignalStatus(Signal.SIGKILL), result.RawStatus);
        Assert.False(result.CoreDumped);
    }

    [Fact]
    public async Task RawStatus_returns_an_exit_code()
    {
        var result = await _runner.RunAsync(Probe.Command("--quiet", "--exit", "3").RawStatus()).OrHang();

        Assert.Equal(3, result.ExitCode);
        Assert.Null(result.TerminatingSignal);
    }

    [Fact]
    public async Task RawStatus_returns_a_blocked_signal_the_child_unblocks()
    {
        var result = await _runner.RunAsync(Probe.Command("--quiet", "--signal", "10").RawStatus()).OrHang();

        Assert.Equal(Signal.SIGUSR1, result.TerminatingSignal);
    }

    [Fact]
    public async Task WaitAsync_gives_the_same_result_every_time()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet", "--exit", "5").AllowNonZeroExit());

        var first = await running.WaitAsync().OrHang();
        var second = await running.WaitAsync().OrHang();

        Assert.Same(first, second);
        Assert.Equal(5, first.ExitCode);
    }

    [Fact]
    public async Task WaitAsync_throws_the_same_failure_every_time()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet", "--exit", "6"));

        var first = await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync().OrHang());
        var second = await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync().OrHang());

        Assert.Equal(6, first.ExitCode);
        Assert.Equal(6, second.ExitCode);
    }

    [Fact]
    public async Task The_child_starts_with_default_signal_handling_and_an_empty_mask()
    {
        var report = ProbeReport.Parse((await _runner.RunAsync(Probe.Command().SetOutputBuffer()).OrHang()).StandardOutput);

        Assert.Equal("0000000000000000", report.SignalMask);
        Assert.Equal("default", report.SigPipe); // .NET ignores SIGPIPE; the child must not inherit that
    }
}
