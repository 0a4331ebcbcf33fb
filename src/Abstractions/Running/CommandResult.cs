using System.Text;

namespace VirCommand;

/// <summary>
/// What a finished run left: how the child ended, when, and what was captured. A capture the command
/// asked for is always present, empty when the child wrote nothing; reading one it did not ask for
/// throws <see cref="InvalidOperationException"/> naming the setter to call, so a forgotten
/// <see cref="Command.SetOutputBuffer"/> is never mistaken for a silent child.
/// </summary>
public sealed class CommandResult
{
    private readonly ReadOnlyMemory<byte>? _outputBytes;
    private readonly ReadOnlyMemory<byte>? _errorBytes;
    private readonly bool _mergedOutput;
    private string? _output;
    private string? _error;

    /// <summary>Creates a result; the run engine (through <c>RunPlan.Result</c>) and a test double call this.</summary>
    /// <param name="commandLine">The command's string form, secrets redacted.</param>
    /// <param name="pid">The child's pid.</param>
    /// <param name="rawStatus">The wait status as <c>waitpid</c> encodes it.</param>
    /// <param name="startTime">When the child was started.</param>
    /// <param name="exitTime">When the child was reaped.</param>
    /// <param name="standardOutput">Captured stdout (or the merged capture); null when the command captured none.</param>
    /// <param name="standardError">Captured stderr; null when the command captured none, or merged it into <paramref name="standardOutput"/>.</param>
    /// <param name="mergedOutput">True when <paramref name="standardOutput"/> holds both streams (<see cref="Command.SetMergedOutputBuffer"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="mergedOutput"/> with a separate <paramref name="standardError"/>, or without <paramref name="standardOutput"/>.</exception>
    public CommandResult(string commandLine, int pid, int rawStatus, DateTimeOffset startTime, DateTimeOffset exitTime,
        ReadOnlyMemory<byte>? standardOutput = null, ReadOnlyMemory<byte>? standardError = null, bool mergedOutput = false)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        if (mergedOutput && (standardError is not null || standardOutput is null))
            throw new ArgumentException("A merged capture is standardOutput alone: give it, and no standardError.", nameof(mergedOutput));
        CommandLine = commandLine;
        Pid = pid;
        RawStatus = rawStatus;
        StartTime = startTime;
        ExitTime = exitTime;
        _outputBytes = standardOutput;
        _errorBytes = standardError;
        _mergedOutput = mergedOutput;
    }

    /// <summary>The command's string form, secrets redacted.</summary>
    public string CommandLine { get; }

    /// <summary>The child's pid (for a daemon: the intermediate process's).</summary>
    public int Pid { get; }

    /// <summary>The wait status as <c>waitpid</c> encodes it: <c>code &lt;&lt; 8</c> for an exit, the signal number (plus 0x80 for a core dump) for a death by signal.</summary>
    public int RawStatus { get; }

    /// <summary>The exit code, or null when the child died by a signal.</summary>
    public int? ExitCode => (RawStatus & 0x7f) == 0 ? (RawStatus >> 8) & 0xff : null;

    /// <summary>The signal that killed the child, or null when it exited.</summary>
    public Signal? TerminatingSignal => (RawStatus & 0x7f) == 0 ? null : (Signal)(RawStatus & 0x7f);

    /// <summary>True when the child dumped core.</summary>
    public bool CoreDumped => TerminatingSignal is not null && (RawStatus & 0x80) != 0;

    /// <summary>True when the child exited with code 0.</summary>
    public bool Succeeded => RawStatus == 0;

    /// <summary>When the child was started.</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>When the child was reaped.</summary>
    public DateTimeOffset ExitTime { get; }

    /// <summary>How long the child ran.</summary>
    public TimeSpan RunTime => ExitTime - StartTime;

    /// <summary>True when the command captured stdout (<see cref="Command.SetOutputBuffer"/> or <see cref="Command.SetMergedOutputBuffer"/>).</summary>
    public bool HasStandardOutput => _outputBytes is not null;

    /// <summary>True when the command captured stderr on its own (<see cref="Command.SetErrorBuffer"/>).</summary>
    public bool HasStandardError => _errorBytes is not null;

    /// <summary>The captured stdout bytes, or both streams interleaved for a merged capture.</summary>
    /// <exception cref="InvalidOperationException">The command captured no stdout.</exception>
    public ReadOnlyMemory<byte> StandardOutputBytes => _outputBytes ?? throw NotCaptured(standardError: false);

    /// <summary>The captured stderr bytes.</summary>
    /// <exception cref="InvalidOperationException">The command captured no stderr, or merged it into <see cref="StandardOutput"/>.</exception>
    public ReadOnlyMemory<byte> StandardErrorBytes => _errorBytes ?? throw NotCaptured(standardError: true);

    /// <summary>The captured stdout as UTF-8 text.</summary>
    /// <exception cref="InvalidOperationException">The command captured no stdout.</exception>
    public string StandardOutput => _output ??= Encoding.UTF8.GetString(StandardOutputBytes.Span);

    /// <summary>The captured stderr as UTF-8 text.</summary>
    /// <exception cref="InvalidOperationException">The command captured no stderr, or merged it into <see cref="StandardOutput"/>.</exception>
    public string StandardError => _error ??= Encoding.UTF8.GetString(StandardErrorBytes.Span);

    /// <summary>Encodes an exit code as a raw wait status.</summary>
    public static int ExitStatus(int exitCode) => (exitCode & 0xff) << 8;

    /// <summary>Encodes a death by signal as a raw wait status.</summary>
    public static int SignalStatus(Signal signal, bool coreDumped = false) => (int)signal | (coreDumped ? 0x80 : 0);

    /// <summary>Describes how the child ended, e.g. <c>exit status 3</c> or <c>killed by SIGKILL</c>.</summary>
    public string DescribeStatus() => TerminatingSignal is { } signal
        ? $"killed by {signal}{(CoreDumped ? " (core dumped)" : "")}"
        : $"exit status {ExitCode}";

    /// <inheritdoc/>
    public override string ToString() => $"{CommandLine}: {DescribeStatus()}";

    private InvalidOperationException NotCaptured(bool standardError) => new(
        !standardError
            ? $"{CommandLine}: stdout was not captured. Call SetOutputBuffer() (or SetMergedOutputBuffer() for both streams in one) on the command before running it."
            : _mergedOutput
                ? $"{CommandLine}: stderr was captured together with stdout (SetMergedOutputBuffer()): read StandardOutput, or call SetOutputBuffer() and SetErrorBuffer() to keep them apart."
                : $"{CommandLine}: stderr was not captured. Call SetErrorBuffer() (or SetMergedOutputBuffer() for both streams in one) on the command before running it.");
}
