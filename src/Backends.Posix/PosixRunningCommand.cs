using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Posix.Io;
using VirCommand.Backends.Posix.Spawning;

namespace VirCommand.Backends.Posix;

/// <summary>
/// A child started by the POSIX backend. The event loop reaps it through its pidfd and pumps its
/// pipes; this handle stops it (graceful signal, grace, SIGKILL) on timeout, cancellation, abort,
/// the capture limit or disposal, and turns its end into a result or an exception.
/// </summary>
internal sealed class PosixRunningCommand : IRunningCommand
{
    private enum StopReason { None, Timeout, Canceled, Aborted, CaptureLimit }

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
    private StopReason _stopReason;
    private CancellationToken _cancelledBy;
    private string _overflowStream = "";

    public PosixRunningCommand(Command command, string commandLine, int pid, SafeFileHandle pidfd, ChildIo io, RunSettings settings)
    {
        CommandLine = commandLine;
        Pid = pid;
        StartTime = DateTimeOffset.UtcNow;
        _io = io;
        _settings = settings;
        _allowsNonZeroExit = command.AllowsNonZeroExit;
        _returnsRawStatus = command.ReturnsRawStatus;
        _processGroup = command.HasOwnProcessGroup ? pid : 0;
        _watcher = new ExitWatcher(EventLoop.Shared, pidfd, KillGroupIfStopping);
        io.Overflowed = OnOverflow;
        io.StartPumping();
        if (settings.Timeout is { } timeout)
            _timeout = TimeProvider.System.CreateTimer(_ => Stop(StopReason.Timeout, default), null, timeout, Timeout.InfiniteTimeSpan);
        _completion = CompleteAsync();
    }

    public int Pid { get; }

    public string CommandLine { get; }

    public DateTimeOffset StartTime { get; }

    public Stream? StandardInput => _io.Input;

    public Stream? StandardOutput => _io.Output;

    public Stream? StandardError => _io.Error;

    public bool IsDetached { get; private set; }

    private void OnOverflow(string stream)
    {
        lock (_lock)
        {
            if (_overflowStream.Length == 0)
                _overflowStream = stream;
        }
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

    public Task WaitForHandshakeAsync(CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("This command did not call RequireHandshake: there is no handshake to wait for.");

    public Task NotifyHandshakeAsync(CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("This command did not call RequireHandshake: there is no handshake to release.");

    public async ValueTask DisposeAsync()
    {
        if (IsDetached)
        {
            // The child and its pidfd stay with the event loop, which reaps it whenever it exits.
            _io.Input?.Dispose();
            _io.Output?.Dispose();
            _io.Error?.Dispose();
            return;
        }
        await AbortAsync().ConfigureAwait(false);
        _io.Dispose();
    }

    private async Task<CommandResult> CompleteAsync()
    {
        var status = await _watcher.Exited.ConfigureAwait(false);
        var exitTime = DateTimeOffset.UtcNow;
        _timeout?.Dispose();
        lock (_lock)
            _kill?.Dispose();

        // A grandchild may still hold an output pipe: read on for the drain time, then let go.
        if (!_io.OutputsDone.IsCompleted && _settings.DrainTimeout > TimeSpan.Zero)
            await _io.OutputsDone.WaitAsync(_settings.DrainTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _io.StopPumping();

        return new CommandResult(CommandLine, Pid, status, StartTime, exitTime,
            _io.OutputCapture?.Captured ?? default, _io.ErrorCapture?.Captured ?? default);
    }

    private void Stop(StopReason reason, CancellationToken cancelledBy)
    {
        lock (_lock)
        {
            if (_stopReason != StopReason.None || _completion?.IsCompleted == true)
                return;
            _stopReason = reason;
            _cancelledBy = cancelledBy;
            _watcher.Signal((int)_settings.GracefulSignal, _processGroup);
            if (_settings.GracefulSignal != Signal.SIGKILL)
                _kill = TimeProvider.System.CreateTimer(_ => _watcher.Signal((int)Signal.SIGKILL, _processGroup), null,
                    _settings.KillGracePeriod, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>When a stopped child leads a process group, its members go with it, before the leader's pid is released.</summary>
    private void KillGroupIfStopping()
    {
        if (_processGroup > 0 && _stopReason != StopReason.None)
            Interop.Syscalls.Kill(-_processGroup, (int)Signal.SIGKILL);
    }

    private CommandResult Judge(CommandResult result) => _stopReason switch
    {
        StopReason.Timeout => throw new CommandTimeoutException(CommandLine, _settings.Timeout!.Value, result),
        StopReason.Canceled => throw new CommandCanceledException(CommandLine, "cancelled", result, _cancelledBy),
        StopReason.Aborted => throw new CommandCanceledException(CommandLine, "aborted", result, default),
        StopReason.CaptureLimit => throw new CommandCaptureLimitException(CommandLine, _overflowStream, _settings.CaptureLimit, result),
        _ => ExitStatusPolicy.Check(_allowsNonZeroExit, _returnsRawStatus, result, _io.ErrorTail?.ToString()),
    };
}
