using VirCommand.Backends;

namespace VirCommand.Backends.Fake;

/// <summary>
/// The test double of <see cref="ICommandRunner"/>: it never spawns anything. Register the commands
/// the code under test should run and how each answers; the fake then records every run with all the
/// child would have got, and keeps a dry-run transcript of their string forms.
/// </summary>
/// <remarks>
/// <para>
/// Matching: the most recently registered registration that matches and is not used up answers, so
/// a test can override a general registration from shared setup with a specific one. A program in a
/// registration also matches the file name of a program given as a path (<c>git</c> matches
/// <c>/usr/bin/git</c>).
/// </para>
/// <para>
/// Strict by default: a command nothing matches throws <see cref="FakeCommandNotRegisteredException"/>,
/// listing what is registered. Set <see cref="AllowUnregistered"/> to answer such commands with
/// <see cref="UnregisteredResponse"/> instead.
/// </para>
/// <para>
/// It applies the same rules as a real backend: the command's validation, the exit-status rules,
/// timeouts, cancellation, abort, the capture limit, CloseParent fds closed once started. It is
/// thread-safe.
/// </para>
/// </remarks>
public sealed class FakeCommandRunner : CommandRunnerBase
{
    private readonly Lock _lock = new();
    private readonly List<FakeRegistration> _registrations = [];
    private readonly List<FakeInvocation> _invocations = [];
    private readonly List<FakePipelineInvocation> _pipelines = [];
    private readonly TimeProvider _time;
    private int _nextPid = 10_000;

    /// <summary>Creates a strict fake with default options, standing in for the POSIX backend (every feature).</summary>
    public FakeCommandRunner()
        : this(new CommandRunnerOptions())
    {
    }

    /// <summary>Creates a strict fake with default options that stands in for a backend with <paramref name="features"/>.</summary>
    /// <param name="features">The features of the backend the code under test runs on in production, e.g. <c>ManagedCommandRunner.PlatformFeatures</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> holds a flag <see cref="CommandFeatures"/> does not define.</exception>
    public FakeCommandRunner(CommandFeatures features)
        : this(new CommandRunnerOptions(), features: features)
    {
    }

    /// <summary>Creates a strict fake.</summary>
    /// <param name="options">The defaults for timeouts, grace, capture limit.</param>
    /// <param name="timeProvider">The clock for delays and timeouts; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="features">
    /// The features of the backend the fake stands in for: a command needing any other is refused as
    /// that backend refuses it. The default, every feature, is the POSIX backend's set.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> holds a flag <see cref="CommandFeatures"/> does not define.</exception>
    public FakeCommandRunner(CommandRunnerOptions options, TimeProvider? timeProvider = null, CommandFeatures features = CommandFeatures.All)
        : base(options)
    {
        if ((features & ~CommandFeatures.All) != 0)
            throw new ArgumentOutOfRangeException(nameof(features), features, "Not a combination of defined CommandFeatures flags.");
        _time = timeProvider ?? TimeProvider.System;
        Features = features;
    }

    /// <inheritdoc/>
    public override string Name => "fake";

    /// <summary>
    /// The features of the backend the fake stands in for (see the constructors and
    /// <c>AddVirCommandFake</c>): a test then meets the refusals production would, instead of passing
    /// with a command the real backend refuses.
    /// </summary>
    public override CommandFeatures Features { get; }

    /// <summary>When true, a command nothing matches is answered with <see cref="UnregisteredResponse"/> instead of failing.</summary>
    public bool AllowUnregistered { get; set; }

    /// <summary>The answer to unregistered commands when <see cref="AllowUnregistered"/> is set: exit 0, no output, unless changed.</summary>
    public FakeResponse UnregisteredResponse { get; set; } = FakeResponse.Success();

    /// <summary>The real runner of <see cref="PassThrough"/>, or null.</summary>
    public ICommandRunner? PassThroughRunner { get; private set; }

    /// <summary>True when commands no registration matches run on <see cref="PassThroughRunner"/>.</summary>
    public bool PassesUnregistered { get; private set; }

    /// <summary>
    /// Hands runs on to a real backend, which spawns them while this fake records them like the rest
    /// (argv, environment, plan, signals, result): the runs of registrations that
    /// <see cref="FakeRegistration.PassesThrough"/>, and, when <paramref name="unregistered"/>, every
    /// command no registration matches (instead of failing as strict, or
    /// <see cref="UnregisteredResponse"/>). The fake's own rules still apply (its features, its
    /// options' timeouts and limits); <paramref name="runner"/> only spawns.
    /// </summary>
    /// <param name="runner">A VirCommand backend (POSIX or managed) that has every feature this fake claims.</param>
    /// <param name="unregistered">Whether unregistered commands pass through too.</param>
    /// <exception cref="ArgumentException"><paramref name="runner"/> is not a VirCommand backend, or lacks a feature the fake claims (create the fake with the runner's <see cref="ICommandRunner.Features"/>).</exception>
    public void PassThrough(ICommandRunner runner, bool unregistered = true)
    {
        ArgumentNullException.ThrowIfNull(runner);
        if (runner is not CommandRunnerBase || runner is FakeCommandRunner)
            throw new ArgumentException($"Pass-through needs a real VirCommand backend (POSIX or managed), not {runner.GetType().Name}.", nameof(runner));
        var missing = Features & ~runner.Features;
        if (missing != CommandFeatures.None)
            throw new ArgumentException(
                $"The {runner.Name} backend lacks {missing}, which this fake promises: create the fake with that runner's Features, so the fake refuses what it would.", nameof(runner));
        lock (_lock)
        {
            PassThroughRunner = runner;
            PassesUnregistered = unregistered;
        }
    }

    /// <summary>Every run received, in order, including those that failed to start.</summary>
    public IReadOnlyList<FakeInvocation> Invocations
    {
        get { lock (_lock) return [.. _invocations]; }
    }

    /// <summary>
    /// Every pipeline started so far, in start order, each as a whole (<c>a | b</c>) with its stages'
    /// invocations; a pipeline that failed to start has none here, but its stages' invocations are in <see cref="Invocations"/>.
    /// </summary>
    public IReadOnlyList<FakePipelineInvocation> Pipelines
    {
        get { lock (_lock) return [.. _pipelines]; }
    }

    /// <summary>The string form of every run received, in order, like libvirt's dry-run buffer.</summary>
    public IReadOnlyList<string> Transcript => [.. Invocations.Select(i => i.CommandLine)];

    /// <summary>Registers a command by its exact argv: the program, then every argument.</summary>
    /// <exception cref="ArgumentException">No program is given, or an element no command can hold (empty program, null, NUL, lone surrogate).</exception>
    public FakeRegistration Register(params string[] argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Length == 0)
            throw new ArgumentException("Give at least the program.", nameof(argv));
        ThrowIfNoCommandCanMatch(argv, nameof(argv));
        string[] expected = [.. argv];
        return Add(new FakeRegistration(string.Join(' ', expected), i => HasArgv(i, expected)));
    }

    /// <summary>Registers every run of <paramref name="program"/>, whatever its arguments.</summary>
    /// <exception cref="ArgumentException"><paramref name="program"/> is empty, or holds what no command can (NUL, lone surrogate).</exception>
    public FakeRegistration RegisterProgram(string program)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ThrowIfNoCommandCanMatch([program], nameof(program));
        return Add(new FakeRegistration($"{program} (any arguments)", i => ArgumentPattern.ProgramMatches(program, i.Program)));
    }

    /// <summary>
    /// Registers a pattern: <c>*</c> and <c>?</c> glob inside one argument, and an element that is
    /// exactly <c>**</c> matches any number of arguments (e.g. <c>"git", "log", "**"</c>). In the
    /// program's place, <c>**</c> spans the program too: <c>RegisterPattern("**")</c> matches every
    /// command, <c>RegisterPattern("**", "--version")</c> every command whose last argument is <c>--version</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The pattern is empty, or an element can match nothing (an empty program, null, NUL, lone surrogate).</exception>
    public FakeRegistration RegisterPattern(params string[] pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ThrowIfNoCommandCanMatch(pattern, nameof(pattern));
        var matcher = new ArgumentPattern(pattern);
        return Add(new FakeRegistration($"{string.Join(' ', pattern)} (pattern)", i => matcher.Matches(i.Argv)));
    }

    /// <summary>Registers every run for which <paramref name="predicate"/> is true; <paramref name="description"/> names it in errors.</summary>
    public FakeRegistration Register(Func<FakeInvocation, bool> predicate, string description)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentException.ThrowIfNullOrEmpty(description);
        return Add(new FakeRegistration($"{description} (predicate)", predicate));
    }

    /// <summary>
    /// Refuses a registration no command could ever match: the checks are the builder's own, so what
    /// it refuses in a command (an empty program, a null, a NUL, a lone surrogate) is refused here too.
    /// </summary>
    private static void ThrowIfNoCommandCanMatch(string[] argv, string paramName)
    {
        if (argv.Length == 0)
            return;
        try
        {
            using var _ = Command.NewArgs(argv);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"No command could ever match this registration: {e.Message}", paramName, e);
        }
    }

    /// <summary>How many runs had exactly this argv (the program matching as in registrations).</summary>
    public int CallCount(params string[] argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        return Invocations.Count(i => HasArgv(i, argv));
    }

    /// <summary>True when the run had exactly <paramref name="argv"/>, the program matching as in registrations.</summary>
    private static bool HasArgv(FakeInvocation invocation, string[] argv) =>
        invocation.Argv.Count == argv.Length && ArgumentPattern.ProgramMatches(argv[0], invocation.Argv[0]) &&
        invocation.Argv.Skip(1).SequenceEqual(argv.Skip(1), StringComparer.Ordinal);

    /// <summary>Throws unless every registration was used: exactly its <see cref="FakeRegistration.Times"/>, or at least once.</summary>
    /// <exception cref="InvalidOperationException">Some registration was not used as expected; the message lists them.</exception>
    public void VerifyAllCalled()
    {
        List<FakeRegistration> registrations;
        lock (_lock)
            registrations = [.. _registrations];
        Verify(registrations);
    }

    /// <summary>
    /// Opens a scope for registrations that must not outlive it, as a test does on a fake shared by a
    /// fixture: what is registered through the scope answers like any registration (the most recent
    /// wins, over the fixture's too) until the scope is disposed, which removes it with its counts.
    /// </summary>
    public FakeScope BeginScope() => new(this);

    internal static void Verify(IEnumerable<FakeRegistration> registrations)
    {
        var unmet = registrations.Where(r => r.ExpectedCalls is { } n ? r.CallCount != n : r.CallCount == 0).ToList();
        if (unmet.Count > 0)
            throw new InvalidOperationException("Fake registrations not used as expected:" + Environment.NewLine +
                string.Join(Environment.NewLine, unmet.Select(r => "  " + r.Summary())));
    }

    internal void Remove(IReadOnlyCollection<FakeRegistration> registrations)
    {
        lock (_lock)
            _registrations.RemoveAll(registrations.Contains);
    }

    /// <summary>Forgets every registration and every recorded run.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _registrations.Clear();
            _invocations.Clear();
            _pipelines.Clear();
        }
    }

    /// <inheritdoc/>
    protected override TimeProvider Time => _time;

    /// <inheritdoc/>
    protected override void PipelineStarted(IRunningPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        lock (_lock)
        {
            // The fake's pids are its own and never reused: each names one invocation.
            var stages = pipeline.Stages.Select(s => _invocations.Last(i => i.Pid == s.Pid)).ToArray();
            _pipelines.Add(new FakePipelineInvocation(pipeline.CommandLine, stages));
        }
    }

    /// <inheritdoc/>
    protected override IChildProcess Spawn(RunPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var invocation = new FakeInvocation(plan, Interlocked.Increment(ref _nextPid), _time.GetUtcNow());
        var respond = Match(invocation);
        if (respond is null)
        {
            try
            {
                var real = (CommandRunnerBase)(PassThroughRunner
                    ?? throw new InvalidOperationException($"'{invocation.Registration?.Description}' passes through, but no real runner was given: call PassThrough(runner) first."));
                var child = SpawnOn(real, plan);
                invocation.Pid = child.Pid;
                return new PassThroughChild(child, plan, invocation, _time);
            }
            finally
            {
                // Recorded with the real pid, or as a start that failed.
                lock (_lock)
                    _invocations.Add(invocation);
            }
        }
        lock (_lock)
            _invocations.Add(invocation);

        // The answer comes now, so that a start failure is thrown by the start, as a real backend does
        // (an exec failure after a handshake by its release); only a callback that reads the input of a
        // stdin pipe (or terminal) waits until the caller closed it.
        Task<FakeResponse>? pending = null;
        var response = FakeInvocation.CallerWritesStdin(plan) ? invocation.AnswerBeforeInput(respond, out pending) : respond(invocation);
        if (response?.StartFailureStage is { } stage && !(stage == StartStage.Exec && plan.RequiresHandshake))
            throw new CommandStartException(invocation.CommandLine, stage, response.StartFailureErrno);
        respond = response is not null ? _ => response : _ => pending!.GetAwaiter().GetResult();
        return new FakeChild(plan, invocation, respond, _time);
    }

    /// <summary>The answer to <paramref name="invocation"/>, or null when it passes through to the real runner.</summary>
    private Func<FakeInvocation, FakeResponse>? Match(FakeInvocation invocation)
    {
        List<FakeRegistration> registrations;
        lock (_lock)
            registrations = [.. _registrations];
        for (var i = registrations.Count - 1; i >= 0; i--)
        {
            if (registrations[i].TryClaim(invocation, out var respond))
                return registrations[i].PassesThroughRuns ? null : respond;
        }
        if (PassesUnregistered)
            return null;
        if (AllowUnregistered)
        {
            var response = UnregisteredResponse;
            return _ => response;
        }
        throw new FakeCommandNotRegisteredException(invocation.CommandLine, registrations.Select(r => r.Summary()));
    }

    private FakeRegistration Add(FakeRegistration registration)
    {
        lock (_lock)
            _registrations.Add(registration);
        return registration;
    }
}
