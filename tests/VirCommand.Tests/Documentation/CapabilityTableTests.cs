using System.Text;
using VirCommand.Backends.Fake;
using VirCommand.Backends.Managed;
using VirCommand.Backends.Posix;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Documentation;

/// <summary>The README's table of which backend supports what is the backends' own capability sets, so it cannot drift.</summary>
public sealed class CapabilityTableTests
{
    private const string Begin = "<!-- capability-table:begin (checked by CapabilityTableTests) -->";
    private const string End = "<!-- capability-table:end -->";

    private static readonly (string Header, CommandFeatures Features)[] Columns =
    [
        ("posix", new PosixCommandRunner().Features),
        ("managed (Linux)", ManagedCommandRunner.FeaturesWhere(canSignal: true)),
        ("managed (elsewhere)", ManagedCommandRunner.FeaturesWhere(canSignal: false)),
        ("fake", new FakeCommandRunner().Features),
        ("ssh", Backends.Ssh.SshCommandRunner.SupportedFeatures),
    ];

    /// <summary>What needs each feature, for the reader of the table.</summary>
    private static readonly Dictionary<CommandFeatures, string> SetBy = new()
    {
        [CommandFeatures.PassFds] = "`PassFd`",
        [CommandFeatures.RemapFds] = "`PassFd(parent, child)` with another number",
        [CommandFeatures.CallerFds] = "`SetInputFd`, `SetOutputFd`, `SetErrorFd`",
        [CommandFeatures.StdioPipes] = "`SetInputPipe`, `SetOutputPipe`, `SetErrorPipe`; files, streams and sources (`SetInputFile`, `SetOutputStream`…)",
        [CommandFeatures.MergedOutput] = "`SetMergedOutputPipe`, `SetMergedOutputBuffer`, `SetMergedOutputFile`, `SetMergedOutputStream`",
        [CommandFeatures.NonblockingFds] = "`NonblockingFds`",
        [CommandFeatures.SendBuffers] = "`SetSendBuffer`",
        [CommandFeatures.Umask] = "`SetUmask`",
        [CommandFeatures.Daemonize] = "`Daemonize`",
        [CommandFeatures.PidFile] = "`SetPidFile`",
        [CommandFeatures.ResourceLimits] = "`SetResourceLimit`, `SetMaxFiles`…",
        [CommandFeatures.NewSession] = "`NewSession`",
        [CommandFeatures.NewProcessGroup] = "`NewProcessGroup`",
        [CommandFeatures.ParentDeathSignal] = "`SetParentDeathSignal`",
        [CommandFeatures.Credentials] = "`SetUid`, `SetGid`",
        [CommandFeatures.Capabilities] = "`ClearCaps`, `AllowCap`",
        [CommandFeatures.NoNewPrivileges] = "`SetNoNewPrivileges`",
        [CommandFeatures.PreExecHook] = "`SetPreExecHook`",
        [CommandFeatures.Handshake] = "`RequireHandshake`",
        [CommandFeatures.RawStatus] = "`RawStatus` (tells exit codes and signals apart)",
        [CommandFeatures.GracefulSignal] = "`SetGracefulSignal` other than SIGKILL, `SignalAsync`",
        [CommandFeatures.CpuAffinity] = "`SetCpuAffinity`",
        [CommandFeatures.Priority] = "`SetNice`",
        [CommandFeatures.CoreScheduling] = "`SetRunAlone`, `SetRunAmong`",
        [CommandFeatures.Cgroup] = "`SetCgroup`",
        [CommandFeatures.SecurityLabels] = "`SetSELinuxLabel`, `SetAppArmorProfile`",
        [CommandFeatures.PseudoTerminal] = "`SetPseudoTerminal`",
        [CommandFeatures.DefaultSignals] = "(a guarantee) the child starts with default signal actions, SIGPIPE too",
        [CommandFeatures.CloseOtherFds] = "(a guarantee) fds not passed never reach the child",
        [CommandFeatures.Pipelines] = "`Pipeline.Of`, `Command.Pipe` (the bar operator), run by `RunAsync(Pipeline)` and `StartAsync(Pipeline)`",
    };

    [Fact]
    public void ReadmeTable_IsTheBackendsCapabilitySets()
    {
        var readme = File.ReadAllText(ReadmePath());
        var start = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"README.md lacks the markers {Begin} … {End}");
        var actual = readme[(start + Begin.Length)..end].Trim().ReplaceLineEndings("\n");

        var expected = Render();

        Assert.True(expected == actual, $"README.md's capability table is stale; replace it with:\n\n{expected}\n");
    }

    [LinuxFact]
    public void ManagedLinuxColumn_IsWhatTheBackendReportsHere()
    {
        Assert.Equal(Columns[1].Features, new ManagedCommandRunner().Features);
    }

    /// <summary>One row per flag, in declaration order (a new flag without a <see cref="SetBy"/> entry fails here).</summary>
    private static string Render()
    {
        var text = new StringBuilder();
        text.Append("| feature | needed by |");
        foreach (var (header, _) in Columns)
            text.Append(' ').Append(header).Append(" |");
        text.Append("\n|---|---|");
        foreach (var _ in Columns)
            text.Append(":---:|");
        foreach (var flag in Enum.GetValues<CommandFeatures>().Where(f => f is not CommandFeatures.None and not CommandFeatures.All))
        {
            text.Append("\n| `").Append(flag).Append("` | ").Append(SetBy[flag]).Append(" |");
            foreach (var (_, features) in Columns)
                text.Append(features.HasFlag(flag) ? " yes |" : " no |");
        }
        return text.ToString();
    }

    internal static string ReadmePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "VirCommand.sln")))
                return candidate;
        }
        throw new FileNotFoundException("README.md next to VirCommand.sln, above " + AppContext.BaseDirectory);
    }
}
