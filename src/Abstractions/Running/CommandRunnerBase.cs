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
        var (snapshot, commandLine, settings) = CheckRun(command, runToCompletion: true, cancellationToken);
        return await RunCheckedAsync(snapshot, commandLine, settings, cancellationToken).ConfigureAwait(false);
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
    /// <param name="command">The run's snapshot of the command (<see cref="CheckRun"/>), validated for this kind of run: build the run from it alone.</param>
    /// <param name="commandLine">Its string form, secrets redacted, for results and errors.</param>
    /// <param name="settings">The run's settings, resolved against <see cref="Options"/> for this kind of run.</param>
    protected abstract IRunningCommand Start(Command command, string commandLine, RunSettings settings);

    /// <summary>
    /// The checks every run makes before it starts anything (validation, features, a token already
    /// cancelled), for a backend's own <see cref="Run"/>; the same ones <see cref="Start"/> gets its
    /// arguments from. They check, and the run then reads, one snapshot of the command taken under
    /// the lock every setter takes, so a change made meanwhile on another thread goes to a later
    /// run, never half into this one. The CloseParent fds are then the caller's to release
    /// (<see cref="Command.ReleaseParentFds"/> on the snapshot releases the command's).
    /// </summary>
    /// <returns>The snapshot to build the run from, its string form (secrets redacted), and the run's settings.</returns>
    protected (Command Snapshot, string CommandLine, RunSettings Settings) CheckRun(Command command, bool runToCompletion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var snapshot = command.Snapshot();
        snapshot.ValidateForRun(runToCompletion);
        CommandNotSupportedException.ThrowIfUnsupported(snapshot, this, FullerBackend);
        var commandLine = snapshot.ToString();
        if (cancellationToken.IsCancellationRequested)
            throw new CommandCanceledException(commandLine, "cancelled before it started", null, cancellationToken);
        // Last: a run refused above has started nothing, so it must not use up the CloseParent fds.
        snapshot.ClaimParentFds();
        return (snapshot, commandLine, RunSettings.For(snapshot, Options, runToCompletion));
    }

    /// <summary>Runs a snapshot that passed <see cref="CheckRun"/> to completion: start, wait, dispose.</summary>
    protected async Task<CommandResult> RunCheckedAsync(Command snapshot, string commandLine, RunSettings settings, CancellationToken cancellationToken)
    {
        var running = Start(snapshot, commandLine, settings);
        await using (running.ConfigureAwait(false))
            return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private IRunningCommand CheckAndStart(Command command, bool runToCompletion, CancellationToken cancellationToken)
    {
        var (snapshot, commandLine, settings) = CheckRun(command, runToCompletion, cancellationToken);
        return Start(snapshot, commandLine, settings);
    }
}
