namespace VirCommand.Backends.Fake.Cassettes;

/// <summary>
/// Wraps any <see cref="ICommandRunner"/> and records each of its runs into a <see cref="Cassette"/>,
/// without changing what the runs do: the same results, exceptions, pipes and timings reach the
/// caller. Recorded per run, in the order the runs started: the command (<see cref="CassetteRequest"/>,
/// secrets redacted), what the caller read from its pipes and when, what it wrote to stdin, the
/// signals it sent, the captures, and how the child ended or failed to start.
/// </summary>
/// <remarks>
/// <para>
/// A run refused before anything started (an invalid or unsupported command, a token already
/// cancelled) is not recorded: a replay refuses it by the same rules. Output the run engine pumps to
/// a caller's file, stream or line callback without a capture is not seen here, only its target.
/// </para>
/// <para>
/// Lifecycle: <see cref="Cassette"/> is a snapshot of what was recorded so far; take it (or
/// <see cref="Save"/>) once the code under test is done with its runs, so that output still being
/// read is in it. A run still going is recorded without an end. Thread-safe.
/// </para>
/// </remarks>
public sealed class RecordingCommandRunner : ICommandRunner
{
    private readonly Lock _lock = new();
    private readonly IReadOnlyList<CassetteInteraction> _before;
    private readonly List<InteractionRecorder> _runs = [];

    /// <summary>Records the runs of <paramref name="inner"/>, after the interactions of <paramref name="appendTo"/> if given.</summary>
    /// <param name="inner">The runner that really runs the commands.</param>
    /// <param name="appendTo">A cassette whose interactions come first in <see cref="Cassette"/>, or null.</param>
    public RecordingCommandRunner(ICommandRunner inner, Cassette? appendTo = null)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _before = appendTo?.Interactions ?? [];
    }

    /// <summary>The runner that really runs the commands.</summary>
    public ICommandRunner Inner { get; }

    /// <inheritdoc/>
    public string Name => Inner.Name;

    /// <summary>The inner runner's features but <see cref="CommandFeatures.Pipelines"/>: a cassette holds single runs, so pipelines are refused.</summary>
    public CommandFeatures Features => Inner.Features & ~CommandFeatures.Pipelines;

    /// <summary>What was recorded so far, after the interactions appended to.</summary>
    public Cassette Cassette
    {
        get
        {
            lock (_lock)
                return new Cassette([.. _before, .. _runs.Select(r => r.Interaction)]);
        }
    }

    /// <summary>How many runs this runner recorded (not counting those appended to).</summary>
    internal int RunsRecorded
    {
        get { lock (_lock) return _runs.Count; }
    }

    /// <summary>Writes <see cref="Cassette"/> to <paramref name="path"/> (<see cref="Cassettes.Cassette.Save"/>).</summary>
    public void Save(string path) => Cassette.Save(path);

    /// <inheritdoc/>
    public async Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken = default)
    {
        var recorder = Begin(command);
        try
        {
            var result = await Inner.RunAsync(command, cancellationToken).ConfigureAwait(false);
            recorder.Ended(result);
            return result;
        }
        catch (Exception e)
        {
            Failed(recorder, e);
            throw;
        }
    }

    /// <inheritdoc/>
    public CommandResult Run(Command command, CancellationToken cancellationToken = default)
    {
        var recorder = Begin(command);
        try
        {
            var result = Inner.Run(command, cancellationToken);
            recorder.Ended(result);
            return result;
        }
        catch (Exception e)
        {
            Failed(recorder, e);
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task<IRunningCommand> StartAsync(Command command, CancellationToken cancellationToken = default)
    {
        var recorder = Begin(command);
        IRunningCommand running;
        try
        {
            running = await Inner.StartAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Failed(recorder, e);
            throw;
        }
        return new RecordingRunningCommand(running, recorder);
    }

    private InteractionRecorder Begin(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var recorder = new InteractionRecorder(CassetteRequests.Of(command));
        lock (_lock)
            _runs.Add(recorder);
        return recorder;
    }

    /// <summary>Records how the run failed; a run refused before it started leaves no record.</summary>
    private void Failed(InteractionRecorder recorder, Exception exception)
    {
        if (recorder.Failed(exception))
            return;
        lock (_lock)
            _runs.Remove(recorder);
    }
}
