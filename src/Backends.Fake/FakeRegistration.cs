namespace VirCommand.Backends.Fake;

/// <summary>
/// One expected command of a <see cref="FakeCommandRunner"/>: what it matches, how it answers, and
/// how many times it may be used. Configure it fluently right after registering; it is thread-safe.
/// </summary>
public sealed class FakeRegistration
{
    private readonly Func<FakeInvocation, bool> _matches;
    private readonly Lock _lock = new();
    private readonly List<FakeInvocation> _calls = [];
    private Func<FakeInvocation, int, FakeResponse> _respond = (_, _) => FakeResponse.Success();

    internal FakeRegistration(string description, Func<FakeInvocation, bool> matches)
    {
        Description = description;
        _matches = matches;
    }

    /// <summary>What the registration matches, as the strict-mode error lists it.</summary>
    public string Description { get; }

    /// <summary>How many runs this registration answered (since <see cref="ClearCalls"/>).</summary>
    public int CallCount
    {
        get { lock (_lock) return _calls.Count; }
    }

    /// <summary>The runs this registration answered, in order (since <see cref="ClearCalls"/>); each has it as <see cref="FakeInvocation.Registration"/>.</summary>
    public IReadOnlyList<FakeInvocation> Calls
    {
        get { lock (_lock) return [.. _calls]; }
    }

    /// <summary>The first run this registration answered, or null.</summary>
    public FakeInvocation? FirstCall
    {
        get { lock (_lock) return _calls.Count > 0 ? _calls[0] : null; }
    }

    /// <summary>The last run this registration answered, or null.</summary>
    public FakeInvocation? LastCall
    {
        get { lock (_lock) return _calls.Count > 0 ? _calls[^1] : null; }
    }

    /// <summary>
    /// Forgets the runs this registration answered: its count starts again at zero, so one used up by
    /// <see cref="Times"/> answers again, and a sequence of <see cref="Returns(FakeResponse[])"/> starts
    /// over. The runner's <see cref="FakeCommandRunner.Invocations"/> keep them.
    /// </summary>
    public void ClearCalls()
    {
        lock (_lock)
            _calls.Clear();
    }

    /// <summary>The exact number of runs expected (<see cref="Times"/>), or null for any number.</summary>
    public int? ExpectedCalls { get; private set; }

    /// <summary>Answers every run with <paramref name="response"/>. Without any Returns, a run exits 0 with no output.</summary>
    public FakeRegistration Returns(FakeResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Configure(() => _respond = (_, _) => response);
    }

    /// <summary>Answers successive runs with successive responses; the last one answers every run after them.</summary>
    /// <exception cref="ArgumentException">No response is given.</exception>
    public FakeRegistration Returns(params FakeResponse[] responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        if (responses.Length == 0 || responses.Any(r => r is null))
            throw new ArgumentException("Give at least one response, and no null.", nameof(responses));
        FakeResponse[] copy = [.. responses];
        return Configure(() => _respond = (_, call) => copy[Math.Min(call, copy.Length - 1)]);
    }

    /// <summary>Computes each answer from the run: argv, resolved environment, working directory, input and options.</summary>
    public FakeRegistration Responds(Func<FakeInvocation, FakeResponse> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Configure(() => _respond = (invocation, _) => callback(invocation)
            ?? throw new InvalidOperationException($"The response callback of '{Description}' returned null."));
    }

    /// <summary>
    /// Runs the commands this registration matches on the fake's real runner
    /// (<see cref="FakeCommandRunner.PassThrough"/>) instead of answering them: they really run, and are
    /// recorded and counted like the rest.
    /// </summary>
    public FakeRegistration PassesThrough() => Configure(() => PassesThroughRuns = true);

    /// <summary>True once <see cref="PassesThrough"/> was called.</summary>
    internal bool PassesThroughRuns { get; private set; }

    /// <summary>Expects exactly <paramref name="count"/> runs: afterwards the registration no longer matches, and <see cref="FakeCommandRunner.VerifyAllCalled"/> checks the count.</summary>
    public FakeRegistration Times(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return Configure(() => ExpectedCalls = count);
    }

    /// <summary>Expects exactly one run.</summary>
    public FakeRegistration Once() => Times(1);

    internal bool TryClaim(FakeInvocation invocation, out Func<FakeInvocation, FakeResponse> respond)
    {
        respond = null!;
        if (!_matches(invocation))
            return false;
        lock (_lock)
        {
            if (_calls.Count >= ExpectedCalls)
                return false;
            var call = _calls.Count;
            _calls.Add(invocation);
            invocation.Registration = this;
            var answer = _respond;
            respond = i => answer(i, call);
            return true;
        }
    }

    internal string Summary()
    {
        lock (_lock)
            return $"{Description} (called {_calls.Count} time{(_calls.Count == 1 ? "" : "s")}{(ExpectedCalls is { } n ? $" of {n} expected" : "")})";
    }

    private FakeRegistration Configure(Action change)
    {
        lock (_lock)
            change();
        return this;
    }
}
