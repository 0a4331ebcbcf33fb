using System.Runtime.InteropServices;

namespace VirCommand.Tests.Posix;

/// <summary>
/// The few libc calls the POSIX tests make to observe the parent: fd flags and process liveness.
/// Plain blittable <see cref="DllImportAttribute"/>s: the test project does not allow unsafe code,
/// which <see cref="LibraryImportAttribute"/> needs.
/// </summary>
internal static class LibC
{
    public const int F_GETFD = 1;
    public const int F_SETFD = 2;
    public const int FD_CLOEXEC = 1;
    public const int ESRCH = 3;

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static extern int Fcntl(int fd, int command, int argument);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);
}
