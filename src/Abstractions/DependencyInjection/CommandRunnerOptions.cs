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

    /// <summary>
    /// The level of the log entries for a run's start, its acceptable end, and its end when the caller
    /// cancelled or aborted it; failures log at <see cref="LogLevel.Warning"/> (the README lists every
    /// entry). Default Debug.
    /// </summary>
    public LogLevel CommandLogLevel { get; set; } = LogLevel.Debug;

    /// <summary>
    /// Binds every child the runner starts to this process's life as well (beyond libvirt): the child
    /// gets this signal when the parent dies, even by SIGKILL, where the runner's own stop cannot run
    /// (Linux <c>PR_SET_PDEATHSIG</c>). A command's own <see cref="Command.SetParentDeathSignal"/> wins;
    /// a daemon never gets it; a child detached later keeps it. Only a backend with
    /// <see cref="CommandFeatures.ParentDeathSignal"/> (POSIX) can honour it: any other refuses to start
    /// with the host, and refuses every run. Default null: none.
    /// </summary>
    public Signal? ParentDeathSignal { get; set; }

    /// <summary>
    /// Adds the command's arguments to each run's activity (<c>process.command_args</c>, program first),
    /// secrets redacted as in every string form. Default false: arguments can hold what a trace
    /// backend should not keep.
    /// </summary>
    public bool TraceCommandArguments { get; set; }
}
