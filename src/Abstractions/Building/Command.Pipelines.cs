namespace VirCommand;

public sealed partial class Command
{
    /// <summary>
    /// For a stage of a pipeline on a backend that joins stages by kernel pipes: 0 when the child leads
    /// the pipeline's new process group, a pgid when it joins that group; null for a command on its own.
    /// Unlike <see cref="NewProcessGroup"/>, the stage's own stops do not signal the group: only the
    /// pipeline's stops do, so a stage's timeout never takes the other stages down with it.
    /// </summary>
    internal int? PipelineGroup { get; private set; }

    /// <summary>A pipeline of this command and <paramref name="next"/>: this stdout feeds its stdin (<c>this | next</c>).</summary>
    public Pipeline Pipe(Command next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return Pipeline.Of(this, next);
    }

    /// <summary>A pipeline of <paramref name="left"/> and <paramref name="right"/> (<see cref="Pipe"/>).</summary>
    public static Pipeline operator |(Command left, Command right)
    {
        ArgumentNullException.ThrowIfNull(left);
        return left.Pipe(right);
    }

    /// <summary>
    /// Wires a snapshot as a pipeline stage: its stdin and stdout (stderr too where it merges them into
    /// stdout) become the pipes to its neighbours, and it takes its place in the pipeline's process
    /// group. Only for a run's own snapshot, which nothing else sees: the set-once rules guard the
    /// caller's settings, which the pipeline checked before.
    /// </summary>
    internal void JoinPipeline(StdioTarget? input, StdioTarget? output, bool leadsGroup)
    {
        if (input is not null)
            Input = input;
        if (output is not null)
        {
            Output = output;
            if (MergesOutput)
                Error = output;
        }
        if (leadsGroup)
        {
            // The leader waits at the handshake until the others joined its group: see StartPipelineAsync.
            PipelineGroup = 0;
            RequiresHandshake = true;
        }
    }

    /// <summary>Makes a wired stage snapshot join the pipeline's process group, led by the first stage, once that one runs.</summary>
    internal void JoinProcessGroup(int processGroup) => PipelineGroup = processGroup;

    /// <summary>
    /// Checks that this command can be stage <paramref name="index"/> of <paramref name="count"/>, as
    /// <see cref="ValidateForRun"/> checks a command on its own (a handshake aside, refused here): the
    /// pipeline owns the stdin of every stage but the first and the stdout of every stage but the last,
    /// and makes the process group itself.
    /// </summary>
    /// <exception cref="InvalidOperationException">A setting conflicts with the stage's place; the message names the stage and the setting.</exception>
    internal void ValidateAsStage(int index, int count, bool runToCompletion)
    {
        ValidateForRun(runToCompletion: false);
        string? conflict = null;
        if (runToCompletion && ((index == 0 && Input.Kind == StdioKind.Pipe) || (index == count - 1 && Output.Kind == StdioKind.Pipe) ||
                                (Error.Kind == StdioKind.Pipe && !MergesOutput)))
            conflict = "it has a pipe the caller must serve while the pipeline runs, which a run to completion cannot allow (it would deadlock): use StartAsync";
        else if (index > 0 && Input.Kind != StdioKind.Null)
            conflict = $"its stdin is set ({Describe(Input)}), but the pipe from stage {index - 1} feeds it: leave it unset";
        else if (index < count - 1 && !(Output.Kind == StdioKind.Null || (Output.Kind == StdioKind.Pipe && MergesOutput)))
            conflict = $"its stdout is set ({Describe(Output)}), but it feeds stage {index + 1}: leave it unset (SetMergedOutputPipe sends stderr down the pipe too)";
        else if (IsDaemon)
            conflict = "it is daemonized, but a stage must run within its pipeline";
        else if (StartsNewSession || StartsNewProcessGroup)
            conflict = "it asks for a new session or process group, but the pipeline puts all its stages into one process group of its own";
        else if (RequiresHandshake)
            conflict = "it requires a handshake, which a pipeline does not offer per stage";
        else if (PseudoTerminal is not null)
            conflict = "it has a pseudo-terminal, whose new session would take it out of the pipeline's process group";
        if (conflict is not null)
            throw new InvalidOperationException($"Pipeline stage {index} ({this}): {conflict}.");
    }
}
