using System.Runtime.InteropServices;

namespace VirCommand;

/// <summary>
/// A reusable description of a child process: program, arguments, environment, file descriptors,
/// data to feed and capture, privileges and lifecycle options. It is the C# counterpart of
/// libvirt's <c>virCommand</c>, and keeps its verbs.
/// </summary>
/// <remarks>
/// <para>
/// A command is built by one owner and then run by an <see cref="ICommandRunner"/>, as many times as
/// wanted: each run reads one consistent snapshot of the description, taken when it starts, so
/// changes made afterwards affect only later runs. Every setter and the snapshot take one lock, so a
/// command changed on one thread while another runs it is never half-read: the run sees the command
/// as it was before or after each whole call (a call that throws changes nothing).
/// </para>
/// <para>
/// Invalid use throws at the call that made it (<see cref="ArgumentException"/> for a bad value,
/// <see cref="InvalidOperationException"/> for a setting that conflicts with an earlier one), so an
/// invalid command never spawns anything.
/// </para>
/// <para>
/// Dispose the command (<c>virCommandFree</c>) to close the fds passed with
/// <see cref="PassFdOptions.CloseParent"/> that no run has consumed. Disposing never touches a child
/// that is already running: that child belongs to its <see cref="IRunningCommand"/>.
/// </para>
/// </remarks>
public sealed partial class Command : IDisposable
{
    /// <summary>Taken by every setter and by <see cref="Snapshot"/>: the one guard of the description's state.</summary>
    private Lock _gate = new();
    private bool _disposed;

    /// <summary>Creates a command for <paramref name="program"/> (<c>virCommandNew</c>).</summary>
    /// <param name="program">An absolute path, or a bare name resolved on the parent's PATH when the command runs; the child's argv[0] is this string as given.</param>
    /// <exception cref="ArgumentException">The program is empty, or contains NUL or a lone surrogate.</exception>
    public Command(string program)
    {
        Validate.ChildString(program, nameof(program));
        if (program.Length == 0)
            throw new ArgumentException("The program must not be empty.", nameof(program));
        Program = program;
    }

    /// <summary>Creates a command for <paramref name="program"/> (<c>virCommandNew</c>).</summary>
    public static Command New(string program) => new(program);

    /// <summary>Creates a command from a whole argv: the first element is the program (<c>virCommandNewArgs</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="argv"/> is empty, or an element is invalid.</exception>
    public static Command NewArgs(IEnumerable<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        var list = argv.ToList();
        if (list.Count == 0)
            throw new ArgumentException("argv must hold at least the program.", nameof(argv));
        var command = new Command(list[0]);
        return command.AddArguments(list.Skip(1).ToArray(), nameof(argv), firstIndex: 1);
    }

    /// <summary>Creates a command from the program and its arguments (<c>virCommandNewArgList</c>).</summary>
    /// <exception cref="ArgumentException">The program is empty, or an element is null or contains NUL or a lone surrogate.</exception>
    public static Command NewArgList(string program, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return new Command(program).AddArguments(args, nameof(args), firstIndex: 0);
    }

    /// <summary>The program as given: a path or a bare name.</summary>
    public string Program { get; }

    /// <summary>
    /// Every setting beyond the basics that this command uses, so that a backend that lacks one
    /// can refuse the command before it spawns anything.
    /// </summary>
    public CommandFeatures RequiredFeatures
    {
        get
        {
            var f = CommandFeatures.None;
            if (_passedFds.Count > 0) f |= CommandFeatures.PassFds;
            if (_passedFds.Any(p => p.ChildFd != p.ParentFd)) f |= CommandFeatures.RemapFds;
            if (StdioTargets().Any(t => t.Kind == StdioKind.Fd)) f |= CommandFeatures.CallerFds;
            // Files and streams the run engine pumps go through a pipe the backend makes.
            if (StdioTargets().Any(t => t.Kind is StdioKind.Pipe or StdioKind.File or StdioKind.Stream)) f |= CommandFeatures.StdioPipes;
            if (MergesOutput) f |= CommandFeatures.MergedOutput;
            if (UsesNonblockingFds) f |= CommandFeatures.NonblockingFds;
            if (_sendBuffers.Count > 0) f |= CommandFeatures.SendBuffers;
            if (Umask is not null) f |= CommandFeatures.Umask;
            if (_cpuAffinity.Length > 0) f |= CommandFeatures.CpuAffinity;
            if (Nice is not null) f |= CommandFeatures.Priority;
            if (RunsAlone || RunsAmong is not null) f |= CommandFeatures.CoreScheduling;
            if (Cgroup is not null) f |= CommandFeatures.Cgroup;
            if (SELinuxLabel is not null || AppArmorProfile is not null) f |= CommandFeatures.SecurityLabels;
            if (PseudoTerminal is not null) f |= CommandFeatures.PseudoTerminal;
            if (IsDaemon) f |= CommandFeatures.Daemonize;
            if (PidFile is not null) f |= CommandFeatures.PidFile;
            if (_limits.Count > 0) f |= CommandFeatures.ResourceLimits;
            if (StartsNewSession) f |= CommandFeatures.NewSession;
            if (StartsNewProcessGroup) f |= CommandFeatures.NewProcessGroup;
            if (ParentDeathSignal is not null) f |= CommandFeatures.ParentDeathSignal;
            if (Uid is not null || Gid is not null) f |= CommandFeatures.Credentials;
            if (ClearsCapabilities || _allowedCaps.Count > 0) f |= CommandFeatures.Capabilities;
            if (SetsNoNewPrivileges) f |= CommandFeatures.NoNewPrivileges;
            if (Hook is not null) f |= CommandFeatures.PreExecHook;
            if (RequiresHandshake) f |= CommandFeatures.Handshake;
            if (ReturnsRawStatus) f |= CommandFeatures.RawStatus;
            if (GracefulSignal is not null && GracefulSignal != Signal.SIGKILL) f |= CommandFeatures.GracefulSignal;
            return f;
        }
    }

    /// <summary>
    /// Copies this description. The copy owns none of the fds passed with
    /// <see cref="PassFdOptions.CloseParent"/>: this command still closes them.
    /// </summary>
    public Command Clone()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            var copy = CopyLocked();
            copy._passedFds = [.. _passedFds.Select(p => p with { Flags = p.Flags & ~PassFdOptions.CloseParent })];
            // Shared, not copied: fds the original closes later are gone for the copy too.
            copy._parentFds = _parentFds.ForClone();
            return copy;
        }
    }

    /// <summary>
    /// The one consistent copy of this command that a run reads, taken under the lock every setter
    /// takes: a change made meanwhile on another thread goes to a later run, never half into this one.
    /// The copy keeps the CloseParent flags and shares this command's ownership of them, so that
    /// claiming or releasing them through the copy acts on this command's.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The command is disposed.</exception>
    internal Command Snapshot()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return CopyLocked();
        }
    }

    /// <summary>A copy whose collections are its own; the caller holds <see cref="_gate"/>.</summary>
    private Command CopyLocked()
    {
        var copy = (Command)MemberwiseClone();
        copy._gate = new();
        copy._arguments = [.. _arguments];
        copy._environment = [.. _environment];
        copy._passedFds = [.. _passedFds];
        copy._sendBuffers = [.. _sendBuffers];
        copy._limits = new Dictionary<ResourceLimitKind, ulong>(_limits);
        copy._allowedCaps = [.. _allowedCaps];
        return copy;
    }

    /// <summary>Closes the fds passed with <see cref="PassFdOptions.CloseParent"/> that no run has consumed (<c>virCommandFree</c>).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        ReleaseParentFds();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>
    /// Every setter's change, with its checks against the current state, under <see cref="_gate"/>: a
    /// run's <see cref="Snapshot"/> sees it whole or not at all. The command must not be disposed.
    /// </summary>
    private Command Set(Action change)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            change();
        }
        return this;
    }

    private static int FdOf(SafeHandle handle, string paramName)
    {
        ArgumentNullException.ThrowIfNull(handle, paramName);
        if (handle.IsClosed || handle.IsInvalid)
            throw new ArgumentException("The handle is closed or invalid.", paramName);
        return checked((int)handle.DangerousGetHandle());
    }
}
