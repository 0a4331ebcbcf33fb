using VirCommand.Tests.Conformance;

namespace VirCommand.Tests.Posix;

/// <summary>
/// Issue 16 item 4: SetCgroup starts the child inside a cgroup v2 directory (clone3 with CLONE_INTO_CGROUP),
/// on the vfork path and on the fork path; what the kernel refuses fails the start at the Cgroup stage,
/// with nothing spawned and nothing leaked.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection("Serial")] // the leak check counts every fd of the process
public sealed class CgroupTests
{
    private const int ENOENT = 2;
    private const int EBADF = 9;
    private const int EINVAL = 22;

    [CgroupFact]
    public async Task The_child_starts_in_the_cgroup_and_the_parent_stays_where_it_was()
    {
        var parent = ParentProcess.Cgroup;
        using var cgroup = TestCgroup.Create();

        var report = await RunProbe(Probe.Command().SetCgroup(cgroup.Path));

        Assert.Equal(cgroup.Name, report.Cgroup);
        // The vfork path shares the parent's memory and runs on its thread's behalf: only the child moved.
        Assert.Equal(parent, ParentProcess.Cgroup);
        Assert.DoesNotContain(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            File.ReadAllLines(Path.Combine(cgroup.Path, "cgroup.procs")));
    }

    [CgroupFact]
    public async Task The_fork_path_starts_the_child_in_the_cgroup_too()
    {
        using var cgroup = TestCgroup.Create();
        using var command = Probe.Command().SetCgroup(cgroup.Path).RequireHandshake().SetOutputBuffer();
        await using (var running = await Posix.Runner.StartAsync(command).OrHang())
        {
            await running.WaitForHandshakeAsync().OrHang();
            // Waiting at the handshake, before exec: already in the cgroup, with no move by the parent.
            Assert.Equal([running.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], File.ReadAllLines(Path.Combine(cgroup.Path, "cgroup.procs")));
            await running.NotifyHandshakeAsync().OrHang();
            var result = await running.WaitAsync().OrHang();
            Assert.Equal(cgroup.Name, ProbeReport.Parse(result.StandardOutput).Cgroup);
        }
    }

    [CgroupFact]
    public async Task A_daemon_starts_in_the_cgroup()
    {
        using var dir = new TempDir();
        using var cgroup = TestCgroup.Create();
        var output = dir.File("daemon.out");

        await Posix.Runner.RunAsync(Probe.Command().Daemonize().SetCgroup(cgroup.Path).SetOutputFile(output)).OrHang();

        Assert.True(ProcessInspector.WaitUntil(() => File.Exists(output) && File.ReadAllText(output).Contains("END STDOUT", StringComparison.Ordinal), HangGuard.Limit));
        Assert.Equal(cgroup.Name, ProbeReport.Parse(File.ReadAllText(output)).Cgroup);
    }

    [LinuxFact]
    public async Task A_missing_directory_fails_the_start_at_its_stage_in_the_parent()
    {
        using var dir = new TempDir();
        await Posix.Runner.RunAsync(Probe.Command("--quiet")); // warm-up
        var leaks = new LeakCheck();

        var error = await Assert.ThrowsAsync<CommandStartException>(() => Posix.Runner.RunAsync(Probe.Command("--quiet").SetCgroup(dir.File("none"))));

        await leaks.AssertCleanAsync();
        Assert.Equal(StartStage.Cgroup, error.Stage);
        Assert.Equal(ENOENT, error.Errno);
        Assert.Contains($"'{dir.File("none")}'", error.Message, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task A_directory_outside_any_cgroup_v2_hierarchy_fails_the_start_at_its_stage()
    {
        using var dir = new TempDir();
        await Posix.Runner.RunAsync(Probe.Command("--quiet")); // warm-up
        var leaks = new LeakCheck();

        var error = await Assert.ThrowsAsync<CommandStartException>(() => Posix.Runner.RunAsync(Probe.Command("--quiet").SetCgroup(dir.Path)));

        await leaks.AssertCleanAsync();
        Assert.Equal(StartStage.Cgroup, error.Stage);
        Assert.Equal(EBADF, error.Errno);
        Assert.Contains("not a cgroup of a cgroup v2 hierarchy", error.Message, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task A_cgroup_with_a_pre_exec_hook_is_refused_before_anything_is_spawned()
    {
        using var dir = new TempDir();
        var hook = PreExecHook.FromLibrary(Probe.HookLibrary, "vc_test_hook_return", 0);
        using var command = new Command(Probe.Path).AddArg("--quiet").SetCgroup(dir.Path).SetPreExecHook(hook);

        var error = await Assert.ThrowsAsync<CommandStartException>(() => Posix.Runner.RunAsync(command));

        Assert.Equal(StartStage.Cgroup, error.Stage);
        Assert.Equal(EINVAL, error.Errno);
        Assert.Contains("pre-exec hook", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_builder_takes_only_an_absolute_path_and_replaces_an_earlier_one()
    {
        using var command = new Command("true");
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => command.SetCgroup("machine.slice/vm1")).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => command.SetCgroup("")).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => command.SetCgroup("/sys/fs/cgroup/a\0b")).ParamName);
        Assert.Throws<ArgumentNullException>(() => command.SetCgroup(null!));
        Assert.Null(command.Cgroup);

        command.SetCgroup("/sys/fs/cgroup/a").SetCgroup("/sys/fs/cgroup/b");

        Assert.Equal("/sys/fs/cgroup/b", command.Cgroup);
    }

    private static async Task<ProbeReport> RunProbe(Command command) =>
        ProbeReport.Parse((await Posix.Runner.RunAsync(command.SetOutputBuffer()).OrHang()).StandardOutput);
}
