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
        using var dir = new TempDir();
        // The shell's own fds 0-2 are the ones the command leaves unset: it writes where they lead to a file.
        using var command = Command.NewArgList("/bin/sh", "-c",
            "fds=$(readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2); echo \"$fds\" >\"$0\"; echo oops >&2; exit 3", dir.File("fds"));

        var e = await Assert.ThrowsAsync<CommandExitException>(() => Runner.RunAsync(command).OrHang());

        Assert.Equal(3, e.ExitCode);
        Assert.Contains("oops", e.StandardErrorTail, StringComparison.Ordinal);
        var targets = File.ReadAllLines(dir.File("fds"));
        Assert.Equal(3, targets.Length);
        for (var fd = 0; fd < 3; fd++)
        {
            // A pipe of the backend's own (README: an empty or drained pipe), not the parent's stream.
            Assert.StartsWith("pipe:", targets[fd], StringComparison.Ordinal);
            Assert.NotEqual(ProcessInspector.FdTarget(fd), targets[fd]);
        }
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
        var expected = CommandFeatures.StdioPipes | CommandFeatures.Pipelines | (OperatingSystem.IsLinux() ? CommandFeatures.GracefulSignal : CommandFeatures.None);

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
