using System.Runtime.InteropServices;

namespace VirCommand.Benchmarks.Interop;

/// <summary>Raw fds for P2: RLIMIT_NOFILE (raising the soft limit to the hard one) and open/close without .NET's file layer.</summary>
internal static partial class FdLimit
{
    private const int RLIMIT_NOFILE = 7;
    private const int O_RDONLY = 0;
    private const int O_CLOEXEC = 0x80000;
    private const int F_DUPFD_CLOEXEC = 1030;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    /// <summary>
    /// Makes sure that <paramref name="needed"/> more fds can be opened from <paramref name="from"/> up,
    /// raising the soft limit up to the hard limit if needed.
    /// </summary>
    /// <exception cref="InvalidOperationException">Even the hard limit is too low.</exception>
    public static void EnsureRoomFor(int needed, int from)
    {
        var wanted = (ulong)(Math.Max(HighestOpenFd(), from) + needed + 64);
        if (GetRLimit(RLIMIT_NOFILE, out var limit) != 0)
            throw new InvalidOperationException($"getrlimit(RLIMIT_NOFILE) failed: {Marshal.GetLastPInvokeErrorMessage()}");
        if (limit.Current >= wanted)
            return;
        if (limit.Max < wanted)
            throw new InvalidOperationException($"RLIMIT_NOFILE hard limit {limit.Max} is below the {wanted} fds needed; raise it (ulimit -Hn).");
        limit.Current = limit.Max;
        if (SetRLimit(RLIMIT_NOFILE, in limit) != 0)
            throw new InvalidOperationException($"setrlimit(RLIMIT_NOFILE) failed: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>The highest fd number open in this process (a sparse fd table is copied up to it at every fork).</summary>
    public static int HighestOpenFd() =>
        Directory.GetFiles("/proc/self/fd").Select(p => int.Parse(Path.GetFileName(p), System.Globalization.CultureInfo.InvariantCulture)).Max();

    /// <summary>
    /// Opens <paramref name="path"/> read-only and close-on-exec with open(2) and moves it to the lowest free
    /// fd from <paramref name="from"/> up, exactly as the raw C loop does. Not <see cref="File.OpenHandle"/>:
    /// that also takes a shared flock on each fd, which would measure the kernel's flock list of
    /// <c>/dev/null</c> rather than the number of open fds.
    /// </summary>
    public static int OpenReadOnlyFrom(string path, int from)
    {
        var fd = Open(path, O_RDONLY | O_CLOEXEC);
        var high = fd < 0 ? -1 : Fcntl(fd, F_DUPFD_CLOEXEC, from);
        var error = Marshal.GetLastPInvokeErrorMessage();
        if (fd >= 0)
            Close(fd);
        return high >= 0 ? high : throw new IOException($"open({path}) failed: {error}");
    }

    public static void Close(int fd) => _ = CloseFd(fd);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseFd(int fd);
}
