namespace VirCommand;

public sealed partial class Command
{
    /// <summary>The largest CPU number <see cref="SetCpuAffinity"/> accepts (the kernel's <c>NR_CPUS</c> ceiling).</summary>
    public const int MaxCpu = 8191;

    private int[] _cpuAffinity = [];

    /// <summary>The CPUs the child may run on, ascending without repeats; empty to keep the parent's affinity.</summary>
    public IReadOnlyList<int> CpuAffinity => _cpuAffinity;

    /// <summary>The child's nice value (-20 to 19), or null to keep the parent's.</summary>
    public int? Nice { get; private set; }

    /// <summary>
    /// Pins the child to <paramref name="cpus"/> (<c>sched_setaffinity</c> in the child, before exec; libvirt
    /// drivers do this with <c>virProcessSetAffinity</c> after the handshake). Replaces an earlier set. A set
    /// the kernel refuses (no CPU of it online, or outside the child's cpuset) fails the start at
    /// <see cref="StartStage.CpuAffinity"/> with its errno (EINVAL).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="cpus"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="cpus"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A CPU number is negative or above <see cref="MaxCpu"/>.</exception>
    public Command SetCpuAffinity(params IEnumerable<int> cpus)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        var set = new SortedSet<int>();
        foreach (var cpu in cpus)
        {
            if (cpu is < 0 or > MaxCpu)
                throw new ArgumentOutOfRangeException(nameof(cpus), cpu, $"A CPU number must be between 0 and {MaxCpu}.");
            set.Add(cpu);
        }
        if (set.Count == 0)
            throw new ArgumentException("The CPU set must not be empty: a process must be allowed to run somewhere.", nameof(cpus));
        return Set(() => _cpuAffinity = [.. set]);
    }

    /// <summary>
    /// Sets the child's nice value (<c>setpriority(PRIO_PROCESS)</c> in the child, before its ids change, so that
    /// a privileged parent can give an unprivileged child a raised priority). A value below the parent's without
    /// CAP_SYS_NICE (or beyond RLIMIT_NICE) fails the start at <see cref="StartStage.Priority"/> with EACCES.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nice"/> is outside -20 to 19.</exception>
    public Command SetNice(int nice)
    {
        if (nice is < -20 or > 19)
            throw new ArgumentOutOfRangeException(nameof(nice), nice, "The nice value must be between -20 (highest priority) and 19 (lowest).");
        return Set(() => Nice = nice);
    }
}
