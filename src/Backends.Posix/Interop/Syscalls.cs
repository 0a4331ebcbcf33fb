using System.Runtime.InteropServices;

namespace VirCommand.Backends.Posix.Interop;

/// <summary>The libc calls of the I/O layer and the runner. SafeHandle parameters keep an fd from being closed and reused mid-call.</summary>
internal static unsafe partial class Syscalls
{
    public const int EAGAIN = 11;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EPIPE = 32;
    public const int ESRCH = 3;
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int ENAMETOOLONG = 36;
    public const int ECANCELED = 125;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int EBADF = 9;
    public const int EBUSY = 16;
    public const int E2BIG = 7;
    public const int ENOSYS = 38;
    public const int ENODEV = 19;
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_NOCTTY = 0x100;
    public const int O_TRUNC = 0x200;
    public const int O_APPEND = 0x400;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int F_SETFL = 4;
    public const short POLLIN = 0x001;
    public const short POLLOUT = 0x004;
    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;
    public const int X_OK = 1;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(SafeHandle fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(SafeHandle fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(SafeHandle fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    /// <summary>open(2) with the mode a created file gets (less the umask).</summary>
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Access(string path, int mode);
}
