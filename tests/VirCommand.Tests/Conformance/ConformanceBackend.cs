using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// One backend under the conformance suite (SPEC §6): how to make its runner, and how to observe what
/// only differs by nature between a backend that spawns and one that does not (is the child still
/// there, was anything spawned). Every conformance case takes the backend's <see cref="Name"/> as its
/// theory parameter, so each case shows up once per backend in the test output.
/// </summary>
internal abstract class ConformanceBackend
{
    private static readonly ConformanceBackend[] Backends =
    [
        new ProcessBackend("posix", options => new Backends.Posix.PosixCommandRunner(options)),
        new ProcessBackend("managed", options => new Backends.Managed.ManagedCommandRunner(options)),
        new FakeBackend(),
        // Against the test sshd on this machine, so the remote child is observed through /proc like a local one; only where sshd can run.
        .. Ssh.SshServer.Missing is null ? [new ProcessBackend("ssh", options => new Backends.Ssh.SshCommandRunner(Ssh.SshServer.Instance.Options(), options), remote: true)] : Array.Empty<ConformanceBackend>(),
    ];

    /// <summary>The backend's runner name (<see cref="ICommandRunner.Name"/>).</summary>
    public abstract string Name { get; }

    /// <summary>The names of every backend.</summary>
    public static IReadOnlyList<string> AllNames => [.. Backends.Select(b => b.Name)];

    /// <summary>The names of every backend, as theory data.</summary>
    public static TheoryData<string> Names => [.. AllNames];

    /// <summary>
    /// The backends whose child's parent is this process, as theory data: the cases about the parent's own
    /// environment, directory and PATH, and about exec failures only the exec itself sees. A remote backend's
    /// parent is the remote login shell; its counterparts of these cases are its own tests (Ssh/).
    /// </summary>
    public static TheoryData<string> LocalNames => [.. Backends.Where(b => !b.IsRemote).Select(b => b.Name)];

    /// <summary>True when the child runs on another host (over ssh): its parent is the remote login shell, not this process.</summary>
    public virtual bool IsRemote => false;

    /// <summary>The backend called <paramref name="name"/>.</summary>
    public static ConformanceBackend Get(string name) => Backends.Single(b => b.Name == name);

    /// <summary>
    /// True when the backend spawns real processes. The few cases that observe what only a real process
    /// has (a pidfile the library writes, a signal the child ignores) branch on it, and say what they prove of the fake instead.
    /// </summary>
    public abstract bool Spawns { get; }

    /// <summary>
    /// A new runner of this backend with <paramref name="options"/> (defaults when null). For the fake it
    /// is scripted to answer as <c>vircommand-probe</c> and the system would (<see cref="FakeProbe"/>).
    /// </summary>
    public abstract ICommandRunner CreateRunner(CommandRunnerOptions? options = null);

    /// <summary>
    /// Asserts that the child <paramref name="pid"/> of <paramref name="runner"/> was stopped and is gone:
    /// no longer running and reaped (a real process), or recorded as stopped with its end (the fake).
    /// </summary>
    public abstract Task AssertStoppedAndGoneAsync(ICommandRunner runner, int pid);

    /// <summary>True while the child <paramref name="pid"/> of <paramref name="runner"/> has not ended.</summary>
    public abstract bool IsRunning(ICommandRunner runner, int pid);

    /// <summary>Cleanup after a failed test: kills the child <paramref name="pid"/> if it still runs (a real process only; a fake pid names no process of ours).</summary>
    public abstract void KillIfRunning(int pid);

    /// <summary>
    /// A program that leaves a trace when anything runs it: an executable script that touches a file for
    /// a spawning backend; for the fake, which records every start it attempts, a path to nothing. Pair
    /// with <see cref="AssertNeverRan"/>.
    /// </summary>
    public abstract string TracingProgram(TempDir dir);

    /// <summary>Asserts that nothing was spawned for <see cref="TracingProgram"/> on <paramref name="runner"/>.</summary>
    public abstract void AssertNeverRan(ICommandRunner runner, TempDir dir);

    /// <summary>
    /// Scripts the fake's answer to <paramref name="program"/> as the real program and kernel would give
    /// it (a shell's output, an exec failure); it wins over <see cref="FakeProbe"/>'s answers. A spawning
    /// backend runs the real program and ignores this.
    /// </summary>
    public abstract void Script(ICommandRunner runner, string program, Func<Backends.Fake.FakeInvocation, Backends.Fake.FakeResponse> answer);

    /// <summary>
    /// Waits until the child <paramref name="pid"/> catches <paramref name="signal"/>: a real process
    /// once its handler is installed (SigCgt in /proc), so a signal sent then is handled, not fatal; the
    /// fake's child catches what its response says from its start.
    /// </summary>
    public abstract Task WaitUntilCatchesAsync(int pid, Signal signal);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
