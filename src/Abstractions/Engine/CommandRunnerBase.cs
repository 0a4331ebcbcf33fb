using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VirCommand.Backends;

/// <summary>
/// What every backend shares: the gate that turns a command into a <see cref="RunPlan"/> (validation,
/// features, a token already cancelled, the claim of the CloseParent fds), run-to-completion as
/// start-wait-dispose, the blocking <see cref="Run"/>, and start failures travelling in
/// <see cref="StartAsync(Command, CancellationToken)"/>'s task; every started child is driven by the one run engine, which holds
/// the rules of a running child. A backend implements only <see cref="Spawn"/> (and the
/// <see cref="IChildProcess"/> it returns), and may give <see cref="Run"/> a truly blocking path (it
/// then starts with <see cref="Plan"/> and waits by the same <see cref="StopSequence"/>).
/// </summary>
/// <remarks>
/// Lifetime: the runner owns every child it started that is still running, except a detached one
/// and a daemon. <see cref="ShutdownAsync"/> (dependency injection calls it when the host stops) and
/// disposal stop those children by the stop sequence, log what they stopped, and refuse every later
/// run. Every run is traced, measured and logged by the engine (<see cref="VirCommandTelemetry"/>, <see cref="Logger"/>).
/// </remarks>
public abstract partial class CommandRunnerBase : ICommandRunner, IAsyncDisposable, IDisposable
{
    private readonly OwnedChildren _children = new();
    private ILogger _logger = NullLogger.Instance;

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

    /// <summary>
    /// Where the runner logs its runs (the README lists the entries and their levels). Dependency
    /// injection sets a logger of category <c>VirCommand</c> from the container's logging; set one
    /// when you construct a runner yourself. Default: none.
    /// </summary>
    public ILogger Logger
    {
        get => _logger;
        init => _logger = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public abstract CommandFeatures Features { get; }

    /// <summary>The backend that has the features this one lacks, named in its refusals; null if none.</summary>
    protected virtual string? FullerBackend => null;

    /// <summary>
    /// True when the backend's <see cref="Spawn"/> connects a <see cref="StdioKind.File"/> in the plan to
    /// the child itself (the child reads or writes the file); otherwise the run engine opens the file and
    /// pumps it through a pipe, and the backend only ever sees that pipe.
    /// </summary>
    protected virtual bool ConnectsFiles => false;

    /// <inheritdoc/>
    public async Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken = default) =>
        await RunAsync(Plan(command, runToCompletion: true, cancellationToken), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    /// <remarks>By default this blocks on <see cref="RunAsync(Command, CancellationToken)"/>, so it needs thread-pool threads to finish.</remarks>
    public virtual CommandResult Run(Command command, CancellationToken cancellationToken = default) =>
        RunAsync(command, cancellationToken).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public Task<IRunningCommand> StartAsync(Command command, CancellationToken cancellationToken = default)
    {
        try
        {
            return Task.FromResult<IRunningCommand>(Launch(Plan(command, runToCompletion: false, cancellationToken)));
        }
        catch (Exception e)
        {
            // As any Task-returning method: failures travel in the task, so `await` and `ContinueWith` see them alike.
            return Task.FromException<IRunningCommand>(e);
        }
    }

    /// <summary>
    /// Spawns the child of a plan that passed the gate. Called synchronously by every run; the plan's
    /// CloseParent fds are closed by the caller once this returns or throws, never by the backend.
    /// </summary>
    /// <exception cref="CommandStartException">The child could not be started; nothing of it is left.</exception>
    protected abstract IChildProcess Spawn(RunPlan plan);

    /// <summary>
    /// Spawns a plan that passed this runner's gate on another backend, whose child this runner's
    /// engine then drives: for a runner that hands some runs on to a real one (the fake's pass-through).
    /// The caller checks that <paramref name="backend"/> has the features the plan needs.
    /// </summary>
    protected static IChildProcess SpawnOn(CommandRunnerBase backend, RunPlan plan)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return backend.Spawn(plan);
    }

    /// <summary>The clock of the engine's timers (timeout, kill grace, drain) and of the results' times.</summary>
    protected virtual TimeProvider Time => TimeProvider.System;

    /// <summary>
    /// The gate every run goes through before it starts anything: the command is validated for this
    /// kind of run (on one consistent snapshot of it), checked against <see cref="Features"/> and the token, copied into a plan with the
    /// run's settings resolved against <see cref="Options"/>, and its CloseParent fds claimed for that
    /// plan (last: a run refused before has started nothing, so it must not use them up). Nothing
    /// after the gate reads the command. A backend's own <see cref="Run"/> starts here and must then
    /// call <see cref="SpawnAttempted"/> once its spawn was attempted.
    /// </summary>
    protected RunPlan Plan(Command command, bool runToCompletion, CancellationToken cancellationToken) =>
        PlanRun(command, runToCompletion, runToCompletion, cancellationToken);

    /// <summary>
    /// <see cref="Plan(Command, bool, CancellationToken)"/>, with the run's settings for a run to
    /// completion (an uncaptured stderr's tail kept for the failure message) apart from its validation:
    /// a pipeline's stage is validated by the pipeline, whose junction pipes the stage itself need not serve.
    /// </summary>
    private RunPlan PlanRun(Command command, bool validateToCompletion, bool runToCompletion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_children.IsClosed)
            throw new ObjectDisposedException(GetType().Name, "The runner was shut down (disposed, or its host stopped): it starts no more children.");
        // One consistent copy, taken under the lock every setter takes: a change made meanwhile on
        // another thread goes to a later run, never half into this one.
        var snapshot = command.Snapshot();
        snapshot.ValidateForRun(validateToCompletion);
        CommandNotSupportedException.ThrowIfUnsupported(snapshot, this, FullerBackend);
        var commandLine = snapshot.ToString();
        ThrowIfOptionsUnsupported(commandLine);
        if (cancellationToken.IsCancellationRequested)
            throw new CommandCanceledException(commandLine, "cancelled before it started", null, cancellationToken);
        var plan = new RunPlan(snapshot, commandLine, RunSettings.For(snapshot, Options, runToCompletion), Options.ParentDeathSignal, ConnectsFiles);
        // Last: a run refused above has started nothing, so it must not use up the CloseParent fds.
        snapshot.ClaimParentFds();
        plan.Observe(new RunObserver(plan, Name, _logger, Options.CommandLogLevel, Options.TraceCommandArguments, _children));
        return plan;
    }

    /// <summary>
    /// Refuses, before anything is spawned, a runner option this backend cannot honour for any
    /// command (<see cref="CommandRunnerOptions.ParentDeathSignal"/> needs <see cref="CommandFeatures.ParentDeathSignal"/>).
    /// </summary>
    /// <param name="commandLine">The refused command's string form, or what names the option when no command is at hand.</param>
    /// <exception cref="CommandNotSupportedException">The option is set and this backend lacks the feature.</exception>
    internal void ThrowIfOptionsUnsupported(string commandLine = "CommandRunnerOptions.ParentDeathSignal")
    {
        if (Options.ParentDeathSignal is not null && !Features.HasFlag(CommandFeatures.ParentDeathSignal))
            throw new CommandNotSupportedException(commandLine, CommandFeatures.ParentDeathSignal, Name, FullerBackend);
    }

    /// <summary>
    /// Stops every child this runner still owns (started, not yet reaped, not detached, not a daemon)
    /// by the stop sequence: the graceful signal (to the process group where the child leads one),
    /// then SIGKILL after the kill grace period, or as soon as <paramref name="cancellationToken"/> is
    /// cancelled (the host's shutdown timeout), whichever comes first. Logs what it stopped. From the
    /// call on, the runner refuses every run with <see cref="ObjectDisposedException"/>; a run that was
    /// starting meanwhile is stopped as soon as its child runs. Their waiters get a
    /// <see cref="CommandCanceledException"/>. Completes when the stopped children were reaped, or at
    /// once after the SIGKILL that the token's cancellation sent. A second call finds nothing to stop.
    /// </summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken = default)
    {
        var owned = _children.Close();
        if (owned.Length == 0)
            return;
        RunLog.Stopping(_logger, Name, owned.Length);
        foreach (var run in owned)
            run.Stop();
        try
        {
            await Task.WhenAll(owned.Select(r => r.Completion)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var lingering = owned.Where(r => !r.Completion.IsCompleted).ToArray();
            RunLog.Killing(_logger, Name, lingering.Length);
            foreach (var run in lingering)
                run.Kill();
        }
    }

    /// <summary>Shuts the runner down (<see cref="ShutdownAsync"/>, bounded by the kill grace period alone).</summary>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Shuts the runner down (<see cref="ShutdownAsync"/>); a backend that holds more releases it after calling this.</summary>
    protected virtual async ValueTask DisposeAsyncCore() => await ShutdownAsync(CancellationToken.None).ConfigureAwait(false);

    /// <summary>Shuts the runner down as <see cref="DisposeAsync"/> does, blocking the calling thread until its children were reaped.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Shuts the runner down when <paramref name="disposing"/>; a backend that holds more releases it here.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
            ShutdownAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Lets dependency injection hand the runner the container's logger after its factory made it.</summary>
    internal void UseLogger(ILogger logger) => _logger = logger;

    /// <summary>Runs a planned run to completion through the run engine: start, wait, dispose.</summary>
    protected async Task<CommandResult> RunAsync(RunPlan plan, CancellationToken cancellationToken)
    {
        var running = Launch(plan);
        await using (running.ConfigureAwait(false))
            return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the plan's CloseParent fds: the child has them, or its start failed; either way the parent's copies go.</summary>
    protected static void SpawnAttempted(RunPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.ReleaseParentFds();
    }

    private RunningCommand Launch(RunPlan plan)
    {
        IChildProcess child;
        StdioPumps? pumps = null;
        try
        {
            // The files the engine pumps open first: one that cannot be opened fails the start with nothing spawned.
            pumps = StdioPumps.Open(plan);
            child = Spawn(plan);
        }
        catch (Exception e)
        {
            pumps?.Dispose();
            plan.Observer.Failed(e);
            throw;
        }
        finally
        {
            plan.ReleaseParentFds();
        }
        // A backend that cannot signal (managed off Linux) refuses SignalAsync as it refuses a setting.
        Func<CommandNotSupportedException>? signalsRefused = Features.HasFlag(CommandFeatures.GracefulSignal)
            ? null
            : () => new CommandNotSupportedException(plan.CommandLine, CommandFeatures.GracefulSignal, Name, FullerBackend);
        return new RunningCommand(plan, child, Time, signalsRefused, pumps);
    }
}
