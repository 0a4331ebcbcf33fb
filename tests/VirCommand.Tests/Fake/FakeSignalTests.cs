using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Fake;

/// <summary>Issue 13 item 4 on the fake: signals are recorded, and a scripted child reacts as its response says.</summary>
public sealed class FakeSignalTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private readonly FakeCommandRunner _fake = new();

    [Fact]
    public async Task Every_signal_is_recorded_with_its_target_those_of_the_stops_too()
    {
        _fake.Register("svc").Returns(FakeResponse.Success().WithDelay(Long).IgnoreSignal(Signal.SIGTERM));

        await using var running = await _fake.StartAsync(Command.New("svc").NewProcessGroup().SetKillGracePeriod(TimeSpan.FromMilliseconds(50)));
        Assert.True(await running.SignalAsync(Signal.SIGWINCH, SignalTarget.ProcessGroup));
        Assert.False(_fake.Invocations[0].WasStopped);
        await running.AbortAsync().OrHang();

        var invocation = _fake.Invocations[0];
        Assert.Equal([(Signal.SIGWINCH, SignalTarget.ProcessGroup), (Signal.SIGTERM, SignalTarget.ProcessGroup), (Signal.SIGKILL, SignalTarget.ProcessGroup)],
            invocation.Signals.Select(s => (s.Signal, s.Target)));
        Assert.True(invocation.WasStopped);
        // It ignored SIGTERM, so only SIGKILL after the grace period ended it.
        Assert.Equal(Signal.SIGKILL, invocation.Result!.TerminatingSignal);
    }

    [Fact]
    public async Task A_handler_that_ends_the_child_writes_its_response_after_its_delay()
    {
        _fake.Register("svc").Returns(FakeResponse.Success("working\n").WithDelay(Long)
            .OnSignal(Signal.SIGTERM, FakeResponse.Exit(143, "shutting down\n").WithDelay(TimeSpan.FromMilliseconds(20))));

        await using var running = await _fake.StartAsync(Command.New("svc").SetOutputBuffer().AllowNonZeroExit());
        await running.SignalAsync(Signal.SIGTERM);
        var result = await running.WaitAsync().OrHang();

        Assert.Equal(143, result.ExitCode);
        Assert.Equal("shutting down\n", result.StandardOutput);
        Assert.False(_fake.Invocations[0].WasStopped);
    }

    [Fact]
    public async Task A_handler_sees_the_invocation_and_may_keep_the_child_running()
    {
        var reloads = new List<int>();
        _fake.Register("svc").Returns(FakeResponse.Success().WithDelay(Long).OnSignal(Signal.SIGHUP, i => { reloads.Add(i.Pid); return null; }));

        await using var running = await _fake.StartAsync(Command.New("svc"));
        Assert.True(await running.SignalAsync(Signal.SIGHUP));
        Assert.True(await running.SignalAsync(Signal.SIGHUP));

        Assert.Equal([running.Pid, running.Pid], reloads);
        Assert.Null(_fake.Invocations[0].Result);
    }

    [Fact]
    public async Task A_handler_that_throws_ends_the_run_with_its_exception()
    {
        _fake.Register("svc").Returns(FakeResponse.Success().WithDelay(Long).OnSignal(Signal.SIGHUP, _ => throw new FormatException("bad config")));

        await using var running = await _fake.StartAsync(Command.New("svc"));
        Assert.True(await running.SignalAsync(Signal.SIGHUP));

        Assert.Equal("bad config", (await Assert.ThrowsAsync<FormatException>(() => running.WaitAsync().OrHang())).Message);
    }

    [Fact]
    public async Task Before_it_runs_the_child_has_the_default_actions_only()
    {
        // Still reading stdin: its handlers are not installed yet, so SIGHUP kills it.
        _fake.Register("svc").Returns(FakeResponse.Success().IgnoreSignal(Signal.SIGHUP));

        await using var running = await _fake.StartAsync(Command.New("svc").SetInputPipe());
        Assert.True(await running.SignalAsync(Signal.SIGHUP));

        var error = await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync().OrHang());
        Assert.Equal(Signal.SIGHUP, error.Result.TerminatingSignal);
    }

    [Theory]
    [InlineData(Signal.SIGKILL)]
    [InlineData(Signal.SIGSTOP)]
    public void A_signal_no_process_can_catch_has_no_handler(Signal signal)
    {
        var error = Assert.Throws<ArgumentException>(() => FakeResponse.Success().IgnoreSignal(signal));
        Assert.Equal("signal", error.ParamName);
        Assert.Contains("cannot be caught", error.Message, StringComparison.Ordinal);
    }
}
