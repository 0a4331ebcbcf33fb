using System.Runtime.ExceptionServices;
using VirCommand.Backends.Posix.Interop;
using VirCommand.Backends.Posix.Io;
using VirCommand.Backends.Posix.Spawning;

namespace VirCommand.Backends.Posix;

/// <summary>
/// A child started by the POSIX backend. The event loop reaps it through its pidfd and pumps its
/// pipes; this handle stops it (graceful signal, grace, SIGKILL) on timeout, cancellation, abort,
/// the capture limit or disposal, and turns its end into a result or an exception.
/// </summary>
/// <remarks>
/// A daemon's handle follows the intermediate process, which has exited by the time the handle
/// exists: its run ends at once with the intermediate's status, and nothing it does (timeout,
/// cancellation, abort, disposal) ever signals the daemon. Its stdin and send buffers are fed on in
/// the background until the daemon has read them.
/// </remarks>
internal sealed class PosixRunningCommand : IRunningCommand
{
    private enum HandshakeState { NotRequired, Pending, Waited, Released }

    private readonly ChildIo _io;
    private readonly ExitWatcher _watcher;
    private readonly RunSettings _settings;
    private readonly bool _allowsNonZeroExit;
    private readonly bool _returnsRawStatus;
    private readonly int _processGroup;
    private readonly Lock _lock = new();
    private readonly Task<CommandResult> _completion;
    private readonly ITimer? _timeout;
    private ITimer? _kill;
    private readonly StopRecord _stop = new();
    private HandshakePipes? _handshake;
    private HandshakeState _handshakeState;
    private CommandStartException? _startFailure;

    public PosixRunningCommand(RunPlan plan, SpawnedChild child, ChildIo io)
    {
        var settings = plan.Settings;
        CommandLine = plan.CommandLine;
        Pid = child.Pid;
        DaemonPid = plan.IsDaemon ? child.DaemonPid : null;
        StartTime = DateTimeOffset.UtcNow;
        _io = io;
        _settings = settings;
        _allowsNonZeroExit = plan.AllowsNonZeroExit;
        _returnsRawStatus = plan.ReturnsRawStatus;
        // A daemon's session and group are the intermediate's pid: signalling that group would reach the daemon.
        _processGroup = plan.SignalsProcessGroup ? child.Pid : 0;
        _handshake = child.Handshake;
        _handshakeState = plan.RequiresHandshake ? HandshakeState.Pending : HandshakeState.NotRequired;
        try
        {
            // The stderr tail holds all the child wrote once it exited: the loop takes it right after
            // waking the run, while the run's continuation is on its way to a pool thread.
            _watcher = new ExitWatcher(EventLoop.Shared, child.PidFd, KillGroupIfStopping, io.TailReader is null ? null : io.FinishErrorTail);
        }
        catch
        {
            // Nobody watches this child: kill and reap it here, or it would run on unowned and end a zombie.
            ExitWatcher.KillAndReap(child.PidFd);
            throw;
        }
        try
        {
            io.Overflowed = OnOverflow;
            io.StartPumping();
            if (settings.Timeout is { } timeout)
                _timeout = TimeProvider.System.CreateTimer(_ => Stop(StopReason.Timeout, default), null, timeout, Timeout.InfiniteTimeSpan);
        }
        catch
        {
            // The watcher reaps the child once the kill lands.
            _watcher.Signal((int)Signal.SIGKILL);
            throw;
        }
        _completion = CompleteAsync();
    }

    public int Pid { get; }

    public int? DaemonPid { get; }

    public string CommandLine { get; }

    public DateTimeOffset StartTime { get; }

    public Stream? StandardInput => _io.Input;

    public Stream? StandardOutput => _io.Output;

    public Stream? StandardError => _io.Error;

    public bool IsDetached { get; private set; }

    private void OnOverflow(string stream)
    {
        lock (_lock)
            _stop.NoteOverflow(stream);
        Stop(StopReason.CaptureLimit, default);
    }

    public async Task<CommandResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        if (!_completion.IsCompleted && cancellationToken.CanBeCanceled)
        {
            using (cancellationToken.UnsafeRegister(_ => Stop(StopReason.Canceled, cancellationToken), null))
                await ((Task)_completion).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        return Judge(await _completion.ConfigureAwait(false));
    }

    public async Task AbortAsync()
    {
        Stop(StopReason.Aborted, default);
        await ((Task)_completion).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Detach() => IsDetached = true;

    /// <remarks>
    /// The start itself already waited until the child reached the handshake (or failed before it,
    /// which the start reported), so this completes at once — unless the child ended before the
    /// handshake without a word (killed by a signal, or a hook that called <c>_exit</c>): then it
    /// waits for the child to be reaped and throws.
    /// </remarks>
    public async Task WaitForHandshakeAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            switch (_handshakeState)
            {
                case HandshakeState.NotRequired:
                    throw new InvalidOperationException("This command did not call RequireHandshake: there is no handshake to wait for.");
                case HandshakeState.Released:
                    throw new InvalidOperationException("The handshake was already released: the child has gone on to exec.");
                case HandshakeState.Pending when _handshake is not null:
                    _handshakeState = HandshakeState.Waited;
                    return;
                case HandshakeState.Waited:
                    return;
            }
        }
        var status = await _watcher.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
        var how = new CommandResult(CommandLine, Pid, status, StartTime, StartTime).DescribeStatus();
        throw new CommandStartException(CommandLine, StartStage.Handshake, 0, $"the child ended before the handshake ({how})");
    }

    public async Task NotifyHandshakeAsync(CancellationToken cancellationToken = default)
    {
        HandshakePipes pipes;
        lock (_lock)
        {
            pipes = _handshakeState switch
            {
                HandshakeState.NotRequired => throw new InvalidOperationException("This command did not call RequireHandshake: there is no handshake to release."),
                HandshakeState.Pending => throw new InvalidOperationException("Call WaitForHandshakeAsync before releasing the handshake."),
                HandshakeState.Released => throw new InvalidOperationException("The handshake was already released; it can be released once."),
                _ => _handshake ?? throw new ObjectDisposedException(nameof(IRunningCommand), "The running command was disposed: its child left the handshake without exec."),
            };
            _handshakeState = HandshakeState.Released;
            _handshake = null;
        }
        // The child execs within moments of the release: a blocking read on a pool thread is cheaper than a loop registration.
        var failure = await Task.Run(() => Release(pipes), CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            lock (_lock)
                _startFailure = failure;
            throw failure;
        }
    }

    private unsafe CommandStartException? Release(HandshakePipes pipes)
    {
        using (pipes)
        {
            NativeSpawn.SpawnResult result;
            return NativeSpawn.HandshakeRelease(pipes.Release, pipes.Report, &result) == 0
                ? null
                : new CommandStartException(CommandLine, (StartStage)result.Stage, result.Error);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A child still waiting at the handshake reads end-of-file and exits without exec; a daemon too.
        HandshakePipes? unreleased;
        lock (_lock)
        {
            unreleased = _handshake;
            _handshake = null;
        }
        unreleased?.Dispose();
        if (IsDetached)
        {
            // The child and its pidfd stay with the event loop, which reaps it whenever it exits.
            _io.DisposeStreams();
            return;
        }
        await AbortAsync().ConfigureAwait(false);
        _io.Dispose();
    }

    private async Task<CommandResult> CompleteAsync()
    {
        int status;
        DateTimeOffset exitTime;
        try
        {
            status = await _watcher.Exited.ConfigureAwait(false);
            exitTime = DateTimeOffset.UtcNow;

            // A grandchild may still hold an output pipe: read on for the drain time, then take what
            // is already in the pipe and let go.
            var outputs = _io.OutputsDone;
            if (!outputs.IsCompleted)
                await outputs.WaitAsync(_settings.DrainTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            _timeout?.Dispose();
            lock (_lock)
                _kill?.Dispose();
            _io.StopPumping();
        }

        return new CommandResult(CommandLine, Pid, status, StartTime, exitTime,
            _io.OutputCapture?.Captured ?? default, _io.ErrorCapture?.Captured ?? default);
    }

    private void Stop(StopReason reason, CancellationToken cancelledBy)
    {
        lock (_lock)
        {
            if (!_stop.TryStop(reason, exited: _watcher.Exited.IsCompleted, cancelledBy))
                return;
            _watcher.Signal((int)_settings.GracefulSignal, _processGroup);
            if (_settings.GracefulSignal != Signal.SIGKILL)
                _kill = TimeProvider.System.CreateTimer(_ => _watcher.Signal((int)Signal.SIGKILL, _processGroup), null,
                    _settings.KillGracePeriod, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>When a stopped child leads a process group, its members go with it, before the leader's pid is released.</summary>
    private void KillGroupIfStopping()
    {
        if (_processGroup > 0 && _stop.Reason != StopReason.None)
            Syscalls.Kill(-_processGroup, (int)Signal.SIGKILL);
    }

    private CommandResult Judge(CommandResult result)
    {
        if (_startFailure is { } failure)
            ExceptionDispatchInfo.Throw(failure);
        return _stop.Judge(result, _settings, _allowsNonZeroExit, _returnsRawStatus, _io.ErrorTail?.ToString());
    }
}
