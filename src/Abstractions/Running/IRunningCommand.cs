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

    /// <summary>
    /// The master side of the child's pseudo-terminal (<see cref="Command.SetPseudoTerminal"/>): its stream,
    /// resize, end-of-file and interrupt; null for a command without one, or a backend that has none.
    /// Disposing this handle closes it (the child's session gets SIGHUP).
    /// </summary>
    PseudoTerminal? Terminal => null;

    /// <summary>True once <see cref="Detach"/> was called.</summary>
    bool IsDetached { get; }

    /// <summary>
    /// Waits for the child to exit and judges its status as <see cref="ICommandRunner.RunAsync(Command, CancellationToken)"/> does
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

    /// <summary>
    /// Sends <paramref name="signal"/> to the running child (for example SIGHUP to make a daemon-like
    /// child reload), or to its whole process group. The child handles it as it likes; this does not
    /// wait for its reaction, and the run goes on: <see cref="WaitAsync"/> reports the end as usual.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The POSIX backend signals through the child's pidfd, which names that one process: a signal can
    /// never reach another process that got the pid after the child was reaped. A process group is
    /// signalled only while its leader, the child, is not yet reaped, so its id still names the group.
    /// The managed backend signals by pid (<c>kill(2)</c>; Linux only), after checking that .NET has not
    /// reaped the child: .NET reaps on its own thread, so a child that exits at that very moment may be
    /// reaped in between and its pid reused, which no pid-based call can rule out; on it SIGKILL kills
    /// the child's whole process tree, as its stops do. The fake records the signal
    /// (<c>FakeInvocation.Signals</c>) and its scripted child reacts as its response says.
    /// </para>
    /// <para>
    /// Lifecycle: a child that has exited is not signalled, and the call returns false (an exit can
    /// always race the call, so it is not an error). A detached handle signals its child as long as it
    /// runs, after its disposal too. A daemon's handle refuses: it follows the intermediate process,
    /// and the daemon is not our child (no pidfd holds its pid).
    /// </para>
    /// </remarks>
    /// <param name="signal">The signal.</param>
    /// <param name="target">The child alone, or its process group.</param>
    /// <returns>True when the signal was sent; false when the child had already exited. Every failure below travels in the task.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="signal"/> or <paramref name="target"/> is not a defined value.</exception>
    /// <exception cref="InvalidOperationException"><see cref="SignalTarget.ProcessGroup"/> for a command without a process group of its own, or any signal for a daemon.</exception>
    /// <exception cref="CommandNotSupportedException">The backend cannot send signals here (<see cref="CommandFeatures.GracefulSignal"/>: the managed backend off Linux).</exception>
    Task<bool> SignalAsync(Signal signal, SignalTarget target = SignalTarget.Process);

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
