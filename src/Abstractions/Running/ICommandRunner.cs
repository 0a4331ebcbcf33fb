namespace VirCommand;

/// <summary>
/// Runs commands. One contract, three backends: POSIX (native fork/exec), managed
/// (<c>System.Diagnostics.Process</c>) and fake (records, never spawns). Get one from dependency
/// injection; implementations are thread-safe.
/// </summary>
/// <remarks>
/// A command whose <see cref="Command.RequiredFeatures"/> are not all in <see cref="Features"/> is
/// refused with <see cref="CommandNotSupportedException"/> before anything is spawned.
/// </remarks>
public interface ICommandRunner
{
    /// <summary>The backend's name, as error messages and logs show it (for example <c>posix</c>).</summary>
    string Name { get; }

    /// <summary>What this backend can honour.</summary>
    CommandFeatures Features { get; }

    /// <summary>
    /// Runs the command to completion (<c>virCommandRun</c>): feeds its input, captures what was asked,
    /// waits for it, and judges the exit status. For a daemon, returns once the intermediate process has
    /// exited and the pidfile, if any, is written.
    /// </summary>
    /// <returns>The result; by default only a zero exit gets here.</returns>
    /// <exception cref="CommandStartException">The child could not be started; the stage and errno say why.</exception>
    /// <exception cref="CommandExitException">The child exited non-zero or died by a signal, and the command did not ask to judge that itself.</exception>
    /// <exception cref="CommandTimeoutException">The command's timeout elapsed; the child was stopped and reaped.</exception>
    /// <exception cref="CommandCanceledException">The token was cancelled; the child was stopped and reaped.</exception>
    /// <exception cref="CommandCaptureLimitException">The child wrote more than the capture limit; it was stopped and reaped.</exception>
    /// <exception cref="CommandNotSupportedException">This backend cannot honour a setting of the command.</exception>
    /// <exception cref="InvalidOperationException">The command cannot run to completion (for example it has a pipe for the caller).</exception>
    Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken = default);

    /// <summary>Runs the command to completion, blocking the calling thread (<c>virCommandRun</c>).</summary>
    /// <inheritdoc cref="RunAsync(Command, CancellationToken)" path="/exception"/>
    CommandResult Run(Command command, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts the command and returns at once with a handle to the running child
    /// (<c>virCommandRunAsync</c>). The caller owns the handle: disposing it aborts a child that is
    /// still running, unless the handle was detached. Input and send buffers are pumped and captures
    /// collected in the background until <see cref="IRunningCommand.WaitAsync"/> completes.
    /// </summary>
    /// <param name="command">The command to start.</param>
    /// <param name="cancellationToken">
    /// Governs the start alone: already cancelled, the start is refused with
    /// <see cref="CommandCanceledException"/> and nothing is spawned. The spawn itself is not
    /// interrupted, and cancelling the token after this returned does nothing to the child: pass a
    /// token to <see cref="IRunningCommand.WaitAsync"/> to stop the child when it is cancelled. A child
    /// nobody disposes is stopped when its runner is shut down (disposed, or its host stopped).
    /// </param>
    /// <exception cref="CommandStartException">The child could not be started.</exception>
    /// <exception cref="CommandNotSupportedException">This backend cannot honour a setting of the command.</exception>
    Task<IRunningCommand> StartAsync(Command command, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a pipeline (<c>a | b | c</c>) to completion: starts every stage, waits for all of them, and
    /// judges them by the pipefail rule (see <see cref="PipelineStageException"/>). A stop (its timeout,
    /// the token) reaches every stage at once. A backend without <see cref="CommandFeatures.Pipelines"/>
    /// refuses it before anything is spawned.
    /// </summary>
    /// <returns>Every stage's result.</returns>
    /// <exception cref="PipelineStageException">A stage could not start, or failed by the pipefail rule; it names the stage and its command.</exception>
    /// <exception cref="CommandTimeoutException">The pipeline's timeout elapsed; every stage was stopped and reaped.</exception>
    /// <exception cref="CommandCanceledException">The token was cancelled; every stage was stopped and reaped.</exception>
    /// <exception cref="CommandNotSupportedException">This backend cannot run pipelines, or cannot honour a setting of a stage.</exception>
    /// <exception cref="InvalidOperationException">A stage's setting conflicts with its place in the pipeline (a stdin or stdout the pipeline owns), or cannot run to completion.</exception>
    Task<PipelineResult> RunAsync(Pipeline pipeline, CancellationToken cancellationToken = default) =>
        Task.FromException<PipelineResult>(PipelinesRefused(pipeline));

    /// <summary>
    /// Starts a pipeline and returns at once with a handle to its running stages, as
    /// <see cref="StartAsync(Command, CancellationToken)"/> does for one command; the token governs the start alone.
    /// </summary>
    /// <exception cref="PipelineStageException">A stage could not start; the stages started before it were stopped and reaped.</exception>
    /// <exception cref="CommandNotSupportedException">This backend cannot run pipelines, or cannot honour a setting of a stage.</exception>
    /// <exception cref="InvalidOperationException">A stage's setting conflicts with its place in the pipeline.</exception>
    Task<IRunningPipeline> StartAsync(Pipeline pipeline, CancellationToken cancellationToken = default) =>
        Task.FromException<IRunningPipeline>(PipelinesRefused(pipeline));

    private CommandNotSupportedException PipelinesRefused(Pipeline pipeline) =>
        new(pipeline?.ToString() ?? "(null pipeline)", CommandFeatures.Pipelines, Name, null);
}
