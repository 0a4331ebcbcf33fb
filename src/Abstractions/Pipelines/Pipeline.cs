namespace VirCommand;

/// <summary>
/// Commands joined stdout to stdin, as a shell's <c>a | b | c</c>: each stage's stdout feeds the next
/// stage's stdin. Run it with <see cref="ICommandRunner.RunAsync(Pipeline, CancellationToken)"/> or
/// <see cref="ICommandRunner.StartAsync(Pipeline, CancellationToken)"/>.
/// </summary>
/// <remarks>
/// <para>
/// Each stage is an ordinary <see cref="Command"/> and keeps all of its own settings (environment,
/// fds, limits, privileges, stderr, timeout, exit-status rules). The first stage's stdin and the
/// last stage's stdout take any source or target a command takes (a buffer, a file, a stream, a
/// capture…); the pipeline owns the stdin of every later stage and the stdout of every earlier one, so
/// those must be left unset; an earlier stage may call <see cref="Command.SetMergedOutputPipe"/> to
/// send its stderr down the pipe too (<c>a 2&gt;&amp;1 | b</c>). A stage's stderr goes where that
/// stage says: <see cref="Command.SetErrorBuffer"/> on each stage captures each one separately.
/// </para>
/// <para>
/// A pipeline is immutable and reusable: every run takes a snapshot of each stage when it starts, as a
/// command's run does. The stages are referenced, not copied: a change to a stage reaches later runs.
/// </para>
/// </remarks>
public sealed class Pipeline
{
    private readonly Command[] _stages;

    private Pipeline(Command[] stages, TimeSpan? timeout)
    {
        _stages = stages;
        Timeout = timeout;
    }

    /// <summary>The stages, first to last.</summary>
    public IReadOnlyList<Command> Stages => _stages;

    /// <summary>The whole pipeline's timeout (<see cref="WithTimeout"/>), or null for none.</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>Joins <paramref name="stages"/> in order, each stdout to the next stdin.</summary>
    /// <remarks>One command may be several stages (<c>cat | cat</c>): each stage runs its own snapshot of it.</remarks>
    /// <exception cref="ArgumentException">Fewer than two stages, or a null stage.</exception>
    public static Pipeline Of(params Command[] stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        return Of((IEnumerable<Command>)stages);
    }

    /// <inheritdoc cref="Of(Command[])"/>
    public static Pipeline Of(IEnumerable<Command> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        Command[] list = [.. stages];
        if (list.Length < 2)
            throw new ArgumentException($"A pipeline needs at least two stages; {list.Length} given. Run a single command by itself.", nameof(stages));
        for (var i = 0; i < list.Length; i++)
        {
            if (list[i] is null)
                throw new ArgumentException($"Stage {i} is null.", nameof(stages));
        }
        return new Pipeline(list, null);
    }

    /// <summary>This pipeline with <paramref name="next"/> appended as its last stage.</summary>
    public Pipeline Pipe(Command next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return Of([.. _stages, next]).WithTimeout(Timeout);
    }

    /// <summary>
    /// This pipeline with a timeout for the whole run: when it elapses every stage is stopped at once
    /// (the graceful signal to the pipeline's process group where it has one, then each stage's own
    /// stop sequence) and the run fails with <see cref="CommandTimeoutException"/>. Null: none. A
    /// stage's own timeout stops that stage alone, which then fails the pipeline as any failing stage does.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is zero or negative.</exception>
    public Pipeline WithTimeout(TimeSpan? timeout)
    {
        if (timeout is { } t && t <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A pipeline's timeout must be positive; null means none.");
        return new Pipeline(_stages, timeout);
    }

    /// <summary>Appends <paramref name="right"/> as the last stage (<see cref="Pipe"/>).</summary>
    public static Pipeline operator |(Pipeline left, Command right)
    {
        ArgumentNullException.ThrowIfNull(left);
        return left.Pipe(right);
    }

    /// <summary>
    /// The pipeline as one shell line: each stage's own string form (<see cref="Command.ToString()"/>:
    /// shell-quoted, secrets redacted), joined by <c> | </c>.
    /// </summary>
    /// <example><c>head -c 100 /dev/zero | gzip -1 | wc -c</c></example>
    public override string ToString() => string.Join(" | ", _stages.Select(s => s.ToString()));
}
