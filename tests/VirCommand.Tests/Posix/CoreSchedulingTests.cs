using VirCommand.Tests.Conformance;

namespace VirCommand.Tests.Posix;

/// <summary>
/// Issue 16 item 4: SetRunAlone and SetRunAmong put the child into a core scheduling group (PR_SCHED_CORE)
/// before exec; where the kernel cannot, or refuses the source process, the start fails at its stage.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CoreSchedulingTests
{
    private const int ESRCH = 3;

    [CoreSchedulingFact]
    public async Task RunAlone_gives_the_child_a_group_of_its_own_on_both_paths_and_leaves_the_parent_alone()
    {
        var parent = ParentProcess.SchedCore;

        var vfork = (await RunProbe(Probe.Command().SetRunAlone())).SchedCore;
        var forked = (await RunProbe(Probe.Command().SetRunAlone().SetPreExecHook(PreExecHook.FromLibrary(Probe.HookLibrary, "vc_test_hook_return")))).SchedCore;

        Assert.NotEqual("0000000000000000", vfork);
        Assert.NotEqual(parent, vfork);
        Assert.NotEqual(vfork, forked); // each child a group of its own
        Assert.Equal(parent, ParentProcess.SchedCore);
    }

    [CoreSchedulingFact]
    public async Task RunAmong_puts_the_child_into_the_group_of_the_given_process()
    {
        using var command = Probe.Command("--sleep", "60000").SetRunAlone().SetOutputFile(Path.Combine(Path.GetTempPath(), $"vircommand-sched-{Guid.NewGuid():N}"));
        await using var alone = await Posix.Runner.StartAsync(command).OrHang();
        var output = command.Output.Path!;
        try
        {
            Assert.True(ProcessInspector.WaitUntil(() => File.ReadAllText(output).Contains("sigpipe:", StringComparison.Ordinal), HangGuard.Limit));
            var cookie = ProbeReport.Parse(File.ReadAllText(output)).SchedCore;

            Assert.Equal(cookie, (await RunProbe(Probe.Command().SetRunAmong(alone.Pid))).SchedCore);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [LinuxFact]
    public async Task A_group_the_kernel_cannot_join_fails_the_start_at_its_stage()
    {
        // Where the kernel has core scheduling, an unknown pid is refused (ESRCH); where it has none, every
        // request is (EINVAL without CONFIG_SCHED_CORE, ENODEV without SMT). Never a silent start.
        var missing = KernelIsolation.CoreSchedulingMissing;

        var among = await Assert.ThrowsAsync<CommandStartException>(() => Posix.Runner.RunAsync(Probe.Command("--quiet").SetRunAmong(int.MaxValue)));

        Assert.Equal(StartStage.CoreScheduling, among.Stage);
        Assert.Equal(missing?.Errno ?? ESRCH, among.Errno);
        Assert.Contains($"SHARE_FROM, {int.MaxValue}", among.Message, StringComparison.Ordinal);
        if (missing is { } reason)
        {
            var alone = await Assert.ThrowsAsync<CommandStartException>(() => Posix.Runner.RunAsync(Probe.Command("--quiet").SetRunAlone()));
            Assert.Equal(StartStage.CoreScheduling, alone.Stage);
            Assert.Equal(reason.Errno, alone.Errno);
            Assert.Contains("core scheduling group of its own", alone.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_builder_refuses_a_pid_that_names_no_other_process_and_the_later_call_wins()
    {
        using var command = new Command("true");
        Assert.Equal("pid", Assert.Throws<ArgumentOutOfRangeException>(() => command.SetRunAmong(0)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => command.SetRunAmong(-1));
        Assert.False(command.RunsAlone);
        Assert.Null(command.RunsAmong);

        command.SetRunAmong(42);
        Assert.Equal(42, command.RunsAmong);
        command.SetRunAlone();
        Assert.True(command.RunsAlone);
        Assert.Null(command.RunsAmong);
        command.SetRunAmong(7);
        Assert.False(command.RunsAlone);
        Assert.Equal(7, command.RunsAmong);
    }

    private static async Task<ProbeReport> RunProbe(Command command) =>
        ProbeReport.Parse((await Posix.Runner.RunAsync(command.SetOutputBuffer()).OrHang()).StandardOutput);
}
