namespace VirCommand.Backends.Fake.Cassettes;

/// <summary>
/// A test's runner bound to its cassette file by a <see cref="CassetteMode"/>: it replays the file,
/// records the real runner into it, records only what it lacks, or verifies the real tools against
/// it. Use it where the code under test takes an <see cref="ICommandRunner"/>, and dispose it when
/// the test is done: disposal writes the file (record modes) or reports the differences (verify).
/// </summary>
/// <remarks>
/// <para>
/// One file per test: <see cref="Cassette.PathForTest"/> names it after the test. A usual setup
/// records once (<see cref="CassetteMode.Record"/>, or <see cref="CassetteMode.RecordMissing"/> which
/// creates the file too), commits the file, and replays it from then on; a periodic job runs the
/// same tests in <see cref="CassetteMode.Verify"/> to learn when the tools changed.
/// </para>
/// <para>Lifecycle: dispose it once the code under test is done with its runs; it is not usable afterwards.</para>
/// </remarks>
public sealed class CassetteRunner : ICommandRunner, IDisposable
{
    private readonly ReplayingCommandRunner? _replay;
    private readonly RecordingCommandRunner? _record;
    private readonly Cassette? _recorded;
    private readonly CassetteMatching _matching;
    private int _disposed;

    private CassetteRunner(string path, CassetteMode mode, ReplayingCommandRunner? replay, RecordingCommandRunner? record, Cassette? recorded, CassetteMatching matching)
    {
        Path = path;
        Mode = mode;
        _replay = replay;
        _record = record;
        _recorded = recorded;
        _matching = matching;
    }

    /// <summary>Opens the cassette at <paramref name="path"/> in <paramref name="mode"/>.</summary>
    /// <param name="path">The cassette file, e.g. <see cref="Cassette.PathForTest"/>.</param>
    /// <param name="mode">What to do with it.</param>
    /// <param name="realRunner">The runner that really runs commands; needed by every mode but <see cref="CassetteMode.Replay"/>.</param>
    /// <param name="matching">When a run matches a recorded one; null for the defaults.</param>
    /// <param name="timing">Whether replayed runs keep the recorded times.</param>
    /// <param name="timeProvider">The clock of replayed runs; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException"><paramref name="realRunner"/> is missing for a mode that runs commands.</exception>
    /// <exception cref="FileNotFoundException"><see cref="CassetteMode.Replay"/> or <see cref="CassetteMode.Verify"/> and no file.</exception>
    /// <exception cref="InvalidDataException">The file is not a cassette this library reads.</exception>
    public static CassetteRunner Open(string path, CassetteMode mode, ICommandRunner? realRunner = null, CassetteMatching? matching = null,
        CassetteTiming timing = CassetteTiming.Instant, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a CassetteMode value.");
        if (mode != CassetteMode.Replay && realRunner is null)
            throw new ArgumentException($"CassetteMode.{mode} runs commands for real: give the real runner.", nameof(realRunner));
        matching ??= new CassetteMatching();
        // The replay stands in for the real backend: it refuses what that one would.
        var features = realRunner?.Features ?? CommandFeatures.All;
        ReplayingCommandRunner Replay(Cassette cassette) => new(cassette, matching, timing, timeProvider: timeProvider, features: features);
        switch (mode)
        {
            case CassetteMode.Replay:
                return new(path, mode, Replay(Cassette.Load(path)), null, null, matching);
            case CassetteMode.Record:
                return new(path, mode, null, new RecordingCommandRunner(realRunner!), null, matching);
            case CassetteMode.RecordMissing:
                var existing = File.Exists(path) ? Cassette.Load(path) : new Cassette([]);
                return new(path, mode, Replay(existing), new RecordingCommandRunner(realRunner!, appendTo: existing), null, matching);
            default:
                return new(path, mode, null, new RecordingCommandRunner(realRunner!), Cassette.Load(path), matching);
        }
    }

    /// <summary>The cassette file.</summary>
    public string Path { get; }

    /// <summary>What is done with it.</summary>
    public CassetteMode Mode { get; }

    /// <summary>The replaying runner, in <see cref="CassetteMode.Replay"/> and <see cref="CassetteMode.RecordMissing"/>; otherwise null.</summary>
    public ReplayingCommandRunner? Replaying => _replay;

    /// <summary>The recording runner, in every mode but <see cref="CassetteMode.Replay"/>; otherwise null.</summary>
    public RecordingCommandRunner? Recording => _record;

    /// <inheritdoc/>
    public string Name => (_replay as ICommandRunner ?? _record!).Name;

    /// <inheritdoc/>
    public CommandFeatures Features => (_record as ICommandRunner ?? _replay!).Features;

    /// <inheritdoc/>
    public Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken = default) =>
        RouteAsync(command, (runner, c) => runner.RunAsync(c, cancellationToken));

    /// <inheritdoc/>
    public CommandResult Run(Command command, CancellationToken cancellationToken = default) =>
        RouteAsync(command, (runner, c) => Task.FromResult(runner.Run(c, cancellationToken))).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public Task<IRunningCommand> StartAsync(Command command, CancellationToken cancellationToken = default) =>
        RouteAsync(command, (runner, c) => runner.StartAsync(c, cancellationToken));

    /// <summary>A run goes to the replay, and in <see cref="CassetteMode.RecordMissing"/> on to the recorder when the cassette lacks it.</summary>
    private async Task<T> RouteAsync<T>(Command command, Func<ICommandRunner, Command, Task<T>> run)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ArgumentNullException.ThrowIfNull(command);
        if (_replay is null)
            return await run(_record!, command).ConfigureAwait(false);
        if (_record is null)
            return await run(_replay, command).ConfigureAwait(false);
        try
        {
            // A copy owns no CloseParent fds: a miss must leave them open for the real run.
            var replayed = command.PassedFds.Any(f => f.ClosesParent) ? command.Clone() : command;
            return await run(_replay, replayed).ConfigureAwait(false);
        }
        catch (CassetteMismatchException)
        {
            return await run(_record, command).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The differences between the fresh runs and the file so far, in <see cref="CassetteMode.Verify"/>
    /// (one readable block per run: its end, and its stdout and stderr as line diffs); empty when the
    /// tools behave as recorded.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not in <see cref="CassetteMode.Verify"/>.</exception>
    public IReadOnlyList<string> Differences() => _recorded is null
        ? throw new InvalidOperationException($"Differences are found in CassetteMode.Verify; this cassette is in {Mode}.")
        : CassetteVerification.Compare(_recorded, _record!.Cassette, _matching);

    /// <summary>
    /// Ends the test's use of the cassette: <see cref="CassetteMode.Record"/> writes the file;
    /// <see cref="CassetteMode.RecordMissing"/> writes it when runs were added (or it did not exist);
    /// <see cref="CassetteMode.Verify"/> throws <see cref="CassetteVerificationException"/> when the
    /// tools behaved differently. A second call does nothing.
    /// </summary>
    /// <exception cref="CassetteVerificationException">Verify mode found differences.</exception>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _replay?.Dispose();
        switch (Mode)
        {
            case CassetteMode.Record:
                _record!.Save(Path);
                break;
            case CassetteMode.RecordMissing when _record!.RunsRecorded > 0 || !File.Exists(Path):
                _record.Save(Path);
                break;
            case CassetteMode.Verify when Differences() is { Count: > 0 } differences:
                throw new CassetteVerificationException(Path, differences);
        }
    }
}
