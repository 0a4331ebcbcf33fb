using VirCommand.Backends.Managed;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Managed;

/// <summary>What is particular to the managed backend; the cross-backend contract is proven by Conformance/.</summary>
public sealed class ManagedSmokeTests
{
    private static readonly ManagedCommandRunner Runner = new();

    [LinuxFact]
    public async Task Probe_SeesArgvAsGiven_AndEchoesInput()
    {
        using var command = Probe.Command("a b", "", "ü").SetInputBuffer("hello\n").SetOutputBuffer().SetErrorBuffer();

        var result = await Runner.RunAsync(command);

        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.Equal([Probe.Path, "a b", "", "ü"], report.Argv);
        Assert.EndsWith(Probe.StdoutBlock("hello\n"), result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(Probe.StderrBlock("hello\n"), result.StandardError);
    }

    [LinuxFact]
    public async Task BareName_IsArgvZeroAsGiven()
    {
        using var command = Command.New("cat").AddArg("/proc/self/cmdline").SetOutputBuffer();

        var result = await Runner.RunAsync(command);

        Assert.Equal("cat\0/proc/self/cmdline\0", result.StandardOutput);
    }

    [LinuxFact]
    public async Task RelativePath_IsArgvZeroAsGiven_AndResolvedAgainstTheParentsDirectory()
    {
        using var dir = new TempDir();
        var relative = "./" + Path.GetRelativePath(Directory.GetCurrentDirectory(), Probe.Path);
        using var command = Command.New(relative).SetWorkingDirectory(dir.Path).SetOutputBuffer();

        var result = await Runner.RunAsync(command);

        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.Equal([relative], report.Argv);
        Assert.Equal(dir.Path, report.Cwd);
    }

    [LinuxFact]
    public async Task UnsetStdio_NeverReachesTheParentsOwnStreams()
    {
        using var command = Probe.Command("--write-stderr", "oops", "--exit", "3");

        var e = await Assert.ThrowsAsync<CommandExitException>(() => Runner.RunAsync(command));

        Assert.Equal(3, e.ExitCode);
        Assert.Contains("oops", e.StandardErrorTail, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task DetachedChild_CanBeWaitedForAfterDisposal()
    {
        using var command = Probe.Command("--quiet", "--sleep", "200", "--exit", "4").AllowNonZeroExit();
        var running = await Runner.StartAsync(command);
        running.Detach();
        await running.DisposeAsync();

        var result = await running.WaitAsync();

        Assert.Equal(4, result.ExitCode);
    }

    [LinuxFact]
    public async Task SignalDeath_UnderAllowNonZeroExit_ComesBackAsExitCode128PlusN()
    {
        // A documented limit (README, the managed backend): .NET gives no way to tell it from exit(137).
        using var command = Command.NewArgList("/bin/sh", "-c", "kill -KILL $$").AllowNonZeroExit();

        var result = await Runner.RunAsync(command);

        Assert.Equal(128 + (int)Signal.SIGKILL, result.ExitCode);
        Assert.Null(result.TerminatingSignal);
    }

    [Fact]
    public void Features_AreWhatProcessCanHonour()
    {
        var expected = CommandFeatures.StdioPipes | (OperatingSystem.IsLinux() ? CommandFeatures.GracefulSignal : CommandFeatures.None);

        Assert.Equal(expected, Runner.Features);
        Assert.Equal("managed", Runner.Name);
    }

    [Fact]
    public async Task Refusal_NamesTheFeatureAndThePosixBackend()
    {
        using var command = Command.New("/bin/true").SetUmask(0);

        var e = await Assert.ThrowsAsync<CommandNotSupportedException>(() => Runner.RunAsync(command));

        Assert.Equal(CommandFeatures.Umask, e.Feature);
        Assert.Equal("managed", e.Backend);
        Assert.Equal("posix", e.Alternative);
        Assert.Contains("the managed backend does not support Umask; the posix backend does", e.Message, StringComparison.Ordinal);
    }
}
