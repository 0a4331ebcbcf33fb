using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>SPEC §3.6: input fed to stdin, stdout and stderr captured byte for byte, apart or merged.</summary>
public sealed class CaptureTests
{
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public async Task Input_with_nul_bytes_is_echoed_exactly_into_separate_stdout_and_stderr_captures()
    {
        var data = Probe.Binary(5000, seed: 1);

        var result = await _runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(data).SetOutputBuffer().SetErrorBuffer()).OrHang();

        Assert.Equal(Probe.StdoutBlock(data), result.StandardOutputBytes.ToArray());
        Assert.Equal(Probe.StderrBlock(data), result.StandardErrorBytes.ToArray());
    }

    [Fact]
    public async Task A_merged_capture_holds_both_streams_in_the_childs_write_order()
    {
        var result = await _runner.RunAsync(Probe.Command("--quiet").SetInputBuffer("line 1\nline 2").SetMergedOutputBuffer()).OrHang();

        Assert.Equal("BEGIN STDOUT\nline 1\nline 2END STDOUT\nBEGIN STDERR\nline 1\nline 2END STDERR\n", result.StandardOutput);
        Assert.Contains("read StandardOutput", Assert.Throws<InvalidOperationException>(() => result.StandardError).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_merged_capture_keeps_the_order_across_several_inputs_and_stderr_writes()
    {
        var command = Probe.Command("--quiet", "--write-stderr", "first ").SetInputBuffer("in").SetMergedOutputBuffer();
        var fd = command.SetSendBuffer("extra"u8.ToArray());
        command.AddArgList("--readfd", $"{fd}");

        var result = await _runner.RunAsync(command).OrHang();

        Assert.Equal("first " + Probe.StdoutBlock("in") + Probe.StderrBlock("in") + Probe.StdoutBlock("extra") + Probe.StderrBlock("extra"),
            result.StandardOutput);
    }

    [Fact]
    public async Task Text_input_is_fed_as_utf8()
    {
        var result = await _runner.RunAsync(Probe.Command("--quiet").SetInputBuffer("ünïcødé ✓").SetOutputBuffer()).OrHang();

        Assert.Equal(Probe.StdoutBlock("ünïcødé ✓"), result.StandardOutput);
    }

    [Fact]
    public async Task Output_that_was_not_captured_is_absent_from_the_result()
    {
        var result = await _runner.RunAsync(Probe.Command("--quiet", "--write-stderr", "ignored").SetInputBuffer("ignored")).OrHang();

        Assert.False(result.HasStandardOutput);
        Assert.False(result.HasStandardError);
        Assert.Throws<InvalidOperationException>(() => result.StandardOutputBytes);
        Assert.Throws<InvalidOperationException>(() => result.StandardErrorBytes);
    }

    [Fact]
    public async Task A_capture_of_a_silent_child_is_empty_never_null()
    {
        var result = await _runner.RunAsync(Command.New("true").SetOutputBuffer().SetErrorBuffer()).OrHang();

        Assert.Equal("", result.StandardOutput);
        Assert.Equal("", result.StandardError);
    }

    [Fact]
    public async Task A_capture_read_after_StartAsync_is_in_the_waited_result()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet").SetInputBuffer("started").SetOutputBuffer().SetErrorBuffer());

        var result = await running.WaitAsync().OrHang();

        Assert.Equal(Probe.StdoutBlock("started"), result.StandardOutput);
        Assert.Equal(Probe.StderrBlock("started"), result.StandardError);
    }

    [Fact]
    public async Task A_rerun_feeds_the_input_again()
    {
        var command = Probe.Command("--quiet").SetInputBuffer("twice").SetOutputBuffer();

        var first = await _runner.RunAsync(command).OrHang();
        var second = await _runner.RunAsync(command).OrHang();

        Assert.Equal(Probe.StdoutBlock("twice"), first.StandardOutput);
        Assert.Equal(Probe.StdoutBlock("twice"), second.StandardOutput);
    }

    [Fact]
    public async Task An_empty_input_buffer_gives_the_child_immediate_end_of_file()
    {
        var result = await _runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(Array.Empty<byte>()).SetOutputBuffer()).OrHang();

        Assert.Equal(Probe.StdoutBlock(""), result.StandardOutput);
    }

    [Fact]
    public async Task The_stderr_tail_of_a_failed_run_without_error_capture_is_in_the_exception()
    {
        var error = await Assert.ThrowsAsync<CommandExitException>(() =>
            _runner.RunAsync(Probe.Command("--quiet", "--write-stderr", "it broke\n", "--exit", "4").SetOutputBuffer()).OrHang());

        Assert.Equal(4, error.ExitCode);
        Assert.Equal("it broke\n" + Probe.StderrBlock(""), error.StandardErrorTail);
        Assert.Equal(Probe.StdoutBlock(""), error.Result.StandardOutput);
        Assert.False(error.Result.HasStandardError);
    }

    [Fact]
    public async Task The_stderr_tail_keeps_only_the_end_of_a_long_stderr()
    {
        var runner = new PosixCommandRunner(new CommandRunnerOptions { StandardErrorTailBytes = 64 });
        var data = new string('x', 10_000) + "THE END";

        var error = await Assert.ThrowsAsync<CommandExitException>(() =>
            runner.RunAsync(Probe.Command("--quiet", "--exit", "1").SetInputBuffer(data)).OrHang());

        var full = Probe.StderrBlock(data);
        Assert.Equal(full[^64..], error.StandardErrorTail);
    }

    [Fact]
    public async Task With_an_error_capture_the_exception_carries_the_captured_stderr()
    {
        var error = await Assert.ThrowsAsync<CommandExitException>(() =>
            _runner.RunAsync(Probe.Command("--quiet", "--write-stderr", "captured", "--exit", "2").SetErrorBuffer()).OrHang());

        Assert.Equal("captured" + Probe.StderrBlock(""), error.Result.StandardError);
        Assert.Contains("captured", error.StandardErrorTail, StringComparison.Ordinal);
    }
}
