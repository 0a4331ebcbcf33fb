namespace VirCommand.Backends;

/// <summary>
/// The pipefail rule every backend's pipeline is judged by, in one place; its statement is on
/// <see cref="PipelineStageException"/>.
/// </summary>
internal static class Pipefail
{
    /// <summary>128 + SIGPIPE: how a shell reports a child that died of SIGPIPE, and how the managed backend reports such a death.</summary>
    public const int BrokenPipeExitCode = 128 + (int)Signal.SIGPIPE;

    /// <summary>True when the stage ended of a broken pipe by its status: killed by SIGPIPE, or exit code 141.</summary>
    public static bool EndedOfBrokenPipe(CommandResult result) =>
        result.TerminatingSignal == Signal.SIGPIPE || result.ExitCode == BrokenPipeExitCode;

    /// <summary>
    /// Judges the stages' outcomes (a stage's result, or what it threw as a command on its own, with the
    /// result that exception holds): the pipeline's result, or the exception of its rightmost failing stage.
    /// </summary>
    /// <exception cref="PipelineStageException">A stage failed by the rule.</exception>
    /// <exception cref="CommandCanceledException">The rightmost failing stage was cancelled (its runner shut down): the pipeline was.</exception>
    /// <param name="commandLine">The pipeline's string form.</param>
    /// <param name="stageLines">Each stage's string form.</param>
    /// <param name="results">Each stage's result, or null when it has none.</param>
    /// <param name="failures">What each stage threw, or null when it succeeded by its own rules.</param>
    /// <param name="cutOff">For each stage, true when the run engine pumped its output and saw the next stage stop reading it.</param>
    public static PipelineResult Judge(string commandLine, IReadOnlyList<string> stageLines, CommandResult?[] results, Exception?[] failures, bool[] cutOff)
    {
        var count = results.Length;
        var excused = new bool[count];
        // From the last stage up: a stage's broken pipe is excused only when the stage it feeds is fine.
        var downstreamFine = false;
        for (var i = count - 1; i >= 0; i--)
        {
            if (failures[i] is null)
            {
                downstreamFine = true;
                continue;
            }
            excused[i] = downstreamFine && failures[i] is CommandExitException exit && (EndedOfBrokenPipe(exit.Result) || cutOff[i]);
            if (excused[i])
                continue;
            if (failures[i] is CommandCanceledException canceled)
                throw new CommandCanceledException(commandLine, $"stage {i} was stopped: {canceled.Message}", null, canceled.CancellationToken);
            throw new PipelineStageException(commandLine, i, stageLines[i], failures[i]!, results);
        }
        return new PipelineResult(commandLine, [.. results.Select(r => r!)], excused);
    }

    /// <summary>The result a stage's failure holds, or null when it has none.</summary>
    public static CommandResult? ResultOf(Exception failure) => failure switch
    {
        CommandExitException e => e.Result,
        CommandTimeoutException e => e.Result,
        CommandCanceledException e => e.Result,
        CommandCaptureLimitException e => e.Result,
        CommandStreamException e => e.Result,
        _ => null,
    };
}
