using System.Text;

namespace VirCommand;

/// <summary>
/// What a finished run left: how the child ended, when, and what was captured. Captured output is
/// always present, empty when the child wrote nothing or nothing was captured.
/// </summary>
public sealed class CommandResult
{
    private string? _output;
    private string? _error;

    /// <summary>Creates a result; the run engine (and a test double) calls this.</summary>
    /// <param name="commandLine">The command's string form, secrets redacted.</param>
    /// <param name="pid">The child's pid.</param>
    /// <param name="rawStatus">The wait status as <c>waitpid</c> encodes it.</param>
    /// <param name="startTime">When the child was started.</param>
    /// <param name="exitTime">When the child was reaped.</param>
    /// <param name="standardOutput">Captured stdout (or the merged capture).</param>
    /// <param name="standardError">Captured stderr.</param>
    public CommandResult(string commandLine, int pid, int rawStatus, DateTimeOffset startTime, DateTimeOffset exitTime,
        ReadOnlyMemory<byte> standardOutput = default, ReadOnlyMemory<byte> standardError = default)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        CommandLine = commandLine;
        Pid = pid;
        RawStatus = rawStatus;
        StartTime = startTime;
        ExitTime = exitTime;
        StandardOutputBytes = standardOutput;
        StandardErrorBytes = standardError;
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

    /// <summary>The captured stdout bytes, or both streams interleaved for a merged capture.</summary>
    public ReadOnlyMemory<byte> StandardOutputBytes { get; }

    /// <summary>The captured stderr bytes.</summary>
    public ReadOnlyMemory<byte> StandardErrorBytes { get; }

    /// <summary>The captured stdout as UTF-8 text.</summary>
    public string StandardOutput => _output ??= Encoding.UTF8.GetString(StandardOutputBytes.Span);

    /// <summary>The captured stderr as UTF-8 text.</summary>
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
}
