using System.Diagnostics;
using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>SPEC §4: a grandchild holding the output pipe delays the run by the drain time at most, never forever.</summary>
public sealed class DrainTests
{
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public async Task A_grandchild_holding_stdout_does_not_hang_the_run()
    {
        var clock = Stopwatch.StartNew();

        var result = await _runner.RunAsync(Command.NewArgList("sh", "-c", "sleep 30 & echo $! >&2; echo done")
            .SetOutputBuffer().SetErrorBuffer().SetDrainTimeout(TimeSpan.FromMilliseconds(300))).OrHang();

        var grandchild = int.Parse(result.StandardError.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        ProcessInspector.KillIfRunning(grandchild);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the run took {clock.Elapsed}: it waited for the grandchild");
        Assert.Equal("done\n", result.StandardOutput);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task A_grandchild_holding_the_stderr_tail_pipe_does_not_hang_the_run()
    {
        var clock = Stopwatch.StartNew();

        var result = await _runner.RunAsync(Command.NewArgList("sh", "-c", "sleep 30 & echo $!")
            .SetOutputBuffer().SetDrainTimeout(TimeSpan.FromMilliseconds(300))).OrHang();

        ProcessInspector.KillIfRunning(int.Parse(result.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the run took {clock.Elapsed}: it waited for the grandchild");
    }

    [Fact]
    public async Task Output_a_grandchild_writes_within_the_drain_time_is_captured()
    {
        var result = await _runner.RunAsync(Command.NewArgList("sh", "-c", "(sleep 0.2; echo late) & echo early")
            .SetOutputBuffer().SetDrainTimeout(TimeSpan.FromSeconds(10))).OrHang();

        Assert.Equal("early\nlate\n", result.StandardOutput);
    }

    [Fact]
    public async Task Everything_a_child_wrote_before_exiting_is_captured_even_with_a_zero_drain_time()
    {
        // The child itself is done and nobody else holds the pipe: its output is all there, waiting to
        // be read. A zero drain time may skip waiting for grandchildren, not drop data already written.
        var data = Probe.Binary(48 * 1024, seed: 40);
        for (var i = 0; i < 20; i++)
        {
            var result = await _runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(data).SetOutputBuffer().SetErrorBuffer()
                .SetDrainTimeout(TimeSpan.Zero)).OrHang();

            Assert.Equal(Probe.StdoutBlock(data), result.StandardOutputBytes.ToArray());
            Assert.Equal(Probe.StderrBlock(data), result.StandardErrorBytes.ToArray());
        }
    }

    [Fact]
    public async Task A_zero_drain_time_still_keeps_what_the_child_wrote_before_it_exited()
    {
        var result = await _runner.RunAsync(Command.NewArgList("sh", "-c", "sleep 30 & echo $! >&2; echo done")
            .SetOutputBuffer().SetErrorBuffer().SetDrainTimeout(TimeSpan.Zero)).OrHang();

        var grandchild = int.Parse(result.StandardError.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        ProcessInspector.KillIfRunning(grandchild);
        Assert.Equal("done\n", result.StandardOutput);
    }
}
