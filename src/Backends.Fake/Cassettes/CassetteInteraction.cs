using System.Text.Json.Serialization;

namespace VirCommand.Backends.Fake.Cassettes;

/// <summary>One recorded run: the command as the runner got it, and what came of it.</summary>
public sealed record CassetteInteraction
{
    /// <summary>The command.</summary>
    public required CassetteRequest Request { get; init; }

    /// <summary>What came of it.</summary>
    public required CassetteOutcome Outcome { get; init; }
}

/// <summary>
/// The command of a recorded run, as the child got it, every secret redacted by the command's own
/// rule (<see cref="CommandArgument.Display"/>, <see cref="EnvironmentVariable.DisplayValue"/>).
/// </summary>
public sealed record CassetteRequest
{
    /// <summary>The program as given, then the arguments; a secret argument as its string forms show it.</summary>
    public required IReadOnlyList<string> Argv { get; init; }

    /// <summary>
    /// The explicit environment as <c>NAME=value</c> entries in the child's order, secrets as
    /// <c>NAME=***</c>; null when the child inherited the parent's, which is not recorded (it is the
    /// machine's, not the command's, and may hold credentials nobody marked secret).
    /// </summary>
    public IReadOnlyList<string>? Environment { get; init; }

    /// <summary>The working directory the command set, or null for the parent's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>How stdin, stdout and stderr were connected, e.g. <c>buffer</c>, <c>pipe</c>, <c>file:/tmp/out</c>.</summary>
    public required CassetteStdio Stdio { get; init; }

    /// <summary>
    /// The bytes the child got on stdin: an input buffer, or what the caller wrote to the stdin pipe;
    /// null when they are not known (<c>/dev/null</c>, a caller's fd, file or stream).
    /// </summary>
    public ReadOnlyMemory<byte>? Input { get; init; }

    /// <summary>The command's other settings that differ from their defaults, one <c>name</c> or <c>name=value</c> each.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];
}

/// <summary>How the child's standard streams were connected.</summary>
/// <param name="Input">stdin's connection.</param>
/// <param name="Output">stdout's connection (with <c>+stderr</c> when the two were merged).</param>
/// <param name="Error">stderr's connection.</param>
public sealed record CassetteStdio(string Input, string Output, string Error);

/// <summary>What came of a recorded run.</summary>
public sealed record CassetteOutcome
{
    /// <summary>The start failure, or null when the child started.</summary>
    public CassetteStartFailure? StartFailure { get; init; }

    /// <summary>The exit code, or null when the child died by a signal or did not start.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The signal that killed the child, or null.</summary>
    public Signal? Signal { get; init; }

    /// <summary>True when the child dumped core.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool CoreDumped { get; init; }

    /// <summary>Why the run stopped the child (<c>Timeout</c>, <c>Canceled</c>, <c>Aborted</c>, <c>CaptureLimit</c>, <c>StreamFailed</c>), or null when it ended by itself.</summary>
    public StopReason? StoppedBy { get; init; }

    /// <summary>How long the child ran, in milliseconds.</summary>
    public double DurationMs { get; init; }

    /// <summary>
    /// What the child wrote, in the order it came, each piece at its time from the start: what the
    /// caller read from a pipe as it read it; a capture whole at the end (a merged capture as stdout,
    /// in the child's own write order); the stderr tail of a failure message when stderr went nowhere.
    /// </summary>
    public IReadOnlyList<CassetteOutput> Output { get; init; } = [];

    /// <summary>The signals the caller sent with <see cref="IRunningCommand.SignalAsync"/>, each at its time from the start.</summary>
    public IReadOnlyList<CassetteSignal> Signals { get; init; } = [];
}

/// <summary>A start failure: the stage and errno of <see cref="CommandStartException"/>.</summary>
/// <param name="Stage">The stage that failed.</param>
/// <param name="Errno">Its errno, or 0.</param>
public sealed record CassetteStartFailure(StartStage Stage, int Errno);

/// <summary>A piece of output, <paramref name="AtMs"/> milliseconds after the start.</summary>
/// <param name="AtMs">When it came.</param>
/// <param name="Stdout">The bytes, when they came on stdout.</param>
/// <param name="Stderr">The bytes, when they came on stderr.</param>
public sealed record CassetteOutput(double AtMs, ReadOnlyMemory<byte>? Stdout = null, ReadOnlyMemory<byte>? Stderr = null)
{
    internal ChildOutput Stream => Stdout is null ? ChildOutput.StandardError : ChildOutput.StandardOutput;

    internal ReadOnlyMemory<byte> Bytes => Stdout ?? Stderr ?? default;
}

/// <summary>A signal the caller sent, <paramref name="AtMs"/> milliseconds after the start.</summary>
/// <param name="AtMs">When it was sent.</param>
/// <param name="Signal">The signal.</param>
/// <param name="Target">The child alone, or its process group.</param>
public sealed record CassetteSignal(double AtMs, Signal Signal, SignalTarget Target);
