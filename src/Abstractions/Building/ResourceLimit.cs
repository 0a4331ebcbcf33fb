namespace VirCommand;

/// <summary>The resource limits a command can set; soft and hard limit both get the value asked.</summary>
public enum ResourceLimitKind
{
    /// <summary>RLIMIT_NOFILE: the number of open files.</summary>
    OpenFiles,
    /// <summary>RLIMIT_NPROC: the number of processes of the user.</summary>
    Processes,
    /// <summary>RLIMIT_MEMLOCK: bytes of locked memory.</summary>
    LockedMemory,
    /// <summary>RLIMIT_CORE: the largest core file, in bytes.</summary>
    CoreSize,
}

/// <summary>Values for resource limits.</summary>
public static class ResourceLimit
{
    /// <summary>No limit (RLIM_INFINITY).</summary>
    public const ulong Unlimited = ulong.MaxValue;
}
