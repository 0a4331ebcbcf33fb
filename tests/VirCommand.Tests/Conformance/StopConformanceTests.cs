using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// SPEC §4 on every backend: timeouts, cancellation, abort, dispose and detach stop (or keep) the child
/// as promised, always reap it, and report it with the typed exception. Sleeps are long and limits short,
/// so that nothing depends on the machine's speed: a child that is not stopped hangs into the HangGuard.
/// </summary>
public sealed class StopConformanceTests
{
    private static Command Sleeper() => Probe.Command("--quiet", "--sleep", "60000");

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_timeout_stops_the_child_and_throws_timed_out(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();

        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() =>
            runner.RunAsync(Sleeper().SetTimeout(TimeSpan.FromMilliseconds(200))).OrHang());

        Assert.Equal(TimeSpan.FromMilliseconds(200), error.Timeout);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Result);
        if (runner.Features.HasFlag(CommandFeatures.RawStatus))
            Assert.NotNull(error.Result.TerminatingSignal); // without it, a backend may read the death as exit 128 + N
        await conformance.AssertStoppedAndGoneAsync(runner, error.Result.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task The_runners_default_timeout_applies_to_a_started_child_too(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner(new CommandRunnerOptions { DefaultTimeout = TimeSpan.FromMilliseconds(200) });

        await using var running = await runner.StartAsync(Sleeper()).OrHang();
        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() => running.WaitAsync().OrHang());

        Assert.Equal(running.Pid, error.Result!.Pid);
        await conformance.AssertStoppedAndGoneAsync(runner, running.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Cancelling_the_token_stops_the_child_and_throws_cancelled_with_that_token(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAsync<CommandCanceledException>(() => runner.RunAsync(Sleeper(), cts.Token).OrHang());

        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.NotNull(error.Result);
        await conformance.AssertStoppedAndGoneAsync(runner, error.Result.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_synchronous_run_is_cancelled_the_same_way(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Task.Run(() => Assert.Throws<CommandCanceledException>(() => runner.Run(Sleeper(), cts.Token))).OrHang();

        await conformance.AssertStoppedAndGoneAsync(runner, error.Result!.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Cancelling_WaitAsync_stops_a_started_child(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await using var running = await runner.StartAsync(Sleeper()).OrHang();
        await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync(cts.Token).OrHang());

        await conformance.AssertStoppedAndGoneAsync(runner, running.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task An_already_cancelled_token_spawns_nothing(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        using var dir = new TempDir();
        var program = conformance.TracingProgram(dir);
        var cancelled = new CancellationToken(canceled: true);

        var run = await Assert.ThrowsAsync<CommandCanceledException>(() => runner.RunAsync(Command.New(program), cancelled).OrHang());
        var start = await Assert.ThrowsAsync<CommandCanceledException>(() => runner.StartAsync(Command.New(program), cancelled).OrHang());

        Assert.Null(run.Result);
        Assert.Null(start.Result);
        conformance.AssertNeverRan(runner, dir);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task AbortAsync_stops_and_reaps_the_child_and_WaitAsync_then_throws_cancelled(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();

        await using var running = await runner.StartAsync(Sleeper()).OrHang();
        Assert.True(conformance.IsRunning(runner, running.Pid));
        await running.AbortAsync().OrHang();

        await conformance.AssertStoppedAndGoneAsync(runner, running.Pid);
        var error = await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync().OrHang());
        Assert.Equal(running.Pid, error.Result!.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_WaitAsync_already_waiting_ends_cancelled_when_the_child_is_aborted(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();

        await using var running = await runner.StartAsync(Sleeper().SetOutputBuffer()).OrHang();
        var waiting = running.WaitAsync();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        await running.AbortAsync().OrHang();

        await Assert.ThrowsAsync<CommandCanceledException>(() => waiting.OrHang());
        await conformance.AssertStoppedAndGoneAsync(runner, running.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task AbortAsync_after_the_child_exited_changes_nothing(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        await using var running = await runner.StartAsync(Probe.Command("--quiet")).OrHang();
        var result = await running.WaitAsync().OrHang();
        await running.AbortAsync().OrHang();

        Assert.Same(result, await running.WaitAsync().OrHang());
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Disposing_an_owned_handle_stops_and_reaps_the_child(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();

        var running = await runner.StartAsync(Sleeper()).OrHang();
        await running.DisposeAsync().AsTask().OrHang();

        await conformance.AssertStoppedAndGoneAsync(runner, running.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_detached_child_outlives_its_handle_and_can_be_aborted_later(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();

        var running = await runner.StartAsync(Sleeper()).OrHang();
        try
        {
            running.Detach();
            Assert.True(running.IsDetached);
            await running.DisposeAsync().AsTask().OrHang();
            await Task.Delay(100);
            Assert.True(conformance.IsRunning(runner, running.Pid), "disposing the detached handle stopped the child");

            await running.AbortAsync().OrHang();

            await conformance.AssertStoppedAndGoneAsync(runner, running.Pid);
            await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync().OrHang());
        }
        finally
        {
            conformance.KillIfRunning(running.Pid);
        }
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_detached_child_that_exits_can_be_waited_for_later(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        var running = await runner.StartAsync(Probe.Command("--quiet", "--sleep", "200", "--exit", "7").SetInputBuffer("late")
            .AllowNonZeroExit().SetOutputBuffer()).OrHang();
        running.Detach();
        await running.DisposeAsync().AsTask().OrHang();
        var result = await running.WaitAsync().OrHang();

        Assert.Equal(7, result.ExitCode);
        Assert.Equal(Probe.StdoutBlock("late"), result.StandardOutput);
    }
}
