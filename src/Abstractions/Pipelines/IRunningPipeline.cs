namespace VirCommand;

/// <summary>
/// A started pipeline: one <see cref="IRunningCommand"/> per stage, driven together. The caller owns
/// it and must dispose it.
/// </summary>
/// <remarks>
/// <para>
/// Lifecycle: <see cref="WaitAsync"/> may be called any number of times; every call gets the same
/// result or exception. A stop of the pipeline (its timeout, the token of <see cref="WaitAsync"/>,
/// <see cref="AbortAsync"/>, disposal) reaches every stage at once: on the POSIX backend the graceful
/// signal goes to the pipeline's process group (the first stage leads it, the others joined it), and
/// every stage then runs its own stop sequence (grace period, SIGKILL, reap), so a stage is stopped even
/// after the group's leader was reaped. Whatever path is taken, every stage is reaped.
/// </para>
/// <para>
/// The stage handles are the pipeline's: their streams between stages are connected by the pipeline
/// (on POSIX they do not exist, the kernel joins the children), and disposing the pipeline disposes
/// them. Only the first stage's <see cref="StandardInput"/> and the last stage's
/// <see cref="StandardOutput"/>, when those stages asked for pipes, and each stage's stderr pipe, are the caller's.
/// </para>
/// </remarks>
public interface IRunningPipeline : IAsyncDisposable
{
    /// <summary>The pipeline's string form (<c>a | b | c</c>, secrets redacted).</summary>
    string CommandLine { get; }

    /// <summary>The running stages, first to last.</summary>
    IReadOnlyList<IRunningCommand> Stages { get; }

    /// <summary>The pipeline's process group id (the first stage's pid) where the backend puts the stages into one (POSIX); null otherwise.</summary>
    int? ProcessGroupId { get; }

    /// <summary>The write end of the first stage's stdin pipe (<see cref="Command.SetInputPipe"/>), or null.</summary>
    Stream? StandardInput { get; }

    /// <summary>The read end of the last stage's stdout pipe (<see cref="Command.SetOutputPipe"/>), or null.</summary>
    Stream? StandardOutput { get; }

    /// <summary>
    /// Waits for every stage to end and judges them by the pipefail rule (see <see cref="PipelineStageException"/>).
    /// Cancelling the token stops the whole pipeline like its timeout does.
    /// </summary>
    /// <exception cref="PipelineStageException">A stage failed; it names the stage and its command.</exception>
    /// <exception cref="CommandTimeoutException">The pipeline's timeout elapsed; every stage was stopped and reaped.</exception>
    /// <exception cref="CommandCanceledException">The token was cancelled, the pipeline aborted, or its runner shut down.</exception>
    Task<PipelineResult> WaitAsync(CancellationToken cancellationToken = default);

    /// <summary>Stops every stage (see the remarks) and waits until all are reaped. Does nothing once they all ended.</summary>
    Task AbortAsync();

    /// <summary>
    /// Sends <paramref name="signal"/> to every stage still running: to the process group where the
    /// pipeline has one and its leader is not yet reaped, otherwise to each stage through its own handle.
    /// </summary>
    /// <returns>True when the signal was sent to at least one stage; false when all had exited.</returns>
    /// <exception cref="CommandNotSupportedException">The backend cannot send signals here.</exception>
    Task<bool> SignalAsync(Signal signal);
}
