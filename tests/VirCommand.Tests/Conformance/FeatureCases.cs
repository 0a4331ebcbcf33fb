using System.Globalization;
using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// The feature table: one <see cref="FeatureCase"/> per <see cref="CommandFeatures"/> flag (a test checks
/// that none is missing), each proving with the probe what SPEC §3–§4 promises of the feature. The proofs
/// are lighter than the POSIX acceptance tests (tests/…/Posix), which go deep on one backend.
/// </summary>
/// <remarks>
/// What each proof shows of the fake, which spawns nothing: <see cref="FakeProbe"/> answers from the
/// fake's record of the run, so the report cases (PassFds, RemapFds, Umask, Daemonize, ResourceLimits,
/// NewSession, NewProcessGroup, ParentDeathSignal, Credentials, Capabilities, NoNewPrivileges,
/// CloseOtherFds) prove that the record carries each setting to what the child would see, and would
/// fail if the fake dropped or garbled it; the stream cases (CallerFds, StdioPipes, MergedOutput,
/// NonblockingFds, SendBuffers) prove the fake's own plumbing of the answer to caller fds, pipes,
/// captures and send-buffer fds; PreExecHook, Handshake, RawStatus and GracefulSignal prove its start
/// failures, handshake sequencing and exit-status and stop rules. PidFile and the SIGKILL half of
/// GracefulSignal, which only a real process can show, say in their own comment what they prove instead.
/// </remarks>
internal static class FeatureCases
{
    private const uint Nobody = 65534;

    public static IReadOnlyList<FeatureCase> All { get; } =
    [
        new(CommandFeatures.PassFds, (c, x) => c.PassFd(x.OpenFile("passed")), PassFds),
        new(CommandFeatures.RemapFds, (c, x) => c.PassFd(x.OpenFile("remapped"), ProcessInspector.UnusedFdNumber()), RemapFds),
        new(CommandFeatures.CallerFds, (c, x) => c.SetOutputFd(x.OpenFile("output")), CallerFds),
        new(CommandFeatures.StdioPipes, (c, _) => c.SetOutputPipe(), StdioPipes, RunsToCompletion: false),
        new(CommandFeatures.MergedOutput, (c, _) => c.SetMergedOutputBuffer(), MergedOutput),
        new(CommandFeatures.NonblockingFds, (c, _) => c.NonblockingFds(), NonblockingFds),
        new(CommandFeatures.SendBuffers, (c, _) => c.AddArg(c.SetSendBuffer("data"u8.ToArray()).ToString(CultureInfo.InvariantCulture)), SendBuffers),
        new(CommandFeatures.Umask, (c, _) => c.SetUmask(0x17), Umask),
        new(CommandFeatures.Daemonize, (c, _) => c.Daemonize(), Daemonize),
        new(CommandFeatures.PidFile, (c, x) => c.Daemonize().SetPidFile(x.Dir.File("refused.pid")), PidFile),
        new(CommandFeatures.ResourceLimits, (c, _) => c.SetMaxFiles(64), ResourceLimits),
        new(CommandFeatures.NewSession, (c, _) => c.NewSession(), NewSession),
        new(CommandFeatures.NewProcessGroup, (c, _) => c.NewProcessGroup(), NewProcessGroup),
        new(CommandFeatures.ParentDeathSignal, (c, _) => c.SetParentDeathSignal(Signal.SIGUSR1), ParentDeathSignal),
        new(CommandFeatures.Credentials, (c, _) => c.SetUid(Nobody), Credentials, NeedsRoot: true),
        new(CommandFeatures.Capabilities, (c, _) => c.ClearCaps(), Capabilities, NeedsRoot: true),
        new(CommandFeatures.NoNewPrivileges, (c, _) => c.SetNoNewPrivileges(), NoNewPrivileges),
        new(CommandFeatures.PreExecHook, (c, _) => c.SetPreExecHook(Hook(0)), PreExecHook),
        new(CommandFeatures.Handshake, (c, _) => c.RequireHandshake(), Handshake, RunsToCompletion: false),
        new(CommandFeatures.RawStatus, (c, _) => c.RawStatus(), RawStatus),
        new(CommandFeatures.GracefulSignal, (c, _) => c.SetGracefulSignal(Signal.SIGUSR1), GracefulSignal),
        new(CommandFeatures.CpuAffinity, (c, _) => c.SetCpuAffinity(ParentCpus[^1]), CpuAffinity),
        new(CommandFeatures.Priority, (c, _) => c.SetNice(19), Priority),
        new(CommandFeatures.CoreScheduling, (c, _) => c.SetRunAlone(), CoreScheduling),
        new(CommandFeatures.Cgroup, (c, _) => c.SetCgroup(KernelIsolation.CgroupMount ?? "/sys/fs/cgroup"), Cgroup),
        new(CommandFeatures.SecurityLabels, (c, _) => c.SetSELinuxLabel(SELinuxTestLabel), SecurityLabels),
        new(CommandFeatures.PseudoTerminal, (c, _) => c.SetPseudoTerminal(90, 30, TerminalStreams.Output | TerminalStreams.Error).SetOutputBuffer(), PseudoTerminal),
        new(CommandFeatures.CloseOtherFds, null, CloseOtherFds, ProveUnclaimed: OtherFdsReachTheChild),
        new(CommandFeatures.DefaultSignals, null, DefaultSignals, ProveUnclaimed: SigPipeIgnoredInTheChild),
        new(CommandFeatures.Pipelines, null, Pipelines, ProveUnclaimed: PipelinesRefused),
    ];

    public static FeatureCase Get(CommandFeatures feature) => All.Single(c => c.Feature == feature);

    /// <summary>SPEC §3.5: the child gets the fd at the same number, pointing at the same file; CloseParent closes the parent's copy once started.</summary>
    private static async Task PassFds(FeatureContext x)
    {
        var file = x.OpenFile("passed");
        var fd = checked((int)file.DangerousGetHandle());
        var report = await x.ReportAsync(Probe.Command().PassFd(file));
        Assert.Contains(fd, report.Fds);
        Assert.Equal(x.Dir.File("passed"), report.FdTargets[fd]);

        var owned = File.OpenHandle(x.Dir.File("owned"), FileMode.Create, FileAccess.ReadWrite);
        var ownedFd = checked((int)owned.DangerousGetHandle());
        report = await x.ReportAsync(Probe.Command().PassFd(owned, PassFdOptions.CloseParent));
        Assert.Contains(ownedFd, report.Fds);
        Assert.True(owned.IsClosed, "CloseParent left the parent's copy open");
    }

    /// <summary>SPEC §3.5: a passed fd at another number in the child, and not at its parent number.</summary>
    private static async Task RemapFds(FeatureContext x)
    {
        var file = x.OpenFile("remapped");
        var childFd = ProcessInspector.UnusedFdNumber();
        var report = await x.ReportAsync(Probe.Command().PassFd(file, childFd));
        Assert.Contains(childFd, report.Fds);
        Assert.DoesNotContain(checked((int)file.DangerousGetHandle()), report.Fds);
        Assert.Equal(x.Dir.File("remapped"), report.FdTargets[childFd]);
    }

    /// <summary>SPEC §3.5: stdout and stderr go to the caller's fds, which stay the caller's.</summary>
    private static async Task CallerFds(FeatureContext x)
    {
        var output = x.OpenFile("output");
        var error = x.OpenFile("error");
        await x.Runner.RunAsync(Probe.Command("--quiet", "--write-stderr", "to the error fd\n").SetInputBuffer("in")
            .SetOutputFd(output).SetErrorFd(error)).OrHang();
        Assert.Equal(Probe.StdoutBlock("in"), File.ReadAllText(x.Dir.File("output")));
        Assert.Equal("to the error fd\n" + Probe.StderrBlock("in"), File.ReadAllText(x.Dir.File("error")));
        Assert.False(output.IsClosed);
    }

    /// <summary>
    /// SPEC §3.5: pipes handed back as streams; stdin's end-of-file is the caller's disposal; disposing
    /// the handle with the pipes unread and unclosed still stops the child (no deadlock on a full pipe).
    /// </summary>
    private static async Task StdioPipes(FeatureContext x)
    {
        await PipeRoundTrip(x, Probe.Command("--quiet"), 256 * 1024);

        var running = await x.Runner.StartAsync(Probe.Command().SetInputPipe().SetOutputPipe().SetErrorPipe()).OrHang();
        await running.StandardInput!.WriteAsync(new byte[32 * 1024]).AsTask().OrHang();
        await running.DisposeAsync().AsTask().OrHang();
        await x.Backend.AssertStoppedAndGoneAsync(x.Runner, running.Pid);
    }

    /// <summary>SPEC §3.5: non-blocking parent ends still carry every byte through the streams.</summary>
    private static async Task NonblockingFds(FeatureContext x) => await PipeRoundTrip(x, Probe.Command("--quiet").NonblockingFds(), 64 * 1024);

    private static async Task PipeRoundTrip(FeatureContext x, Command command, int size)
    {
        var data = Probe.Binary(size, seed: 601);
        await using var running = await x.Runner.StartAsync(command.SetInputPipe().SetOutputPipe().SetErrorPipe()).OrHang();
        var stdout = ReadToEndAsync(running.StandardOutput!);
        var stderr = ReadToEndAsync(running.StandardError!);
        await running.StandardInput!.WriteAsync(data).AsTask().OrHang();
        await running.StandardInput.DisposeAsync().AsTask().OrHang();

        Assert.Equal(Probe.StdoutBlock(data), await stdout.OrHang());
        Assert.Equal(Probe.StderrBlock(data), await stderr.OrHang());
        Assert.Equal(0, (await running.WaitAsync().OrHang()).ExitCode);
    }

    /// <summary>SPEC §3.6: one capture of stdout and stderr, in the child's write order.</summary>
    private static async Task MergedOutput(FeatureContext x)
    {
        var result = await x.Runner.RunAsync(Probe.Command("--quiet", "--write-stderr", "first ").SetInputBuffer("in")
            .SetMergedOutputBuffer()).OrHang();
        Assert.Equal("first " + Probe.StdoutBlock("in") + Probe.StderrBlock("in"), result.StandardOutput);
        Assert.False(result.HasStandardError);
    }

    /// <summary>SPEC §3.6: each send buffer is read by the child at the fd number handed back, pumped with stdin.</summary>
    private static async Task SendBuffers(FeatureContext x)
    {
        var small = "first buffer"u8.ToArray();
        var large = Probe.Binary(200 * 1024, seed: 602);
        var command = Probe.Command("--quiet").SetInputBuffer("stdin").SetOutputBuffer();
        command.AddArgList("--readfd", $"{command.SetSendBuffer(small)}", "--readfd", $"{command.SetSendBuffer(large)}");

        var result = await x.Runner.RunAsync(command).OrHang();

        Assert.Equal([.. Probe.StdoutBlock("stdin"u8), .. Probe.StdoutBlock(small), .. Probe.StdoutBlock(large)], result.StandardOutputBytes.ToArray());
    }

    /// <summary>SPEC §3.3: the umask is applied in the child, 0 included.</summary>
    private static async Task Umask(FeatureContext x)
    {
        Assert.Equal("0027", (await x.ReportAsync(Probe.Command().SetUmask(0x17))).Umask);
        Assert.Equal("0000", (await x.ReportAsync(Probe.Command().SetUmask(0))).Umask);
    }

    private static IReadOnlyList<int> ParentCpus => ProbeReport.CpuList(ParentProcess.CpusAllowed);

    /// <summary>Issue 16 item 4: the child runs on exactly the CPUs asked (its Cpus_allowed_list), whatever the parent's.</summary>
    private static async Task CpuAffinity(FeatureContext x)
    {
        var last = ParentCpus[^1];
        Assert.Equal([last], (await x.ReportAsync(Probe.Command().SetCpuAffinity(last))).Cpus);
        Assert.Equal(ParentCpus, (await x.ReportAsync(Probe.Command().SetCpuAffinity(ParentCpus))).Cpus);
    }

    /// <summary>Issue 16 item 4: the child's nice value (field 19 of its /proc/self/stat) is the one asked; raising it needs no privilege.</summary>
    private static async Task Priority(FeatureContext x)
    {
        Assert.Equal(19, (await x.ReportAsync(Probe.Command().SetNice(19))).Nice);
        Assert.Equal(ParentProcess.Nice, (await x.ReportAsync(Probe.Command())).Nice);
    }

    /// <summary>
    /// Issue 16 item 4: a core scheduling group of the child's own (a cookie neither zero nor ours nor another
    /// child's), and the group of another process (one cookie for every child that joins it). Where the kernel cannot, a spawning backend fails the start at
    /// its stage with the kernel's errno; the fake models a kernel that can.
    /// </summary>
    private static async Task CoreScheduling(FeatureContext x)
    {
        if (x.Backend.Spawns && KernelIsolation.CoreSchedulingMissing is { } missing)
        {
            var error = await Assert.ThrowsAsync<CommandStartException>(() => x.Runner.RunAsync(Probe.Command("--quiet").SetRunAlone()).OrHang());
            Assert.Equal(StartStage.CoreScheduling, error.Stage);
            Assert.Equal(missing.Errno, error.Errno);
            return;
        }
        var alone = (await x.ReportAsync(Probe.Command().SetRunAlone())).SchedCore;
        Assert.NotEqual(ParentProcess.SchedCore, alone);
        Assert.NotEqual("0000000000000000", alone);
        Assert.NotEqual(alone, (await x.ReportAsync(Probe.Command().SetRunAlone())).SchedCore);

        // Two children that join the group of a third share its cookie, which is not ours.
        await using var source = await x.Runner.StartAsync(Probe.Command("--quiet", "--sleep", "60000").SetRunAlone()).OrHang();
        var among = (await x.ReportAsync(Probe.Command().SetRunAmong(source.Pid))).SchedCore;
        Assert.NotEqual(ParentProcess.SchedCore, among);
        Assert.Equal(among, (await x.ReportAsync(Probe.Command().SetRunAmong(source.Pid))).SchedCore);
    }

    /// <summary>
    /// Issue 16 item 4: the child starts in the cgroup asked (its /proc/self/cgroup). Where no test cgroup can
    /// be made, a spawning backend shows the refusal of a directory outside any cgroup v2 hierarchy instead.
    /// </summary>
    private static async Task Cgroup(FeatureContext x)
    {
        if (x.Backend.Spawns && TestCgroup.Missing is not null)
        {
            var error = await Assert.ThrowsAsync<CommandStartException>(() => x.Runner.RunAsync(Probe.Command("--quiet").SetCgroup(x.Dir.Path)).OrHang());
            Assert.Equal(StartStage.Cgroup, error.Stage);
            return;
        }
        using var cgroup = TestCgroup.Create();
        Assert.Equal(cgroup.Name, (await x.ReportAsync(Probe.Command().SetCgroup(cgroup.Path))).Cgroup);
        Assert.Equal(ParentProcess.Cgroup, (await x.ReportAsync(Probe.Command())).Cgroup);
    }

    /// <summary>Our own SELinux context where SELinux is active (a label any process may exec into), else a well-formed one.</summary>
    private static string SELinuxTestLabel => KernelIsolation.SELinuxMissing is null ? ParentProcess.Label : "system_u:system_r:vircommand_test_t:s0";

    /// <summary>
    /// Issue 16 item 2: the program runs with the SELinux label asked (its attr/current). Where SELinux is not
    /// active, a spawning backend fails the start at its stage with the kernel's EINVAL, never silently.
    /// </summary>
    private static async Task SecurityLabels(FeatureContext x)
    {
        if (x.Backend.Spawns && KernelIsolation.SELinuxMissing is not null)
        {
            var error = await Assert.ThrowsAsync<CommandStartException>(() => x.Runner.RunAsync(Probe.Command("--quiet").SetSELinuxLabel(SELinuxTestLabel)).OrHang());
            Assert.Equal(StartStage.SELinuxLabel, error.Stage);
            Assert.Equal(22, error.Errno); // EINVAL
            return;
        }
        Assert.Equal(SELinuxTestLabel, (await x.ReportAsync(Probe.Command().SetSELinuxLabel(SELinuxTestLabel))).Label);
    }

    /// <summary>
    /// Issue 14 item 2: stdout and stderr on a terminal of the size asked, which is the controlling terminal of
    /// the child's own session; stdin stays off it; its output (with the terminal's <c>\r\n</c>) is stdout's capture.
    /// </summary>
    private static async Task PseudoTerminal(FeatureContext x)
    {
        var command = Probe.Command().SetPseudoTerminal(90, 30, TerminalStreams.Output | TerminalStreams.Error).SetOutputBuffer();
        var output = (await x.Runner.RunAsync(command).OrHang()).StandardOutput;
        var report = ProbeReport.Parse(output.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Equal("0 1 1", report.Tty);
        Assert.Equal("90x30", report.WindowSize);
        Assert.StartsWith("pts/", report.ControllingTerminal, StringComparison.Ordinal);
        Assert.Equal(report.Pid, report.SessionId);
    }

    /// <summary>SPEC §3.3: the daemon runs in a new session (the intermediate's), in "/", away from us; the run returns.</summary>
    private static async Task Daemonize(FeatureContext x)
    {
        var (result, report) = await RunDaemon(x, Probe.Command().Daemonize());
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("/", report.Cwd);
        Assert.Equal(result.Pid, report.SessionId);
        Assert.NotEqual(ParentProcess.SessionId, report.SessionId);
        Assert.NotEqual(Environment.ProcessId, report.ParentPid);
    }

    /// <summary>
    /// SPEC §3.3: the pidfile holds the daemon's pid, no newline. The fake writes no pidfile (it spawns no
    /// daemon): of it, the case proves that the run recorded the pidfile the daemon would have written.
    /// </summary>
    private static async Task PidFile(FeatureContext x)
    {
        var pidFile = x.Dir.File("daemon.pid");
        var (_, report) = await RunDaemon(x, Probe.Command().Daemonize().SetPidFile(pidFile));
        if (x.Backend.Spawns)
        {
            Assert.Equal(report.Pid.ToString(CultureInfo.InvariantCulture), File.ReadAllText(pidFile));
        }
        else
        {
            Assert.Equal(pidFile, Assert.Single(Assert.IsType<FakeCommandRunner>(x.Runner).Invocations).Plan.PidFile);
        }
    }

    private static async Task<(CommandResult Result, ProbeReport Report)> RunDaemon(FeatureContext x, Command command)
    {
        var reportPath = x.Dir.File("daemon-report");
        CommandResult result;
        using (var output = File.OpenHandle(reportPath, FileMode.Create, FileAccess.Write))
            result = await x.Runner.RunAsync(command.SetOutputFd(output)).OrHang();
        return (result, ProbeReport.Parse(await Probe.ReadReportAsync(reportPath)));
    }

    /// <summary>SPEC §3.3: soft = hard = exactly the value, 0 included.</summary>
    private static async Task ResourceLimits(FeatureContext x)
    {
        var report = await x.ReportAsync(Probe.Command().SetMaxFiles(64).SetMaxCoreSize(0));
        Assert.Equal("64 64", report["rlimit nofile"]);
        Assert.Equal("0 0", report["rlimit core"]);
    }

    /// <summary>SPEC §3.3: the child leads a new session and process group.</summary>
    private static async Task NewSession(FeatureContext x)
    {
        var report = await x.ReportAsync(Probe.Command().NewSession());
        Assert.Equal(report.Pid, report.SessionId);
        Assert.Equal(report.Pid, report.ProcessGroupId);
    }

    /// <summary>
    /// SPEC §3.3: the child leads a new process group in our session. A remote child's parent is the
    /// wrapper that sshd's session started with (the login shell exec'd into it), so its session is the
    /// one that parent leads.
    /// </summary>
    private static async Task NewProcessGroup(FeatureContext x)
    {
        var report = await x.ReportAsync(Probe.Command().NewProcessGroup());
        Assert.Equal(report.Pid, report.ProcessGroupId);
        Assert.Equal(x.Backend.IsRemote ? report.ParentPid : ParentProcess.SessionId, report.SessionId);
    }

    /// <summary>SPEC §3.3: the parent-death signal is set in the child (its delivery: Posix/ParentDeathSignalTests).</summary>
    private static async Task ParentDeathSignal(FeatureContext x) =>
        Assert.Equal("10", (await x.ReportAsync(Probe.Command().SetParentDeathSignal(Signal.SIGUSR1)))["pdeathsig"]);

    /// <summary>SPEC §3.4: the child runs as the uid and gid asked, real, effective and saved.</summary>
    private static async Task Credentials(FeatureContext x)
    {
        var report = await x.ReportAsync(Probe.Command().SetUid(Nobody).SetGid(Nobody));
        Assert.Equal("65534 65534 65534", report["uid"]);
        Assert.Equal("65534 65534 65534", report["gid"]);
    }

    /// <summary>SPEC §3.4: ClearCaps leaves no capability, even to root.</summary>
    private static async Task Capabilities(FeatureContext x) =>
        Assert.StartsWith("inh=0000000000000000 prm=0000000000000000 eff=0000000000000000 ",
            (await x.ReportAsync(Probe.Command().ClearCaps()))["caps"], StringComparison.Ordinal);

    /// <summary>SPEC §3.4: the no_new_privs flag is set in the child.</summary>
    private static async Task NoNewPrivileges(FeatureContext x) =>
        Assert.Equal("1", (await x.ReportAsync(Probe.Command().SetNoNewPrivileges()))["no_new_privs"]);

    /// <summary>SPEC §3.7: a hook returning 0 lets the child run; non-zero fails the start at stage Hook.</summary>
    private static async Task PreExecHook(FeatureContext x)
    {
        Assert.Equal([Probe.Path], (await x.ReportAsync(Probe.Command().SetPreExecHook(Hook(0)))).Argv);
        var error = await Assert.ThrowsAsync<CommandStartException>(() => x.Runner.RunAsync(Probe.Command().SetPreExecHook(Hook(3))).OrHang());
        Assert.Equal(StartStage.Hook, error.Stage);
    }

    private static PreExecHook Hook(nint returns) => VirCommand.PreExecHook.FromLibrary(Probe.HookLibrary, "vc_test_hook_return", returns);

    /// <summary>SPEC §3.7: the child waits before exec until released; then it runs.</summary>
    private static async Task Handshake(FeatureContext x)
    {
        await using var running = await x.Runner.StartAsync(Probe.Command().RequireHandshake().SetOutputBuffer()).OrHang();
        await running.WaitForHandshakeAsync().OrHang();
        await Task.Delay(100);
        Assert.True(x.Backend.IsRunning(x.Runner, running.Pid), "the child did not wait for its release");

        await running.NotifyHandshakeAsync().OrHang();

        var report = ProbeReport.Parse((await running.WaitAsync().OrHang()).StandardOutput);
        Assert.Equal([Probe.Path], report.Argv);
        Assert.Equal(running.Pid, report.Pid);
    }

    /// <summary>
    /// SPEC §4: with the raw status, exit codes and signals come back told apart, neither an error; and
    /// because the backend tells them apart, a death by a signal stays an error under AllowNonZeroExit.
    /// </summary>
    private static async Task RawStatus(FeatureContext x)
    {
        var error = await Assert.ThrowsAsync<CommandExitException>(() =>
            x.Runner.RunAsync(Probe.Command("--quiet", "--signal", "9").AllowNonZeroExit()).OrHang());
        Assert.Equal(Signal.SIGKILL, error.Signal);
        Assert.Null(error.ExitCode);
        Assert.Contains("SIGKILL", error.Message, StringComparison.Ordinal);

        var killed = await x.Runner.RunAsync(Probe.Command("--quiet", "--signal", "9").RawStatus()).OrHang();
        Assert.Equal(Signal.SIGKILL, killed.TerminatingSignal);
        Assert.Null(killed.ExitCode);
        Assert.Equal(CommandResult.SignalStatus(Signal.SIGKILL), killed.RawStatus);

        var exited = await x.Runner.RunAsync(Probe.Command("--quiet", "--exit", "137").RawStatus()).OrHang();
        Assert.Equal(137, exited.ExitCode); // what a shell would report for SIGKILL, yet an exit
        Assert.Null(exited.TerminatingSignal);
    }

    /// <summary>
    /// SPEC §4: a timeout or an abort sends the chosen graceful signal first; a child that ignores it
    /// gets SIGKILL after the grace. The signal is seen two ways: as the child's death (where the backend
    /// tells signals apart: RawStatus), and for a real process by a shell trap that reports it, which
    /// needs no raw status. The fake's child cannot ignore a signal (it always ends by the first), so of the
    /// fake the SIGKILL half proves only that the child was stopped.
    /// </summary>
    private static async Task GracefulSignal(FeatureContext x)
    {
        var tellsSignals = x.Runner.Features.HasFlag(CommandFeatures.RawStatus);
        if (tellsSignals)
        {
            var error = await Assert.ThrowsAsync<CommandTimeoutException>(() => x.Runner.RunAsync(Probe.Command("--quiet", "--sleep", "60000")
                .SetGracefulSignal(Signal.SIGUSR1).SetTimeout(TimeSpan.FromMilliseconds(200))).OrHang());
            Assert.Equal(Signal.SIGUSR1, error.Result!.TerminatingSignal);
            await x.Backend.AssertStoppedAndGoneAsync(x.Runner, error.Result.Pid);
        }
        if (x.Backend.Spawns)
        {
            // The shell says when its trap is set, so the abort cannot come before it; the trap runs once
            // `wait` is interrupted by SIGUSR1, and kills its sleep.
            var log = x.Dir.File("trap.log");
            await using var running = await x.Runner.StartAsync(Command.NewArgList("sh", "-c",
                    "trap 'echo got USR1 >>\"$0\"; kill $!; exit 0' USR1; echo ready >\"$0\"; sleep 60 & wait", log)
                .SetGracefulSignal(Signal.SIGUSR1)).OrHang();
            Assert.True(await Task.Run(() => ProcessInspector.WaitUntil(() => File.Exists(log), HangGuard.Limit)), "the shell never got ready");

            await running.AbortAsync().OrHang();

            var aborted = await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync().OrHang());
            Assert.Equal("ready\ngot USR1\n", File.ReadAllText(log));
            Assert.Equal(0, aborted.Result!.ExitCode);
        }

        // SIGWINCH's default action is to ignore it: the probe lives on until the SIGKILL.
        var ignored = await Assert.ThrowsAsync<CommandTimeoutException>(() => x.Runner.RunAsync(Probe.Command("--quiet", "--sleep", "60000")
            .SetGracefulSignal(Signal.SIGWINCH).SetKillGracePeriod(TimeSpan.FromMilliseconds(300)).SetTimeout(TimeSpan.FromMilliseconds(200))).OrHang());
        await x.Backend.AssertStoppedAndGoneAsync(x.Runner, ignored.Result!.Pid);
        if (x.Backend.Spawns)
        {
            if (tellsSignals)
                Assert.Equal(Signal.SIGKILL, ignored.Result.TerminatingSignal);
            Assert.True(ignored.Result.RunTime >= TimeSpan.FromMilliseconds(450), $"SIGKILL came before the grace ended: the child ran {ignored.Result.RunTime}");
        }
    }

    /// <summary>
    /// SPEC §3.5: by default the child has exactly fds 0, 1 and 2, even when the parent holds an fd
    /// without close-on-exec (as native code may open one).
    /// </summary>
    private static async Task CloseOtherFds(FeatureContext x)
    {
        var leaky = LeakyFd(x);
        var report = await x.ReportAsync(Probe.Command());
        Assert.DoesNotContain(leaky, report.Fds);
        Assert.Equal([0, 1, 2], report.Fds);
    }

    /// <summary>A backend that does not claim CloseOtherFds lets such an fd through: were it not so, it should claim the flag.</summary>
    private static async Task OtherFdsReachTheChild(FeatureContext x)
    {
        var leaky = LeakyFd(x);
        Assert.Contains(leaky, (await x.ReportAsync(Probe.Command())).Fds);
    }

    /// <summary>SPEC §5.1: the child starts with default signal actions (SIGPIPE, which .NET ignores, included) and an empty mask.</summary>
    private static async Task DefaultSignals(FeatureContext x)
    {
        var report = await x.ReportAsync(Probe.Command());
        Assert.Equal("default", report.SigPipe);
        Assert.Equal("0000000000000000", report.SignalMask);
    }

    /// <summary>
    /// Issue 20 item 1: a backend that does not claim DefaultSignals hands on the ignored SIGPIPE, as the
    /// kernel shows it (SigIgn in /proc/&lt;child&gt;/status, bit 13 - 1): were it not so, it should claim the flag.
    /// </summary>
    private static async Task SigPipeIgnoredInTheChild(FeatureContext x)
    {
        Assert.True(x.Backend.Spawns, "only a spawning backend can lack a guarantee of the child's state");
        await using var running = await x.Runner.StartAsync(Probe.Command("--quiet", "--sleep", "60000")).OrHang();
        var ignored = File.ReadLines($"/proc/{running.Pid}/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var mask = ulong.Parse(ignored["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.NotEqual(0UL, mask & (1UL << ((int)Signal.SIGPIPE - 1)));
        Assert.Equal("ignore", (await x.ReportAsync(Probe.Command())).SigPipe);
    }

    /// <summary>Issue 14: a pipeline runs, its data flowing from stage to stage (PipelineConformanceTests has the rest).</summary>
    private static async Task Pipelines(FeatureContext x)
    {
        var result = await x.Runner.RunAsync(Probe.Command("--quiet").SetInputBuffer("x") | Probe.Command("--quiet").SetOutputBuffer()).OrHang();
        Assert.Equal(Probe.StdoutBlock(Probe.StdoutBlock("x")), result.StandardOutput);
    }

    /// <summary>A runner without pipelines refuses one before anything runs.</summary>
    private static async Task PipelinesRefused(FeatureContext x)
    {
        var error = await Assert.ThrowsAsync<CommandNotSupportedException>(() => x.Runner.RunAsync(Probe.Command() | Probe.Command()).OrHang());
        Assert.Equal(CommandFeatures.Pipelines, error.Feature);
    }

    /// <summary>An fd of the parent without close-on-exec, closed when the case ends.</summary>
    private static int LeakyFd(FeatureContext x)
    {
        var fd = checked((int)x.OpenFile("leaky").DangerousGetHandle());
        Assert.Equal(0, LibC.Fcntl(fd, LibC.F_SETFD, 0));
        return fd;
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
