using System.Collections.Immutable;
using System.Text;

namespace VirCommand.Backends.Fake;

/// <summary>
/// How a fake child answers: what it writes to stdout and stderr, how it ends (exit code or signal),
/// how long it runs, or that it fails to start. Immutable; build one with the static methods and
/// refine it with the <c>With…</c> methods.
/// </summary>
public sealed record FakeResponse
{
    private FakeResponse() { }

    /// <summary>What the child writes to stdout.</summary>
    public ReadOnlyMemory<byte> StandardOutput { get; private init; }

    /// <summary>What the child writes to stderr.</summary>
    public ReadOnlyMemory<byte> StandardError { get; private init; }

    /// <summary>The exit code, when <see cref="Signal"/> is null.</summary>
    public int ExitCode { get; private init; }

    /// <summary>The signal the child dies by, or null.</summary>
    public Signal? Signal { get; private init; }

    /// <summary>How long the child runs before it writes its output and ends.</summary>
    public TimeSpan Delay { get; private init; }

    /// <summary>The stage at which the start fails, or null when the child starts.</summary>
    public StartStage? StartFailureStage { get; private init; }

    /// <summary>The errno of a start failure.</summary>
    public int StartFailureErrno { get; private init; }

    /// <summary>The signals the child catches (<see cref="OnSignal(VirCommand.Signal, Func{FakeInvocation, FakeResponse?})"/>), and how.</summary>
    internal ImmutableDictionary<Signal, Func<FakeInvocation, FakeResponse?>> SignalHandlers { get; private init; } =
        ImmutableDictionary<Signal, Func<FakeInvocation, FakeResponse?>>.Empty;

    /// <summary>
    /// What the child writes, in order, each at its time from the start, instead of
    /// <see cref="StandardOutput"/> then <see cref="StandardError"/> after <see cref="Delay"/>: a
    /// replayed recording (<see cref="Cassettes.ReplayingCommandRunner"/>). A write of no bytes only waits.
    /// </summary>
    internal ImmutableArray<FakeWrite> Script { get; init; }

    /// <summary>After its writes the child runs on until a signal ends it, as a recorded child that was stopped did.</summary>
    internal bool RunsUntilStopped { get; init; }

    /// <summary>After its writes the child's timeout elapses at once (a recorded timeout replayed without its timing).</summary>
    internal bool TimesOut { get; init; }

    /// <summary>The writes of this response: its <see cref="Script"/>, or stdout then stderr at once.</summary>
    internal IEnumerable<FakeWrite> Writes => !Script.IsDefault ? Script
        : [new FakeWrite(TimeSpan.Zero, ChildOutput.StandardOutput, StandardOutput), new FakeWrite(TimeSpan.Zero, ChildOutput.StandardError, StandardError)];

    /// <summary>The wait status the child ends with.</summary>
    public int RawStatus => Signal is { } s ? CommandResult.SignalStatus(s) : CommandResult.ExitStatus(ExitCode);

    /// <summary>Exits 0 after writing <paramref name="standardOutput"/> and <paramref name="standardError"/> (UTF-8).</summary>
    public static FakeResponse Success(string standardOutput = "", string standardError = "") => Exit(0, standardOutput, standardError);

    /// <summary>Exits with <paramref name="exitCode"/> (0–255) after writing the given text (UTF-8).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The exit code is outside 0–255.</exception>
    public static FakeResponse Exit(int exitCode, string standardOutput = "", string standardError = "")
    {
        if (exitCode is < 0 or > 255)
            throw new ArgumentOutOfRangeException(nameof(exitCode), exitCode, "An exit code is between 0 and 255.");
        return new FakeResponse { ExitCode = exitCode }.WithOutput(standardOutput).WithError(standardError);
    }

    /// <summary>Dies by <paramref name="signal"/> after writing the given text.</summary>
    public static FakeResponse Killed(Signal signal, string standardOutput = "", string standardError = "")
    {
        if (!Enum.IsDefined(signal))
            throw new ArgumentOutOfRangeException(nameof(signal), signal, "Unknown signal.");
        return new FakeResponse { Signal = signal }.WithOutput(standardOutput).WithError(standardError);
    }

    /// <summary>Fails to start at <paramref name="stage"/> with <paramref name="errno"/>, as a real backend reports it.</summary>
    public static FakeResponse StartFailure(StartStage stage, int errno)
    {
        if (stage == StartStage.None || !Enum.IsDefined(stage))
            throw new ArgumentOutOfRangeException(nameof(stage), stage, "A start failure needs a real stage.");
        return new FakeResponse { StartFailureStage = stage, StartFailureErrno = errno };
    }

    /// <summary>The program is not found on PATH (stage <see cref="StartStage.Resolve"/>, ENOENT).</summary>
    public static FakeResponse NotFound() => StartFailure(StartStage.Resolve, 2);

    /// <summary>This response, written after running for <paramref name="delay"/>.</summary>
    public FakeResponse WithDelay(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "The delay must not be negative.");
        return this with { Delay = delay };
    }

    /// <summary>
    /// This response, from a child that catches <paramref name="signal"/> once it runs (after its
    /// handshake and its stdin, when it has them): <paramref name="handle"/> runs on each delivery and
    /// returns how the child ends (a response whose delay, output and status follow at once), or null
    /// to go on running, as a daemon that reloads on SIGHUP does. A handler that throws ends the run
    /// with that exception. A signal without a handler has its default action: SIGCHLD, SIGCONT and
    /// SIGWINCH are ignored, SIGSTOP and SIGTSTP only recorded (the fake has no job control), any
    /// other ends the child by that signal.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="signal"/> is SIGKILL or SIGSTOP, which no process can catch.</exception>
    public FakeResponse OnSignal(Signal signal, Func<FakeInvocation, FakeResponse?> handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (!Enum.IsDefined(signal))
            throw new ArgumentOutOfRangeException(nameof(signal), signal, "Unknown signal.");
        if (signal is VirCommand.Signal.SIGKILL or VirCommand.Signal.SIGSTOP)
            throw new ArgumentException($"{signal} cannot be caught: no handler of it could ever run.", nameof(signal));
        return this with { SignalHandlers = SignalHandlers.SetItem(signal, handle) };
    }

    /// <summary>This response, from a child that catches <paramref name="signal"/> and then ends as <paramref name="then"/> says (for example <c>Exit(143)</c> on SIGTERM).</summary>
    /// <inheritdoc cref="OnSignal(VirCommand.Signal, Func{FakeInvocation, FakeResponse?})" path="/exception"/>
    public FakeResponse OnSignal(Signal signal, FakeResponse then)
    {
        ArgumentNullException.ThrowIfNull(then);
        return OnSignal(signal, _ => then);
    }

    /// <summary>This response, from a child that ignores <paramref name="signal"/> (<c>SIG_IGN</c>).</summary>
    /// <inheritdoc cref="OnSignal(VirCommand.Signal, Func{FakeInvocation, FakeResponse?})" path="/exception"/>
    public FakeResponse IgnoreSignal(Signal signal) => OnSignal(signal, _ => null);

    /// <summary>This response, writing <paramref name="text"/> to stdout, encoded as <paramref name="encoding"/> (UTF-8 when null).</summary>
    public FakeResponse WithOutput(string text, Encoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return this with { StandardOutput = (encoding ?? Encoding.UTF8).GetBytes(text) };
    }

    /// <summary>
    /// This response, writing <paramref name="lines"/> to stdout, each followed by
    /// <paramref name="terminator"/> (the last one too, as a tool that ends its output with a newline
    /// does), encoded as <paramref name="encoding"/> (UTF-8 when null). <c>"\r\n"</c> gives CRLF
    /// lines; <c>"\0"</c> NUL-separated records, as <c>find -print0</c> writes them.
    /// </summary>
    /// <exception cref="ArgumentException">The terminator is empty, or a line contains it or a line break, which would split it into other lines.</exception>
    public FakeResponse WithOutputLines(IEnumerable<string> lines, string terminator = "\n", Encoding? encoding = null) =>
        WithOutput(JoinLines(lines, terminator), encoding);

    /// <summary>This response, writing <paramref name="lines"/> to stderr, as <see cref="WithOutputLines"/> writes them to stdout.</summary>
    /// <inheritdoc cref="WithOutputLines" path="/exception"/>
    public FakeResponse WithErrorLines(IEnumerable<string> lines, string terminator = "\n", Encoding? encoding = null) =>
        WithError(JoinLines(lines, terminator), encoding);

    /// <summary>This response, writing <paramref name="bytes"/> to stdout.</summary>
    public FakeResponse WithOutput(ReadOnlyMemory<byte> bytes) => this with { StandardOutput = bytes.ToArray() };

    /// <summary>This response, writing <paramref name="text"/> to stderr, encoded as <paramref name="encoding"/> (UTF-8 when null).</summary>
    public FakeResponse WithError(string text, Encoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return this with { StandardError = (encoding ?? Encoding.UTF8).GetBytes(text) };
    }

    /// <summary>This response, writing <paramref name="bytes"/> to stderr.</summary>
    public FakeResponse WithError(ReadOnlyMemory<byte> bytes) => this with { StandardError = bytes.ToArray() };

    private static string JoinLines(IEnumerable<string> lines, string terminator)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentException.ThrowIfNullOrEmpty(terminator);
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            ArgumentNullException.ThrowIfNull(line, nameof(lines));
            if (line.Contains(terminator, StringComparison.Ordinal) || line.AsSpan().IndexOfAny('\r', '\n') >= 0)
                throw new ArgumentException(
                    $"The line \"{line}\" holds a line break or the terminator: it would reach the reader as other lines. Give each line on its own.", nameof(lines));
            text.Append(line).Append(terminator);
        }
        return text.ToString();
    }
}

/// <summary>One write of a scripted fake child: <paramref name="Bytes"/> to <paramref name="Stream"/>, <paramref name="At"/> after its start.</summary>
internal readonly record struct FakeWrite(TimeSpan At, ChildOutput Stream, ReadOnlyMemory<byte> Bytes);
