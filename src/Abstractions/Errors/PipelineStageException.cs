namespace VirCommand;

/// <summary>
/// A stage of a pipeline failed: it could not start, or it ended in a way the pipefail rule counts
/// as a failure. <see cref="Exception.InnerException"/> is exactly what the stage would have thrown as
/// a command on its own (<see cref="CommandStartException"/>, <see cref="CommandExitException"/>, its own
/// <see cref="CommandTimeoutException"/>…).
/// </summary>
/// <remarks>
/// The pipefail rule: the pipeline fails when any stage fails by its own exit-status rules
/// (<see cref="Command.AllowNonZeroExit"/> and <see cref="Command.RawStatus"/> apply per stage), except
/// that a stage that died of SIGPIPE, or exited with 141 (128 + SIGPIPE, as a shell reports its child's
/// death by SIGPIPE and as the managed backend reports it), is not a failure when the stage it feeds
/// succeeded or was itself excused so: the reader finished early and closed the pipe
/// (<c>yes | head -n1</c>). Where the run engine pumps the junction (the managed and fake backends),
/// it sees the reader stop reading, and then excuses any non-zero exit of the stage it cut off: a
/// managed child inherits .NET's ignored SIGPIPE, so it sees EPIPE and exits by its own convention
/// (<c>yes</c> exits 1) instead of dying of SIGPIPE. A death by any other signal is never excused. The last stage is never excused, since no stage of ours reads its stdout.
/// When several stages fail, the rightmost is reported (as bash's <c>pipefail</c> reports the
/// rightmost non-zero status): an upstream stage that failed of a broken pipe is never blamed for a
/// downstream failure that caused it.
/// </remarks>
public sealed class PipelineStageException : CommandException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="commandLine">The pipeline's string form, secrets redacted.</param>
    /// <param name="stageIndex">The failing stage's index, from 0.</param>
    /// <param name="stageCommandLine">The failing stage's string form, secrets redacted.</param>
    /// <param name="failure">What the stage would have thrown as a command on its own.</param>
    /// <param name="stageResults">Each stage's result, or null for a stage that has none (never started, or failed before it ended).</param>
    public PipelineStageException(string commandLine, int stageIndex, string stageCommandLine, Exception failure, IReadOnlyList<CommandResult?> stageResults)
        : base(commandLine, $"stage {stageIndex} failed: {failure?.Message}", failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentNullException.ThrowIfNull(stageResults);
        StageIndex = stageIndex;
        StageCommandLine = stageCommandLine;
        StageResults = stageResults;
    }

    /// <summary>The failing stage's index, from 0.</summary>
    public int StageIndex { get; }

    /// <summary>The failing stage's string form, secrets redacted.</summary>
    public string StageCommandLine { get; }

    /// <summary>Each stage's result, first to last; null for a stage that has none (it never started, or failed before it ended).</summary>
    public IReadOnlyList<CommandResult?> StageResults { get; }
}
