using System.Diagnostics;

namespace VirCommand.Backends;

/// <summary>
/// The stop rules of one run, the same for every backend and both ways of waiting (the engine's
/// timers, a backend's own blocking loop): the first reason wins; the graceful signal (to the
/// process group when the child leads one), SIGKILL after the grace period; a child that exited is
/// past stopping, except that a capture that overflows while its output drains is still reported;
/// members of a stopped child's group are killed before the leader is reaped; and the judgement of
/// the end (<see cref="Judge"/>).
/// </summary>
/// <remarks>
/// With a <see cref="TimeProvider"/> the grace period is a timer; without one, a blocking loop keeps
/// <see cref="KillAt"/> itself and calls <see cref="Kill"/> when it has passed. Thread-safe.
/// </remarks>
public sealed class StopSequence
{
    /// <summary>The value of <see cref="KillAt"/> while no kill is due.</summary>
    public const long Never = long.MaxValue;

    private readonly RunPlan _plan;
    private readonly IChildProcess _child;
    private readonly TimeProvider? _time;
    private readonly Lock _lock = new();
    private readonly StopRecord _record = new();
    private ITimer? _kill;
    private long _killAt = Never;
    private bool _finished;
    private volatile bool _stopping;

    /// <summary>Creates the rules for <paramref name="child"/>, started from <paramref name="plan"/>.</summary>
    /// <param name="plan">The run's plan: its settings and whether the child leads a process group.</param>
    /// <param name="child">The child the rules signal.</param>
    /// <param name="time">The clock of the grace timer, or null for a caller that keeps <see cref="KillAt"/> itself.</param>
    public StopSequence(RunPlan plan, IChildProcess child, TimeProvider? time)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(child);
        _plan = plan;
        _child = child;
        _time = time;
    }

    /// <summary>Called after a stop signalled the child; a blocking loop wakes up on it to keep the new <see cref="KillAt"/>.</summary>
    public Action? Stopped { get; set; }

    /// <summary>The <see cref="Stopwatch"/> timestamp at which SIGKILL is due, or <see cref="Never"/>; only without a clock.</summary>
    public long KillAt => Volatile.Read(ref _killAt);

    /// <summary>True once a reason to stop was recorded. Lock-free: a backend reads it under its own reaping lock.</summary>
    public bool IsStopping => _stopping;

    /// <summary>The first reason to stop that was recorded, or <see cref="StopReason.None"/>.</summary>
    internal StopReason Reason
    {
        get { lock (_lock) return _record.Reason; }
    }

    /// <summary>
    /// Stops the child for <paramref name="reason"/> if it is the first reason and the child has not
    /// exited: the graceful signal now, SIGKILL after the grace period.
    /// </summary>
    /// <param name="reason">Why.</param>
    /// <param name="cancelledBy">The token, for <see cref="StopReason.Canceled"/>.</param>
    public void Stop(StopReason reason, CancellationToken cancelledBy)
    {
        var settings = _plan.Settings;
        lock (_lock)
        {
            var signal = _record.TryStop(reason, exited: _child.HasExited, cancelledBy);
            _stopping = _record.Reason != StopReason.None;
            if (!signal)
                return;
            _child.Signal(settings.GracefulSignal, _plan.SignalsProcessGroup);
            if (settings.GracefulSignal != Signal.SIGKILL && !_finished)
            {
                if (_time is null)
                    Volatile.Write(ref _killAt, Deadline(Stopwatch.GetTimestamp(), settings.KillGracePeriod));
                else
                    _kill = _time.CreateTimer(static s => ((StopSequence)s!).Kill(), this, settings.KillGracePeriod, Timeout.InfiniteTimeSpan);
            }
        }
        Stopped?.Invoke();
    }

    /// <summary>The grace period is over: SIGKILL, to the process group too, unless the child has exited.</summary>
    public void Kill()
    {
        lock (_lock)
        {
            Volatile.Write(ref _killAt, Never);
            if (!_child.HasExited)
                _child.Signal(Signal.SIGKILL, _plan.SignalsProcessGroup);
        }
    }

    /// <summary>A capture went over the limit: notes which one first, and stops the child for <see cref="StopReason.CaptureLimit"/>.</summary>
    public void CaptureOverflowed(string stream)
    {
        lock (_lock)
            _record.NoteOverflow(stream);
        Stop(StopReason.CaptureLimit, default);
    }

    /// <summary>An input source or output target the engine pumps threw: notes the first, and stops the child for <see cref="StopReason.StreamFailed"/>.</summary>
    internal void StreamFailed(string stream, Exception error)
    {
        lock (_lock)
            _record.NoteStreamFailure(stream, error);
        Stop(StopReason.StreamFailed, default);
    }

    /// <summary>
    /// For the backend, just before it reaps the exited child: when a stopped child leads a process
    /// group, its members go with it, while the leader's pid (the group's id) cannot have been reused.
    /// </summary>
    public void BeforeReap()
    {
        if (_plan.SignalsProcessGroup && IsStopping)
            _child.Signal(Signal.SIGKILL, toProcessGroup: true);
    }

    /// <summary>The child was reaped: no kill is scheduled any more.</summary>
    public void Finish()
    {
        lock (_lock)
        {
            _finished = true;
            _kill?.Dispose();
            Volatile.Write(ref _killAt, Never);
        }
    }

    /// <summary>
    /// The run's outcome, the same for every backend: the exception of the reason the child was
    /// stopped, if it was; otherwise the exit-status rules (a zero exit; a non-zero one when the plan
    /// allows it; anything when it returns the raw status).
    /// </summary>
    /// <param name="result">How the child ended.</param>
    /// <param name="standardErrorTail">The end of an uncaptured stderr, or null.</param>
    public CommandResult Judge(CommandResult result, string? standardErrorTail)
    {
        lock (_lock)
            return _record.Judge(result, _plan.Settings, _plan.AllowsNonZeroExit, _plan.ReturnsRawStatus, standardErrorTail);
    }

    /// <summary>The <see cref="Stopwatch"/> timestamp <paramref name="span"/> after <paramref name="now"/>; a negative span (infinite) never comes.</summary>
    public static long Deadline(long now, TimeSpan span) =>
        span < TimeSpan.Zero ? Never : now + (long)Math.Min(span.TotalSeconds * Stopwatch.Frequency, Never / 2.0);
}
