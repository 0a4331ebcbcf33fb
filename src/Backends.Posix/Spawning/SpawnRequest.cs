using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Posix.Interop;

namespace VirCommand.Backends.Posix.Spawning;

/// <summary>
/// Flattens a command into the native shim's request — resolved path, argv, the explicit
/// environment, fds, options — in one native allocation, and spawns it.
/// </summary>
internal static unsafe class SpawnRequest
{
    /// <summary>Spawns the child; on success the caller owns the returned pidfd.</summary>
    /// <exception cref="StartFailure">The shim reported the stage and errno of a failure; the child is already reaped.</exception>
    public static (int Pid, SafeFileHandle PidFd) Spawn(Command command, string path, ChildIo io)
    {
        var argv = command.Argv;
        var environment = command.ResolveEnvironment().Select(e => e.ToEnvironString()).ToList();
        var size = NativeArena.SizeOf(path) + NativeArena.SizeOfArray(argv.Count) + NativeArena.SizeOfArray(environment.Count)
            + (nuint)(io.ExtraFds.Count * sizeof(NativeSpawn.FdMap)) + 64;
        foreach (var s in argv)
            size += NativeArena.SizeOf(s);
        foreach (var s in environment)
            size += NativeArena.SizeOf(s);
        if (command.WorkingDirectory is { } cwd)
            size += NativeArena.SizeOf(cwd);

        using var arena = new NativeArena(size);
        var fds = arena.Items<NativeSpawn.FdMap>(io.ExtraFds.Count);
        for (var i = 0; i < io.ExtraFds.Count; i++)
            fds[i] = new NativeSpawn.FdMap { ParentFd = io.ExtraFds[i].Parent, ChildFd = io.ExtraFds[i].Child };

        var request = new NativeSpawn.SpawnRequest
        {
            Path = arena.String(path),
            Argv = arena.Array(argv),
            Envp = arena.Array(environment),
            Cwd = command.WorkingDirectory is { } dir ? arena.String(dir) : null,
            StdinFd = io.StdinFd,
            StdoutFd = io.StdoutFd,
            StderrFd = io.StderrFd,
            Fds = fds,
            FdCount = io.ExtraFds.Count,
            Umask = command.Umask ?? -1,
            Flags = (command.StartsNewSession ? NativeSpawn.FlagNewSession : 0) | (command.StartsNewProcessGroup ? NativeSpawn.FlagNewProcessGroup : 0),
            ParentDeathSignal = 0,
        };
        NativeSpawn.SpawnResult result;
        if (NativeSpawn.Spawn(&request, &result) != 0)
            throw new StartFailure((StartStage)result.Stage, result.Error);
        return (result.Pid, new SafeFileHandle(result.PidFd, ownsHandle: true));
    }
}
