using System.Runtime.InteropServices;

namespace VirCommand.Backends.Posix.Interop;

/// <summary>The native shim, <c>native/vircommand_spawn.h</c>: its structs mirror the header field for field.</summary>
internal static unsafe partial class NativeSpawn
{
    public const string Library = "libvircommand";
    public const uint FlagNewSession = 1;
    public const uint FlagNewProcessGroup = 2;

    [StructLayout(LayoutKind.Sequential)]
    public struct FdMap
    {
        public int ParentFd;
        public int ChildFd;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SpawnRequest
    {
        public byte* Path;
        public byte** Argv;
        public byte** Envp;
        public byte* Cwd;
        public int StdinFd;
        public int StdoutFd;
        public int StderrFd;
        public FdMap* Fds;
        public int FdCount;
        public int Umask;
        public uint Flags;
        public int ParentDeathSignal;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SpawnResult
    {
        public int Pid;
        public int PidFd;
        public int Stage;
        public int Error;
    }

    [LibraryImport(Library, EntryPoint = "vc_spawn")]
    public static partial int Spawn(SpawnRequest* request, SpawnResult* result);

    /// <summary>1 and the raw status once reaped, 0 while running, -1 with errno.</summary>
    [LibraryImport(Library, EntryPoint = "vc_try_reap", SetLastError = true)]
    public static partial int TryReap(SafeHandle pidfd, out int rawStatus);

    [LibraryImport(Library, EntryPoint = "vc_signal", SetLastError = true)]
    public static partial int Signal(SafeHandle pidfd, int signal);
}
