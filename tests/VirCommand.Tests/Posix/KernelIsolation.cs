using System.Runtime.InteropServices;

namespace VirCommand.Tests.Posix;

/// <summary>
/// What this kernel offers for core scheduling, security labels and cgroup v2, found the way the tests'
/// subjects would find it (prctl, the LSM's own files, the mount table): the tests of those features prove
/// the success path where it is offered, and otherwise the failure the kernel gives, with its errno.
/// </summary>
internal static partial class KernelIsolation
{
    private const int EINVAL = 22;
    private const int ENODEV = 19;

    /// <summary>Null when <c>PR_SCHED_CORE</c> can create a group here; else why not, and the errno the kernel answers with.</summary>
    public static (string Reason, int Errno)? CoreSchedulingMissing { get; } = FindCoreSchedulingMissing();

    /// <summary>Null when SELinux is active; else why not (a write to attr/exec then fails with EINVAL).</summary>
    public static string? SELinuxMissing { get; } = FindLsmMissing("selinux");

    /// <summary>Null when AppArmor is active; else why not.</summary>
    public static string? AppArmorMissing { get; } = FindLsmMissing("apparmor");

    /// <summary>The mount point of the cgroup v2 hierarchy, or null when none is mounted.</summary>
    public static string? CgroupMount { get; } = OperatingSystem.IsLinux()
        ? File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(" - ")).Where(p => p.Length == 2 && p[1].StartsWith("cgroup2 ", StringComparison.Ordinal))
            .Select(p => p[0].Split(' ')[4]).FirstOrDefault()
        : null;

    /// <summary>The cgroup path of <paramref name="directory"/> under <see cref="CgroupMount"/>, as /proc/PID/cgroup shows it.</summary>
    public static string CgroupPath(string directory)
    {
        var relative = Path.GetRelativePath(CgroupMount ?? "/", directory);
        return relative == "." ? "/" : "/" + relative;
    }

    /// <summary>The calling thread's core scheduling cookie as the probe prints it: 16 hex digits, or "unsupported".</summary>
    public static string SchedCoreCookie() =>
        Prctl(62, 0, 0, 0, out var cookie) == 0 ? cookie.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) : "unsupported";

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, out ulong arg5);

    private static (string, int)? FindCoreSchedulingMissing()
    {
        if (!OperatingSystem.IsLinux())
            return ("needs Linux", EINVAL);
        // PR_SCHED_CORE_GET on this thread: the probe libvirt's virProcessSchedCoreAvailable makes.
        if (Prctl(62, 0, 0, 0, out _) != 0)
            return ($"this kernel has no core scheduling (CONFIG_SCHED_CORE; prctl(PR_SCHED_CORE) gave errno {Marshal.GetLastPInvokeError()})", EINVAL);
        var smt = "/sys/devices/system/cpu/smt/active";
        if (!File.Exists(smt) || File.ReadAllText(smt).Trim() != "1")
            return ("this machine has no active SMT, so the kernel refuses core scheduling groups (ENODEV)", ENODEV);
        return null;
    }

    private static string? FindLsmMissing(string lsm)
    {
        if (!OperatingSystem.IsLinux())
            return "needs Linux";
        var lsms = "/sys/kernel/security/lsm";
        if (File.Exists(lsms) && !File.ReadAllText(lsms).Split(',').Contains(lsm))
            return $"{lsm} is not among this kernel's active LSMs ({lsms})";
        // Active means in use, not merely built in: SELinux with its filesystem mounted (a policy loaded),
        // AppArmor with its module enabled.
        return lsm == "selinux"
            ? File.Exists("/sys/fs/selinux/enforce") ? null : "SELinux is not active on this kernel (no /sys/fs/selinux/enforce: no policy loaded)"
            : File.Exists("/sys/module/apparmor/parameters/enabled") && File.ReadAllText("/sys/module/apparmor/parameters/enabled").Trim() == "Y"
                ? null : "AppArmor is not active on this kernel (/sys/module/apparmor/parameters/enabled is not Y)";
    }
}

/// <summary>A test that needs core scheduling (CONFIG_SCHED_CORE and SMT); it says why when it skips.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CoreSchedulingFactAttribute : FactAttribute
{
    public CoreSchedulingFactAttribute() => Skip = KernelIsolation.CoreSchedulingMissing?.Reason;
}

/// <summary>A test that needs an active LSM (<c>selinux</c> or <c>apparmor</c>); it says why when it skips.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LsmFactAttribute : FactAttribute
{
    public LsmFactAttribute(string lsm) => Skip = lsm == "selinux" ? KernelIsolation.SELinuxMissing : KernelIsolation.AppArmorMissing;
}
