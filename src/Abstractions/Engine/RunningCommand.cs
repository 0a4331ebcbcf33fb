using System.Runtime.ExceptionServices;

namespace VirCommand.Backends;

/// <summary>
/// The one <see cref="IRunningCommand"/>: it drives a backend's <see cref="IChildProcess"/> by the
/// rules every run shares. It stops the child (<see cref="StopSequence"/>) on timeout, cancellation,
/// abort, the capture limit or disposal; reads its output on for the drain time after it exited;
/// judges its end; keeps the handshake's state; and lets a detached child outlive the handle.
/// </summary>
/// <remarks>
/// A daemon's handle follows the intermediate process, which has exited by the time the handle
/// exists: its run ends at once with the intermediate's status, and nothing it does (timeout,
/// cancellation, abort, disposal) ever signals the daemon.
/// </remarks>
internal sealed class RunningCommand : IRunningCommand
{
    private enum HandshakeState { NotRequired, Pending, Waited, Released, Abandoned }

    private readonly IChildProcess _child;
    private readonly RunPlan _plan;
    private readonly Func<CommandNotSupportedException>? _signalsRefused;
    private readonly RunSettings _settings;
    private readonly TimeProvider _time;
    private readonly StopSequence _stops;
    private readonly Lock _lock = new();
    private readonly Task<CommandResult> _completion;
    private readonly ITimer? _timeout;
    private readonly StdioPumps? _pumps;
    private readonly RunObserver _observer;
    private HandshakeState _handshake;
    private CommandStartException? _startFailure;

    /// <summary>Starts driving <paramref name="child"/> and the engine's <paramref name="pumps"/>, which it then owns; if that fails, the child was killed and is closed here.</summary>
    /// <param name="plan">The run's plan.</param>
    /// <param name="child">The child its backend spawned.</param>
    /// <param name="time">The clock of the timers and the result's times.</param>
    /// <param name="signalsRefused">Makes what <see cref="SignalAsync"/> throws on a backend that cannot signal, or null.</param>
    /// <param name="pumps">What the engine pumps to and from the child's pipes, or null.</param>
    public RunningCommand(RunPlan plan, IChildProcess child, TimeProvider time, Func<CommandNotSupportedException>? signalsRefused, StdioPumps? pumps = null)
    {
        _child = child;
        _plan = plan;
        _signalsRefused = signalsRefused;
        _pumps = pumps;
        _settings = plan.Settings;
        _time = time;
        CommandLine = plan.CommandLine;
        _handshake = plan.RequiresHandshake ? HandshakeState.Pending : HandshakeState.NotRequired;
        _stops = new StopSequence(plan, child, time);
        _observer = plan.Observer;
        try
        {
            child.Start(_stops);
            pumps?.Start(child, _stops);
            if (_settings.Timeout is { } timeout)
                _timeout = time.CreateTimer(static s => ((StopSequence)s!).Stop(StopReason.Timeout, default), _stops, timeout, Timeout.InfiniteTimeSpan);
        }
        catch (Exception e)
        {
            _observer.Failed(e);
            // Whatever could not be set up, the child must not run on unowned: Start killed it, or the kill goes now.
            child.Signal(Signal.SIGKILL, toProcessGroup: false);
            child.AbandonHandshake();
            pumps?.StopReading();
            child.Close(detached: false);
            throw;
        }
        _observer.Started(child.Pid, _stops);
        _completion = CompleteAsync();
    }

    public int Pid => _child.Pid;

    public int? DaemonPid => _child.DaemonPid;

    public string CommandLine { get; }

    public DateTimeOffset StartTime => _child.StartTime;

    // A pipe the engine pumps is not the caller's.
    public Stream? StandardInput => _pumps is { PumpsInput: true } ? null : _child.StandardInput;

    public Stream? StandardOutput => _pumps is { PumpsOutput: true } ? null : _child.StandardOutput;

    public Stream? StandardError => _pumps is { PumpsError: true } ? null : _child.StandardError;

    public PseudoTerminal? Terminal => _child.Terminal;

    public bool IsDetached { get; private set; }

    /// <summary>The run's drain time, which the line listener applies to the caller's pipes too.</summary>
    internal TimeSpan DrainTimeout => _settings.DrainTimeout;

    /// <summary>The clock of the run's timers.</summary>
    internal TimeProvider Time => _time;

    /// <summary>The run's graceful signal, which a pipeline's stop sends its process group.</summary>
    internal Signal GracefulSignal => _settings.GracefulSignal;

    /// <summary>
    /// Signals the process group this child leads as a pipeline's first stage: its own stops never do
    /// (see <see cref="Command.PipelineGroup"/>), the pipeline's do. False once the leader exited, when
    /// the group's id may name another group.
    /// </summary>
    internal bool SignalGroup(Signal signal) => _child.Signal(signal, toProcessGroup: true);

    public async Task<CommandResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        if (!_completion.IsCompleted && cancellationToken.CanBeCanceled)
        {
            using (cancellationToken.UnsafeRegister(_ => _stops.Stop(StopReason.Canceled, cancellationToken), null))
                await ((Task)_completion).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        var result = await _completion.ConfigureAwait(false);
        if (_startFailure is { } failure)
            ExceptionDispatchInfo.Throw(failure);
        return _stops.Judge(result, _child.ErrorTail);
    }

    public async Task AbortAsync()
    {
        _stops.Stop(StopReason.Aborted, default);
        await ((Task)_completion).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public Task<bool> SignalAsync(Signal signal, SignalTarget target = SignalTarget.Process)
    {
        try
        {
            if (!Enum.IsDefined(signal))
                throw new ArgumentOutOfRangeException(nameof(signal), signal, "Not a signal this library knows: use a named Signal value.");
            if (!Enum.IsDefined(target))
                throw new ArgumentOutOfRangeException(nameof(target), target, "Not a SignalTarget value.");
            if (_plan.IsDaemon)
                throw new InvalidOperationException(
                    "A daemon's handle cannot signal the daemon: it follows the intermediate process, and the daemon is not our child. Signal DaemonPid yourself if you accept the pid-reuse risk.");
            if (target == SignalTarget.ProcessGroup && !_plan.SignalsProcessGroup)
                throw new InvalidOperationException(
                    "This command has no process group of its own to signal: call NewProcessGroup() or NewSession() before starting it, or signal SignalTarget.Process.");
            if (_signalsRefused is { } refused)
                throw refused();
            return Task.FromResult(_child.Signal(signal, target == SignalTarget.ProcessGroup));
        }
        catch (Exception e)
        {
            // As the runner's StartAsync: failures travel in the task.
            return Task.FromException<bool>(e);
        }
    }

    public void Detach()
    {
        IsDetached = true;
        _observer.Released();
    }

    /// <remarks>
    /// A backend's start already waits until the child reached the handshake (or failed before it,
    /// which the start reported), so this completes at once — unless the child ended before the
    /// handshake without a word (killed by a signal, or a hook that called <c>_exit</c>): then it
    /// waits for the child to be reaped and throws.
    /// </remarks>
    public async Task WaitForHandshakeAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            switch (_handshake)
            {
                case HandshakeState.NotRequired:
                    throw new InvalidOperationException("This command did not call RequireHandshake: there is no handshake to wait for.");
                case HandshakeState.Released:
                    throw new InvalidOperationException("The handshake was already released: the child has gone on to exec.");
                case HandshakeState.Pending when _child.ReachedHandshake:
                    _handshake = HandshakeState.Waited;
                    return;
                case HandshakeState.Waited or HandshakeState.Abandoned:
                    return;
            }
        }
        var status = await _child.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
        var how = new CommandResult(CommandLine, Pid, status, StartTime, StartTime).DescribeStatus();
        throw new CommandStartException(CommandLine, StartStage.Handshake, 0, $"the child ended before the handshake ({how})");
    }

    public async Task NotifyHandshakeAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _handshake = _handshake switch
            {
                HandshakeState.NotRequired => throw new InvalidOperationException("This command did not call RequireHandshake: there is no handshake to release."),
                HandshakeState.Pending => throw new InvalidOperationException("Call WaitForHandshakeAsync before releasing the handshake."),
                HandshakeState.Released => throw new InvalidOperationException("The handshake was already released; it can be released once."),
                HandshakeState.Abandoned => throw new ObjectDisposedException(nameof(IRunningCommand), "The running command was disposed: its child left the handshake without exec."),
                // Before the release, not after: a release that completes at once would make WaitAsync
                // ignore the token, and the child would exec although the caller cancelled.
                _ when cancellationToken.IsCancellationRequested => throw new OperationCanceledException(cancellationToken),
                _ => HandshakeState.Released,
            };
        }
        try
        {
            await _child.ReleaseHandshakeAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CommandStartException failure)
        {
            lock (_lock)
                _startFailure = failure;
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A child still waiting at the handshake leaves without exec; a daemon too.
        lock (_lock)
        {
            if (_handshake is HandshakeState.Pending or HandshakeState.Waited)
                _handshake = HandshakeState.Abandoned;
        }
        _child.AbandonHandshake();
        if (IsDetached)
        {
            // The child stays with its backend, which reaps it whenever it exits; this handle can still wait for it or abort it.
            // The engine's pumps still use the child's pipes: those go once the run is over.
            if (_pumps is null)
                _child.Close(detached: true);
            else
                _ = _completion.ContinueWith(static (_, child) => ((IChildProcess)child!).Close(detached: true), _child, CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return;
        }
        await AbortAsync().ConfigureAwait(false);
        _child.Close(detached: false);
    }

    private async Task<CommandResult> CompleteAsync()
    {
        int status;
        DateTimeOffset exitTime;
        try
        {
            status = await _child.Exited.ConfigureAwait(false);
            exitTime = _time.GetUtcNow();

            // A grandchild may still hold an output pipe: read on for the drain time, then take what
            // is already in the pipe and let go.
            var outputs = _pumps is null ? _child.OutputsDone : Task.WhenAll(_child.OutputsDone, _pumps.OutputsDone);
            if (!outputs.IsCompleted)
                await outputs.WaitAsync(_settings.DrainTimeout, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        catch (Exception e)
        {
            _observer.Failed(e);
            throw;
        }
        finally
        {
            _timeout?.Dispose();
            _stops.Finish();
            _child.StopReading();
            _pumps?.StopReading();
        }
        var result = _plan.Result(Pid, status, StartTime, exitTime,
            _pumps?.OutputCapture?.Captured ?? _child.CapturedOutput, _pumps?.ErrorCapture?.Captured ?? _child.CapturedError);
        _observer.Ended(result);
        return result;
    }
}
