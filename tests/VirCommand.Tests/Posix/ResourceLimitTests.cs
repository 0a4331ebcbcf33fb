namespace VirCommand.Tests.Posix;

/// <summary>virCommandSetMaxFiles/Processes/MemLock/CoreSize: exactly the value, 0 and unlimited included.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ResourceLimitTests
{
    private static async Task<string> ReportAsync(Command command)
    {
        using (command)
            return (await Posix.Runner.RunAsync(command.SetOutputBuffer())).StandardOutput;
    }

    [RootFact]
    public async Task Each_limit_is_exactly_the_value_asked()
    {
        var report = await ReportAsync(Probe.Command().SetMaxFiles(100).SetMaxProcesses(50).SetMaxMemLock(65536).SetMaxCoreSize(1 << 20));
        Assert.Equal("100 100", Probe.Value(report, "rlimit nofile")); // libvirt would set 101
        Assert.Equal("50 50", Probe.Value(report, "rlimit nproc"));
        Assert.Equal("65536 65536", Probe.Value(report, "rlimit memlock"));
        Assert.Equal("1048576 1048576", Probe.Value(report, "rlimit core"));
    }

    [RootFact]
    public async Task Zero_and_unlimited_are_real_values()
    {
        var report = await ReportAsync(Probe.Command().SetMaxCoreSize(0).SetMaxMemLock(0).SetMaxProcesses(0));
        Assert.Equal("0 0", Probe.Value(report, "rlimit core"));
        Assert.Equal("0 0", Probe.Value(report, "rlimit memlock"));
        Assert.Equal("0 0", Probe.Value(report, "rlimit nproc")); // root ignores it, so the probe still ran

        // RLIMIT_CORE's hard limit is unlimited here, so lifting it needs no CAP_SYS_RESOURCE.
        Assert.Equal(ulong.MaxValue, HardLimit("Max core file size"));
        report = await ReportAsync(Probe.Command().SetMaxCoreSize(ResourceLimit.Unlimited));
        Assert.Equal("unlimited unlimited", Probe.Value(report, "rlimit core"));
    }

    [RootFact]
    public async Task Raising_a_hard_limit_takes_CAP_SYS_RESOURCE_and_its_absence_is_reported()
    {
        using var command = Probe.Command().SetMaxMemLock(ResourceLimit.Unlimited).SetOutputBuffer();
        if (HasCapability(Capability.CAP_SYS_RESOURCE) || HardLimit("Max locked memory") == ulong.MaxValue)
        {
            var report = (await Posix.Runner.RunAsync(command)).StandardOutput;
            Assert.Equal("unlimited unlimited", Probe.Value(report, "rlimit memlock"));
        }
        else
        {
            // This machine's root lacks CAP_SYS_RESOURCE (a container): the kernel refuses, and we say so.
            var error = await Assert.ThrowsAsync<CommandStartException>(() => Posix.Runner.RunAsync(command));
            Assert.Equal(StartStage.ResourceLimit, error.Stage);
            Assert.Equal(1, error.Errno);
            Assert.Contains("LockedMemory=unlimited", error.Message, StringComparison.Ordinal);
        }
    }

    internal static bool HasCapability(Capability capability)
    {
        var line = File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        var effective = ulong.Parse(line["CapEff:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        return (effective & (1UL << (int)capability)) != 0;
    }

    /// <summary>This process's hard limit, from /proc/self/limits.</summary>
    private static ulong HardLimit(string name)
    {
        var line = File.ReadAllLines("/proc/self/limits").Single(l => l.StartsWith(name, StringComparison.Ordinal));
        var hard = line[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return hard == "unlimited" ? ulong.MaxValue : ulong.Parse(hard, System.Globalization.CultureInfo.InvariantCulture);
    }

    [LinuxFact]
    public async Task Lowering_needs_no_privilege()
    {
        var report = await ReportAsync(Probe.Command().SetMaxCoreSize(0).SetMaxFiles(64).SetResourceLimit(ResourceLimitKind.LockedMemory, 4096));
        Assert.Equal("0 0", Probe.Value(report, "rlimit core"));
        Assert.Equal("64 64", Probe.Value(report, "rlimit nofile"));
        Assert.Equal("4096 4096", Probe.Value(report, "rlimit memlock"));
    }

    [RootFact]
    public async Task Limits_on_the_fork_path_too()
    {
        var report = await ReportAsync(Probe.Command().SetMaxFiles(77).SetMaxCoreSize(0)
            .SetPreExecHook(PreExecHook.FromLibrary(Probe.HookLibrary, "vc_test_hook_return")));
        Assert.Equal("77 77", Probe.Value(report, "rlimit nofile"));
        Assert.Equal("0 0", Probe.Value(report, "rlimit core"));
    }
}

/// <summary>Failure paths that must leave nothing behind, run alone so that fds and children can be counted.</summary>
[Collection("Serial")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ResourceLimitFailureTests
{
    [LinuxFact]
    public async Task A_limit_the_kernel_refuses_fails_the_start_with_its_stage()
    {
        await Posix.Runner.RunAsync(Probe.Command("--quiet").SetMaxFiles(64)); // warm-up
        var leaks = new LeakCheck();
        // Above fs.nr_open: refused even for root.
        var error = await Assert.ThrowsAsync<CommandStartException>(() => Posix.Runner.RunAsync(Probe.Command("--quiet").SetMaxFiles(1UL << 40)));
        await leaks.AssertCleanAsync();
        Assert.Equal(StartStage.ResourceLimit, error.Stage);
        Assert.Equal(1, error.Errno); // EPERM
        Assert.Contains("OpenFiles=1099511627776", error.Message, StringComparison.Ordinal);
    }
}
