namespace VirCommand.Tests.Posix;

/// <summary>
/// A fresh child cgroup of the cgroup v2 root for one test, removed afterwards (the processes in it must
/// have ended and been reaped by then). <see cref="Missing"/> says why none can be made here.
/// </summary>
internal sealed class TestCgroup : IDisposable
{
    private TestCgroup(string path) => Path = path;

    /// <summary>Why no test cgroup can be made here, or null.</summary>
    public static string? Missing { get; } = FindMissing();

    /// <summary>The cgroup's directory.</summary>
    public string Path { get; }

    /// <summary>The cgroup's path as /proc/PID/cgroup shows it.</summary>
    public string Name => KernelIsolation.CgroupPath(Path);

    public static TestCgroup Create()
    {
        var path = System.IO.Path.Combine(KernelIsolation.CgroupMount!, "vircommand-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return new TestCgroup(path);
    }

    public void Dispose()
    {
        // A cgroup goes with rmdir (its files cannot be deleted); EBUSY while a process is still in it.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Directory.Delete(Path);
                return;
            }
            catch (IOException) when (attempt < 100)
            {
                Thread.Sleep(20);
            }
        }
    }

    private static string? FindMissing()
    {
        if (KernelIsolation.CgroupMount is null)
            return "no cgroup v2 hierarchy is mounted here";
        try
        {
            Create().Dispose();
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot create a child cgroup under {KernelIsolation.CgroupMount}: {e.Message}";
        }
    }
}

/// <summary>A test that needs a child cgroup it can create (<see cref="TestCgroup"/>); it says why when it skips.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CgroupFactAttribute : FactAttribute
{
    public CgroupFactAttribute() => Skip = OperatingSystem.IsLinux() ? TestCgroup.Missing : "needs Linux";
}
