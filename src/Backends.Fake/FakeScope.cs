namespace VirCommand.Backends.Fake;

/// <summary>
/// Registrations of a <see cref="FakeCommandRunner"/> that end with the scope
/// (<see cref="FakeCommandRunner.BeginScope"/>): a test registers through it on a fake its fixture
/// shares, and disposing the scope removes them, with their counts, leaving the fixture's own. Runs
/// they answered stay in <see cref="FakeCommandRunner.Invocations"/>. Thread-safe.
/// </summary>
public sealed class FakeScope : IDisposable
{
    private readonly FakeCommandRunner _runner;
    private readonly Lock _lock = new();
    private readonly List<FakeRegistration> _registrations = [];
    private bool _disposed;

    internal FakeScope(FakeCommandRunner runner) => _runner = runner;

    /// <summary>The registrations made through this scope and not yet removed.</summary>
    public IReadOnlyList<FakeRegistration> Registrations
    {
        get { lock (_lock) return [.. _registrations]; }
    }

    /// <inheritdoc cref="FakeCommandRunner.Register(string[])"/>
    public FakeRegistration Register(params string[] argv) => Own(() => _runner.Register(argv));

    /// <inheritdoc cref="FakeCommandRunner.RegisterProgram(string)"/>
    public FakeRegistration RegisterProgram(string program) => Own(() => _runner.RegisterProgram(program));

    /// <inheritdoc cref="FakeCommandRunner.RegisterPattern(string[])"/>
    public FakeRegistration RegisterPattern(params string[] pattern) => Own(() => _runner.RegisterPattern(pattern));

    /// <inheritdoc cref="FakeCommandRunner.Register(Func{FakeInvocation, bool}, string)"/>
    public FakeRegistration Register(Func<FakeInvocation, bool> predicate, string description) => Own(() => _runner.Register(predicate, description));

    /// <summary>Throws unless every registration of this scope was used as expected, as <see cref="FakeCommandRunner.VerifyAllCalled"/> does for all.</summary>
    /// <exception cref="InvalidOperationException">Some registration was not used as expected; the message lists them.</exception>
    public void VerifyAllCalled() => FakeCommandRunner.Verify(Registrations);

    /// <summary>Removes this scope's registrations from the runner; later registrations through it are refused.</summary>
    public void Dispose()
    {
        List<FakeRegistration> owned;
        lock (_lock)
        {
            _disposed = true;
            owned = [.. _registrations];
            _registrations.Clear();
        }
        _runner.Remove(owned);
    }

    private FakeRegistration Own(Func<FakeRegistration> register)
    {
        // Held while registering, so a concurrent Dispose removes this registration too or refuses it.
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var registration = register();
            _registrations.Add(registration);
            return registration;
        }
    }
}
