using System.Text;
using VirCommand.Backends;

namespace VirCommand.Backends.Fake;

/// <summary>
/// One run the fake received, with everything the real child would have got: argv, the environment
/// resolved as the child would see it, working directory, input bytes, fds and every other option
/// (through <see cref="Plan"/>, exactly what the run's plan held when it started).
/// </summary>
public sealed class FakeInvocation
{
    private readonly Lock _lock = new();
    private readonly List<FakeSignal> _signals = [];
    private volatile byte[] _input = [];

    internal FakeInvocation(RunPlan snapshot, int pid, DateTimeOffset startTime)
    {
        Plan = snapshot;
        Pid = pid;
        StartTime = startTime;
        Argv = snapshot.Argv;
        Environment = snapshot.ResolveEnvironment();
        WorkingDirectory = snapshot.WorkingDirectory ?? Directory.GetCurrentDirectory();
        CommandLine = snapshot.CommandLine;
        if (snapshot.Input.Kind == StdioKind.Buffer)
            _input = snapshot.Input.Input.ToArray();
    }

    /// <summary>The run's plan: every setting of the command as it was when the run started, the run's resolved settings included.</summary>
    public RunPlan Plan { get; }

    /// <summary>The child's argv: the program as given, then the arguments.</summary>
    public IReadOnlyList<string> Argv { get; }

    /// <summary>The program as given.</summary>
    public string Program => Argv[0];

    /// <summary>The arguments after the program.</summary>
    public IReadOnlyList<string> Arguments => Argv.Skip(1).ToList();

    /// <summary>The environment the child would get, resolved: inherited or explicit.</summary>
    public IReadOnlyList<EnvironmentVariable> Environment { get; }

    /// <summary>The directory the child would run in (<c>/</c> for a daemon).</summary>
    public string WorkingDirectory { get; }

    /// <summary>The command's string form, secrets redacted.</summary>
    public string CommandLine { get; }

    /// <summary>The pid the fake gave the child.</summary>
    public int Pid { get; }

    /// <summary>When the run started.</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>
    /// The bytes the child read on stdin: the input buffer, or what the caller wrote to the stdin pipe
    /// up to end-of-file. Empty for <c>/dev/null</c> and for a caller fd, which the fake does not read.
    /// </summary>
    public ReadOnlyMemory<byte> Input => _input;

    /// <summary><see cref="Input"/> as UTF-8 text.</summary>
    public string InputText => Encoding.UTF8.GetString(_input);

    /// <summary>The fds the child would keep besides 0, 1 and 2.</summary>
    public IReadOnlyList<PassedFd> PassedFds => Plan.PassedFds;

    /// <summary>The send buffers the child would read, at their child fds.</summary>
    public IReadOnlyList<SendBuffer> SendBuffers => Plan.SendBuffers;

    /// <summary>How the run ended, once it has: null while running or after a start failure.</summary>
    public CommandResult? Result { get; internal set; }

    /// <summary>True when the child was stopped by abort, dispose, cancellation, timeout or the capture limit.</summary>
    public bool WasStopped { get; internal set; }

    /// <summary>
    /// Every signal the child got while it ran, in order: those of <see cref="IRunningCommand.SignalAsync"/>
    /// and those of the stops (timeout, cancellation, abort, dispose, capture limit).
    /// </summary>
    public IReadOnlyList<FakeSignal> Signals
    {
        get { lock (_lock) return [.. _signals]; }
    }

    /// <summary>The value of <paramref name="name"/> in <see cref="Environment"/>, or null.</summary>
    public string? GetEnvironmentVariable(string name) => Environment.FirstOrDefault(e => e.Name == name)?.Value;

    internal void SetInput(byte[] input) => _input = input;

    internal void Record(FakeSignal signal)
    {
        lock (_lock)
            _signals.Add(signal);
    }

    /// <inheritdoc/>
    public override string ToString() => CommandLine;
}
