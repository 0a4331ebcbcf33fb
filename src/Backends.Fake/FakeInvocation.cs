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
    private readonly TaskCompletionSource _inputEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _inputWanted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile byte[] _input = [];
    private volatile int _answeringThread;
    private TerminalSize? _terminalSize;

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
        if (!CallerWritesStdin(snapshot))
            _inputEnded.TrySetResult();
        _terminalSize = snapshot.PseudoTerminal?.Size;
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

    /// <summary>The pid the fake gave the child; for a run that passed through, the real child's.</summary>
    public int Pid { get; internal set; }

    /// <summary>When the run started.</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>
    /// The bytes the child read on stdin: the input buffer, or what the caller wrote to the stdin pipe (or to a
    /// terminal that takes stdin, up to <see cref="PseudoTerminal.SendEndOfFileAsync"/>) up to end-of-file. Empty for <c>/dev/null</c> and for a caller fd, which the fake does not read.
    /// </summary>
    /// <remarks>
    /// A response callback that reads it before the caller closed the stdin pipe waits for the end of
    /// the input there; elsewhere it is what was read so far (empty until end-of-file).
    /// </remarks>
    public ReadOnlyMemory<byte> Input
    {
        get
        {
            if (_answeringThread == System.Environment.CurrentManagedThreadId && !_inputEnded.Task.IsCompleted)
            {
                _inputWanted.TrySetResult();
                _inputEnded.Task.Wait();
            }
            return _input;
        }
    }

    /// <summary><see cref="Input"/> as UTF-8 text.</summary>
    public string InputText => Encoding.UTF8.GetString(Input.Span);

    /// <summary>The fds the child would keep besides 0, 1 and 2.</summary>
    public IReadOnlyList<PassedFd> PassedFds => Plan.PassedFds;

    /// <summary>The send buffers the child would read, at their child fds.</summary>
    public IReadOnlyList<SendBuffer> SendBuffers => Plan.SendBuffers;

    /// <summary>The registration that answered this run, or null when it was answered as unregistered (<see cref="FakeCommandRunner.AllowUnregistered"/>).</summary>
    public FakeRegistration? Registration { get; internal set; }

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

    /// <summary>
    /// The window size of the child's pseudo-terminal (<see cref="Command.SetPseudoTerminal"/>) now: the one it
    /// started with, or the last <see cref="PseudoTerminal.ResizeAsync"/>'s (each also records a SIGWINCH in
    /// <see cref="Signals"/>); null without a terminal. A run that passed through to a real backend keeps its first size.
    /// </summary>
    public TerminalSize? TerminalSize
    {
        get { lock (_lock) return _terminalSize; }
        internal set { lock (_lock) _terminalSize = value; }
    }

    /// <summary>The value of <paramref name="name"/> in <see cref="Environment"/>, or null.</summary>
    public string? GetEnvironmentVariable(string name) => Environment.FirstOrDefault(e => e.Name == name)?.Value;

    /// <summary>The stdin pipe reached end-of-file with <paramref name="input"/>.</summary>
    internal void SetInput(byte[] input)
    {
        _input = input;
        _inputEnded.TrySetResult();
    }

    /// <summary>The child stopped reading its stdin pipe (it was signalled): a callback waiting for the input goes on with what there is.</summary>
    internal void InputEnded() => _inputEnded.TrySetResult();

    /// <summary>
    /// Computes the answer on another thread, where reading <see cref="Input"/> waits for the stdin
    /// pipe's end. Returns it if the callback answered without the input; otherwise null, with the
    /// answer still to come once the caller closed stdin (<paramref name="pending"/>).
    /// </summary>
    internal FakeResponse? AnswerBeforeInput(Func<FakeInvocation, FakeResponse> respond, out Task<FakeResponse> pending)
    {
        pending = Task.Run(() =>
        {
            _answeringThread = System.Environment.CurrentManagedThreadId;
            try
            {
                return respond(this);
            }
            finally
            {
                _answeringThread = 0;
            }
        });
        Task.WaitAny(pending, _inputWanted.Task);
        return pending.IsCompleted ? pending.GetAwaiter().GetResult() : null;
    }

    /// <summary>True when the caller writes the child's stdin while it runs: a stdin pipe, or a terminal that takes stdin.</summary>
    internal static bool CallerWritesStdin(RunPlan plan) =>
        plan.Input.Kind == StdioKind.Pipe || plan.PseudoTerminal?.Takes(TerminalStreams.Input) == true;

    internal void Record(FakeSignal signal)
    {
        lock (_lock)
            _signals.Add(signal);
    }

    /// <inheritdoc/>
    public override string ToString() => CommandLine;
}
