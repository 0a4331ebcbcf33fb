using System.Globalization;
using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// SPEC §4 on every backend: a grandchild that keeps the output pipe open delays the run by the drain
/// time at most, never until the grandchild ends. For the fake, which has no grandchildren, the shell
/// is scripted to answer as it does here (its own output, then exit), so the case proves the fake
/// returns that answer under a drain setting; the real backends prove the bound.
/// </summary>
public sealed class DrainConformanceTests
{
    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_grandchild_holding_stdout_open_does_not_hold_up_the_run(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        conformance.Script(runner, "sh", _ => FakeResponse.Success("done\n"));
        // The grandchild sleeps far longer than the HangGuard allows the run: only the drain bound lets it finish.
        var command = Command.NewArgList("sh", "-c", "sleep 120 & echo $! >&2; echo done")
            .SetOutputBuffer().SetErrorBuffer().SetDrainTimeout(TimeSpan.FromMilliseconds(300));

        var result = await runner.RunAsync(command).OrHang();

        if (int.TryParse(result.StandardError.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var grandchild))
            conformance.KillIfRunning(grandchild);
        Assert.Equal("done\n", result.StandardOutput);
        Assert.Equal(0, result.ExitCode);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Output_written_within_the_drain_time_is_kept(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        conformance.Script(runner, "sh", _ => FakeResponse.Success("early\nlate\n"));

        var result = await runner.RunAsync(Command.NewArgList("sh", "-c", "(sleep 0.2; echo late) & echo early")
            .SetOutputBuffer().SetDrainTimeout(TimeSpan.FromSeconds(20))).OrHang();

        Assert.Equal("early\nlate\n", result.StandardOutput);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_grandchild_holding_a_pumped_stream_open_does_not_hold_up_the_run(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        conformance.Script(runner, "sh", _ => FakeResponse.Success("done\n"));
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var command = Command.NewArgList("sh", "-c", "sleep 120 & echo $! >&2; echo done")
            .SetOutputStream(stdout, capture: true).SetErrorStream(stderr).SetDrainTimeout(TimeSpan.FromMilliseconds(300));

        var result = await runner.RunAsync(command).OrHang();

        if (int.TryParse(System.Text.Encoding.UTF8.GetString(stderr.ToArray()).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var grandchild))
            conformance.KillIfRunning(grandchild);
        Assert.Equal("done\n", result.StandardOutput);
        Assert.Equal("done\n"u8.ToArray(), stdout.ToArray());
    }
}
