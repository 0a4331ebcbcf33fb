using VirCommand.Backends.Managed;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Managed;

/// <summary>
/// Durations past what a .NET timer or <see cref="Task.WaitAsync(TimeSpan)"/> takes (about 49.7 days)
/// are valid settings: they mean "longer than this run will ever last", never an exception after the spawn.
/// </summary>
public sealed class ManagedLongDurationTests
{
    private static readonly ManagedCommandRunner Runner = new();

    [LinuxFact]
    public async Task ATimeoutOfAHundredDays_IsNoError()
    {
        using var command = Command.New("/bin/true").SetTimeout(TimeSpan.FromDays(100));

        var result = await Runner.RunAsync(command).OrHang();

        Assert.Equal(0, result.ExitCode);
    }

    [LinuxFact]
    public async Task AbortWithTheLongestKillGrace_SendsTheGracefulSignal()
    {
        using var command = Command.NewArgList("/bin/sleep", "100").SetKillGracePeriod(TimeSpan.MaxValue);
        await using var running = await Runner.StartAsync(command).OrHang();

        await running.AbortAsync().OrHang();

        var e = await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync().OrHang());
        Assert.Equal((int)Signal.SIGTERM + 128, e.Result?.ExitCode);
    }

    [LinuxFact]
    public async Task TheLongestDrain_WaitsForTheGrandchildThatHoldsStdout()
    {
        // The shell exits at once; its grandchild holds stdout for a moment, then writes and lets go.
        using var command = Command.NewArgList("/bin/sh", "-c", "(sleep 1; echo late) & exit 0")
            .SetDrainTimeout(TimeSpan.MaxValue).SetOutputBuffer();

        var result = await Runner.RunAsync(command).OrHang();

        Assert.Equal("late\n", result.StandardOutput);
    }
}
