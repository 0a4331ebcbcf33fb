using System.Runtime.InteropServices;

namespace VirCommand.Backends.Posix.Interop;

/// <summary>The native shim, <c>native/vircommand_spawn.h</c>: its structs mirror the header field for field.</summary>
internal static unsafe partial class NativeSpawn
{
    public const string Library = "libvircommand";
    public const uint FlagNewSession = 1;
    public const uint FlagNewProcessGroup = 2;
    public const uint FlagDaemonize = 4;
    public const uint FlagSetUid = 8;
    public const uint FlagSetGid = 16;
    public const uint FlagClearCaps = 32;
    public const uint FlagNoNewPrivs = 64;
    public const uint FlagHandshake = 128;
    public const uint FlagSetNice = 256;
    public const uint FlagTerminal = 512;

    [StructLayout(LayoutKind.Sequential)]
    public struct FdMap
    {
        public int ParentFd;
        public int ChildFd;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public int Resource;
        public int Reserved;
        public ulong Value;
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
        public RLimit* RLimits;
        public int RLimitCount;
        public uint Uid;
        public uint Gid;
        public int GroupCount;
        public uint* Groups;
        public ulong CapsAllowed;
        public byte* PidFile;
        public nint Hook;
        public nint HookOpaque;
        public ulong* CpuMask;
        public int CpuMaskWords;
        public int Nice;
        public byte* Cgroup;
        public int SchedCore;
        public byte* SELinuxLabel;
        public byte* AppArmorProfile;
        public int TerminalFd;
        public int ProcessGroup;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SpawnResult
    {
        public int Pid;
        public int PidFd;
        public int Stage;
        public int Error;
        public int DaemonPid;
        public int HandshakeReady;
        public int ReportFd;
        public int ReleaseFd;
    }

    [LibraryImport(Library, EntryPoint = "vc_spawn")]
    public static partial int Spawn(SpawnRequest* request, SpawnResult* result);

    /// <summary>A handshake start without a fork, part 1 (the caller's thread): 0 with <paramref name="parked"/> set, or -1 with the stage and error.</summary>
    [LibraryImport(Library, EntryPoint = "vc_parked_prepare")]
    public static partial int ParkedPrepare(SpawnRequest* request, SpawnResult* result, out nint parked);

    /// <summary>Part 2, on a parked thread: the clone, which returns once the child has exec'd or exited.</summary>
    [LibraryImport(Library, EntryPoint = "vc_parked_run")]
    public static partial void ParkedRun(nint parked);

    /// <summary>Part 3, on the caller's thread: waits for the handshake; then as <see cref="Spawn"/>.</summary>
    [LibraryImport(Library, EntryPoint = "vc_parked_wait")]
    public static partial int ParkedWait(nint parked, SpawnResult* result);

    /// <summary>Replaces the calling process: returns only on failure, -1 with the stage and error in <paramref name="result"/>, the process unchanged.</summary>
    [LibraryImport(Library, EntryPoint = "vc_exec")]
    public static partial int Exec(SpawnRequest* request, SpawnResult* result);

    /// <summary>Releases a child waiting at the handshake and waits for its exec: 0, or -1 with the stage and error in <paramref name="result"/>.</summary>
    [LibraryImport(Library, EntryPoint = "vc_handshake_release")]
    public static partial int HandshakeRelease(SafeHandle releaseFd, SafeHandle reportFd, SpawnResult* result);

    /// <summary>1 when the user exists (groups and primary gid set), 0 when not, -1 with errno.</summary>
    [LibraryImport(Library, EntryPoint = "vc_user_groups", SetLastError = true)]
    public static partial int UserGroups(uint uid, uint extraGid, out uint primaryGid, uint* groups, ref int count);

    /// <summary>1 and the raw status once reaped, 0 while running, -1 with errno.</summary>
    [LibraryImport(Library, EntryPoint = "vc_try_reap", SetLastError = true)]
    public static partial int TryReap(SafeHandle pidfd, out int rawStatus);

    /// <summary>A new pseudo-terminal, sized: 0 with the non-blocking master and the blocking slave (both close-on-exec), or -1 with errno.</summary>
    [LibraryImport(Library, EntryPoint = "vc_pty_open", SetLastError = true)]
    public static partial int PtyOpen(ushort columns, ushort rows, out int master, out int slave);

    /// <summary>TIOCSWINSZ on the master: 0, or -1 with errno.</summary>
    [LibraryImport(Library, EntryPoint = "vc_pty_resize", SetLastError = true)]
    public static partial int PtyResize(SafeHandle master, ushort columns, ushort rows);

    /// <summary>The terminal's VEOF and VINTR characters now: 0, or -1 with errno.</summary>
    [LibraryImport(Library, EntryPoint = "vc_pty_control_chars", SetLastError = true)]
    public static partial int PtyControlChars(SafeHandle master, out byte endOfFile, out byte interrupt);

    [LibraryImport(Library, EntryPoint = "vc_signal", SetLastError = true)]
    public static partial int Signal(SafeHandle pidfd, int signal);
}
