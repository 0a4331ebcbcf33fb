namespace VirCommand;

public sealed partial class Command
{
    /// <summary>The native pre-exec hook, or null.</summary>
    public PreExecHook? Hook { get; private set; }

    /// <summary>True when the child waits just before exec until the parent releases it.</summary>
    public bool RequiresHandshake { get; private set; }

    /// <summary>True when a non-zero exit code is returned in the result instead of thrown.</summary>
    public bool AllowsNonZeroExit { get; private set; }

    /// <summary>True when the caller judges the raw status: neither a non-zero exit nor a death by signal is thrown.</summary>
    public bool ReturnsRawStatus { get; private set; }

    /// <summary>The time limit of a run from its start, or null for the runner's default.</summary>
    public TimeSpan? Timeout { get; private set; }

    /// <summary>The signal sent first on timeout, cancellation and abort, or null for the runner's default (SIGTERM).</summary>
    public Signal? GracefulSignal { get; private set; }

    /// <summary>How long the child gets after the graceful signal before SIGKILL, or null for the runner's default.</summary>
    public TimeSpan? KillGracePeriod { get; private set; }

    /// <summary>How long output is still read after the child exited (a grandchild may hold the pipe), or null for the runner's default.</summary>
    public TimeSpan? DrainTimeout { get; private set; }

    /// <summary>The most bytes captured per stream, or null for the runner's default.</summary>
    public long? CaptureLimit { get; private set; }

    /// <summary>
    /// Calls a native <paramref name="hook"/> in the child after fork, as the last step before ids, cwd
    /// and exec (<c>virCommandSetPreExecHook</c>). Only a native function can be given: see <see cref="PreExecHook"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A hook is already set.</exception>
    public Command SetPreExecHook(PreExecHook hook)
    {
        if (hook.Function == 0)
            throw new ArgumentException("The pre-exec hook is empty: create it with PreExecHook.FromLibrary or FromFunctionPointer.", nameof(hook));
        return Set(() =>
        {
            if (Hook is not null)
                throw new InvalidOperationException($"A pre-exec hook is already set ({Hook.Value.Description}).");
            Hook = hook;
        });
    }

    /// <summary>
    /// Makes the child stop just before exec and tell the parent, which does its work and then releases
    /// it with <see cref="IRunningCommand.NotifyHandshakeAsync"/> (<c>virCommandRequireHandshake</c>).
    /// Needs a run started with <see cref="ICommandRunner.StartAsync(Command, CancellationToken)"/>.
    /// </summary>
    public Command RequireHandshake() => Set(() => RequiresHandshake = true);

    /// <summary>Returns a non-zero exit code in the result instead of throwing (<c>virCommandRun</c> with a status pointer). Death by a signal is still an error.</summary>
    public Command AllowNonZeroExit() => Set(() => AllowsNonZeroExit = true);

    /// <summary>
    /// Returns the raw status for the caller to judge (<c>virCommandRawStatus</c> with a status pointer):
    /// neither a non-zero exit nor a death by signal is thrown, and the result tells them apart.
    /// </summary>
    public Command RawStatus() => Set(() => ReturnsRawStatus = true);

    /// <summary>Limits a run to <paramref name="timeout"/> from its start; then the child gets the graceful signal, SIGKILL after the grace period, and is reaped (beyond libvirt).</summary>
    public Command SetTimeout(TimeSpan timeout)
    {
        Validate.Positive(timeout, nameof(timeout));
        return Set(() => Timeout = timeout);
    }

    /// <summary>Sets the signal sent first on timeout, cancellation and abort (beyond libvirt).</summary>
    public Command SetGracefulSignal(Signal signal)
    {
        if (!Enum.IsDefined(signal))
            throw new ArgumentOutOfRangeException(nameof(signal), signal, "Unknown signal.");
        return Set(() => GracefulSignal = signal);
    }

    /// <summary>Sets how long the child gets after the graceful signal before SIGKILL; zero kills at once.</summary>
    public Command SetKillGracePeriod(TimeSpan grace)
    {
        Validate.NotNegative(grace, nameof(grace));
        return Set(() => KillGracePeriod = grace);
    }

    /// <summary>Sets how long output is still read once the child exited, in case a grandchild holds the pipe open.</summary>
    public Command SetDrainTimeout(TimeSpan drain)
    {
        Validate.NotNegative(drain, nameof(drain));
        return Set(() => DrainTimeout = drain);
    }

    /// <summary>Caps the bytes captured per stream; a child that writes more is stopped and the run fails with <see cref="CommandCaptureLimitException"/> (beyond libvirt).</summary>
    public Command SetCaptureLimit(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        return Set(() => CaptureLimit = bytes);
    }

    /// <summary>
    /// Claims this run's right to the fds passed with <see cref="PassFdOptions.CloseParent"/>: they go
    /// to one child only, so a second run of the command, even one racing the first from another
    /// thread, is refused instead of passing or closing a number that may already name another file.
    /// The run plan's gate calls this last, once nothing can refuse the run any more.
    /// </summary>
    /// <exception cref="InvalidOperationException">The CloseParent fds were claimed by another run.</exception>
    internal void ClaimParentFds() => _parentFds.Claim(_passedFds);

    /// <summary>
    /// Checks what can only be checked when a run starts, the same way for every backend: the command
    /// is not disposed, its CloseParent fds are still there, a pidfile comes with daemonize, a
    /// run-to-completion has no pipe the caller would have to serve and no handshake to do.
    /// </summary>
    /// <param name="runToCompletion">True for <see cref="ICommandRunner.RunAsync(Command, CancellationToken)"/> and <see cref="ICommandRunner.Run"/>.</param>
    /// <exception cref="InvalidOperationException">The command cannot run this way; the message says why.</exception>
    internal void ValidateForRun(bool runToCompletion)
    {
        ThrowIfDisposed();
        // Loops, not LINQ: this runs on every start, and most commands pass no fd at all.
        foreach (var passed in _passedFds)
        {
            if (_parentFds.IsClosed(passed.ParentFd))
                throw new InvalidOperationException(
                    $"fd {passed.ParentFd} was passed with CloseParent and closed when this command (or the one it was cloned from) first started: it cannot run again.");
        }
        if (PidFile is not null && !IsDaemon)
            throw new InvalidOperationException($"A pidfile ('{PidFile}') is set but the command is not daemonized: call Daemonize.");
        if (!runToCompletion)
            return;
        var pipe = Input.Kind == StdioKind.Pipe ? "stdin" : Output.Kind == StdioKind.Pipe ? "stdout" : Error.Kind == StdioKind.Pipe ? "stderr" : null;
        if (pipe is not null)
            throw new InvalidOperationException(
                $"{pipe} is a pipe that the caller must serve while the child runs, which a run to completion cannot allow (it would deadlock): use StartAsync.");
        if (RequiresHandshake)
            throw new InvalidOperationException("A command that requires a handshake must be started with StartAsync, which lets the caller release it.");
        ValidateTerminalForRun();
    }
}
