using VirCommand.Tests.Conformance;

namespace VirCommand.Tests.Posix;

/// <summary>
/// Issue 16 item 2: SetSELinuxLabel and SetAppArmorProfile are written to the kernel's attr interface as the
/// last step before exec; a kernel without the LSM, or one that refuses the label, fails the start at the
/// label's own stage with its errno.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SecurityLabelTests
{
    private const int EINVAL = 22;

    [LinuxFact]
    public async Task A_label_the_kernel_refuses_fails_the_start_at_the_SELinux_stage_on_both_paths()
    {
        // Not a context in any policy, and no context at all without SELinux: EINVAL either way.
        const string label = "not a context";

        var vfork = await Assert.ThrowsAsync<CommandStartException>(() => Posix.Runner.RunAsync(Probe.Command("--quiet").SetSELinuxLabel(label)));
        var forked = await Assert.ThrowsAsync<CommandStartException>(() => Posix.Runner.RunAsync(
            Probe.Command("--quiet").SetSELinuxLabel(label).SetPreExecHook(PreExecHook.FromLibrary(Probe.HookLibrary, "vc_test_hook_return"))));

        Assert.All(new[] { vfork, forked }, error =>
        {
            Assert.Equal(StartStage.SELinuxLabel, error.Stage);
            Assert.Equal(EINVAL, error.Errno);
            Assert.Contains($"'{label}'", error.Message, StringComparison.Ordinal);
        });
    }

    [LinuxFact]
    public async Task A_profile_the_kernel_refuses_fails_the_start_at_the_AppArmor_stage()
    {
        var error = await Assert.ThrowsAsync<CommandStartException>(() => Posix.Runner.RunAsync(Probe.Command("--quiet").SetAppArmorProfile("vircommand-no-such-profile")));

        Assert.Equal(StartStage.AppArmorProfile, error.Stage);
        Assert.Contains("exec vircommand-no-such-profile", error.Message, StringComparison.Ordinal);
        if (KernelIsolation.AppArmorMissing is not null && KernelIsolation.SELinuxMissing is not null)
            Assert.Equal(EINVAL, error.Errno); // no LSM takes the write
        else
            Assert.NotEqual(0, error.Errno); // AppArmor knows no such profile, or SELinux owns attr/exec
    }

    [LsmFact("selinux")]
    public async Task The_program_runs_with_the_SELinux_label_asked()
    {
        var label = ParentProcess.Label; // our own context: one any process may exec into

        var report = ProbeReport.Parse((await Posix.Runner.RunAsync(Probe.Command().SetSELinuxLabel(label).SetOutputBuffer()).OrHang()).StandardOutput);

        Assert.Equal(label, report.Label);
    }

    [LsmFact("apparmor")]
    public async Task The_program_runs_under_the_AppArmor_profile_asked()
    {
        // The profile we run under (attr/current shows "name (mode)", or "unconfined").
        var profile = ParentProcess.Label.Split(" (")[0];

        var report = ProbeReport.Parse((await Posix.Runner.RunAsync(Probe.Command().SetAppArmorProfile(profile).SetOutputBuffer()).OrHang()).StandardOutput);

        Assert.Equal(profile, report.Label.Split(" (")[0]);
    }

    [Fact]
    public void The_builder_refuses_an_empty_or_oversized_label()
    {
        using var command = new Command("true");
        Assert.Equal("label", Assert.Throws<ArgumentException>(() => command.SetSELinuxLabel("")).ParamName);
        Assert.Equal("label", Assert.Throws<ArgumentException>(() => command.SetSELinuxLabel("a\0b")).ParamName);
        Assert.Equal("profile", Assert.Throws<ArgumentException>(() => command.SetAppArmorProfile(new string('x', Command.MaxSecurityLabelBytes + 1))).ParamName);
        Assert.Equal("profile", Assert.Throws<ArgumentException>(() => command.SetAppArmorProfile(new string('é', (Command.MaxSecurityLabelBytes / 2) + 1))).ParamName);
        Assert.Throws<ArgumentNullException>(() => command.SetAppArmorProfile(null!));
        Assert.Null(command.SELinuxLabel);
        Assert.Null(command.AppArmorProfile);

        command.SetSELinuxLabel("a").SetSELinuxLabel("system_u:system_r:b_t:s0").SetAppArmorProfile(new string('x', Command.MaxSecurityLabelBytes));

        Assert.Equal("system_u:system_r:b_t:s0", command.SELinuxLabel);
        Assert.Equal(Command.MaxSecurityLabelBytes, command.AppArmorProfile!.Length);
    }
}
