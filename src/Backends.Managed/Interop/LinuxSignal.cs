using System.Runtime.InteropServices;

namespace VirCommand.Backends.Managed.Interop;

/// <summary>
/// The one system call the managed backend makes itself: <see cref="System.Diagnostics.Process"/> can
/// only SIGKILL, and a graceful stop needs the command's own signal. Linux only, where the numbers
/// of <see cref="Signal"/> are the kernel's.
/// </summary>
internal static partial class LinuxSignal
{
    /// <summary>True where signals can be sent.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; a process that is already gone is not an error.</summary>
    public static void Send(int pid, Signal signal) => _ = Kill(pid, (int)signal);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
