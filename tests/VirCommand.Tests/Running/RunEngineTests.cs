using VirCommand.Backends;
using VirCommand.Tests.Building;
using VirCommand.Tests.Examples;

namespace VirCommand.Tests.Running;

/// <summary>
/// The run engine through the public backend-author API alone: a backend that implements only
/// <c>Spawn</c> and a small <see cref="IChildProcess"/> gets every rule of a run from the engine.
/// </summary>
public sealed class RunEngineTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public async Task A_timeout_sends_the_graceful_signal_then_SIGKILL_after_the_grace_and_is_judged_a_timeout()
    {
        var runner = new ScriptedRunner(_clock);
        var command = Command.New("stubborn").SetTimeout(TimeSpan.FromSeconds(5)).SetKillGracePeriod(TimeSpan.FromSeconds(2));

        await using var running = await runner.StartAsync(command);
        var child = runner.Children.Single();
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal([(Signal.SIGTERM, false)], child.Signals);
        _clock.Advance(TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() => running.WaitAsync());
        Assert.Equal([(Signal.SIGTERM, false), (Signal.SIGKILL, false)], child.Signals);
        Assert.Equal(Signal.SIGKILL, error.Result?.TerminatingSignal);
    }

    [Fact]
    public async Task A_child_that_leads_a_process_group_is_signalled_with_its_group_and_the_group_is_killed_before_the_reap()
    {
        var runner = new ScriptedRunner(_clock);

        await using var running = await runner.StartAsync(Command.New("leader").NewProcessGroup()
            .SetGracefulSignal(Signal.SIGINT).SetKillGracePeriod(TimeSpan.FromSeconds(1)));
        var child = runner.Children.Single();
        var abort = running.AbortAsync();
        _clock.Advance(TimeSpan.FromSeconds(1));
        await abort;

        // The graceful signal and the kill to the group, then the group again just before the leader is reaped.
        Assert.Equal([(Signal.SIGINT, true), (Signal.SIGKILL, true), (Signal.SIGKILL, true)], child.Signals);
        Assert.IsType<CommandCanceledException>(await Record.ExceptionAsync(() => running.WaitAsync()));
    }

    [Fact]
    public async Task The_first_overflowing_capture_stops_the_child_and_is_reported()
    {
        var runner = new ScriptedRunner(_clock) { OverflowOnStart = "stderr" };

        var error = await Assert.ThrowsAsync<CommandCaptureLimitException>(() => runner.RunAsync(Command.New("chatty").SetErrorBuffer()));

        Assert.Equal("stderr", error.Stream);
        Assert.Equal([(Signal.SIGTERM, false)], runner.Children.Single().Signals);
    }

    [Fact]
    public async Task CloseParent_fds_are_closed_by_the_engine_even_when_the_backend_fails_to_spawn()
    {
        using var file = new TempFile();
        var runner = new ScriptedRunner(_clock) { FailSpawn = true };
        using var command = Command.New("missing").PassFd(file.Handle, PassFdOptions.CloseParent);

        await Assert.ThrowsAsync<CommandStartException>(() => runner.RunAsync(command));

        Assert.True(file.Handle.IsClosed);
    }

    [Fact]
    public async Task The_backend_reads_a_plan_that_later_changes_to_the_command_do_not_touch()
    {
        var runner = new ScriptedRunner(_clock);
        // SIGKILL first: the scripted child ignores every other signal, and this clock never moves.
        var command = Command.NewArgList("tool", "one").SetGracefulSignal(Signal.SIGKILL);

        await using var running = await runner.StartAsync(command);
        command.AddArg("two").SetUmask(0);

        var plan = runner.Children.Single().Plan;
        Assert.Equal(["tool", "one"], plan.Argv);
        Assert.Null(plan.Umask);
        Assert.Equal("tool one", plan.CommandLine);
    }

    private sealed class ScriptedRunner(TimeProvider time) : CommandRunnerBase(new CommandRunnerOptions())
    {
        public List<ScriptedChild> Children { get; } = [];

        public bool FailSpawn { get; init; }

        public string? OverflowOnStart { get; init; }

        public override string Name => "scripted";

        public override CommandFeatures Features => CommandFeatures.All;

        protected override TimeProvider Time => time;

        protected override IChildProcess Spawn(RunPlan plan)
        {
            if (FailSpawn)
                throw new CommandStartException(plan.CommandLine, StartStage.Exec, 2);
            var child = new ScriptedChild(plan, time, OverflowOnStart);
            Children.Add(child);
            return child;
        }
    }

    /// <summary>A child that ignores every signal but SIGKILL, which it dies of.</summary>
    private sealed class ScriptedChild(RunPlan plan, TimeProvider time, string? overflowOnStart) : IChildProcess
    {
        private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private StopSequence? _stops;
        private bool _reaping;

        public RunPlan Plan => plan;

        public List<(Signal Signal, bool ToGroup)> Signals { get; } = [];

        public int Pid => 4242;

        public DateTimeOffset StartTime { get; } = time.GetUtcNow();

        public Stream? StandardInput => null;

        public Stream? StandardOutput => null;

        public Stream? StandardError => null;

        public Task<int> Exited => _exited.Task;

        public bool HasExited => _exited.Task.IsCompleted;

        public Task OutputsDone => Task.CompletedTask;

        public ReadOnlyMemory<byte> CapturedOutput => default;

        public ReadOnlyMemory<byte> CapturedError => default;

        public string? ErrorTail => null;

        public bool ReachedHandshake => false;

        public void Start(StopSequence stops)
        {
            _stops = stops;
            if (overflowOnStart is { } stream)
            {
                stops.CaptureOverflowed(stream);
                _exited.TrySetResult(CommandResult.SignalStatus(VirCommand.Signal.SIGTERM));
            }
        }

        public bool Signal(Signal signal, bool toProcessGroup)
        {
            Signals.Add((signal, toProcessGroup));
            if (signal != VirCommand.Signal.SIGKILL || _reaping)
                return true;
            // Dead: the backend reaps it, giving the rules their moment before the reap.
            _reaping = true;
            _stops!.BeforeReap();
            _exited.TrySetResult(CommandResult.SignalStatus(VirCommand.Signal.SIGKILL));
            return true;
        }

        public Task ReleaseHandshakeAsync() => Task.CompletedTask;

        public void AbandonHandshake()
        {
        }

        public void StopReading()
        {
        }

        public void Close(bool detached)
        {
        }
    }
}
