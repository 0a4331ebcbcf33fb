using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using VirCommand.Tests.Examples;
using VirCommand.Tests.Running;

namespace VirCommand.Tests.Lifetime;

/// <summary>A runner stops the children it still owns when it is shut down or disposed, and only those.</summary>
public sealed class RunnerShutdownTests
{
    private readonly ManualClock _clock = new();
    private readonly FakeLogger _log = new();

    private ScriptedRunner Runner(CommandRunnerOptions? options = null) => new(_clock, options) { Logger = _log };

    [Fact]
    public async Task Shutdown_stops_the_owned_children_by_the_stop_sequence_and_logs_what_it_stopped()
    {
        var runner = Runner(new CommandRunnerOptions { KillGracePeriod = TimeSpan.FromSeconds(2) });
        var polite = await runner.StartAsync(Command.New("polite"));
        var stubborn = await runner.StartAsync(Command.New("stubborn"));
        var detached = await runner.StartAsync(Command.New("detached"));
        detached.Detach();

        var shutdown = runner.ShutdownAsync();
        Assert.False(shutdown.IsCompleted); // the stubborn child ignores SIGTERM for the grace period
        _clock.Advance(TimeSpan.FromSeconds(2));
        await shutdown;

        Assert.Equal([Signal.SIGTERM], Child(runner, "polite").Signals);
        Assert.Equal([Signal.SIGTERM, Signal.SIGKILL], Child(runner, "stubborn").Signals);
        Assert.Empty(Child(runner, "detached").Signals);
        var error = await Assert.ThrowsAsync<CommandCanceledException>(() => stubborn.WaitAsync());
        Assert.Contains("stopped: its runner was shut down", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<CommandCanceledException>(() => polite.WaitAsync());

        var logs = _log.Collector.GetSnapshot();
        Assert.Contains(logs, r => r.Level == LogLevel.Information && r.Message == $"The {runner.Backend} runner is shutting down: stopping the 2 children it owns");
        Assert.Contains(logs, r => r.Level == LogLevel.Information && r.Id.Name == "RunKilled" &&
            r.Message.StartsWith($"stubborn (pid {Child(runner, "stubborn").Pid}, {runner.Backend}) was killed by signal 9 (SIGKILL)", StringComparison.Ordinal) &&
            r.Message.EndsWith(": stopped", StringComparison.Ordinal));
        await detached.AbortAsync();
    }

    [Fact]
    public async Task A_cancelled_shutdown_token_sends_SIGKILL_at_once_and_says_so()
    {
        var runner = Runner(new CommandRunnerOptions { KillGracePeriod = TimeSpan.FromHours(1) });
        var stubborn = await runner.StartAsync(Command.New("stubborn"));
        using var timeout = new CancellationTokenSource();

        var shutdown = runner.ShutdownAsync(timeout.Token);
        await timeout.CancelAsync();
        await shutdown;

        Assert.Equal([Signal.SIGTERM, Signal.SIGKILL], Child(runner, "stubborn").Signals);
        Assert.Equal(Signal.SIGKILL, (await Assert.ThrowsAsync<CommandCanceledException>(() => stubborn.WaitAsync())).Result?.TerminatingSignal);
        Assert.Contains(_log.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning &&
            r.Message == $"The {runner.Backend} runner's shutdown ran out of time: SIGKILL to the 1 children still running");
    }

    [Fact]
    public async Task A_runner_shut_down_refuses_every_later_run_and_a_second_shutdown_finds_nothing()
    {
        var runner = Runner();
        await runner.DisposeAsync();

        var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => runner.StartAsync(Command.New("late")));
        Assert.Contains("it starts no more children", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => runner.RunAsync(Command.NewArgList("exit", "0")));
        Assert.Throws<ObjectDisposedException>(() => runner.Run(Command.NewArgList("exit", "0")));
        await runner.ShutdownAsync();
        Assert.Empty(runner.Children);
    }

    [Fact]
    public async Task Disposal_stops_the_owned_children_and_runs_to_completion_too()
    {
        var runner = Runner();
        var run = runner.RunAsync(Command.New("sleeper"));
        var started = await runner.StartAsync(Command.New("sleeper"));

        runner.Dispose();

        await Assert.ThrowsAsync<CommandCanceledException>(() => run);
        await Assert.ThrowsAsync<CommandCanceledException>(() => started.WaitAsync());
        Assert.All(runner.Children, c => Assert.Equal([Signal.SIGTERM], c.Signals));
    }

    [Fact]
    public async Task A_daemon_and_a_child_that_already_ended_are_not_stopped()
    {
        var runner = Runner();
        await using var daemon = await runner.StartAsync(Command.New("daemon").Daemonize());
        await runner.RunAsync(Command.NewArgList("exit", "0"));

        await runner.ShutdownAsync();

        Assert.All(runner.Children, c => Assert.Empty(c.Signals));
        Assert.DoesNotContain(_log.Collector.GetSnapshot(), r => r.Id.Name == "RunnerStopping");
        daemon.Detach();
    }

    [Fact]
    public async Task The_parent_death_option_reaches_every_plan_but_a_daemons_and_a_commands_own_signal_wins()
    {
        var runner = Runner(new CommandRunnerOptions { ParentDeathSignal = Signal.SIGTERM });

        await runner.RunAsync(Command.NewArgList("exit", "0"));
        await runner.RunAsync(Command.NewArgList("exit", "0").SetParentDeathSignal(Signal.SIGKILL));
        await using (var daemon = await runner.StartAsync(Command.New("daemon").Daemonize()))
            daemon.Detach();

        Assert.Equal([Signal.SIGTERM, Signal.SIGKILL, null], runner.Children.Select(c => c.Plan.ParentDeathSignal));
    }

    [Fact]
    public async Task A_backend_without_parent_death_signals_refuses_the_option_for_every_run_naming_the_backend_that_has_it()
    {
        var runner = new ScriptedRunner(_clock, new CommandRunnerOptions { ParentDeathSignal = Signal.SIGTERM }, CommandFeatures.StdioPipes);

        var error = await Assert.ThrowsAsync<CommandNotSupportedException>(() => runner.RunAsync(Command.NewArgList("exit", "0")));

        Assert.Equal(CommandFeatures.ParentDeathSignal, error.Feature);
        Assert.Equal("posix", error.Alternative);
        Assert.Empty(runner.Children);
    }

    [Fact]
    public void Invalid_parent_death_option_is_rejected_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => Runner(new CommandRunnerOptions { ParentDeathSignal = (Signal)99 }));

        Assert.Contains(nameof(CommandRunnerOptions.ParentDeathSignal), error.Message, StringComparison.Ordinal);
    }

    private static ScriptedChild Child(ScriptedRunner runner, string program) => runner.Children.Single(c => c.Plan.Program == program);
}
