using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// Durations past what a .NET timer or <see cref="Task.WaitAsync(TimeSpan)"/> takes (about 49.7 days)
/// are valid settings on every backend: they mean "longer than this run will ever last", never an
/// exception after the spawn or in a timer callback (RunSettings resolves them so).
/// </summary>
public sealed class LongDurationConformanceTests
{
    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_timeout_of_a_hundred_days_is_no_error_async_or_blocking(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        conformance.Script(runner, "/bin/true", _ => FakeResponse.Success());
        using var command = Command.New("/bin/true").SetTimeout(TimeSpan.FromDays(100));

        Assert.Equal(0, (await runner.RunAsync(command).OrHang()).ExitCode);
        Assert.Equal(0, (await Task.Run(() => runner.Run(command)).OrHang()).ExitCode);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task An_abort_with_the_longest_kill_grace_sends_the_graceful_signal(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        conformance.Script(runner, "/bin/sleep", _ => FakeResponse.Success().WithDelay(TimeSpan.FromSeconds(100)));
        using var command = Command.NewArgList("/bin/sleep", "100").SetKillGracePeriod(TimeSpan.MaxValue);
        await using var running = await runner.StartAsync(command).OrHang();

        await running.AbortAsync().OrHang();

        var e = await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync().OrHang());
        Assert.NotNull(e.Result);
        Assert.False(e.Result.Succeeded);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task The_longest_drain_waits_for_the_grandchild_that_holds_stdout(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        conformance.Script(runner, "/bin/sh", _ => FakeResponse.Success("late\n"));
        // The shell exits at once; its grandchild holds stdout for a moment, then writes and lets go.
        using var command = Command.NewArgList("/bin/sh", "-c", "(sleep 0.5; echo late) & exit 0")
            .SetDrainTimeout(TimeSpan.MaxValue).SetOutputBuffer();

        var result = await runner.RunAsync(command).OrHang();

        Assert.Equal("late\n", result.StandardOutput);
    }
}
