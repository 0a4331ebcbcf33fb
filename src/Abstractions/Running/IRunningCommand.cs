namespace VirCommand;

/// <summary>
/// A started child. The caller owns it and must dispose it.
/// </summary>
/// <remarks>
/// <para>
/// Lifecycle: <see cref="WaitAsync"/> may be called any number of times, from any thread; every call
/// gets the same result or exception. <see cref="AbortAsync"/> stops the child (graceful signal, grace
/// period, SIGKILL) and reaps it. <see cref="IAsyncDisposable.DisposeAsync"/> aborts a child that is still running,
/// unless <see cref="Detach"/> was called: then the child keeps running, and this handle can still
/// wait for it or abort it later (<c>virPidWait</c>, <c>virPidAbort</c>). Whatever path is taken, the
/// child is reaped once it exits: no zombie is left behind.
/// </para>
/// <para>
/// The streams exist only for the pipes the command asked for; the caller reads and writes them
/// while the child runs and disposes <see cref="StandardInput"/> to send end-of-file. Disposing the
/// handle disposes them.
/// </para>
/// </remarks>
public interface IRunningCommand : IAsyncDisposable
{
    /// <summary>The child's pid (for a daemon: the intermediate process's).</summary>
    int Pid { get; }

    /// <summary>
    /// For a daemon (<see cref="Command.Daemonize"/>), the daemon's own pid as it reported it after the
    /// second fork (the same number its pidfile holds); null for any other command, or a backend that
    /// does not know it.
    /// </summary>
    int? DaemonPid => null;

    /// <summary>The command's string form, secrets redacted.</summary>
    string CommandLine { get; }

    /// <summary>When the child was started.</summary>
    DateTimeOffset StartTime { get; }

    /// <summary>The write end of the stdin pipe (<see cref="Command.SetInputPipe"/>), or null.</summary>
    Stream? StandardInput { get; }

    /// <summary>The read end of the stdout pipe (<see cref="Command.SetOutputPipe"/>, <see cref="Command.SetMergedOutputPipe"/>), or null.</summary>
    Stream? StandardOutput { get; }

    /// <summary>The read end of the stderr pipe (<see cref="Command.SetErrorPipe"/>), or null.</summary>
    Stream? StandardError { get; }

    /// <summary>True once <see cref="Detach"/> was called.</summary>
    bool IsDetached { get; }

    /// <summary>
    /// Waits for the child to exit and judges its status as <see cref="ICommandRunner.RunAsync"/> does
    /// (<c>virCommandWait</c>). Cancelling the token stops the child like a timeout does.
    /// </summary>
    /// <exception cref="CommandExitException">Non-zero exit or death by a signal the command did not ask to judge itself.</exception>
    /// <exception cref="CommandCanceledException">The token was cancelled, or the child was aborted.</exception>
    /// <exception cref="CommandTimeoutException">The command's timeout elapsed.</exception>
    Task<CommandResult> WaitAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops the child: the graceful signal (to its process group if it has one), the grace period,
    /// SIGKILL, then reaps it (<c>virCommandAbort</c>). Does nothing if it already exited. A daemon is
    /// never killed: only a still-running intermediate process is.
    /// </summary>
    Task AbortAsync();

    /// <summary>Lets the child outlive this handle's disposal (<c>virCommandRunAsync</c> with a pid pointer).</summary>
    void Detach();

    /// <summary>
    /// Waits until the child has done every step up to the handshake, just before exec
    /// (<c>virCommandHandshakeWait</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The command did not call <see cref="Command.RequireHandshake"/>.</exception>
    /// <exception cref="CommandStartException">The child failed before the handshake.</exception>
    Task WaitForHandshakeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases the child to exec (<c>virCommandHandshakeNotify</c>); completes once exec has succeeded.
    /// </summary>
    /// <exception cref="InvalidOperationException">No handshake was required, it was not waited for, or it was already released.</exception>
    /// <exception cref="CommandStartException">The exec failed.</exception>
    Task NotifyHandshakeAsync(CancellationToken cancellationToken = default);
}
