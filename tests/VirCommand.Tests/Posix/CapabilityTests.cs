using System.Globalization;

namespace VirCommand.Tests.Posix;

/// <summary>ClearCaps/AllowCap (virCommandClearCaps/AllowCap), ambient capabilities and no_new_privs.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CapabilityTests
{
    private const uint Nobody = 65534;
    private const string NetBindService = "0000000000000400"; // bit 10

    private static async Task<string> ReportAsync(Command command)
    {
        using (command)
            return (await Posix.Runner.RunAsync(command.SetOutputBuffer())).StandardOutput;
    }

    private static string Caps(string inh, string prm, string eff, string bnd, string amb) =>
        $"inh={inh} prm={prm} eff={eff} bnd={bnd} amb={amb}";

    private static string ParentBounding()
    {
        var line = File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("CapBnd:", StringComparison.Ordinal));
        return line["CapBnd:".Length..].Trim();
    }

    [RootFact]
    public async Task A_non_root_child_really_holds_an_allowed_capability_and_nothing_else()
    {
        var report = await ReportAsync(Probe.Command().SetUid(Nobody).SetGid(Nobody).ClearCaps().AllowCap(Capability.CAP_NET_BIND_SERVICE));
        Assert.Equal(Caps(NetBindService, NetBindService, NetBindService, NetBindService, NetBindService), Probe.Value(report, "caps"));
        Assert.Equal("65534 65534 65534", Probe.Value(report, "uid"));
    }

    [RootFact]
    public async Task An_allowed_capability_is_usable_by_the_non_root_child()
    {
        // /etc/shadow is 0640 root:shadow: nobody reads it only with CAP_DAC_READ_SEARCH.
        using var without = Command.NewArgList("cat", "/etc/shadow").SetUid(Nobody).SetGid(Nobody).AllowNonZeroExit().SetOutputBuffer();
        Assert.NotEqual(0, (await Posix.Runner.RunAsync(without)).ExitCode);

        using var with = Command.NewArgList("cat", "/etc/shadow").SetUid(Nobody).SetGid(Nobody).ClearCaps()
            .AllowCap(Capability.CAP_DAC_READ_SEARCH).SetOutputBuffer();
        var result = await Posix.Runner.RunAsync(with);
        Assert.Contains("root:", result.StandardOutput, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task ClearCaps_drops_every_capability_from_every_set_even_for_root()
    {
        var none = "0000000000000000";
        var report = await ReportAsync(Probe.Command().ClearCaps());
        Assert.Equal(Caps(none, none, none, none, none), Probe.Value(report, "caps"));
        Assert.Equal("0 0 0", Probe.Value(report, "uid"));
    }

    [RootFact]
    public async Task ClearCaps_with_allowed_capabilities_for_root()
    {
        var both = (1UL << (int)Capability.CAP_NET_BIND_SERVICE | 1UL << (int)Capability.CAP_KILL).ToString("x16", CultureInfo.InvariantCulture);
        var report = await ReportAsync(Probe.Command().ClearCaps().AllowCap(Capability.CAP_NET_BIND_SERVICE).AllowCap(Capability.CAP_KILL));
        Assert.Equal(Caps(both, both, both, both, both), Probe.Value(report, "caps"));
    }

    [RootFact]
    public async Task AllowCap_without_ClearCaps_keeps_the_bounding_set()
    {
        // As in libvirt, the others go only with ClearCaps; the uid change takes them from the other sets anyway.
        var report = await ReportAsync(Probe.Command().SetUid(Nobody).SetGid(Nobody).AllowCap(Capability.CAP_NET_BIND_SERVICE));
        Assert.Equal(Caps(NetBindService, NetBindService, NetBindService, ParentBounding(), NetBindService), Probe.Value(report, "caps"));
    }

    [RootFact]
    public async Task A_uid_change_without_capability_settings_leaves_none()
    {
        var none = "0000000000000000";
        var report = await ReportAsync(Probe.Command().SetUid(Nobody).SetGid(Nobody));
        Assert.Equal(Caps(none, none, none, ParentBounding(), none), Probe.Value(report, "caps"));
    }

    [RootFact]
    public async Task Capabilities_on_the_fork_path_too()
    {
        using var command = Probe.Command().SetUid(Nobody).SetGid(Nobody).ClearCaps().AllowCap(Capability.CAP_NET_BIND_SERVICE)
            .SetPreExecHook(PreExecHook.FromLibrary(Probe.HookLibrary, "vc_test_hook_return")).SetOutputBuffer();
        var report = (await Posix.Runner.RunAsync(command)).StandardOutput;
        Assert.Equal(Caps(NetBindService, NetBindService, NetBindService, NetBindService, NetBindService), Probe.Value(report, "caps"));
    }

    [LinuxFact]
    public async Task No_new_privs_is_set_only_when_asked()
    {
        Assert.Equal("1", Probe.Value(await ReportAsync(Probe.Command().SetNoNewPrivileges()), "no_new_privs"));
        Assert.Equal("0", Probe.Value(await ReportAsync(Probe.Command()), "no_new_privs"));
    }

    [RootFact]
    public async Task No_new_privs_with_ids_and_capabilities()
    {
        var report = await ReportAsync(Probe.Command().SetUid(Nobody).SetGid(Nobody).ClearCaps().AllowCap(Capability.CAP_NET_BIND_SERVICE).SetNoNewPrivileges());
        Assert.Equal("1", Probe.Value(report, "no_new_privs"));
        Assert.Equal(NetBindService, Probe.Value(report, "caps")[^16..]);
    }
}
