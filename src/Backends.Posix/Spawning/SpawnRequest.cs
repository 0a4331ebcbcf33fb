using System.Globalization;
using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Posix.Interop;

namespace VirCommand.Backends.Posix.Spawning;

/// <summary>A started child as the shim returned it.</summary>
/// <param name="Pid">The child's pid; for a daemon, the intermediate process's (already exited or about to).</param>
/// <param name="PidFd">The child's pidfd; the caller owns it.</param>
/// <param name="DaemonPid">The daemon's pid as it reported it, or 0.</param>
/// <param name="Handshake">With a handshake: the pipes to release the child, or null if it ended before reaching it.</param>
internal sealed record SpawnedChild(int Pid, SafeFileHandle PidFd, int DaemonPid, HandshakePipes? Handshake);

/// <summary>The parent's ends of a handshake: the release pipe and the child's report pipe. Owned by the running plan.</summary>
internal sealed record HandshakePipes(SafeFileHandle Release, SafeFileHandle Report) : IDisposable
{
    public void Dispose()
    {
        Release.Dispose();
        Report.Dispose();
    }
}

/// <summary>
/// Flattens a command into the native shim's request — resolved path, argv, the explicit
/// environment, fds, options, ids, limits, capabilities — in one <see cref="NativeArena"/>, freed at once, and spawns it.
/// </summary>
internal static unsafe class SpawnRequest
{
    /// <summary>Spawns the child; on success the caller owns the returned pidfd (and handshake pipes).</summary>
    /// <exception cref="StartFailure">The shim reported the stage and errno of a failure; the child is already reaped.</exception>
    public static SpawnedChild Spawn(RunPlan plan, string path, ChildIo io)
    {
        var credentials = ChildCredentials.For(plan);
        // The daemon's pidfile is opened after the daemon's other steps but before its chdir to "/";
        // make it absolute so that it names the file the caller meant, from the parent's directory.
        var pidFile = plan.PidFile is { } p ? Path.GetFullPath(p) : null;
        return plan.ParentDeathSignal is null
            ? SpawnNow(plan, path, io, credentials, pidFile)
            : SpawnerThread.Invoke(() => SpawnNow(plan, path, io, credentials, pidFile));
    }

    /// <summary>Replaces the calling process with the command (<c>vc_exec</c>): the same request, run in this process.</summary>
    /// <exception cref="StartFailure">Always, if it returns at all: the stage and errno of a failure found before anything changed.</exception>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Exec(RunPlan plan, string path, ChildIo io)
    {
        SpawnNow(plan, path, io, ChildCredentials.For(plan), pidFile: null, replace: true);
        throw new InvalidOperationException("vc_exec returned without a failure.");
    }

    private static SpawnedChild SpawnNow(RunPlan plan, string path, ChildIo io, ChildCredentials? credentials, string? pidFile, bool replace = false)
    {
        // The child does not care about order: an inherited environment goes from the runtime's
        // variables straight into the arena, with no sorted copy and no NAME=value strings.
        var inherited = plan.InheritsEnvironment ? System.Environment.GetEnvironmentVariables() : null;
        var environmentCount = inherited?.Count ?? plan.Environment.Count;
        var cwd = plan.WorkingDirectory;
        var groups = credentials?.Groups;
        var limits = plan.ResourceLimits;

        using var arena = new NativeArena();
        var fds = arena.Items<NativeSpawn.FdMap>(io.ExtraFds.Count);
        for (var i = 0; i < io.ExtraFds.Count; i++)
            fds[i] = new NativeSpawn.FdMap { ParentFd = io.ExtraFds[i].Parent, ChildFd = io.ExtraFds[i].Child };
        var rlimits = arena.Items<NativeSpawn.RLimit>(limits.Count);
        if (limits.Count > 0)
        {
            var i = 0;
            foreach (var (resource, value) in limits)
                rlimits[i++] = new NativeSpawn.RLimit { Resource = (int)resource, Value = value };
        }
        var groupArray = arena.Items<uint>(groups?.Length ?? 0);
        groups.AsSpan().CopyTo(new Span<uint>(groupArray, groups?.Length ?? 0));

        var flags = 0u;
        if (plan.StartsNewSession) flags |= NativeSpawn.FlagNewSession;
        if (plan.StartsNewProcessGroup || plan.PipelineGroup == 0) flags |= NativeSpawn.FlagNewProcessGroup;
        if (plan.IsDaemon) flags |= NativeSpawn.FlagDaemonize;
        if (credentials?.Uid is not null) flags |= NativeSpawn.FlagSetUid;
        if (credentials?.Gid is not null) flags |= NativeSpawn.FlagSetGid;
        if (plan.ClearsCapabilities) flags |= NativeSpawn.FlagClearCaps;
        if (plan.SetsNoNewPrivileges) flags |= NativeSpawn.FlagNoNewPrivs;
        if (plan.RequiresHandshake) flags |= NativeSpawn.FlagHandshake;
        if (plan.Nice is not null) flags |= NativeSpawn.FlagSetNice;
        if (io.Terminal is not null) flags |= NativeSpawn.FlagTerminal;
        var cpuMaskWords = plan.CpuAffinity.Count == 0 ? 0 : (plan.CpuAffinity.Max() / 64) + 1;
        var cpuMask = arena.Items<ulong>(cpuMaskWords);
        new Span<ulong>(cpuMask, cpuMaskWords).Clear();
        foreach (var cpu in plan.CpuAffinity)
            cpuMask[cpu / 64] |= 1UL << (cpu % 64);
        var caps = 0UL;
        foreach (var cap in plan.AllowedCapabilities)
            caps |= 1UL << (int)cap;

        var request = new NativeSpawn.SpawnRequest
        {
            Path = arena.String(path),
            Argv = arena.Argv(plan.Program, plan.Arguments),
            Envp = Environment(arena, plan, inherited, environmentCount),
            Cwd = cwd is null ? null : arena.String(cwd),
            StdinFd = io.StdinFd,
            StdoutFd = io.StdoutFd,
            StderrFd = io.StderrFd,
            Fds = fds,
            FdCount = io.ExtraFds.Count,
            Umask = plan.Umask ?? -1,
            Flags = flags,
            ParentDeathSignal = (int?)plan.ParentDeathSignal ?? 0,
            RLimits = rlimits,
            RLimitCount = limits.Count,
            Uid = credentials?.Uid ?? 0,
            Gid = credentials?.Gid ?? 0,
            GroupCount = groups?.Length ?? -1,
            Groups = groupArray,
            CapsAllowed = caps,
            PidFile = pidFile is null ? null : arena.String(pidFile),
            Hook = plan.Hook?.Function ?? 0,
            HookOpaque = plan.Hook?.Opaque ?? 0,
            CpuMask = cpuMaskWords == 0 ? null : cpuMask,
            CpuMaskWords = cpuMaskWords,
            Nice = plan.Nice ?? 0,
            Cgroup = plan.Cgroup is null ? null : arena.String(plan.Cgroup),
            SchedCore = plan.RunsAlone ? -1 : plan.RunsAmong ?? 0,
            SELinuxLabel = plan.SELinuxLabel is null ? null : arena.String(plan.SELinuxLabel),
            AppArmorProfile = plan.AppArmorProfile is null ? null : arena.String(plan.AppArmorProfile),
            TerminalFd = io.TerminalSlaveFd,
            ProcessGroup = plan.PipelineGroup ?? 0,
        };
        NativeSpawn.SpawnResult result;
        if (!replace && plan.RequiresHandshake && plan.Hook is null && !plan.IsDaemon && ParkedThreads.TryTake() is { } parked)
        {
            if (SpawnParked(&request, &result, arena, parked) != 0)
                throw Failure(plan, pidFile, credentials, (StartStage)result.Stage, result.Error);
        }
        else if ((replace ? NativeSpawn.Exec(&request, &result) : NativeSpawn.Spawn(&request, &result)) != 0)
        {
            throw Failure(plan, pidFile, credentials, (StartStage)result.Stage, result.Error);
        }
        var handshake = result.HandshakeReady != 0
            ? new HandshakePipes(new SafeFileHandle(result.ReleaseFd, ownsHandle: true), new SafeFileHandle(result.ReportFd, ownsHandle: true))
            : null;
        return new SpawnedChild(result.Pid, new SafeFileHandle(result.PidFd, ownsHandle: true), result.DaemonPid, handshake);
    }

    /// <summary>
    /// A handshake without a fork (<c>vc_parked_*</c>): the clone is made by a parked thread, which sleeps in it
    /// until the child has exec'd or exited, while this thread waits only for the child to reach the handshake.
    /// The request's strings and arrays (the arena) go with the run and are freed once the clone returned.
    /// </summary>
    private static int SpawnParked(NativeSpawn.SpawnRequest* request, NativeSpawn.SpawnResult* result, NativeArena arena, ParkedThreads.Parked parked)
    {
        if (NativeSpawn.ParkedPrepare(request, result, out var handle) != 0)
        {
            parked.Return();
            return -1;
        }
        var owned = arena.Detach();
        parked.Run(() =>
        {
            NativeSpawn.ParkedRun(handle);
            owned.Dispose();
        });
        return NativeSpawn.ParkedWait(handle, result);
    }

    /// <summary>Turns a stage and errno from the child into a failure whose message says what was being done.</summary>
    public static StartFailure Failure(RunPlan plan, string? pidFile, ChildCredentials? credentials, StartStage stage, int error) => stage switch
    {
        // The hook's return value is not an errno: it goes in the message, and Errno stays 0.
        StartStage.Hook => new StartFailure(stage, 0, $"the pre-exec hook returned {error} ({plan.Hook?.Description})"),
        StartStage.PidFile when error == Syscalls.EAGAIN =>
            new StartFailure(stage, error, $"the pidfile '{pidFile}' is locked by a running daemon{LockHolder(pidFile)}"),
        StartStage.PidFile => new StartFailure(stage, error, $"cannot create, lock or write the pidfile '{pidFile}'"),
        StartStage.Uid => new StartFailure(stage, error, $"setresuid({credentials?.Uid})"),
        StartStage.Gid => new StartFailure(stage, error, $"setresgid({credentials?.Gid})"),
        StartStage.Groups => new StartFailure(stage, error, $"setgroups({string.Join(',', credentials?.Groups ?? [])})"),
        StartStage.ResourceLimit => new StartFailure(stage, error,
            "setting " + string.Join(", ", plan.ResourceLimits.Select(l => $"{l.Key}={(l.Value == ResourceLimit.Unlimited ? "unlimited" : l.Value.ToString(CultureInfo.InvariantCulture))}"))),
        StartStage.CpuAffinity => new StartFailure(stage, error, $"sched_setaffinity({string.Join(',', plan.CpuAffinity)})"),
        StartStage.Priority => new StartFailure(stage, error, $"setpriority(nice {plan.Nice})"),
        StartStage.Cgroup when error == Syscalls.EINVAL && plan.Hook is not null => new StartFailure(stage, error,
            $"the cgroup '{plan.Cgroup}' cannot be combined with a pre-exec hook: the hook's child comes from glibc's fork(), which cannot start it in a cgroup"),
        StartStage.Cgroup => new StartFailure(stage, error, CgroupDetail(plan.Cgroup, error)),
        StartStage.CoreScheduling => new StartFailure(stage, error, plan.RunsAlone
            ? "prctl(PR_SCHED_CORE, CREATE): a core scheduling group of its own" + CoreSchedulingHint(error)
            : $"prctl(PR_SCHED_CORE, SHARE_FROM, {plan.RunsAmong}): the core scheduling group of pid {plan.RunsAmong}" + CoreSchedulingHint(error)),
        StartStage.SELinuxLabel => new StartFailure(stage, error, $"writing the SELinux label '{plan.SELinuxLabel}' to /proc/thread-self/attr/exec" + LsmHint(error, "SELinux")),
        StartStage.AppArmorProfile => new StartFailure(stage, error, $"writing 'exec {plan.AppArmorProfile}' to /proc/thread-self/attr/apparmor/exec (or attr/exec)" + LsmHint(error, "AppArmor")),
        StartStage.Terminal => new StartFailure(stage, error, "making the pseudo-terminal the child's controlling terminal (TIOCSCTTY)"),
        StartStage.Handshake when error == Syscalls.ECANCELED => new StartFailure(stage, error, "the parent closed the handshake without releasing the child"),
        _ => new StartFailure(stage, error),
    };

    private static string CgroupDetail(string? cgroup, int error) => $"starting the child in the cgroup '{cgroup}' (clone3 with CLONE_INTO_CGROUP)" + error switch
    {
        Syscalls.ENOSYS => ": this kernel or its seccomp filter has no clone3 (Linux 5.3)",
        Syscalls.E2BIG => ": this kernel has no CLONE_INTO_CGROUP (Linux 5.7)",
        Syscalls.EBADF => ": the directory is not a cgroup of a cgroup v2 hierarchy",
        Syscalls.EBUSY => ": the cgroup has controllers enabled for its children, so it may hold no process itself",
        _ => "",
    };

    private static string CoreSchedulingHint(int error) => error switch
    {
        Syscalls.EINVAL => " (this kernel has no core scheduling: CONFIG_SCHED_CORE, Linux 5.14)",
        Syscalls.ENODEV => " (this machine has no SMT, so core scheduling does not apply)",
        _ => "",
    };

    private static string LsmHint(int error, string lsm) =>
        error == Syscalls.EINVAL ? $" ({lsm} is not active on this kernel, or refuses the label)" : "";

    private static string LockHolder(string? pidFile)
    {
        try
        {
            var text = pidFile is null ? "" : File.ReadAllText(pidFile).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? $" (pid {pid})" : "";
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static byte** Environment(NativeArena arena, RunPlan plan, System.Collections.IDictionary? inherited, int count)
    {
        var envp = (byte**)arena.Items<nint>(count + 1);
        var i = 0;
        if (inherited is null)
        {
            foreach (var variable in plan.Environment)
                envp[i++] = arena.Pair(variable.Name, variable.Value);
        }
        else
        {
            // The enumerator's Key and Value: foreach would box a DictionaryEntry per variable.
            var e = inherited.GetEnumerator();
            while (e.MoveNext())
                envp[i++] = arena.Pair((string)e.Key, (string?)e.Value ?? "");
        }
        envp[i] = null;
        return envp;
    }
}
