using VirCommand.Backends.Managed;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Managed;

/// <summary>What is particular to the managed backend; the cross-backend contract is proven by Conformance/.</summary>
public sealed class ManagedSmokeTests
{
    private static readonly ManagedCommandRunner Runner = new();

    [LinuxFact]
    public async Task BareName_IsArgvZeroAsGiven()
    {
        using var command = Command.New("cat").AddArg("/proc/self/cmdline").SetOutputBuffer();

        var result = await Runner.RunAsync(command);

        Assert.Equal("cat\0/proc/self/cmdline\0", result.StandardOutput);
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
