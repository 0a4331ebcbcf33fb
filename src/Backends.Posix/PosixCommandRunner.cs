using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Posix.Interop;
using VirCommand.Backends.Posix.Io;
using VirCommand.Backends.Posix.Spawning;

namespace VirCommand.Backends.Posix;

/// <summary>
/// The native POSIX backend (Linux): spawns through a small C shim that does everything between
/// fork and exec, tracks children with pidfds, and pumps every pipe from one event loop thread.
/// </summary>
public sealed class PosixCommandRunner : ICommandRunner
{
    /// <summary>What this backend honours today; the rest is refused up front, never ignored.</summary>
    public const CommandFeatures SupportedFeatures =
        CommandFeatures.PassFds | CommandFeatures.RemapFds | CommandFeatures.CallerFds | CommandFeatures.StdioPipes |
        CommandFeatures.MergedOutput | CommandFeatures.NonblockingFds | CommandFeatures.SendBuffers | CommandFeatures.Umask |
        CommandFeatures.NewSession | CommandFeatures.NewProcessGroup | CommandFeatures.RawStatus | CommandFeatures.GracefulSignal |
        CommandFeatures.Daemonize | CommandFeatures.PidFile | CommandFeatures.ResourceLimits | CommandFeatures.Credentials |
        CommandFeatures.Capabilities | CommandFeatures.NoNewPrivileges | CommandFeatures.PreExecHook | CommandFeatures.Handshake |
        CommandFeatures.ParentDeathSignal;

    private readonly CommandRunnerOptions _options;

    /// <summary>Creates the backend with default options.</summary>
    public PosixCommandRunner()
        : this(new CommandRunnerOptions())
    {
    }

    /// <summary>Creates the backend.</summary>
    public PosixCommandRunner(CommandRunnerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <inheritdoc/>
    public string Name => "posix";

    /// <inheritdoc/>
    public CommandFeatures Features => SupportedFeatures;

    /// <inheritdoc/>
    public async Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken = default)
    {
        var running = Start(command, runToCompletion: true, cancellationToken);
        await using (running.ConfigureAwait(false))
            return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public CommandResult Run(Command command, CancellationToken cancellationToken = default) =>
        RunAsync(command, cancellationToken).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public Task<IRunningCommand> StartAsync(Command command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            return Task.FromResult<IRunningCommand>(Start(command, runToCompletion: false, cancellationToken));
        }
        catch (Exception e)
        {
            // As any Task-returning method: failures travel in the task, so `await` and `ContinueWith` see them alike.
            return Task.FromException<IRunningCommand>(e);
        }
    }

    private PosixRunningCommand Start(Command command, bool runToCompletion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.ValidateForRun(runToCompletion);
        CommandNotSupportedException.ThrowIfUnsupported(command, this);
        var commandLine = command.ToString();
        if (cancellationToken.IsCancellationRequested)
            throw new CommandCanceledException(commandLine, "cancelled before it started", null, cancellationToken);

        var settings = RunSettings.For(command, _options);
        ChildIo? io = null;
        try
        {
            var path = ProgramResolver.Resolve(command.Program);
            io = ChildIo.Create(command, runToCompletion, settings, EventLoop.Shared);
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
