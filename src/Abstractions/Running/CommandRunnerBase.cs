namespace VirCommand;

/// <summary>
/// What every backend shares: the checks before a start (validation, features, a token already
/// cancelled), run-to-completion as start-wait-dispose, the blocking <see cref="Run"/>, and start
/// failures travelling in <see cref="StartAsync"/>'s task. A backend implements only <see cref="Start"/>,
/// and may give <see cref="Run"/> a truly blocking path (it then starts with <see cref="CheckRun"/>).
/// </summary>
public abstract class CommandRunnerBase : ICommandRunner
{
    /// <summary>Creates the runner with its defaults.</summary>
    protected CommandRunnerBase(CommandRunnerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (new CommandRunnerOptionsValidator().Validate(null, options) is { Failed: true } invalid)
            throw new ArgumentException($"Invalid runner options: {invalid.FailureMessage}", nameof(options));
        Options = options;
    }

    /// <summary>The defaults every command's own settings fall back on.</summary>
    protected CommandRunnerOptions Options { get; }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public abstract CommandFeatures Features { get; }

    /// <summary>The backend that has the features this one lacks, named in its refusals; null if none.</summary>
    protected virtual string? FullerBackend => null;

    /// <inheritdoc/>
    public async Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken = default)
    {
        var running = CheckAndStart(command, runToCompletion: true, cancellationToken);
        await using (running.ConfigureAwait(false))
            return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>By default this blocks on <see cref="RunAsync"/>, so it needs thread-pool threads to finish.</remarks>
    public virtual CommandResult Run(Command command, CancellationToken cancellationToken = default) =>
        RunAsync(command, cancellationToken).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public Task<IRunningCommand> StartAsync(Command command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            return Task.FromResult(CheckAndStart(command, runToCompletion: false, cancellationToken));
        }
        catch (Exception e)
        {
            // As any Task-returning method: failures travel in the task, so `await` and `ContinueWith` see them alike.
            return Task.FromException<IRunningCommand>(e);
        }
    }

    /// <summary>
    /// Starts the child of a command that passed the shared checks. Called synchronously by every run;
    /// the command's CloseParent fds must be released (<see cref="Command.ReleaseParentFds"/>) once the
    /// start was attempted, whatever its outcome.
    /// </summary>
    /// <param name="command">The command, validated for this kind of run.</param>
    /// <param name="commandLine">Its string form, secrets redacted, for results and errors.</param>
    /// <param name="settings">The run's settings, resolved against <see cref="Options"/> for this kind of run.</param>
    protected abstract IRunningCommand Start(Command command, string commandLine, RunSettings settings);

    /// <summary>
    /// The checks every run makes before it starts anything (validation, features, a token already
    /// cancelled), for a backend's own <see cref="Run"/>; the same ones <see cref="Start"/> gets its
    /// arguments from. The command's CloseParent fds are then the caller's to release.
    /// </summary>
    /// <returns>The command's string form, secrets redacted, and the run's settings.</returns>
    protected (string CommandLine, RunSettings Settings) CheckRun(Command command, bool runToCompletion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.ValidateForRun(runToCompletion);
        CommandNotSupportedException.ThrowIfUnsupported(command, this, FullerBackend);
        var commandLine = command.ToString();
        if (cancellationToken.IsCancellationRequested)
            throw new CommandCanceledException(commandLine, "cancelled before it started", null, cancellationToken);
        // Last: a run refused above has started nothing, so it must not use up the CloseParent fds.
        command.ClaimParentFds();
        return (commandLine, RunSettings.For(command, Options, runToCompletion));
    }

    private IRunningCommand CheckAndStart(Command command, bool runToCompletion, CancellationToken cancellationToken)
    {
        var (commandLine, settings) = CheckRun(command, runToCompletion, cancellationToken);
        return Start(command, commandLine, settings);
    }
}
