using VirCommand.Tests.Conformance;

namespace VirCommand.Tests.Posix;

/// <summary>Issue 16 item 4: CPU affinity and nice value, set in the child before exec; refusals are reported at their own stage.</summary>
[Collection("Serial")] // the leak check counts every fd of the process
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PlacementTests
{
    [LinuxFact]
    public async Task Affinity_in_the_child_leaves_the_parent_thread_alone()
    {
        var parent = ParentProcess.CpusAllowed;
        var cpus = ProbeReport.CpuList(parent);

        var report = await RunProbe(Probe.Command().SetCpuAffinity(cpus[0]));

        Assert.Equal([cpus[0]], report.Cpus);
        // The vfork path shares the parent's memory: the call must have changed the child's task only.
        Assert.Equal(parent, ParentProcess.CpusAllowed);
    }

    [LinuxFact]
    public async Task Affinity_is_applied_on_the_fork_path_too()
    {
        var cpus = ProbeReport.CpuList(ParentProcess.CpusAllowed);
        using var command = Probe.Command().SetCpuAffinity(cpus[^1]).RequireHandshake().SetOutputBuffer();
        await using var running = await Posix.Runner.StartAsync(command);
        await running.WaitForHandshakeAsync();
        await running.NotifyHandshakeAsync();
        var result = await running.WaitAsync();

        Assert.Equal([cpus[^1]], ProbeReport.Parse(result.StandardOutput).Cpus);
    }

    [LinuxFact]
    public async Task A_cpu_set_the_kernel_refuses_fails_the_start_at_its_stage()
    {
        Assert.True(Environment.ProcessorCount <= Command.MaxCpu, "this machine has every possible CPU online");
        await Posix.Runner.RunAsync(Probe.Command("--quiet").SetCpuAffinity(0)); // warm-up
        var leaks = new LeakCheck();

        var error = await Assert.ThrowsAsync<CommandStartException>(() => Posix.Runner.RunAsync(Probe.Command("--quiet").SetCpuAffinity(Command.MaxCpu)));

        await leaks.AssertCleanAsync();
        Assert.Equal(StartStage.CpuAffinity, error.Stage);
        Assert.Equal(22, error.Errno); // EINVAL: no CPU of the set is online
        Assert.Contains("sched_setaffinity(8191)", error.Message, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task A_lower_nice_value_takes_CAP_SYS_NICE_and_its_absence_is_reported()
    {
        var nice = Math.Max(ParentProcess.Nice - 5, -20);
        using var command = Probe.Command().SetNice(nice).SetOutputBuffer();
        if (ResourceLimitTests.HasCapability(Capability.CAP_SYS_NICE))
        {
            Assert.Equal(nice, ProbeReport.Parse((await Posix.Runner.RunAsync(command)).StandardOutput).Nice);
        }
        else
        {
            var error = await Assert.ThrowsAsync<CommandStartException>(() => Posix.Runner.RunAsync(command));
            Assert.Equal(StartStage.Priority, error.Stage);
            Assert.Equal(13, error.Errno); // EACCES
            Assert.Contains($"nice {nice}", error.Message, StringComparison.Ordinal);
        }
    }

    [SysNiceRootFact]
    public async Task A_privileged_parent_gives_an_unprivileged_child_a_raised_priority()
    {
        var nice = Math.Max(ParentProcess.Nice - 5, -20);

        var report = await RunProbe(Probe.Command().SetUid(65534).SetGid(65534).SetNice(nice));

        Assert.Equal("65534 65534 65534", report["uid"]);
        Assert.Equal(nice, report.Nice);
    }

    [Fact]
    public void The_builder_refuses_an_empty_or_impossible_cpu_set_and_a_nice_value_out_of_range()
    {
        using var command = new Command("true");
        Assert.Equal("cpus", Assert.Throws<ArgumentException>(() => command.SetCpuAffinity()).ParamName);
        Assert.Equal("cpus", Assert.Throws<ArgumentOutOfRangeException>(() => command.SetCpuAffinity(0, -1)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => command.SetCpuAffinity(Command.MaxCpu + 1));
        Assert.Throws<ArgumentNullException>(() => command.SetCpuAffinity((IEnumerable<int>)null!));
        Assert.Equal("nice", Assert.Throws<ArgumentOutOfRangeException>(() => command.SetNice(20)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => command.SetNice(-21));
        Assert.Empty(command.CpuAffinity);
        Assert.Null(command.Nice);

        command.SetCpuAffinity(3, 1, 3).SetNice(-20);

        Assert.Equal([1, 3], command.CpuAffinity);
        Assert.Equal(-20, command.Nice);
    }

    private static async Task<ProbeReport> RunProbe(Command command) =>
        ProbeReport.Parse((await Posix.Runner.RunAsync(command.SetOutputBuffer()).OrHang()).StandardOutput);
}

/// <summary>A root test that also needs CAP_SYS_NICE (a container's root may lack it); it says why when it skips.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SysNiceRootFactAttribute : FactAttribute
{
    public SysNiceRootFactAttribute()
    {
        Skip = new RootFactAttribute().Skip;
        if (Skip is null && OperatingSystem.IsLinux() && !ResourceLimitTests.HasCapability(Capability.CAP_SYS_NICE))
            Skip = "needs CAP_SYS_NICE to lower the nice value, which this root lacks (a container)";
    }
}
