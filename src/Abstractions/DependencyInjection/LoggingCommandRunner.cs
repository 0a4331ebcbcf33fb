// Every expensive argument below is computed behind an IsEnabled check the analyzer does not see through.
#pragma warning disable CA1873

using Microsoft.Extensions.Logging;

namespace VirCommand;

/// <summary>
/// Logs each command's string form (secrets redacted) before it runs and its outcome after, around
/// any backend. Dependency injection puts it in front of the registered backend.
/// </summary>
public sealed partial class LoggingCommandRunner : ICommandRunner
{
    private readonly ICommandRunner _inner;
    private readonly ILogger _logger;
    private readonly LogLevel _level;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public LoggingCommandRunner(ICommandRunner inner, ILogger<LoggingCommandRunner> logger, CommandRunnerOptions options)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(options);
        _inner = inner;
        _logger = logger;
        _level = options.CommandLogLevel;
    }

    /// <summary>The backend this runner logs for.</summary>
    public ICommandRunner Inner => _inner;

    /// <inheritdoc/>
    public string Name => _inner.Name;

    /// <inheritdoc/>
    public CommandFeatures Features => _inner.Features;

    /// <inheritdoc/>
    public async Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        LogRunning(command);
        try
        {
            return LogOutcome(await _inner.RunAsync(command, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (LogFailure(command, e))
        {
            throw;
        }
    }

    /// <inheritdoc/>
    public CommandResult Run(Command command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        LogRunning(command);
        try
        {
            return LogOutcome(_inner.Run(command, cancellationToken));
        }
        catch (Exception e) when (LogFailure(command, e))
        {
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task<IRunningCommand> StartAsync(Command command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        LogRunning(command);
        try
        {
            var running = await _inner.StartAsync(command, cancellationToken).ConfigureAwait(false);
            LogStarted(_logger, _level, running.CommandLine, running.Pid);
            return new LoggingRunningCommand(running, LogOutcome, e => LogFailure(running.CommandLine, e));
        }
        catch (Exception e) when (LogFailure(command, e))
        {
            throw;
        }
    }

    private void LogRunning(Command command)
    {
        if (_logger.IsEnabled(_level))
            LogRunning(_logger, _level, command.ToString(), _inner.Name);
    }

    private CommandResult LogOutcome(CommandResult result)
    {
        if (_logger.IsEnabled(_level))
            LogFinished(_logger, _level, result.CommandLine, result.DescribeStatus(), result.RunTime.TotalMilliseconds);
        return result;
    }

    /// <summary>Logs a failure from an exception filter, so the stack is not unwound; always false.</summary>
    private bool LogFailure(Command command, Exception e) => _logger.IsEnabled(LogLevel.Warning) && LogFailure(command.ToString(), e);

    private bool LogFailure(string commandLine, Exception e)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
            LogFailed(_logger, commandLine, e.Message, e);
        return false;
    }

    [LoggerMessage(Message = "Running {CommandLine} with the {Backend} backend")]
    private static partial void LogRunning(ILogger logger, LogLevel level, string commandLine, string backend);

    [LoggerMessage(Message = "Started {CommandLine} as pid {Pid}")]
    private static partial void LogStarted(ILogger logger, LogLevel level, string commandLine, int pid);

    [LoggerMessage(Message = "{CommandLine}: {Status} after {ElapsedMs:0.0} ms")]
    private static partial void LogFinished(ILogger logger, LogLevel level, string commandLine, string status, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{CommandLine} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string commandLine, string reason, Exception exception);
}
