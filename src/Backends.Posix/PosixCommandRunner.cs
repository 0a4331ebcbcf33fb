using VirCommand.Backends.Posix.Io;
using VirCommand.Backends.Posix.Spawning;

namespace VirCommand.Backends.Posix;

/// <summary>
/// The native POSIX backend (Linux): spawns through a small C shim that does everything between
/// fork and exec, tracks children with pidfds, and pumps every pipe from one event loop thread
/// (a blocking <see cref="Run"/> reaps its child and pumps its pipes on the calling thread instead).
/// </summary>
public sealed class PosixCommandRunner : CommandRunnerBase
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
    protected override IRunningCommand Start(Command command, string commandLine, RunSettings settings)
    {
        var (child, io) = Spawn(command, commandLine, settings);
        try
        {
            return new PosixRunningCommand(command, commandLine, child, io, settings);
        }
        catch
        {
            // The handle could not be made (the loop refused a registration): it has killed the child,
            // and the pipes, the streams and the handshake's pipes are nobody's but ours to close, as in Run.
            child.Handshake?.Dispose();
            io.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Waits on the calling thread (<see cref="BlockingRun"/>), without the event loop or the thread
    /// pool. A daemon's run, whose input may be fed on after it returned, goes through the event loop.
    /// </remarks>
    public override CommandResult Run(Command command, CancellationToken cancellationToken = default)
    {
        var (snapshot, commandLine, settings) = CheckRun(command, runToCompletion: true, cancellationToken);
        if (snapshot.IsDaemon)
            return RunCheckedAsync(snapshot, commandLine, settings, cancellationToken).GetAwaiter().GetResult();
        var (child, io) = Spawn(snapshot, commandLine, settings, wakeable: cancellationToken.CanBeCanceled);
        return BlockingRun.Run(snapshot, commandLine, child, io, settings, cancellationToken);
    }

    /// <summary>
    /// Resolves, connects and spawns the child; the caller owns the returned pidfd and fds. Everything
    /// the run needs that can be had before the spawn (pipes, /dev/null, a blocking run's wake-up
    /// eventfd when <paramref name="wakeable"/>) is made first: failing to get it fails the start with
    /// nothing spawned.
    /// </summary>
    private static (SpawnedChild Child, ChildIo Io) Spawn(Command command, string commandLine, RunSettings settings, bool wakeable = false)
    {
        ChildIo? io = null;
        // Without anything that runs before exec and leaves a trace (hook, daemon, handshake), the
        // exec's own failure can stand for the check of a program path, which then costs nothing.
        var deferPathCheck = command.Hook is null && !command.IsDaemon && !command.RequiresHandshake;
        var path = "";
        try
        {
            path = ProgramResolver.Resolve(command.Program, deferPathCheck);
            io = ChildIo.Create(command, settings, EventLoop.Shared, wakeable);
            var child = SpawnRequest.Spawn(command, path, io);
            io.CloseChildEnds();
            return (child, io);
        }
        catch (StartFailure failure)
        {
            io?.Dispose();
            var reported = deferPathCheck ? ProgramResolver.ExplainStartFailure(command.Program, path, failure) : failure;
            throw new CommandStartException(commandLine, reported.Stage, reported.Errno, reported.Detail);
        }
        finally
        {
            command.ReleaseParentFds();
        }
    }
}
