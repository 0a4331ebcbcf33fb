namespace VirCommand;

/// <summary>
/// The settings of a command that not every backend can honour. A command's
/// <see cref="Command.RequiredFeatures"/> must be a subset of the runner's
/// <see cref="ICommandRunner.Features"/>, or the run is refused before anything is spawned.
/// </summary>
[Flags]
public enum CommandFeatures : long
{
    /// <summary>Nothing beyond program, arguments, environment, working directory, input buffer, capture and timeouts.</summary>
    None = 0,
    /// <summary><see cref="Command.PassFd(int, PassFdOptions)"/>.</summary>
    PassFds = 1L << 0,
    /// <summary>A passed fd at another number in the child.</summary>
    RemapFds = 1L << 1,
    /// <summary>Stdin, stdout or stderr connected to a caller's fd.</summary>
    CallerFds = 1L << 2,
    /// <summary>Stdin, stdout or stderr as a pipe handed back as a stream.</summary>
    StdioPipes = 1L << 3,
    /// <summary>Stdout and stderr into one pipe or capture, in the child's write order.</summary>
    MergedOutput = 1L << 4,
    /// <summary>Non-blocking parent ends of the pipes.</summary>
    NonblockingFds = 1L << 5,
    /// <summary><see cref="Command.SetSendBuffer(ReadOnlyMemory{byte})"/>.</summary>
    SendBuffers = 1L << 6,
    /// <summary><see cref="Command.SetUmask"/>.</summary>
    Umask = 1L << 7,
    /// <summary><see cref="Command.Daemonize"/>.</summary>
    Daemonize = 1L << 8,
    /// <summary><see cref="Command.SetPidFile"/>.</summary>
    PidFile = 1L << 9,
    /// <summary><see cref="Command.SetResourceLimit"/> and the SetMax* calls.</summary>
    ResourceLimits = 1L << 10,
    /// <summary><see cref="Command.NewSession"/>.</summary>
    NewSession = 1L << 11,
    /// <summary><see cref="Command.NewProcessGroup"/>.</summary>
    NewProcessGroup = 1L << 12,
    /// <summary><see cref="Command.SetParentDeathSignal"/>.</summary>
    ParentDeathSignal = 1L << 13,
    /// <summary><see cref="Command.SetUid"/> and <see cref="Command.SetGid"/>.</summary>
    Credentials = 1L << 14,
    /// <summary><see cref="Command.ClearCaps"/> and <see cref="Command.AllowCap"/>.</summary>
    Capabilities = 1L << 15,
    /// <summary><see cref="Command.SetNoNewPrivileges"/>.</summary>
    NoNewPrivileges = 1L << 16,
    /// <summary><see cref="Command.SetPreExecHook"/>.</summary>
    PreExecHook = 1L << 17,
    /// <summary><see cref="Command.RequireHandshake"/>.</summary>
    Handshake = 1L << 18,
    /// <summary><see cref="Command.RawStatus"/>: telling exit codes and signals apart.</summary>
    RawStatus = 1L << 19,
    /// <summary>
    /// Signals other than SIGKILL: a graceful signal on timeout, cancellation and abort, and any signal
    /// through <see cref="IRunningCommand.SignalAsync"/>.
    /// </summary>
    GracefulSignal = 1L << 20,
    /// <summary>
    /// Every fd the command did not pass is closed in the child, even one the parent opened without
    /// close-on-exec (by native code, say). A guarantee of the backend rather than a setting: no command
    /// requires it, since every command gets it where the backend has it; code that must not leak fds
    /// into children checks <see cref="ICommandRunner.Features"/> for it.
    /// </summary>
    CloseOtherFds = 1L << 21,
    /// <summary>
    /// The child starts with every signal at its default action and none blocked, whatever the parent
    /// ignores or blocks: SIGPIPE above all, which .NET ignores in its own process, and a child that
    /// inherited that keeps writing to a pipe whose reader is gone (<c>yes | head</c> prints "Broken
    /// pipe" and exits 1 instead of dying quietly). A guarantee of the backend, like <see cref="CloseOtherFds"/>.
    /// </summary>
    DefaultSignals = 1L << 22,
    /// <summary><see cref="Command.SetCpuAffinity"/>.</summary>
    CpuAffinity = 1L << 23,
    /// <summary><see cref="Command.SetNice"/>.</summary>
    Priority = 1L << 24,
    /// <summary><see cref="Command.SetRunAlone"/> and <see cref="Command.SetRunAmong"/>.</summary>
    CoreScheduling = 1L << 25,
    /// <summary><see cref="Command.SetCgroup"/>.</summary>
    Cgroup = 1L << 26,
    /// <summary><see cref="Command.SetSELinuxLabel"/> and <see cref="Command.SetAppArmorProfile"/>.</summary>
    SecurityLabels = 1L << 27,
    /// <summary><see cref="Command.SetPseudoTerminal"/>.</summary>
    PseudoTerminal = 1L << 28,
    /// <summary>
    /// <see cref="Pipeline"/>s, run through <see cref="ICommandRunner.RunAsync(Pipeline, CancellationToken)"/>
    /// and <see cref="ICommandRunner.StartAsync(Pipeline, CancellationToken)"/>. A property of the runner, not
    /// of a command: no command requires it.
    /// </summary>
    Pipelines = 1L << 29,
    /// <summary>Every feature.</summary>
    All = (1L << 30) - 1,
}
