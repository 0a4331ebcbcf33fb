using System.Globalization;
using System.Runtime.InteropServices;
using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>A test that needs Linux and root (uid/gid changes, capabilities, raised limits); it says why when it skips.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "needs Linux: the POSIX backend's privilege features are Linux-only";
        else if (LibC.GetEuid() != 0)
            Skip = "needs root (euid 0): it changes uid/gid, capabilities or raises limits, which only root may do";
    }
}

/// <summary>A test of the POSIX backend that only needs Linux.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "needs Linux: the POSIX backend is Linux-only";
    }
}

/// <summary>A theory about the POSIX backend, or the process model it shares with the managed one, that only needs Linux.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "needs Linux: the POSIX backend is Linux-only";
    }
}

internal static partial class LibC
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "getegid")]
    public static partial uint GetEgid();

    [StructLayout(LayoutKind.Sequential)]
    public struct Flock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    public const short F_WRLCK = 1;
    public const short F_UNLCK = 2;
    private const int F_GETLK = 5;

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlLock(SafeHandle fd, int command, ref Flock flock);

    /// <summary>Who holds a lock that would conflict with a write lock on the whole file: (type, pid).</summary>
    public static (short Type, int Pid) LockHolder(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        var flock = new Flock { Type = F_WRLCK, Whence = 0, Start = 0, Length = 0 };
        Assert.Equal(0, FcntlLock(handle, F_GETLK, ref flock));
        return (flock.Type, flock.Pid);
    }
}

/// <summary>The probe program and its report.</summary>
internal static partial class Probe
{
    public static string HookLibrary => System.IO.Path.Combine(AppContext.BaseDirectory, "libvircommand-testhook.so");

    /// <summary>The value of the first report line <c>key: value</c>.</summary>
    public static string Value(string report, string key)
    {
        foreach (var line in report.Split('\n'))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
                return line[(key.Length + 1)..].Trim();
        }
        throw new Xunit.Sdk.XunitException($"The probe report has no '{key}' line:\n{report}");
    }

    public static int Int(string report, string key) => int.Parse(Value(report, key), CultureInfo.InvariantCulture);

    public static int[] Fds(string report) =>
        Value(report, "fds").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Waits until <paramref name="path"/> holds a whole report (its last line is written).</summary>
    public static async Task<string> ReadReportAsync(string path, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var text = File.Exists(path) ? await File.ReadAllTextAsync(path) : "";
            var last = text.IndexOf("\nwinsize: ", StringComparison.Ordinal);
            if (last >= 0 && text.IndexOf('\n', last + 1) >= 0)
                return text;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"No complete probe report in {path} after the timeout; it holds:\n{text}");
            await Task.Delay(20);
        }
    }
}

/// <summary>Processes by pid, through <c>/proc</c>.</summary>
internal static class Processes
{
    /// <summary>Waits until <paramref name="pid"/> is gone or a zombie (of someone else: init reaps it, or not).</summary>
    public static async Task<bool> WaitGoneAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (ProcessInspector.IsRunning(pid))
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(20);
        }
        return true;
    }

    public static async Task KillAsync(int pid)
    {
        if (pid > 0 && ProcessInspector.IsRunning(pid))
        {
            LibC.Kill(pid, (int)Signal.SIGKILL);
            await WaitGoneAsync(pid, TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>This process's children that are zombies, i.e. that nobody reaped.</summary>
    public static int[] OurZombies()
    {
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var zombies = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            if (ProcessInspector.StatFields(pid) is { } f && f[0] == "Z" && f[1] == self)
                zombies.Add(pid);
        }
        return [.. zombies];
    }
}

/// <summary>
/// Asserts that a failure path left nothing behind: no fd of this process that was not open before,
/// and no unreaped child. Take the snapshot after a warm-up run (the runtime and the library open
/// some fds once, lazily), run the failing code, then dispose. Used in the serial collection only, so
/// that no other test opens fds or spawns children meanwhile.
/// </summary>
internal sealed class LeakCheck
{
    private readonly Dictionary<int, string> _fds = OpenFds();
    private readonly HashSet<int> _zombies = [.. Processes.OurZombies()];

    public static Dictionary<int, string> OpenFds()
    {
        var fds = new Dictionary<int, string>();
        var listing = $"/proc/{Environment.ProcessId}/fd";
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            var fd = int.Parse(System.IO.Path.GetFileName(entry), CultureInfo.InvariantCulture);
            try
            {
                // The listing's own fd is open while it is listed, at whatever number is free then: skip it.
                if (new FileInfo(entry).LinkTarget is { } target && target != listing)
                    fds[fd] = target;
            }
            catch (IOException)
            {
                // The fd that listed the directory, closed by now.
            }
        }
        return fds;
    }

    /// <summary>Waits up to 5 s for asynchronous cleanup (the event loop reaps and closes), then asserts.</summary>
    public async Task AssertCleanAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            // An assembly the runtime loads on first use, on whatever thread, keeps its fd: no leak of ours.
            var leaked = OpenFds().Where(f => (!_fds.TryGetValue(f.Key, out var target) || target != f.Value)
                && !f.Value.EndsWith(".dll", StringComparison.Ordinal)).ToList();
            var zombies = Processes.OurZombies().Where(z => !_zombies.Contains(z)).ToList();
            if (leaked.Count == 0 && zombies.Count == 0)
                return;
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"leaked fds: [{string.Join(", ", leaked.Select(f => $"{f.Key} -> {f.Value}"))}]; unreaped children: [{string.Join(", ", zombies)}]");
            }
            await Task.Delay(20);
        }
    }
}

/// <summary>A temporary directory, removed with everything in it.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vircommand-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The runner the POSIX tests share.</summary>
internal static class Posix
{
    public static PosixCommandRunner Runner { get; } = new();
}
