using System.Globalization;
using System.Text;
using VirCommand.Backends;
using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// The report <c>vircommand-probe</c> would print for a fake run, every key in the probe's order so
/// that <see cref="ProbeReport"/> parses it: what the fake recorded for the invocation where the command
/// said something, the parent's own value where the child would simply inherit it.
/// </summary>
internal static class FakeProbeReport
{
    public static string For(FakeInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var command = invocation.Plan;
        var text = new StringBuilder();
        // As probe.c prints: "key: value", except that the lists print "key:" alone when empty.
        void Line(string key, string value) => text.Append(key).Append(':').Append(value.Length == 0 && key is "fds" or "groups" or "cgroup" ? "" : " " + value).Append('\n');

        for (var i = 0; i < invocation.Argv.Count; i++)
            Line($"argv[{i}]", invocation.Argv[i]);
        foreach (var entry in invocation.Environment.Select(e => $"{e.Name}={e.Value}").Order(Utf8Order.Instance))
            Line("env", entry);

        var fds = new SortedDictionary<int, string>
        {
            [0] = Target(command.Input),
            [1] = Target(command.Output),
            [2] = command.MergesOutput ? Target(command.Output) : Target(command.Error),
        };
        foreach (var passed in invocation.PassedFds)
            fds[passed.ChildFd] = ProcessInspector.FdTarget(passed.ParentFd) ?? ""; // unknown once CloseParent closed it
        foreach (var buffer in invocation.SendBuffers)
            fds[buffer.ChildFd] = "pipe:[0]";
        Line("fds", string.Join(' ', fds.Keys));
        foreach (var (fd, target) in fds)
            Line($"fd {fd}", target);

        var pid = invocation.Pid;
        var ownSession = command.StartsNewSession || command.IsDaemon;
        Line("cwd", invocation.WorkingDirectory);
        Line("umask", command.Umask is { } umask ? Convert.ToString(umask, 8).PadLeft(4, '0') : ParentProcess.Umask);
        Line("pid", Number(pid));
        Line("ppid", Number(command.IsDaemon ? 1 : Environment.ProcessId)); // a daemon is reparented away from us
        Line("sid", Number(ownSession ? pid : ParentProcess.SessionId));
        Line("pgid", Number(ownSession || command.StartsNewProcessGroup ? pid : ParentProcess.ProcessGroupId));
        Line("uid", command.Uid is { } uid ? $"{uid} {uid} {uid}" : ParentProcess.Ids("Uid"));
        Line("gid", command.Gid is { } gid ? $"{gid} {gid} {gid}" : ParentProcess.Ids("Gid"));
        Line("groups", command.Gid is { } group ? Number(group) : ParentProcess.Groups);
        Line("caps", Capabilities(command));
        Line("no_new_privs", command.SetsNoNewPrivileges ? "1" : "0");
        Line("pdeathsig", Number((int)(command.ParentDeathSignal ?? 0)));
        Line("rlimit nofile", Limit(command, ResourceLimitKind.OpenFiles, "Max open files"));
        Line("rlimit nproc", Limit(command, ResourceLimitKind.Processes, "Max processes"));
        Line("rlimit memlock", Limit(command, ResourceLimitKind.LockedMemory, "Max locked memory"));
        Line("rlimit core", Limit(command, ResourceLimitKind.CoreSize, "Max core file size"));
        Line("cpus", command.CpuAffinity.Count > 0 ? string.Join(',', command.CpuAffinity) : ParentProcess.CpusAllowed);
        Line("nice", Number(command.Nice ?? ParentProcess.Nice));
        // The fake models a kernel that has core scheduling: a group of its own gets a cookie named after
        // the child, a group joined the cookie named after its source (as if that ran alone).
        Line("sched_core", command.RunsAlone ? $"{pid:x16}" : command.RunsAmong is { } among ? $"{among:x16}" : ParentProcess.SchedCore);
        Line("cgroup", command.Cgroup is { } cgroup ? KernelIsolation.CgroupPath(cgroup) : ParentProcess.Cgroup);
        // And an active LSM: AppArmor shows the profile with its mode.
        Line("label", command.SELinuxLabel ?? (command.AppArmorProfile is { } profile ? $"{profile} (enforce)" : ParentProcess.Label));
        Line("sigmask", "0000000000000000");
        Line("sigpipe", "default");
        // The fake's terminal has no device: it is named pts/0.
        var terminal = command.PseudoTerminal;
        Line("tty", string.Join(' ', new[] { TerminalStreams.Input, TerminalStreams.Output, TerminalStreams.Error }.Select(s => terminal?.Takes(s) == true ? "1" : "0")));
        Line("ctty", terminal is null ? "none" : "pts/0");
        Line("winsize", terminal?.Size.ToString() ?? "none");
        return text.ToString();
    }

    private static string Target(StdioTarget target) => target.Kind switch
    {
        StdioKind.Null => "/dev/null",
        StdioKind.Fd => ProcessInspector.FdTarget(target.Fd) ?? "",
        _ => "pipe:[0]",
    };

    private static string Capabilities(RunPlan command)
    {
        var bounding = ParentProcess.Capabilities("CapBnd");
        if (!command.ClearsCapabilities && command.AllowedCapabilities.Count == 0)
        {
            return $"inh={ParentProcess.Capabilities("CapInh")} prm={ParentProcess.Capabilities("CapPrm")} " +
                $"eff={ParentProcess.Capabilities("CapEff")} bnd={bounding} amb={ParentProcess.Capabilities("CapAmb")}";
        }
        var kept = command.AllowedCapabilities.Aggregate(0UL, (bits, cap) => bits | (1UL << (int)cap)).ToString("x16", CultureInfo.InvariantCulture);
        return $"inh={kept} prm={kept} eff={kept} bnd={bounding} amb={kept}";
    }

    private static string Limit(RunPlan command, ResourceLimitKind kind, string parentName)
    {
        if (!command.ResourceLimits.TryGetValue(kind, out var value))
            return ParentProcess.Limit(parentName);
        var text = value == ResourceLimit.Unlimited ? "unlimited" : value.ToString(CultureInfo.InvariantCulture);
        return $"{text} {text}";
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
