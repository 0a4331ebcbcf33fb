using System.Globalization;
using System.Text;

namespace VirCommand.Backends.Fake.Cassettes;

/// <summary>
/// A fake that serves the runs of a <see cref="Cassette"/>: each run is matched against the recorded
/// ones (<see cref="CassetteMatching"/>), and its child writes the recorded output in the recorded
/// order (at the recorded times with <see cref="CassetteTiming.Recorded"/>) and ends as the recorded
/// child did, or fails to start at the recorded stage. It never spawns anything.
/// </summary>
/// <remarks>
/// <para>
/// The fake's child plays it, so the fake's rules hold: the command's validation and features, the
/// exit-status rules, timeouts, cancellation, the capture limit, pipes, line and event streams,
/// signals (a recorded child that survived a signal ignores it; one the run stopped runs until it is
/// stopped again). A run the cassette does not hold, or one out of order with
/// <see cref="CassetteMatching.InOrder"/>, fails its start with <see cref="CassetteMismatchException"/>.
/// </para>
/// <para>Thread-safe; each recorded run answers once.</para>
/// </remarks>
public sealed class ReplayingCommandRunner : CommandRunnerBase
{
    private readonly Lock _lock = new();
    private readonly IReadOnlyList<CassetteInteraction> _recorded;
    private readonly bool[] _played;
    private readonly List<FakeInvocation> _invocations = [];
    private readonly TimeProvider _time;
    private int _nextPid = 20_000;

    /// <summary>Creates a runner that replays <paramref name="cassette"/>.</summary>
    /// <param name="cassette">The recorded runs.</param>
    /// <param name="matching">When a run matches a recorded one; null for the defaults.</param>
    /// <param name="timing">Whether the recorded times are kept.</param>
    /// <param name="options">The runner defaults (timeouts, grace, capture limit); null for the defaults.</param>
    /// <param name="timeProvider">The clock of the recorded times and of the engine's timers; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="features">The features of the backend this runner stands in for, as for <see cref="FakeCommandRunner"/>; never <see cref="CommandFeatures.Pipelines"/>, which a cassette does not record.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timing"/> or <paramref name="features"/> is not a defined value.</exception>
    public ReplayingCommandRunner(Cassette cassette, CassetteMatching? matching = null, CassetteTiming timing = CassetteTiming.Instant,
        CommandRunnerOptions? options = null, TimeProvider? timeProvider = null, CommandFeatures features = CommandFeatures.All)
        : base(options ?? new CommandRunnerOptions())
    {
        ArgumentNullException.ThrowIfNull(cassette);
        if (!Enum.IsDefined(timing))
            throw new ArgumentOutOfRangeException(nameof(timing), timing, "Not a CassetteTiming value.");
        if ((features & ~CommandFeatures.All) != 0)
            throw new ArgumentOutOfRangeException(nameof(features), features, "Not a combination of defined CommandFeatures flags.");
        _recorded = cassette.Interactions;
        _played = new bool[_recorded.Count];
        Matching = matching ?? new CassetteMatching();
        Timing = timing;
        Features = features & ~CommandFeatures.Pipelines;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public override string Name => "cassette";

    /// <inheritdoc/>
    public override CommandFeatures Features { get; }

    /// <summary>When a run matches a recorded one.</summary>
    public CassetteMatching Matching { get; }

    /// <summary>Whether the recorded times are kept.</summary>
    public CassetteTiming Timing { get; }

    /// <summary>Every run that was answered, in order, as the fake records them.</summary>
    public IReadOnlyList<FakeInvocation> Invocations
    {
        get { lock (_lock) return [.. _invocations]; }
    }

    /// <summary>The recorded runs not replayed yet, in recorded order.</summary>
    public IReadOnlyList<CassetteInteraction> Unplayed
    {
        get { lock (_lock) return [.. _recorded.Where((_, i) => !_played[i])]; }
    }

    /// <summary>Throws unless every recorded run was replayed.</summary>
    /// <exception cref="InvalidOperationException">Some recorded runs were not; the message lists them.</exception>
    public void VerifyAllPlayed()
    {
        var unplayed = Unplayed;
        if (unplayed.Count > 0)
            throw new InvalidOperationException($"{unplayed.Count} recorded run(s) were not replayed:" + Environment.NewLine +
                string.Join(Environment.NewLine, unplayed.Select(i => "  " + CassetteVerification.Line(i.Request))));
    }

    /// <inheritdoc/>
    protected override TimeProvider Time => _time;

    /// <inheritdoc/>
    protected override IChildProcess Spawn(RunPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var interaction = Claim(plan);
        var invocation = new FakeInvocation(plan, Interlocked.Increment(ref _nextPid), _time.GetUtcNow());
        lock (_lock)
            _invocations.Add(invocation);
        var outcome = interaction.Outcome;
        if (outcome.StartFailure is { } failure && !(failure.Stage == StartStage.Exec && plan.RequiresHandshake))
            throw new CommandStartException(plan.CommandLine, failure.Stage, failure.Errno);
        var response = Response(outcome, plan.Settings.GracefulSignal);
        return new FakeChild(plan, invocation, _ => response, _time);
    }

    /// <summary>The recorded run that answers <paramref name="plan"/>, now played.</summary>
    /// <exception cref="CassetteMismatchException">None does, by the rules.</exception>
    private CassetteInteraction Claim(RunPlan plan)
    {
        var ran = CassetteRequests.Of(plan);
        lock (_lock)
        {
            var next = Array.IndexOf(_played, false);
            if (Matching.InOrder)
            {
                if (next >= 0 && Matching.Differences(_recorded[next].Request, ran).Count == 0)
                    return Play(next);
            }
            else
            {
                for (var i = next < 0 ? _played.Length : next; i < _played.Length; i++)
                {
                    if (!_played[i] && Matching.Differences(_recorded[i].Request, ran).Count == 0)
                        return Play(i);
                }
            }
            throw new CassetteMismatchException(plan.CommandLine, Mismatch(plan.CommandLine, ran, next));
        }
    }

    private CassetteInteraction Play(int index)
    {
        _played[index] = true;
        return _recorded[index];
    }

    /// <summary>What ran, against the recorded run expected next (in order) or the closest unused one.</summary>
    private string Mismatch(string commandLine, CassetteRequest ran, int next)
    {
        var text = new StringBuilder($"The cassette has no recorded run for: {commandLine}");
        if (next < 0)
            return text.Append(CultureInfo.InvariantCulture, $" (all {_recorded.Count} recorded runs were already replayed)").ToString();
        var (index, differences) = Matching.InOrder
            ? (next, Matching.Differences(_recorded[next].Request, ran))
            : Enumerable.Range(0, _recorded.Count).Where(i => !_played[i])
                .Select(i => (Index: i, Differences: Matching.Differences(_recorded[i].Request, ran)))
                .MinBy(c => c.Differences.Count);
        text.AppendLine().Append(Matching.InOrder ? "Expected next" : "Closest unused")
            .Append(CultureInfo.InvariantCulture, $" (recorded run #{index + 1} of {_recorded.Count}): ").AppendLine(CassetteVerification.Line(_recorded[index].Request));
        foreach (var difference in differences)
            text.Append("  ").AppendLine(difference);
        return text.ToString().TrimEnd();
    }

    /// <summary>How the recorded child of <paramref name="outcome"/> lives again.</summary>
    private FakeResponse Response(CassetteOutcome outcome, Signal gracefulSignal)
    {
        var timed = Timing == CassetteTiming.Recorded;
        var ended = outcome.ExitCode is not null || outcome.Signal is not null;
        var response = outcome.Signal is { } killer ? FakeResponse.Killed(killer) : FakeResponse.Exit(outcome.ExitCode ?? 0);
        // It survived the signals it got, except the one it died of.
        foreach (var signal in outcome.Signals.Select(s => s.Signal).Distinct())
        {
            if (signal != outcome.Signal && signal is not (Signal.SIGKILL or Signal.SIGSTOP))
                response = response.IgnoreSignal(signal);
        }
        if (outcome.StoppedBy is not null && ended && gracefulSignal is not (Signal.SIGKILL or Signal.SIGSTOP))
        {
            // Stopped: it ends as it did when the stop's graceful signal comes, or lets SIGKILL end it.
            response = outcome.Signal == Signal.SIGKILL ? response.IgnoreSignal(gracefulSignal)
                : outcome.Signal is null ? response.OnSignal(gracefulSignal, FakeResponse.Exit(outcome.ExitCode ?? 0))
                : response;
        }
        List<FakeWrite> script = [.. outcome.Output.Select(o => new FakeWrite(timed ? TimeSpan.FromMilliseconds(o.AtMs) : TimeSpan.Zero, o.Stream, o.Bytes))];
        if (timed && outcome.StoppedBy is null)
            script.Add(new FakeWrite(TimeSpan.FromMilliseconds(outcome.DurationMs), ChildOutput.StandardOutput, default));
        var timesOut = outcome.StoppedBy == StopReason.Timeout && !timed;
        return response with
        {
            Script = [.. script],
            TimesOut = timesOut,
            RunsUntilStopped = !timesOut && (outcome.StoppedBy is not null || !ended),
        };
    }
}
