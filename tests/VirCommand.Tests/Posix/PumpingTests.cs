using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>SPEC §3.6: one non-blocking loop pumps every pipe at once, so no mix of input and output sizes deadlocks.</summary>
public sealed class PumpingTests
{
    private const int KiB = 1024;
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public async Task Three_inputs_and_two_outputs_of_128_KiB_each_flow_at_once()
    {
        var stdin = Probe.Binary(128 * KiB, seed: 10);
        var extra1 = Probe.Binary(128 * KiB, seed: 11);
        var extra2 = Probe.Binary(128 * KiB, seed: 12);
        var command = Probe.Command("--quiet").SetInputBuffer(stdin).SetOutputBuffer().SetErrorBuffer();
        var fd1 = command.SetSendBuffer(extra1);
        var fd2 = command.SetSendBuffer(extra2);
        command.AddArgList("--readfd", $"{fd1}", "--readfd", $"{fd2}");

        var result = await _runner.RunAsync(command).OrHang();

        Assert.Equal([.. Probe.StdoutBlock(stdin), .. Probe.StdoutBlock(extra1), .. Probe.StdoutBlock(extra2)], result.StandardOutputBytes.ToArray());
        Assert.Equal([.. Probe.StderrBlock(stdin), .. Probe.StderrBlock(extra1), .. Probe.StderrBlock(extra2)], result.StandardErrorBytes.ToArray());
    }

    [Fact]
    public async Task Send_buffers_read_in_reverse_order_do_not_deadlock()
    {
        // The probe drains the last send buffer first while the others sit full in their pipes.
        var extra1 = Probe.Binary(200 * KiB, seed: 13);
        var extra2 = Probe.Binary(200 * KiB, seed: 14);
        var command = Probe.Command("--quiet").SetInputBuffer(Probe.Binary(200 * KiB, seed: 15)).SetOutputBuffer();
        var fd1 = command.SetSendBuffer(extra1);
        var fd2 = command.SetSendBuffer(extra2);
        command.AddArgList("--close-stdin", "--readfd", $"{fd2}", "--readfd", $"{fd1}");

        var result = await _runner.RunAsync(command).OrHang();

        Assert.Equal([.. Probe.StdoutBlock(extra2), .. Probe.StdoutBlock(extra1)], result.StandardOutputBytes.ToArray());
    }

    [Fact]
    public async Task A_child_that_closes_stdin_at_once_is_not_an_error()
    {
        var result = await _runner.RunAsync(Probe.Command("--quiet", "--close-stdin").SetInputBuffer(Probe.Binary(100_000, seed: 20)).SetOutputBuffer()).OrHang();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.StandardOutput);
    }

    [Fact]
    public async Task A_child_that_exits_without_reading_a_large_input_is_not_an_error()
    {
        var result = await _runner.RunAsync(Command.New("true").SetInputBuffer(Probe.Binary(1024 * KiB, seed: 21))).OrHang();

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task A_child_that_ignores_its_send_buffers_is_not_an_error()
    {
        var command = Probe.Command("--quiet").SetOutputBuffer();
        command.SetSendBuffer(Probe.Binary(300 * KiB, seed: 22));
        command.SetSendBuffer(Probe.Binary(300 * KiB, seed: 23));

        var result = await _runner.RunAsync(command).OrHang();

        Assert.Equal(Probe.StdoutBlock(""), result.StandardOutput);
    }

    [Fact]
    public async Task A_large_merged_output_is_captured_exactly()
    {
        var data = Probe.Binary(1024 * KiB, seed: 30);

        var result = await _runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(data).SetMergedOutputBuffer()).OrHang();

        Assert.Equal(Probe.MergedBlock(data), result.StandardOutputBytes.ToArray());
    }

    [Fact]
    public async Task Large_separate_outputs_written_in_alternation_are_captured_exactly()
    {
        // Both pipes fill up while the parent must drain them together.
        var script = "i=0; while [ $i -lt 2000 ]; do echo \"out $i ................................................................\"; "
            + "echo \"err $i ................................................................\" >&2; i=$((i+1)); done";

        var result = await _runner.RunAsync(Command.NewArgList("sh", "-c", script).SetOutputBuffer().SetErrorBuffer()).OrHang();

        var outLines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var errLines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2000, outLines.Length);
        Assert.Equal(2000, errLines.Length);
        Assert.Equal("out 1999 " + new string('.', 64), outLines[^1]);
        Assert.Equal("err 1999 " + new string('.', 64), errLines[^1]);
    }

    [Fact]
    public async Task Megabytes_through_stdin_and_back_in_both_captures()
    {
        var data = Probe.Binary(4 * 1024 * KiB, seed: 31);

        var result = await _runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(data).SetOutputBuffer().SetErrorBuffer()).OrHang();

        Assert.Equal(Probe.StdoutBlock(data), result.StandardOutputBytes.ToArray());
        Assert.Equal(Probe.StderrBlock(data), result.StandardErrorBytes.ToArray());
    }
}
