using System.Runtime.InteropServices;
using VirCommand.Backends.Posix.Io;
using VirCommand.Backends.Posix.Spawning;

namespace VirCommand.Backends.Posix;

/// <summary>
/// The native POSIX backend (Linux): spawns through a small C shim that does everything between
/// fork and exec, tracks children with pidfds, and pumps every pipe from one event loop thread
/// (a blocking <see cref="Run"/> reaps its child and pumps its pipes on the calling thread instead).
/// </summary>
public sealed partial class PosixCommandRunner : CommandRunnerBase
{
    /// <summary>Creates the backend with default options.</summary>
    public PosixCommandRunner()
        : this(new CommandRunnerOptions())
    {
    }

    /// <summary>Creates the backend.</summary>
    public PosixCommandRunner(CommandRunnerOptions options)
        : base(options)
    {
    }

    /// <inheritdoc/>
    public override string Name => "posix";

    /// <inheritdoc/>
    public override CommandFeatures Features => CommandFeatures.All;

    /// <inheritdoc/>
    /// <remarks>The child reads or writes a file target itself: the parent opens it and hands it over, with no pumping.</remarks>
    protected override bool ConnectsFiles => true;

    /// <inheritdoc/>
    /// <remarks>The stages read and write the pipe directly: no byte of a pipeline passes through the parent.</remarks>
    protected override (SafeHandle Read, SafeHandle Write)? OpenStagePipe()
    {
        try
        {
            var (read, write) = Pipe.CreateBetweenChildren();
            return (read, write);
        }
        catch (StartFailure failure)
        {
            throw new CommandStartException("(pipeline)", failure.Stage, failure.Errno, failure.Detail);
        }
    }

    /// <inheritdoc/>
    protected override IChildProcess Spawn(RunPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var (child, io) = SpawnChild(plan);
        return new PosixChild(plan, child, io);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Waits on the calling thread (<see cref="BlockingRun"/>), without the event loop or the thread
    /// pool. A daemon's run, whose input may be fed on after it returned, and a run with streams the run
    /// engine pumps (a caller's stream, a tee) go through the event loop.
    /// </remarks>
    public override CommandResult Run(Command command, CancellationToken cancellationToken = default)
    {
        var plan = Plan(command, runToCompletion: true, cancellationToken);
        // A daemon's input may be fed on after the run returned, and streams are pumped by the run engine: both need the event loop.
        if (plan.IsDaemon || plan.PumpedInput is not null || plan.PumpedOutput is not null || plan.PumpedError is not null)
            return RunAsync(plan, cancellationToken).GetAwaiter().GetResult();
        SpawnedChild child;
        ChildIo io;
        try
        {
            // Always wakeable: besides the token, the runner's shutdown may stop the run from another thread.
            (child, io) = SpawnChild(plan, wakeable: true);
        }
        catch (Exception e)
        {
            plan.Observer.Failed(e);
            throw;
        }
        finally
        {
            SpawnAttempted(plan);
        }
        return BlockingRun.Run(plan, new PosixChild(plan, child, io), cancellationToken);
    }

    /// <summary>
    /// Resolves, connects and spawns the child; the caller owns the returned pidfd and fds. Everything
    /// the run needs that can be had before the spawn (pipes, /dev/null, a blocking run's wake-up
    /// eventfd when <paramref name="wakeable"/>) is made first: failing to get it fails the start with
    /// nothing spawned.
    /// </summary>
    private static (SpawnedChild Child, ChildIo Io) SpawnChild(RunPlan plan, bool wakeable = false)
    {
        ChildIo? io = null;
        // Without anything that runs before exec and leaves a trace (hook, daemon, handshake), the
        // exec's own failure can stand for the check of a program path, which then costs nothing.
        var deferPathCheck = plan.Hook is null && !plan.IsDaemon && !plan.RequiresHandshake;
        var path = "";
        try
        {
            path = ProgramResolver.Resolve(plan.Program, deferPathCheck);
            io = ChildIo.Create(plan, EventLoop.Shared, wakeable);
            var child = SpawnRequest.Spawn(plan, path, io);
            io.CloseChildEnds();
            return (child, io);
        }
        catch (StartFailure failure)
        {
            io?.Dispose();
            var reported = deferPathCheck ? ProgramResolver.ExplainStartFailure(plan.Program, path, failure) : failure;
            throw new CommandStartException(plan.CommandLine, reported.Stage, reported.Errno, reported.Detail);
        }
    }
}
