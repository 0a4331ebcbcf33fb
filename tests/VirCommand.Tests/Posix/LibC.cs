using System.Runtime.InteropServices;

namespace VirCommand.Tests.Posix;

/// <summary>The few libc calls the POSIX tests make to observe the parent: fd flags and process liveness.</summary>
internal static partial class LibC
{
    public const int F_GETFD = 1;
    public const int F_SETFD = 2;
    public const int FD_CLOEXEC = 1;
    public const int ESRCH = 3;

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
