using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace VirCommand.Tests.Posix;

/// <summary>Daemonize and pidfile (virCommandDaemonize, virCommandSetPidFile) on the POSIX backend.</summary>
[Collection("Serial")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DaemonTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly List<int> _daemons = [];
    private readonly List<IDisposable> _handles = [];

    public void Dispose()
    {
        foreach (var pid in _daemons)
            Processes.KillAsync(pid).GetAwaiter().GetResult();
        foreach (var handle in _handles)
            handle.Dispose();
        _dir.Dispose();
    }

    private Command Daemon(string report, params string[] args)
    {
        var output = File.OpenHandle(report, FileMode.Create, FileAccess.Write);
        _handles.Add(output);
        return Probe.Command(args).Daemonize().SetOutputFd(output);
    }

    private int Track(string pidFile)
    {
        var pid = int.Parse(File.ReadAllText(pidFile), CultureInfo.InvariantCulture);
        _daemons.Add(pid);
        return pid;
    }

    [LinuxFact]
    public async Task Run_returns_after_the_daemon_wrote_its_locked_pidfile_and_never_waits_for_the_daemon()
    {
        var pidFile = _dir.File("d.pid");
        var report = _dir.File("report");
        using var command = Daemon(report, "--sleep", "60000").SetPidFile(pidFile).SetUmask(0x3F); // umask 077: the pidfile is still 0644

        var clock = Stopwatch.StartNew();
        var result = await Posix.Runner.RunAsync(command);
        clock.Stop();

        // Returned at once, although the daemon sleeps for a minute.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the run took {clock.Elapsed}");
        Assert.Equal(0, result.ExitCode);
        // The pidfile is there already: the pid, no newline, 0644, write-locked by that very pid.
        var text = File.ReadAllText(pidFile);
        Assert.Matches("^[0-9]+$", text);
        var daemon = Track(pidFile);
        Assert.NotEqual(result.Pid, daemon);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(pidFile));
        Assert.Equal((LibC.F_WRLCK, daemon), LibC.LockHolder(pidFile));
        Assert.True(ProcessInspector.IsRunning(daemon));

        // What the daemon sees: a session of its own that it does not lead (double fork), cwd "/",
        // exactly fds 0, 1, 2 and the pidfile's, reparented away from us.
        var seen = await Probe.ReadReportAsync(report);
        Assert.Equal(daemon, Probe.Int(seen, "pid"));
        Assert.NotEqual(Environment.ProcessId, Probe.Int(seen, "ppid"));
        Assert.Equal(result.Pid, Probe.Int(seen, "sid"));
        Assert.Equal(result.Pid, Probe.Int(seen, "pgid"));
        Assert.Equal("/", Probe.Value(seen, "cwd"));
        var fds = Probe.Fds(seen);
        Assert.Equal(4, fds.Length);
        Assert.Equal([0, 1, 2], fds[..3]);
        Assert.Equal(pidFile, Probe.Value(seen, $"fd {fds[3]}"));
        Assert.Equal("/dev/null", Probe.Value(seen, "fd 0"));
    }

    [LinuxFact]
    public async Task The_daemon_outlives_dispose_and_abort_and_its_pid_is_exposed()
    {
        var pidFile = _dir.File("d.pid");
        using var command = Probe.Command("--quiet", "--sleep", "60000").Daemonize().SetPidFile(pidFile).NewSession();
        var running = await Posix.Runner.StartAsync(command);
        int daemon;
        await using (running)
        {
            daemon = Track(pidFile);
            Assert.Equal(daemon, running.DaemonPid);
            var result = await running.WaitAsync();
            Assert.Equal(running.Pid, result.Pid);
            await running.AbortAsync();
        }
        await Task.Delay(200);
        Assert.True(ProcessInspector.IsRunning(daemon), "disposing or aborting the handle must never kill the daemon");
        Assert.Equal((LibC.F_WRLCK, daemon), LibC.LockHolder(pidFile));
    }

    [LinuxFact]
    public async Task A_second_daemon_on_a_locked_pidfile_fails_to_start_and_leaves_nothing_behind()
    {
        var pidFile = _dir.File("d.pid");
        using var command = Probe.Command("--quiet", "--sleep", "60000").Daemonize().SetPidFile(pidFile);
        await Posix.Runner.RunAsync(command);
        var first = Track(pidFile);

        var leaks = new LeakCheck();
        var error = await Assert.ThrowsAsync<CommandStartException>(() => Posix.Runner.RunAsync(command));
        await leaks.AssertCleanAsync();

        Assert.Equal(StartStage.PidFile, error.Stage);
        Assert.Equal(11, error.Errno); // EAGAIN
        Assert.Contains($"locked by a running daemon (pid {first})", error.Message, StringComparison.Ordinal);
        // The first daemon's pidfile is untouched: still its pid, still its lock.
        Assert.Equal(first.ToString(CultureInfo.InvariantCulture), File.ReadAllText(pidFile));
        Assert.Equal((LibC.F_WRLCK, first), LibC.LockHolder(pidFile));
    }

    [LinuxFact]
    public async Task A_pidfile_that_cannot_be_written_is_a_start_failure()
    {
        await Posix.Runner.RunAsync(Probe.Command("--quiet").Daemonize()); // warm-up
        var leaks = new LeakCheck();
        var pidFile = _dir.File("missing-dir/d.pid");
        var error = await Assert.ThrowsAsync<CommandStartException>(() =>
            Posix.Runner.RunAsync(Probe.Command("--quiet").Daemonize().SetPidFile(pidFile)));
        await leaks.AssertCleanAsync();
        Assert.Equal(StartStage.PidFile, error.Stage);
        Assert.Equal(2, error.Errno); // ENOENT
        Assert.Contains(pidFile, error.Message, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task A_bad_resource_limit_in_a_daemon_is_a_start_failure()
    {
        await Posix.Runner.RunAsync(Probe.Command("--quiet").Daemonize()); // warm-up
        var leaks = new LeakCheck();
        var pidFile = _dir.File("d.pid");
        // Above fs.nr_open: the kernel refuses it even for root.
        var error = await Assert.ThrowsAsync<CommandStartException>(() =>
            Posix.Runner.RunAsync(Probe.Command("--quiet").Daemonize().SetPidFile(pidFile).SetMaxFiles(1UL << 40)));
        await leaks.AssertCleanAsync();
        Assert.Equal(StartStage.ResourceLimit, error.Stage);
        Assert.False(File.Exists(pidFile));
    }

    [LinuxFact]
    public async Task A_daemon_without_a_hook_that_fails_at_its_last_step_is_a_start_failure_and_removes_the_pidfile()
    {
        // Without a hook or a handshake the daemon is a vfork-style clone of the intermediate, which is
        // one of the parent's: its failure comes back through the memory they share. The label is the
        // daemon's last step before exec, long after its pidfile; "not a context" is refused (EINVAL)
        // with and without SELinux.
        var pidFile = _dir.File("d.pid");
        await Posix.Runner.RunAsync(Probe.Command("--quiet").Daemonize()); // warm-up
        var leaks = new LeakCheck();
        var error = await Assert.ThrowsAsync<CommandStartException>(() =>
            Posix.Runner.RunAsync(Probe.Command("--quiet").Daemonize().SetPidFile(pidFile).SetSELinuxLabel("not a context")));
        await leaks.AssertCleanAsync();
        Assert.Equal(StartStage.SELinuxLabel, error.Stage);
        Assert.Equal(22, error.Errno); // EINVAL
        Assert.False(File.Exists(pidFile), "a daemon that failed must not leave a pidfile naming it");
    }

    [LinuxFact]
    public async Task Concurrent_daemon_starts_each_report_their_own_daemon_and_pidfile()
    {
        // Each start takes its own child stack, shared by its intermediate and its daemon.
        var starts = Enumerable.Range(0, 16).Select(async i =>
        {
            var pidFile = _dir.File($"d{i}.pid");
            using var command = Probe.Command("--quiet", "--sleep", "60000").Daemonize().SetPidFile(pidFile);
            await using var running = await Posix.Runner.StartAsync(command);
            await running.WaitAsync();
            return (running.DaemonPid, pidFile);
        }).ToArray();
        var started = await Task.WhenAll(starts);
        foreach (var (daemonPid, pidFile) in started)
        {
            var pid = Track(pidFile);
            Assert.Equal((int?)pid, daemonPid);
            Assert.True(ProcessInspector.IsRunning(pid));
            Assert.Equal((LibC.F_WRLCK, pid), LibC.LockHolder(pidFile));
        }
        Assert.Equal(started.Length, started.Select(s => s.DaemonPid).Distinct().Count());
    }

    [RootFact]
    public async Task A_daemon_whose_uid_change_fails_after_the_pidfile_is_a_start_failure_and_removes_the_pidfile()
    {
        var pidFile = _dir.File("d.pid");
        // The hook drops CAP_SETUID just before the ids change, so setresuid fails with EPERM: in the
        // daemon, after the pidfile was written and locked.
        var hook = PreExecHook.FromLibrary(Probe.HookLibrary, "vc_test_hook_drop_setuid");
        await Posix.Runner.RunAsync(Probe.Command("--quiet").Daemonize().SetPreExecHook(hook)); // warm-up
        var leaks = new LeakCheck();
        var error = await Assert.ThrowsAsync<CommandStartException>(() =>
            Posix.Runner.RunAsync(Probe.Command("--quiet").Daemonize().SetPidFile(pidFile).SetPreExecHook(hook).SetUid(65534).SetGid(65534)));
        await leaks.AssertCleanAsync();
        Assert.Equal(StartStage.Uid, error.Stage);
        Assert.Equal(1, error.Errno); // EPERM
        Assert.False(File.Exists(pidFile), "a daemon that failed must not leave a pidfile naming it");
    }

    [LinuxFact]
    public async Task Send_buffers_and_input_are_fed_to_a_daemon_after_the_run_returned()
    {
        var report = _dir.File("report");
        var input = Encoding.ASCII.GetBytes(new string('i', 300_000)); // more than a pipe holds
        var extra = Encoding.ASCII.GetBytes(new string('s', 300_000));
        using var command = Daemon(report, "--quiet").SetInputBuffer(input);
        var fd = command.SetSendBuffer(extra);
        command.AddArgList("--readfd", fd.ToString(CultureInfo.InvariantCulture));

        var result = await Posix.Runner.RunAsync(command);
        Assert.Equal(0, result.ExitCode);

        var expected = Probe.StdoutBlock(Encoding.ASCII.GetString(input)) + Probe.StdoutBlock(Encoding.ASCII.GetString(extra));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string text;
        while ((text = File.ReadAllText(report)).Length < expected.Length && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.Equal(expected, text);
    }
}
