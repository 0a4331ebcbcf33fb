using VirCommand.Backends.Posix.Io;
using VirCommand.Backends.Posix.Spawning;

namespace VirCommand.Backends.Posix;

/// <summary>
/// The native POSIX backend (Linux): spawns through a small C shim that does everything between
/// fork and exec, tracks children with pidfds, and pumps every pipe from one event loop thread.
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
        ChildIo? io = null;
        try
        {
            var path = ProgramResolver.Resolve(command.Program);
            io = ChildIo.Create(command, settings, EventLoop.Shared);
            var child = SpawnRequest.Spawn(command, path, io);
            io.CloseChildEnds();
            return new PosixRunningCommand(command, commandLine, child, io, settings);
        }
        catch (StartFailure failure)
        {
            io?.Dispose();
            throw new CommandStartException(commandLine, failure.Stage, failure.Errno, failure.Detail);
        }
        finally
        {
            command.ReleaseParentFds();
        }
    }
}
