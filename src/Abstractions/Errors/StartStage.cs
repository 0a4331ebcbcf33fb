namespace VirCommand;

/// <summary>
/// The step of starting a command that failed. Stages up to <see cref="Fork"/> run in the
/// parent; the rest run in the child between fork and exec, in the order listed, and are
/// reported back by the child together with its errno (how depends on the backend).
/// </summary>
/// <remarks>The numeric values are shared with the native shim (<c>vircommand_spawn.h</c>): never renumber.</remarks>
public enum StartStage
{
    /// <summary>No failure.</summary>
    None = 0,
    /// <summary>Resolving the program on the parent's PATH.</summary>
    Resolve = 1,
    /// <summary>Creating pipes or opening <c>/dev/null</c> in the parent.</summary>
    Pipe = 2,
    /// <summary>Forking the child.</summary>
    Fork = 3,
    /// <summary>Resetting signal handlers and the signal mask in the child.</summary>
    Signals = 4,
    /// <summary>Starting a new session or process group.</summary>
    Session = 5,
    /// <summary>Setting the parent-death signal.</summary>
    ParentDeathSignal = 6,
    /// <summary>
    /// Connecting stdin, stdout and stderr: opening a file given by path, in the parent before anything is
    /// spawned (the detail names the file and the stream), or placing the fds in the child.
    /// </summary>
    Stdio = 7,
    /// <summary>Placing passed file descriptors at their child numbers.</summary>
    PassFds = 8,
    /// <summary>Closing every other file descriptor.</summary>
    CloseFds = 9,
    /// <summary>Setting a resource limit.</summary>
    ResourceLimit = 10,
    /// <summary>Setting the umask.</summary>
    Umask = 11,
    /// <summary>The second fork and <c>setsid</c> of a daemon.</summary>
    Daemonize = 12,
    /// <summary>Creating, locking or writing the daemon's pidfile.</summary>
    PidFile = 13,
    /// <summary>The pre-exec hook returned non-zero.</summary>
    Hook = 14,
    /// <summary>Setting supplementary groups.</summary>
    Groups = 15,
    /// <summary>Setting the group id.</summary>
    Gid = 16,
    /// <summary>Setting the user id.</summary>
    Uid = 17,
    /// <summary>Dropping or keeping capabilities.</summary>
    Capabilities = 18,
    /// <summary>Setting the no_new_privs flag.</summary>
    NoNewPrivileges = 19,
    /// <summary>Changing to the working directory.</summary>
    WorkingDirectory = 20,
    /// <summary>The handshake with the parent just before exec.</summary>
    Handshake = 21,
    /// <summary>The exec call itself.</summary>
    Exec = 22,
    /// <summary>Setting the CPU affinity (<c>sched_setaffinity</c>); after <see cref="ResourceLimit"/>, before <see cref="Umask"/>.</summary>
    CpuAffinity = 23,
    /// <summary>Setting the nice value (<c>setpriority</c>); right after <see cref="CpuAffinity"/>.</summary>
    Priority = 24,
    /// <summary>
    /// Starting the child in its cgroup: opening the directory in the parent, or <c>clone3</c> refusing to
    /// create the child there. Runs in the parent, at <see cref="Fork"/>'s time: no child exists.
    /// </summary>
    Cgroup = 25,
    /// <summary>Joining a core scheduling group (<c>PR_SCHED_CORE</c>); right after <see cref="Priority"/>.</summary>
    CoreScheduling = 26,
    /// <summary>Setting the SELinux context of the exec; after <see cref="Handshake"/>, just before <see cref="Exec"/>.</summary>
    SELinuxLabel = 27,
    /// <summary>Setting the AppArmor profile of the exec; right after <see cref="SELinuxLabel"/>.</summary>
    AppArmorProfile = 28,
    /// <summary>
    /// The pseudo-terminal (<see cref="Command.SetPseudoTerminal"/>): opening it in the parent before anything is
    /// spawned, or making it the child's controlling terminal right after <see cref="Session"/>.
    /// </summary>
    Terminal = 29,
}
