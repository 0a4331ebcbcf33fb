using System.Runtime.InteropServices;

namespace VirCommand.Backends.Posix.Interop;

/// <summary>The epoll calls of the event loop.</summary>
internal static unsafe partial class Epoll
{
    public const int CloseOnExec = 0x80000;
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint OneShot = 1u << 30;
    public const int Add = 1;
    public const int Delete = 2;
    public const int Modify = 3;

    /// <summary>
    /// <c>struct epoll_event</c> is packed on x86-64 (12 bytes, data at offset 4) and naturally aligned
    /// elsewhere (16 bytes, data at offset 8); events are read at these offsets.
    /// </summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static readonly int DataOffset = EventSize - 8;

    public static uint EventsAt(byte* events, int index) => *(uint*)(events + (index * EventSize));

    public static ulong DataAt(byte* events, int index) => *(ulong*)(events + (index * EventSize) + DataOffset);

    public static int Control(SafeHandle epoll, int op, SafeHandle fd, uint events, ulong data)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + DataOffset) = data;
        return epoll_ctl(epoll, op, fd, ev);
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int Create(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int Wait(SafeHandle epoll, byte* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(SafeHandle epoll, int op, SafeHandle fd, byte* ev);
}
