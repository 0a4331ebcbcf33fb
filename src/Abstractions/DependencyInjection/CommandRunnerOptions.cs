using Microsoft.Extensions.Logging;

namespace VirCommand;

/// <summary>Defaults for every command a runner runs; a command's own setting wins over these.</summary>
public sealed class CommandRunnerOptions
{
    /// <summary>The time limit of a run when the command sets none; null for no limit.</summary>
    public TimeSpan? DefaultTimeout { get; set; }

    /// <summary>The signal sent first on timeout, cancellation and abort. Default SIGTERM.</summary>
    public Signal GracefulSignal { get; set; } = Signal.SIGTERM;

    /// <summary>How long a child gets after the graceful signal before SIGKILL. Default 2 s.</summary>
    public TimeSpan KillGracePeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long output is still read after the child exited, in case a grandchild holds the pipe. Default 2 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most bytes captured per stream. Default 64 MiB.</summary>
    public long CaptureLimit { get; set; } = 64L * 1024 * 1024;

    /// <summary>How much of stderr a run without an error capture keeps for its failure message. Default 4 KiB.</summary>
    public int StandardErrorTailBytes { get; set; } = 4096;

    /// <summary>The level at which each command and its success are logged; failures log at <see cref="LogLevel.Warning"/>. Default Debug.</summary>
    public LogLevel CommandLogLevel { get; set; } = LogLevel.Debug;
}
