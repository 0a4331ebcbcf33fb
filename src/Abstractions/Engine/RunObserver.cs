using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace VirCommand.Backends;

/// <summary>
/// What the runner sees of one run, from its plan to its end, the same for every backend and both
/// ways of waiting: its activity, its measurements, its log entries, and the runner's ownership of
/// its child.
/// </summary>
/// <remarks>
/// Lifecycle: made with the plan, which starts the activity; then either <see cref="Failed"/> before
/// the child started, or <see cref="Started"/> once it runs, and later <see cref="Ended"/> with the
/// result, or <see cref="Failed"/> when the engine could not follow the child to its end. Each
/// report after the first end is ignored. Thread-safe.
/// </remarks>
internal sealed class RunObserver
{
    private readonly RunPlan _plan;
    private readonly string _backend;
    private readonly ILogger _logger;
    private readonly LogLevel _level;
    private readonly OwnedChildren _owner;
    private readonly Activity? _activity;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private StopSequence? _stops;
    private long _startedAt;
    private int _pid;
    private int _done;

    public RunObserver(RunPlan plan, string backend, ILogger logger, LogLevel level, bool tracesArguments, OwnedChildren owner)
    {
        _plan = plan;
        _backend = backend;
        _logger = logger;
        _level = level;
        _owner = owner;
        _activity = StartActivity(plan, backend, tracesArguments);
    }

    /// <summary>Completes when the run has ended, however it ended.</summary>
    public Task Completion => _ended.Task;

    /// <summary>The child runs: counted, logged, and owned by the runner unless it is a daemon's intermediate process.</summary>
    public void Started(int pid, StopSequence stops)
    {
        _pid = pid;
        _stops = stops;
        _startedAt = Stopwatch.GetTimestamp();
        var backend = new KeyValuePair<string, object?>(VirCommandTelemetry.Backend, _backend);
        VirCommandTelemetry.RunsStarted.Add(1, backend);
        VirCommandTelemetry.Active.Add(1, backend);
        _activity?.SetTag("process.pid", pid);
        if (_logger.IsEnabled(_level))
            RunLog.Started(_logger, _level, _plan.CommandLine, pid, _backend);
        // A daemon is never the runner's to stop; a run that raced the runner's shutdown is stopped at once.
        if (!_plan.IsDaemon && !_owner.Add(this))
            stops.Stop(StopReason.RunnerStopped, default);
    }

    /// <summary>The child was reaped: measured, logged, its activity ended, and the runner lets go of it.</summary>
    public void Ended(CommandResult result)
    {
        if (Interlocked.Exchange(ref _done, 1) != 0)
            return;
        var outcome = RunOutcome.Of(_stops?.Reason ?? StopReason.None, result, _plan);
        TagList tags = new() { { VirCommandTelemetry.Backend, _backend }, { VirCommandTelemetry.Outcome, outcome } };
        VirCommandTelemetry.Duration.Record(result.RunTime.TotalSeconds, tags);
        VirCommandTelemetry.Active.Add(-1, new KeyValuePair<string, object?>(VirCommandTelemetry.Backend, _backend));
        // Only what the run captured: reading an absent capture throws (it names the setter to call).
        if (result.HasStandardOutput)
            AddCaptured("stdout", result.StandardOutputBytes.Length);
        if (result.HasStandardError)
            AddCaptured("stderr", result.StandardErrorBytes.Length);
        if (_activity is { } activity)
        {
            if (result.ExitCode is { } code)
                activity.SetTag("process.exit.code", code);
            if (result.TerminatingSignal is { } signal)
                activity.SetTag(VirCommandTelemetry.SignalNumber, (int)signal);
            activity.SetTag(VirCommandTelemetry.Outcome, outcome);
            if (outcome != RunOutcome.Success)
                activity.SetTag("error.type", outcome).SetStatus(ActivityStatusCode.Error, $"{outcome}: {result.DescribeStatus()}");
            activity.Stop();
        }
        LogEnd(result, outcome);
        Finish();
    }

    /// <summary>
    /// The run failed without a result: before the child started (a start failure, with its stage
    /// when it is a <see cref="CommandStartException"/>), or while the engine waited for it.
    /// </summary>
    public void Failed(Exception exception)
    {
        if (Interlocked.Exchange(ref _done, 1) != 0)
            return;
        var started = _stops is not null;
        var stage = (exception as CommandStartException)?.Stage;
        var outcome = started ? RunOutcome.Failure : RunOutcome.StartFailure;
        if (started)
        {
            var elapsed = Stopwatch.GetElapsedTime(_startedAt);
            VirCommandTelemetry.Duration.Record(elapsed.TotalSeconds, new TagList { { VirCommandTelemetry.Backend, _backend }, { VirCommandTelemetry.Outcome, outcome } });
            VirCommandTelemetry.Active.Add(-1, new KeyValuePair<string, object?>(VirCommandTelemetry.Backend, _backend));
            RunLog.Failed(_logger, _plan.CommandLine, _pid, _backend, elapsed.TotalMilliseconds, exception);
        }
        else
        {
            VirCommandTelemetry.FailedStarts.Add(1, new TagList { { VirCommandTelemetry.Backend, _backend }, { VirCommandTelemetry.Stage, stage?.ToString() } });
            if (stage is { } s)
                RunLog.StartFailed(_logger, _plan.CommandLine, _backend, s, ((CommandStartException)exception).Errno, exception);
            else
                RunLog.NotStarted(_logger, _plan.CommandLine, _backend, exception);
        }
        if (_activity is { } activity)
        {
            activity.SetTag(VirCommandTelemetry.Outcome, outcome).SetTag("error.type", outcome);
            if (stage is not null)
                activity.SetTag(VirCommandTelemetry.Stage, stage.ToString());
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity.Stop();
        }
        Finish();
    }

    /// <summary>The caller detached the child: it may outlive the runner, which no longer stops it.</summary>
    public void Released() => _owner.Remove(this);

    /// <summary>The runner shuts down: the stop sequence, graceful signal first.</summary>
    public void Stop() => _stops?.Stop(StopReason.RunnerStopped, default);

    /// <summary>The runner's shutdown ran out of time: SIGKILL now.</summary>
    public void Kill() => _stops?.Kill();

    private void Finish()
    {
        _owner.Remove(this);
        _ended.TrySetResult();
    }

    private void AddCaptured(string stream, int bytes)
    {
        if (bytes > 0)
            VirCommandTelemetry.Captured.Add(bytes, new TagList { { VirCommandTelemetry.Backend, _backend }, { VirCommandTelemetry.Stream, stream } });
    }

    private void LogEnd(CommandResult result, string outcome)
    {
        var level = outcome switch
        {
            RunOutcome.Success or RunOutcome.Canceled or RunOutcome.Aborted => _level,
            RunOutcome.Stopped => LogLevel.Information,
            _ => LogLevel.Warning,
        };
        if (!_logger.IsEnabled(level))
            return;
        var elapsedMs = result.RunTime.TotalMilliseconds;
        if (result.TerminatingSignal is { } signal)
            RunLog.Killed(_logger, level, _plan.CommandLine, result.Pid, _backend, (int)signal, signal, elapsedMs, outcome);
        else
            RunLog.Exited(_logger, level, _plan.CommandLine, result.Pid, _backend, result.ExitCode ?? 0, elapsedMs, outcome);
    }

    /// <summary>
    /// The run's activity, a child of the caller's current one, which stays current: a started
    /// command's activity ends when its child is reaped, long after the call that started it returned.
    /// </summary>
    private static Activity? StartActivity(RunPlan plan, string backend, bool tracesArguments)
    {
        var source = VirCommandTelemetry.Source;
        if (!source.HasListeners())
            return null;
        var previous = Activity.Current;
        var executable = Path.GetFileName(plan.Program);
        var activity = source.StartActivity($"run {executable}", ActivityKind.Internal);
        Activity.Current = previous;
        if (activity is null)
            return null;
        activity.SetTag("process.executable.name", executable);
        activity.SetTag(VirCommandTelemetry.Backend, backend);
        if (tracesArguments)
            activity.SetTag("process.command_args", (string[])[plan.Program, .. plan.Arguments.Select(a => a.Display)]);
        return activity;
    }
}
