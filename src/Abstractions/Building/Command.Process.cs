namespace VirCommand;

public sealed partial class Command
{
    private Dictionary<ResourceLimitKind, ulong> _limits = [];

    /// <summary>The child's working directory, or null for the parent's.</summary>
    public string? WorkingDirectory { get; private set; }

    /// <summary>The umask applied in the child, or null to keep the parent's.</summary>
    public int? Umask { get; private set; }

    /// <summary>True when the command runs as a daemon (<see cref="Daemonize"/>).</summary>
    public bool IsDaemon { get; private set; }

    /// <summary>The daemon's pidfile, or null.</summary>
    public string? PidFile { get; private set; }

    /// <summary>The resource limits to set in the child: soft and hard limit both get the value.</summary>
    public IReadOnlyDictionary<ResourceLimitKind, ulong> ResourceLimits => _limits;

    /// <summary>True when the child calls <c>setsid</c> (<see cref="NewSession"/>).</summary>
    public bool StartsNewSession { get; private set; }

    /// <summary>True when the child leads a new process group (<see cref="NewProcessGroup"/>).</summary>
    public bool StartsNewProcessGroup { get; private set; }

    /// <summary>True when the child is alone in a process group, by a new session (its own, or a pseudo-terminal's) or a new group, so that signals can go to the whole group.</summary>
    public bool HasOwnProcessGroup => StartsNewSession || StartsNewProcessGroup || PseudoTerminal is not null;

    /// <summary>The signal the child gets when the parent dies, or null.</summary>
    public Signal? ParentDeathSignal { get; private set; }

    /// <summary>Runs the child in <paramref name="path"/> (<c>virCommandSetWorkingDirectory</c>). It can be set once, and not for a daemon (which runs in <c>/</c>).</summary>
    /// <exception cref="ArgumentException">The path is empty, or contains NUL or a lone surrogate.</exception>
    /// <exception cref="InvalidOperationException">A working directory is already set, or the command is a daemon.</exception>
    public Command SetWorkingDirectory(string path)
    {
        Validate.ChildString(path, nameof(path));
        if (path.Length == 0)
            throw new ArgumentException("The working directory must not be empty.", nameof(path));
        return Set(() =>
        {
            if (WorkingDirectory is not null)
                throw new InvalidOperationException($"The working directory is already set to '{WorkingDirectory}'; it can be set once.");
            if (IsDaemon)
                throw new InvalidOperationException("A daemon always runs in '/': it cannot have a working directory.");
            WorkingDirectory = path;
        });
    }

    /// <summary>Sets the child's umask; 0 is a real value, unlike in libvirt (<c>virCommandSetUmask</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The mask is outside 0 to 0777 (octal).</exception>
    public Command SetUmask(int mask)
    {
        if (mask is < 0 or > 0x1FF)
            throw new ArgumentOutOfRangeException(nameof(mask), mask, "The umask must be between 0 and 0777 (octal, 511 decimal).");
        return Set(() => Umask = mask);
    }

    /// <summary>
    /// Runs the command as a daemon (<c>virCommandDaemonize</c>): double fork, new session, cwd <c>/</c>,
    /// stdio not captured. A run returns when the intermediate process has exited and, with a pidfile,
    /// after the daemon wrote it; its pid is the intermediate process's. Disposing or aborting never
    /// kills the daemon.
    /// </summary>
    /// <exception cref="InvalidOperationException">A working directory or an output capture is set.</exception>
    public Command Daemonize() => Set(() =>
    {
        if (WorkingDirectory is not null)
            throw new InvalidOperationException($"A daemon always runs in '/': the working directory '{WorkingDirectory}' is set.");
        if (ServedByTheRun(Output) || ServedByTheRun(Error))
            throw new InvalidOperationException("A daemon's output cannot be captured or pumped: an output or error buffer, stream or tee is set.");
        if (Input.Kind == StdioKind.Stream)
            throw new InvalidOperationException("A daemon's stdin cannot be fed from a stream or source: it outlives the run that would pump it. Use an input buffer or file.");
        if (ParentDeathSignal is not null)
            throw new InvalidOperationException($"A daemon outlives its parent by design: the parent-death signal {ParentDeathSignal} is set.");
        if (PseudoTerminal is not null)
            throw new InvalidOperationException("A daemon leaves every terminal behind by design: a pseudo-terminal is set.");
        IsDaemon = true;
    });

    /// <summary>
    /// Has the daemon write its pid to <paramref name="path"/> (<c>virCommandSetPidFile</c>): created
    /// 0644, write-locked for the daemon's life, the pid with no newline. Needs <see cref="Daemonize"/>
    /// before the command runs.
    /// </summary>
    /// <exception cref="ArgumentException">The path is empty, or contains NUL or a lone surrogate.</exception>
    /// <exception cref="InvalidOperationException">A pidfile is already set.</exception>
    public Command SetPidFile(string path)
    {
        Validate.ChildString(path, nameof(path));
        if (path.Length == 0)
            throw new ArgumentException("The pidfile path must not be empty.", nameof(path));
        return Set(() =>
        {
            if (PidFile is not null)
                throw new InvalidOperationException($"The pidfile is already set to '{PidFile}'.");
            PidFile = path;
        });
    }

    /// <summary>
    /// Sets a resource limit exactly (soft = hard = <paramref name="value"/>); 0 is real, and
    /// <see cref="ResourceLimit.Unlimited"/> (<see cref="ulong.MaxValue"/>, RLIM_INFINITY, the kernel's only
    /// special value) lifts it. A value the kernel refuses (above <c>fs.nr_open</c> for open files, or
    /// above the parent's hard limit without CAP_SYS_RESOURCE) fails the start at <see cref="StartStage.ResourceLimit"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined <see cref="ResourceLimitKind"/>.</exception>
    public Command SetResourceLimit(ResourceLimitKind kind, ulong value)
    {
        if (!Enum.IsDefined(kind))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown resource limit.");
        return Set(() => _limits[kind] = value);
    }

    /// <summary>Sets RLIMIT_NOFILE to exactly <paramref name="value"/> (libvirt adds 1; we don't) (<c>virCommandSetMaxFiles</c>).</summary>
    public Command SetMaxFiles(ulong value) => SetResourceLimit(ResourceLimitKind.OpenFiles, value);

    /// <summary>Sets RLIMIT_NPROC (<c>virCommandSetMaxProcesses</c>).</summary>
    public Command SetMaxProcesses(ulong value) => SetResourceLimit(ResourceLimitKind.Processes, value);

    /// <summary>Sets RLIMIT_MEMLOCK in bytes (<c>virCommandSetMaxMemLock</c>).</summary>
    public Command SetMaxMemLock(ulong bytes) => SetResourceLimit(ResourceLimitKind.LockedMemory, bytes);

    /// <summary>Sets RLIMIT_CORE in bytes (<c>virCommandSetMaxCoreSize</c>).</summary>
    public Command SetMaxCoreSize(ulong bytes) => SetResourceLimit(ResourceLimitKind.CoreSize, bytes);

    /// <summary>Starts the child in a new session with <c>setsid</c>, which also makes a new process group (beyond libvirt).</summary>
    public Command NewSession() => Set(() => StartsNewSession = true);

    /// <summary>Makes the child the leader of a new process group, so that cancellation and abort reach its children too (beyond libvirt).</summary>
    public Command NewProcessGroup() => Set(() => StartsNewProcessGroup = true);

    /// <summary>Sends <paramref name="signal"/> to the child when the parent dies (beyond libvirt).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="signal"/> is not a defined <see cref="Signal"/> (signal 0, which the kernel reads as "none", included).</exception>
    /// <exception cref="InvalidOperationException">The command is a daemon.</exception>
    public Command SetParentDeathSignal(Signal signal)
    {
        if (!Enum.IsDefined(signal))
            throw new ArgumentOutOfRangeException(nameof(signal), signal, "Unknown signal.");
        return Set(() =>
        {
            if (IsDaemon)
                throw new InvalidOperationException("A daemon outlives its parent by design: it cannot have a parent-death signal.");
            ParentDeathSignal = signal;
        });
    }
}
