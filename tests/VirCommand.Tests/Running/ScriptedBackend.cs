using System.Globalization;
using System.Text;
using VirCommand.Backends;

namespace VirCommand.Tests.Running;

/// <summary>
/// A backend through the public backend-author API with a name of its own, so that a test's
/// telemetry can be told from every other test's running meanwhile. Its children obey their program:
/// <c>exit N [OUTPUT]</c> exits at once with N (capturing OUTPUT as stdout); <c>die SIGNAL</c> dies
/// by that signal; <c>missing</c> fails to start at exec (ENOENT); <c>stubborn</c> runs until SIGKILL;
/// anything else runs until any signal.
/// </summary>
internal sealed class ScriptedRunner(TimeProvider time, CommandRunnerOptions? options = null, CommandFeatures features = CommandFeatures.All)
    : CommandRunnerBase(options ?? new CommandRunnerOptions())
{
    private int _nextPid = 50_000;

    public string Backend { get; } = "scripted-" + Guid.NewGuid().ToString("N")[..8];

    public List<ScriptedChild> Children { get; } = [];

    public override string Name => Backend;

    public override CommandFeatures Features => features;

    protected override string? FullerBackend => "posix";

    protected override TimeProvider Time => time;

    protected override IChildProcess Spawn(RunPlan plan)
    {
        if (plan.Program == "missing")
            throw new CommandStartException(plan.CommandLine, StartStage.Exec, 2);
        var child = new ScriptedChild(plan, Interlocked.Increment(ref _nextPid), time);
        lock (Children)
            Children.Add(child);
        return child;
    }
}

internal sealed class ScriptedChild(RunPlan plan, int pid, TimeProvider time) : IChildProcess
{
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private StopSequence? _stops;

    public RunPlan Plan => plan;

    public List<Signal> Signals { get; } = [];

    public int Pid => pid;

    public DateTimeOffset StartTime { get; } = time.GetUtcNow();

    public Stream? StandardInput => null;

    public Stream? StandardOutput => null;

    public Stream? StandardError => null;

    public Task<int> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    public Task OutputsDone => Task.CompletedTask;

    public ReadOnlyMemory<byte> CapturedOutput { get; private set; }

    public ReadOnlyMemory<byte> CapturedError => default;

    public string? ErrorTail => null;

    public bool ReachedHandshake => false;

    public void Start(StopSequence stops)
    {
        _stops = stops;
        var args = plan.Arguments.Select(a => a.Value).ToArray();
        switch (plan.Program)
        {
            case "exit":
                if (args.Length > 1)
                    CapturedOutput = Encoding.UTF8.GetBytes(args[1]);
                _exited.TrySetResult(CommandResult.ExitStatus(int.Parse(args[0], CultureInfo.InvariantCulture)));
                break;
            case "die":
                _exited.TrySetResult(CommandResult.SignalStatus(Enum.Parse<Signal>(args[0])));
                break;
        }
    }

    public bool Signal(Signal signal, bool toProcessGroup)
    {
        lock (Signals)
            Signals.Add(signal);
        if (HasExited)
            return false;
        if (plan.Program == "stubborn" && signal != VirCommand.Signal.SIGKILL)
            return true;
        _stops!.BeforeReap();
        _exited.TrySetResult(CommandResult.SignalStatus(signal));
        return true;
    }

    public Task ReleaseHandshakeAsync() => Task.CompletedTask;

    public void AbandonHandshake()
    {
    }

    public void StopReading()
    {
    }

    public void Close(bool detached)
    {
    }
}
