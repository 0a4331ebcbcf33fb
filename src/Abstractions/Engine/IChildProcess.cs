namespace VirCommand.Backends;

/// <summary>
/// A child as a backend started it: what a backend implements, besides
/// <see cref="CommandRunnerBase.Spawn"/>, which makes it from a <see cref="RunPlan"/>. The run engine
/// drives it and holds every rule of a run (stop sequence, timeout, drain, capture limit, judging,
/// detach, dispose, handshake state); the child only does what its backend knows how to do.
/// </summary>
/// <remarks>
/// Lifecycle: <see cref="CommandRunnerBase.Spawn"/> returns it started; the engine calls
/// <see cref="Start"/> once, then waits for <see cref="Exited"/> and, for the drain time, for
/// <see cref="OutputsDone"/>, then calls <see cref="StopReading"/>, and last <see cref="Close"/>.
/// If <see cref="Start"/> throws, the child must already have been killed (its backend reaps it);
/// the engine then closes it.
/// </remarks>
public interface IChildProcess
{
    /// <summary>The child's pid (for a daemon: the intermediate process's).</summary>
    int Pid { get; }

    /// <summary>For a daemon, the daemon's own pid as it reported it; null otherwise or when the backend does not know it.</summary>
    int? DaemonPid => null;

    /// <summary>When the child was started.</summary>
    DateTimeOffset StartTime { get; }

    /// <summary>The parent's end of the stdin pipe the plan asked for, or null.</summary>
    Stream? StandardInput { get; }

    /// <summary>The parent's end of the stdout (or merged) pipe the plan asked for, or null.</summary>
    Stream? StandardOutput { get; }

    /// <summary>The parent's end of the stderr pipe the plan asked for, or null.</summary>
    Stream? StandardError { get; }

    /// <summary>The master side of the pseudo-terminal the plan asked for, or null; <see cref="Close"/> closes it.</summary>
    PseudoTerminal? Terminal => null;

    /// <summary>
    /// Starts watching the child and pumping what the library feeds and reads. A capture that goes
    /// over the plan's limit calls <see cref="StopSequence.CaptureOverflowed"/>; the backend calls
    /// <see cref="StopSequence.BeforeReap"/> while the exited child is still a zombie, if it can.
    /// </summary>
    void Start(StopSequence stops);

    /// <summary>The raw wait status (as <c>waitpid</c> encodes it), once the child is reaped.</summary>
    Task<int> Exited { get; }

    /// <summary>True once the child has exited: it can no longer be signalled.</summary>
    bool HasExited { get; }

    /// <summary>Completes when every output the library reads (captures) has reached end-of-file.</summary>
    Task OutputsDone { get; }

    /// <summary>Ends the reading once the run is over: what the captures hold is final.</summary>
    void StopReading();

    /// <summary>The captured stdout (or merged output), final after <see cref="StopReading"/>.</summary>
    ReadOnlyMemory<byte> CapturedOutput { get; }

    /// <summary>The captured stderr, final after <see cref="StopReading"/>.</summary>
    ReadOnlyMemory<byte> CapturedError { get; }

    /// <summary>The end of an uncaptured stderr kept for the failure message (<see cref="RunSettings.KeepsErrorTail"/>), or null.</summary>
    string? ErrorTail { get; }

    /// <summary>
    /// Sends <paramref name="signal"/> to the child, or to its process group, unless it has exited. The
    /// engine calls it for its stops and for <see cref="IRunningCommand.SignalAsync"/>, whose rules
    /// (a group only where the plan has one, never a daemon, the backend's features) it checked before.
    /// </summary>
    /// <returns>False when the child had exited: nothing was sent.</returns>
    bool Signal(Signal signal, bool toProcessGroup);

    /// <summary>With a handshake: true when the child reached it (it waits there); false when it ended before.</summary>
    bool ReachedHandshake { get; }

    /// <summary>Releases the child from the handshake to exec; completes once the exec succeeded.</summary>
    /// <exception cref="CommandStartException">The exec failed.</exception>
    Task ReleaseHandshakeAsync();

    /// <summary>Lets a child still waiting at the handshake go without exec (the run is being disposed).</summary>
    void AbandonHandshake();

    /// <summary>
    /// Closes the parent's side: the caller's streams and the pseudo-terminal always; the rest too unless
    /// <paramref name="detached"/>, when the child may outlive the handle and is reaped whenever it exits.
    /// </summary>
    void Close(bool detached);
}
