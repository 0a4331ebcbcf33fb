using System.Diagnostics.CodeAnalysis;
using VirCommand.Backends.Posix.Io;
using VirCommand.Backends.Posix.Spawning;

namespace VirCommand.Backends.Posix;

public sealed partial class PosixCommandRunner
{
    /// <summary>
    /// Replaces the current process with <paramref name="command"/> (<c>virCommandExec</c>): every step a
    /// child of the command would take before exec (stdio and passed fds, closing every other fd on exec,
    /// session, parent-death signal, limits, placement, umask, groups, ids, capabilities, no_new_privs,
    /// working directory, labels) is applied to this process, then the program is exec'd with the command's
    /// environment. It never returns normally.
    /// </summary>
    /// <remarks>
    /// <para>
    /// What needs a parent to serve the program or a new child to make is refused before anything is done:
    /// captures, pipes, input buffers, streams and line callbacks, send buffers, a daemon, a pidfile, a
    /// handshake, a pre-exec hook, a cgroup, a pseudo-terminal, a timeout. So is a setting the POSIX backend lacks.
    /// </para>
    /// <para>
    /// Irreversible steps: all of them. So the shim first checks, changing nothing, what it can know will
    /// fail — the program (resolved on the PATH, executable), the working directory, every fd to place, a new
    /// session for a process group leader or a new group for a session leader, core scheduling and the labels
    /// where the kernel lacks them — and a failure there throws <see cref="CommandStartException"/> with the
    /// stage and errno, the process as it was. A failure after the first step (a uid the kernel refuses, say)
    /// cannot be undone: the process then exits with status 127 after writing
    /// <c>vircommand: exec failed at stage N, errno E</c> to its stderr (the command's by then).
    /// </para>
    /// <para>
    /// Other threads run on until the exec ends them. Flush what the process still buffers (<see cref="Console.Out"/>)
    /// before the call: the exec'd program starts with none of it. The default stdio is <c>/dev/null</c>, as for
    /// any command: <c>SetInputFd(0)</c>, <c>SetOutputFd(1)</c>, <c>SetErrorFd(2)</c> keep this process's.
    /// </para>
    /// </remarks>
    /// <exception cref="InvalidOperationException">The command needs a parent or a new child (the message names the setting).</exception>
    /// <exception cref="CommandNotSupportedException">The command uses a feature this backend lacks.</exception>
    /// <exception cref="CommandStartException">A check found the exec would fail; the process is unchanged.</exception>
    [DoesNotReturn]
    public void Exec(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var snapshot = command.Snapshot();
        snapshot.ValidateForRun(runToCompletion: false);
        CommandNotSupportedException.ThrowIfUnsupported(snapshot, this, FullerBackend);
        var commandLine = snapshot.ToString();
        if (NeedsParent(snapshot) is { } setting)
            throw new InvalidOperationException($"{commandLine}: Exec replaces this process, so nothing is left to {setting}.");
        // No runner default binds this process to its parent: only the command's own parent-death signal applies.
        var plan = new RunPlan(snapshot, commandLine, RunSettings.For(snapshot, Options, runToCompletion: false), defaultParentDeathSignal: null, ConnectsFiles);
        ChildIo? io = null;
        try
        {
            var path = ProgramResolver.Resolve(plan.Program, deferPathCheck: false);
            io = ChildIo.Create(plan, EventLoop.Shared);
            SpawnRequest.Exec(plan, path, io);
        }
        catch (StartFailure failure)
        {
            io?.Dispose();
            throw new CommandStartException(commandLine, failure.Stage, failure.Errno, failure.Detail);
        }
    }

    /// <summary>What of <paramref name="command"/> would need a parent process (or a new child), said as what it would do; null when nothing does.</summary>
    private static string? NeedsParent(Command command)
    {
        foreach (var (name, target) in new[] { ("stdin", command.Input), ("stdout", command.Output), ("stderr", command.Error) })
        {
            if (target.Kind is StdioKind.Pipe or StdioKind.Buffer or StdioKind.Stream || target.IsPumped(backendConnectsFiles: true))
                return $"serve {name} ({target.Kind}): connect it to an fd or a file";
        }
        return command.SendBuffers.Count > 0 ? "feed the send buffers"
            : command.IsDaemon ? "daemonize (it forks a child)"
            : command.RequiresHandshake ? "release the handshake"
            : command.Hook is not null ? "run the pre-exec hook in (it runs in a new child)"
            : command.Cgroup is not null ? "start in the cgroup (SetCgroup places a new child)"
            : command.PseudoTerminal is not null ? "serve the pseudo-terminal's master side"
            : command.Timeout is not null ? "enforce the timeout"
            : null;
    }
}
