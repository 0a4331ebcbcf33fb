namespace VirCommand;

/// <summary>
/// What a finished pipeline left: every stage's own <see cref="CommandResult"/> (status, times, the
/// captures that stage asked for), first to last. Only a pipeline that passed the pipefail rule
/// (<see cref="IsBrokenPipeExcused"/>) gets one; a failing one throws <see cref="PipelineStageException"/>.
/// </summary>
public sealed class PipelineResult
{
    private readonly bool[] _excused;

    internal PipelineResult(string commandLine, CommandResult[] stages, bool[] excused)
    {
        CommandLine = commandLine;
        Stages = stages;
        _excused = excused;
    }

    /// <summary>The pipeline's string form (<c>a | b | c</c>, secrets redacted).</summary>
    public string CommandLine { get; }

    /// <summary>Each stage's result, first to last.</summary>
    public IReadOnlyList<CommandResult> Stages { get; }

    /// <summary>The last stage's captured stdout as UTF-8 text: what the pipeline printed.</summary>
    /// <exception cref="InvalidOperationException">The last stage captured no stdout.</exception>
    public string StandardOutput => Stages[^1].StandardOutput;

    /// <summary>The last stage's captured stdout bytes.</summary>
    /// <exception cref="InvalidOperationException">The last stage captured no stdout.</exception>
    public ReadOnlyMemory<byte> StandardOutputBytes => Stages[^1].StandardOutputBytes;

    /// <summary>
    /// True when stage <paramref name="stage"/> did not succeed by its own rules, but ended of a broken
    /// pipe its downstream stage made by finishing early (<c>yes | head -n1</c>), which the pipefail rule
    /// does not count as a failure: see <see cref="PipelineStageException"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">No such stage.</exception>
    public bool IsBrokenPipeExcused(int stage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stage);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(stage, _excused.Length);
        return _excused[stage];
    }

    /// <inheritdoc/>
    public override string ToString() => $"{CommandLine}: {string.Join(", ", Stages.Select(s => s.DescribeStatus()))}";
}
