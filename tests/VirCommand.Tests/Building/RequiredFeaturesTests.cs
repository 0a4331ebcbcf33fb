namespace VirCommand.Tests.Building;

public sealed class RequiredFeaturesTests
{
    private static readonly Dictionary<string, (Action<Command> Apply, CommandFeatures Expected)> Settings = new(StringComparer.Ordinal)
    {
        ["PassFd"] = (c => c.PassFd(100), CommandFeatures.PassFds),
        ["PassFdRemapped"] = (c => c.PassFd(100, 3), CommandFeatures.PassFds | CommandFeatures.RemapFds),
        ["InputFd"] = (c => c.SetInputFd(5), CommandFeatures.CallerFds),
        ["OutputFd"] = (c => c.SetOutputFd(5), CommandFeatures.CallerFds),
        ["ErrorFd"] = (c => c.SetErrorFd(5), CommandFeatures.CallerFds),
        ["InputPipe"] = (c => c.SetInputPipe(), CommandFeatures.StdioPipes),
        ["OutputPipe"] = (c => c.SetOutputPipe(), CommandFeatures.StdioPipes),
        ["ErrorPipe"] = (c => c.SetErrorPipe(), CommandFeatures.StdioPipes),
        ["MergedOutputPipe"] = (c => c.SetMergedOutputPipe(), CommandFeatures.StdioPipes | CommandFeatures.MergedOutput),
        ["MergedOutputBuffer"] = (c => c.SetMergedOutputBuffer(), CommandFeatures.MergedOutput),
        ["NonblockingFds"] = (c => c.NonblockingFds(), CommandFeatures.NonblockingFds),
        ["SendBuffer"] = (c => c.SetSendBuffer(new byte[] { 1 }), CommandFeatures.SendBuffers),
        ["Umask"] = (c => c.SetUmask(0), CommandFeatures.Umask),
        ["CpuAffinity"] = (c => c.SetCpuAffinity(0), CommandFeatures.CpuAffinity),
        ["Nice"] = (c => c.SetNice(0), CommandFeatures.Priority),
        ["RunAlone"] = (c => c.SetRunAlone(), CommandFeatures.CoreScheduling),
        ["RunAmong"] = (c => c.SetRunAmong(1), CommandFeatures.CoreScheduling),
        ["Cgroup"] = (c => c.SetCgroup("/sys/fs/cgroup/x"), CommandFeatures.Cgroup),
        ["SELinuxLabel"] = (c => c.SetSELinuxLabel("system_u:system_r:x_t:s0"), CommandFeatures.SecurityLabels),
        ["AppArmorProfile"] = (c => c.SetAppArmorProfile("x"), CommandFeatures.SecurityLabels),
        ["PseudoTerminal"] = (c => c.SetPseudoTerminal(80, 24), CommandFeatures.PseudoTerminal),
        ["Daemonize"] = (c => c.Daemonize(), CommandFeatures.Daemonize),
        ["PidFile"] = (c => c.SetPidFile("/run/x.pid"), CommandFeatures.PidFile),
        ["MaxFiles"] = (c => c.SetMaxFiles(0), CommandFeatures.ResourceLimits),
        ["MaxProcesses"] = (c => c.SetMaxProcesses(10), CommandFeatures.ResourceLimits),
        ["MaxMemLock"] = (c => c.SetMaxMemLock(ResourceLimit.Unlimited), CommandFeatures.ResourceLimits),
        ["MaxCoreSize"] = (c => c.SetMaxCoreSize(0), CommandFeatures.ResourceLimits),
        ["NewSession"] = (c => c.NewSession(), CommandFeatures.NewSession),
        ["NewProcessGroup"] = (c => c.NewProcessGroup(), CommandFeatures.NewProcessGroup),
        ["ParentDeathSignal"] = (c => c.SetParentDeathSignal(Signal.SIGTERM), CommandFeatures.ParentDeathSignal),
        ["Uid"] = (c => c.SetUid(0), CommandFeatures.Credentials),
        ["Gid"] = (c => c.SetGid(0), CommandFeatures.Credentials),
        ["ClearCaps"] = (c => c.ClearCaps(), CommandFeatures.Capabilities),
        ["AllowCap"] = (c => c.AllowCap(Capability.CAP_NET_RAW), CommandFeatures.Capabilities),
        ["NoNewPrivileges"] = (c => c.SetNoNewPrivileges(), CommandFeatures.NoNewPrivileges),
        ["PreExecHook"] = (c => c.SetPreExecHook(PreExecHook.FromFunctionPointer(0x1000)), CommandFeatures.PreExecHook),
        ["Handshake"] = (c => c.RequireHandshake(), CommandFeatures.Handshake),
        ["RawStatus"] = (c => c.RawStatus(), CommandFeatures.RawStatus),
        ["GracefulSignalTerm"] = (c => c.SetGracefulSignal(Signal.SIGTERM), CommandFeatures.GracefulSignal),
        ["GracefulSignalInt"] = (c => c.SetGracefulSignal(Signal.SIGINT), CommandFeatures.GracefulSignal),
        ["GracefulSignalKill"] = (c => c.SetGracefulSignal(Signal.SIGKILL), CommandFeatures.None),
        ["Arguments"] = (c => c.AddArg("x").AddArgPair("a", "b").AddSecretArg("s"), CommandFeatures.None),
        ["Environment"] = (c => c.AddEnvPair("A", "1").AddSecretEnvPair("B", "2"), CommandFeatures.None),
        ["WorkingDirectory"] = (c => c.SetWorkingDirectory("/tmp"), CommandFeatures.None),
        ["InputBuffer"] = (c => c.SetInputBuffer("data"), CommandFeatures.None),
        ["OutputBuffer"] = (c => c.SetOutputBuffer(), CommandFeatures.None),
        ["ErrorBuffer"] = (c => c.SetErrorBuffer(), CommandFeatures.None),
        ["AllowNonZeroExit"] = (c => c.AllowNonZeroExit(), CommandFeatures.None),
        ["Timeout"] = (c => c.SetTimeout(TimeSpan.FromSeconds(1)), CommandFeatures.None),
        ["KillGracePeriod"] = (c => c.SetKillGracePeriod(TimeSpan.Zero), CommandFeatures.None),
        ["DrainTimeout"] = (c => c.SetDrainTimeout(TimeSpan.FromSeconds(1)), CommandFeatures.None),
        ["CaptureLimit"] = (c => c.SetCaptureLimit(1024), CommandFeatures.None),
    };

    public static TheoryData<string, CommandFeatures> SettingFlags()
    {
        var data = new TheoryData<string, CommandFeatures>();
        foreach (var (name, setting) in Settings)
            data.Add(name, setting.Expected);
        return data;
    }

    [Fact]
    public void PlainCommand_RequiresNone()
    {
        Assert.Equal(CommandFeatures.None, new Command("prog").RequiredFeatures);
    }

    [Theory]
    [MemberData(nameof(SettingFlags))]
    public void Setting_RequiresExactlyItsFlags(string setting, CommandFeatures expected)
    {
        var command = new Command("prog");

        Settings[setting].Apply(command);

        Assert.Equal(expected, command.RequiredFeatures);
    }

    [Fact]
    public void EveryFeatureFlag_IsRequiredBySomeSetting_ExceptTheGuarantees()
    {
        var reachable = Settings.Values.Aggregate(CommandFeatures.None, (all, s) => all | s.Expected);

        Assert.Equal(CommandFeatures.All & ~(CommandFeatures.CloseOtherFds | CommandFeatures.DefaultSignals | CommandFeatures.Pipelines), reachable);
    }

    [Fact]
    public void SeveralSettings_RequireTheUnionOfTheirFlags()
    {
        var command = new Command("prog")
            .PassFd(100)
            .SetUmask(0b000_010_010)
            .NewSession()
            .SetGracefulSignal(Signal.SIGKILL);

        Assert.Equal(CommandFeatures.PassFds | CommandFeatures.Umask | CommandFeatures.NewSession, command.RequiredFeatures);
    }

    [Fact]
    public void SameFdPassedBesideARemappedOne_RequiresRemap()
    {
        var command = new Command("prog").PassFd(100).PassFd(101, 5);

        Assert.Equal(CommandFeatures.PassFds | CommandFeatures.RemapFds, command.RequiredFeatures);
    }
}
