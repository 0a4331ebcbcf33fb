using System.Runtime.InteropServices;

namespace VirCommand.Backends.Posix;

/// <summary>Whether the POSIX backend can run on this machine, and if not, why.</summary>
public static partial class PosixSupport
{
    private const long SysPidfdOpen = 434; // the same number on every Linux architecture
    private const int ENOSYS = 38;
    private const int ECHILD = 10;
    private const int PPidfd = 3;
    private const int WExited = 4;
    private const int WNoHang = 1;

    private static readonly Lazy<(bool Available, string Reason)> s_check = new(Check);

    /// <summary>True when this is Linux, the native library loads, and the kernel has pidfds it can wait on (5.4 or later).</summary>
    public static bool IsAvailable => s_check.Value.Available;

    /// <summary>Why the backend is or is not available, in one sentence for a log.</summary>
    public static string Reason => s_check.Value.Reason;

    private static (bool, string) Check()
    {
        if (!OperatingSystem.IsLinux())
            return (false, $"this is not Linux ({RuntimeInformation.OSDescription})");
        if (!NativeLibrary.TryLoad(Interop.NativeSpawn.Library, typeof(PosixSupport).Assembly, DllImportSearchPath.AssemblyDirectory, out var library))
            return (false, $"its native library {Interop.NativeSpawn.Library}.so did not load (looked beside the application in {AppContext.BaseDirectory} and in its runtimes/<rid>/native folders; a NuGet package carries it for linux-x64, linux-arm64, linux-musl-x64 and linux-musl-arm64)");
        if (!NativeLibrary.TryGetExport(library, "vc_spawn", out _))
            return (false, $"its native library {Interop.NativeSpawn.Library}.so lacks vc_spawn (a stale build?)");
        var pidfd = PidfdOpen(SysPidfdOpen, Environment.ProcessId, 0);
        if (pidfd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return (false, errno == ENOSYS
                ? $"the kernel ({Environment.OSVersion.Version}) has no pidfd_open: Linux 5.4 or later is needed"
                : $"pidfd_open is refused here ({Marshal.GetPInvokeErrorMessage(errno)}, errno {errno}; a seccomp filter?)");
        }
        // waitid(P_PIDFD), with which the backend reaps every child, came a release after pidfd_open (5.4): our own pidfd
        // is no child of ours, so a kernel that knows P_PIDFD says ECHILD, an older one EINVAL.
        var waitErrno = WaitidProbe((int)pidfd);
        _ = Close((int)pidfd);
        if (waitErrno != ECHILD)
            return (false, $"the kernel ({Environment.OSVersion.Version}) cannot wait on a pidfd (waitid errno {waitErrno}): Linux 5.4 or later is needed");
        return (true, $"Linux {Environment.OSVersion.Version} with pidfds, and {Interop.NativeSpawn.Library}.so loaded");
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long PidfdOpen(long number, int pid, uint flags);

    private static unsafe int WaitidProbe(int pidfd)
    {
        var info = stackalloc byte[128]; // siginfo_t
        return Waitid(PPidfd, pidfd, info, WExited | WNoHang) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    [LibraryImport("libc", EntryPoint = "waitid", SetLastError = true)]
    private static unsafe partial int Waitid(int idType, int id, byte* info, int options);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
