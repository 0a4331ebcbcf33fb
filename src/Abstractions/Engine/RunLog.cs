using Microsoft.Extensions.Logging;

namespace VirCommand.Backends;

/// <summary>
/// The run engine's log entries (category <c>VirCommand</c>), source-generated, each with numeric
/// structured fields. Levels: a run's start and its acceptable end, and a run the caller cancelled or
/// aborted, at <see cref="CommandRunnerOptions.CommandLogLevel"/> (Debug unless set); what the
/// runner stopped when it was shut down at Information; a failed start, a status the command did not
/// accept, a timeout, the capture limit and a shutdown that had to SIGKILL at Warning; a run the
/// engine could not follow to its end at Error.
/// </summary>
internal static partial class RunLog
{
    /// <summary>The category of every entry.</summary>
    public const string Category = "VirCommand";

    [LoggerMessage(EventId = 1, EventName = "RunStarted", Message = "Started {CommandLine} as pid {Pid} with the {Backend} backend")]
    public static partial void Started(ILogger logger, LogLevel level, string commandLine, int pid, string backend);

    [LoggerMessage(EventId = 2, EventName = "RunExited", Message = "{CommandLine} (pid {Pid}, {Backend}) exited with code {ExitCode} after {ElapsedMs:0.0} ms: {Outcome}")]
    public static partial void Exited(ILogger logger, LogLevel level, string commandLine, int pid, string backend, int exitCode, double elapsedMs, string outcome);

    [LoggerMessage(EventId = 3, EventName = "RunKilled", Message = "{CommandLine} (pid {Pid}, {Backend}) was killed by signal {Signal} ({SignalName}) after {ElapsedMs:0.0} ms: {Outcome}")]
    public static partial void Killed(ILogger logger, LogLevel level, string commandLine, int pid, string backend, int signal, Signal signalName, double elapsedMs, string outcome);

    [LoggerMessage(EventId = 4, EventName = "RunStartFailed", Level = LogLevel.Warning, Message = "{CommandLine} failed to start with the {Backend} backend at stage {Stage} (errno {Errno})")]
    public static partial void StartFailed(ILogger logger, string commandLine, string backend, StartStage stage, int errno, Exception exception);

    [LoggerMessage(EventId = 5, EventName = "RunNotStarted", Level = LogLevel.Warning, Message = "{CommandLine} could not be started with the {Backend} backend")]
    public static partial void NotStarted(ILogger logger, string commandLine, string backend, Exception exception);

    [LoggerMessage(EventId = 6, EventName = "RunFailed", Level = LogLevel.Error, Message = "{CommandLine} (pid {Pid}, {Backend}): the engine lost track of the child after {ElapsedMs:0.0} ms")]
    public static partial void Failed(ILogger logger, string commandLine, int pid, string backend, double elapsedMs, Exception exception);

    [LoggerMessage(EventId = 7, EventName = "RunnerStopping", Level = LogLevel.Information, Message = "The {Backend} runner is shutting down: stopping the {Count} children it owns")]
    public static partial void Stopping(ILogger logger, string backend, int count);

    [LoggerMessage(EventId = 8, EventName = "RunnerKilling", Level = LogLevel.Warning, Message = "The {Backend} runner's shutdown ran out of time: SIGKILL to the {Count} children still running")]
    public static partial void Killing(ILogger logger, string backend, int count);
}
