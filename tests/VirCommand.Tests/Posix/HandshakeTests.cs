using System.Globalization;

namespace VirCommand.Tests.Posix;

/// <summary>virCommandRequireHandshake / HandshakeWait / HandshakeNotify.</summary>
[Collection("Serial")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HandshakeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Exe(int pid) => new FileInfo($"/proc/{pid}/exe").LinkTarget ?? "";

    [LinuxFact]
    public async Task The_parent_works_between_wait_and_release_and_the_child_sees_it()
    {
        var file = _dir.File("config");
        using var command = Command.NewArgList("cat", file).SetOutputBuffer().RequireHandshake();
        await using var running = await Posix.Runner.StartAsync(command);

        await running.WaitForHandshakeAsync();
        // The child waits just before exec: it is still a copy of this process, not cat.
        Assert.Equal(Exe(Environment.ProcessId), Exe(running.Pid));
        await File.WriteAllTextAsync(file, "written while the child waited\n");
        await running.NotifyHandshakeAsync();
        // Completed once exec succeeded: the child is cat now (or already done).
        var result = await running.WaitAsync();
        Assert.Equal("written while the child waited\n", result.StandardOutput);
    }

    [PidsCgroupFact]
    public async Task The_parent_moves_the_child_into_a_cgroup_during_the_handshake()
    {
        var cgroup = Path.Combine(PidsCgroupFactAttribute.Root, "vircommand-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(cgroup);
        try
        {
            using var command = Command.NewArgList("cat", "/proc/self/cgroup").SetOutputBuffer().RequireHandshake();
            await using var running = await Posix.Runner.StartAsync(command);
            await running.WaitForHandshakeAsync();
            await File.WriteAllTextAsync(Path.Combine(cgroup, "cgroup.procs"), running.Pid.ToString(CultureInfo.InvariantCulture));
            await running.NotifyHandshakeAsync();
            var result = await running.WaitAsync();
            Assert.Contains(":pids:/" + Path.GetFileName(cgroup) + "\n", result.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(cgroup);
        }
    }

    [LinuxFact]
    public async Task Misuse_is_an_error()
    {
        using var plain = Probe.Command("--quiet");
        await using (var running = await Posix.Runner.StartAsync(plain))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => running.WaitForHandshakeAsync());
            await Assert.ThrowsAsync<InvalidOperationException>(() => running.NotifyHandshakeAsync());
        }

        using var command = Probe.Command("--quiet").RequireHandshake();
        await Assert.ThrowsAsync<InvalidOperationException>(() => Posix.Runner.RunAsync(command));
        await using (var running = await Posix.Runner.StartAsync(command))
        {
            var early = await Assert.ThrowsAsync<InvalidOperationException>(() => running.NotifyHandshakeAsync());
            Assert.Contains("WaitForHandshakeAsync", early.Message, StringComparison.Ordinal);
            await running.WaitForHandshakeAsync();
            await running.NotifyHandshakeAsync();
            var twice = await Assert.ThrowsAsync<InvalidOperationException>(() => running.NotifyHandshakeAsync());
            Assert.Contains("already released", twice.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<InvalidOperationException>(() => running.WaitForHandshakeAsync());
            Assert.Equal(0, (await running.WaitAsync()).ExitCode);
        }
    }

    [LinuxFact]
    public async Task A_child_that_fails_before_the_handshake_is_a_clear_error_with_nothing_left()
    {
        await (await Posix.Runner.StartAsync(Probe.Command("--quiet").RequireHandshake())).DisposeAsync(); // warm-up
        var leaks = new LeakCheck();
        var error = await Assert.ThrowsAsync<CommandStartException>(() =>
            Posix.Runner.StartAsync(Probe.Command("--quiet").RequireHandshake().SetWorkingDirectory(_dir.File("missing"))));
        Assert.Equal(StartStage.WorkingDirectory, error.Stage);
        var hook = await Assert.ThrowsAsync<CommandStartException>(() =>
            Posix.Runner.StartAsync(Probe.Command("--quiet").RequireHandshake().SetPreExecHook(PreExecHook.FromLibrary(Probe.HookLibrary, "vc_test_hook_return", 7))));
        Assert.Equal(StartStage.Hook, hook.Stage);
        await leaks.AssertCleanAsync();
    }

    [LinuxFact]
    public async Task A_child_that_dies_silently_before_the_handshake_is_reported_by_the_wait()
    {
        await (await Posix.Runner.StartAsync(Probe.Command("--quiet").RequireHandshake())).DisposeAsync(); // warm-up
        var leaks = new LeakCheck();
        using (var command = Probe.Command("--quiet").RequireHandshake().SetPreExecHook(PreExecHook.FromLibrary(Probe.HookLibrary, "vc_test_hook_kill")))
        await using (var running = await Posix.Runner.StartAsync(command))
        {
            var error = await Assert.ThrowsAsync<CommandStartException>(() => running.WaitForHandshakeAsync());
            Assert.Equal(StartStage.Handshake, error.Stage);
            Assert.Contains("the child ended before the handshake (killed by SIGKILL)", error.Message, StringComparison.Ordinal);
        }
        await leaks.AssertCleanAsync();
    }

    [LinuxFact]
    public async Task An_exec_failure_after_the_release_is_reported_by_notify_and_wait()
    {
        var script = _dir.File("broken");
        await File.WriteAllTextAsync(script, "#!/nonexistent/interpreter\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        await (await Posix.Runner.StartAsync(Probe.Command("--quiet").RequireHandshake())).DisposeAsync(); // warm-up
        var leaks = new LeakCheck();
        using (var command = Command.New(script).RequireHandshake())
        await using (var running = await Posix.Runner.StartAsync(command))
        {
            await running.WaitForHandshakeAsync();
            var error = await Assert.ThrowsAsync<CommandStartException>(() => running.NotifyHandshakeAsync());
            Assert.Equal(StartStage.Exec, error.Stage);
            Assert.Equal(2, error.Errno);
            var again = await Assert.ThrowsAsync<CommandStartException>(() => running.WaitAsync());
            Assert.Equal(StartStage.Exec, again.Stage);
        }
        await leaks.AssertCleanAsync();
    }

    [LinuxFact]
    public async Task Disposing_a_child_that_waits_at_the_handshake_reaps_it_without_exec()
    {
        await (await Posix.Runner.StartAsync(Probe.Command("--quiet").RequireHandshake())).DisposeAsync(); // warm-up
        var leaks = new LeakCheck();
        var report = _dir.File("report");
        int pid;
        using (var output = File.OpenHandle(report, FileMode.Create, FileAccess.Write))
        using (var command = Probe.Command().SetOutputFd(output).RequireHandshake())
        await using (var running = await Posix.Runner.StartAsync(command))
        {
            pid = running.Pid;
            await running.WaitForHandshakeAsync();
        }
        await leaks.AssertCleanAsync();
        Assert.Null(ProcessInspector.State(pid));
        Assert.Equal("", File.ReadAllText(report)); // the probe never ran
    }

    [LinuxFact]
    public async Task A_daemon_with_a_handshake_waits_for_the_release_after_writing_its_pidfile()
    {
        var pidFile = _dir.File("d.pid");
        var report = _dir.File("report");
        int daemon = 0;
        try
        {
            using var output = File.OpenHandle(report, FileMode.Create, FileAccess.Write);
            using var command = Probe.Command("--sleep", "60000").Daemonize().SetPidFile(pidFile).SetOutputFd(output).RequireHandshake();
            await using var running = await Posix.Runner.StartAsync(command);
            daemon = running.DaemonPid ?? 0;
            Assert.Equal(daemon.ToString(CultureInfo.InvariantCulture), File.ReadAllText(pidFile));
            Assert.Equal(0, (await running.WaitAsync()).ExitCode); // the intermediate
            await running.WaitForHandshakeAsync();
            await Task.Delay(100);
            Assert.Equal("", File.ReadAllText(report)); // not exec'd yet
            await running.NotifyHandshakeAsync();
            Assert.Equal(daemon, Probe.Int(await Probe.ReadReportAsync(report), "pid"));
        }
        finally
        {
            await Processes.KillAsync(daemon);
        }
    }
}

/// <summary>A root test that makes a cgroup in the v1 pids hierarchy; it says why when it skips.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PidsCgroupFactAttribute : FactAttribute
{
    public const string Root = "/sys/fs/cgroup/pids";

    public PidsCgroupFactAttribute()
    {
        Skip = new RootFactAttribute().Skip;
        if (Skip is null && LibC.Access(Root, LibC.W_OK) != 0)
            Skip = $"needs a writable cgroup v1 pids hierarchy at {Root}; this machine has none";
    }
}
