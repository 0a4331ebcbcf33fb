using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>SPEC §3.6: a cap on captured bytes; exceeding it stops the child and is reported, never silent.</summary>
public sealed class CaptureLimitTests
{
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public async Task A_child_writing_past_the_limit_is_stopped_and_the_capture_holds_exactly_the_limit()
    {
        var data = Probe.Binary(1024 * 1024, seed: 50);

        var error = await Assert.ThrowsAsync<CommandCaptureLimitException>(() =>
            _runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(data).SetOutputBuffer().SetCaptureLimit(1000)).OrHang());

        Assert.Equal("stdout", error.Stream);
        Assert.Equal(1000, error.Limit);
        Assert.Equal(Probe.StdoutBlock(data)[..1000], error.Result.StandardOutputBytes.ToArray());
        LifecycleTests.AssertReaped(error.Result.Pid);
    }

    [Fact]
    public async Task A_child_that_would_write_forever_is_stopped_by_the_graceful_signal()
    {
        var error = await Assert.ThrowsAsync<CommandCaptureLimitException>(() =>
            _runner.RunAsync(Command.NewArgList("cat", "/dev/zero").SetOutputBuffer().SetCaptureLimit(1000)).OrHang());

        Assert.Equal(Signal.SIGTERM, error.Result.TerminatingSignal);
        Assert.Equal(new byte[1000], error.Result.StandardOutputBytes.ToArray());
        Assert.Contains("1000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_limit_applies_to_stderr_and_names_it()
    {
        var data = Probe.Binary(256 * 1024, seed: 51);

        var error = await Assert.ThrowsAsync<CommandCaptureLimitException>(() =>
            _runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(data).SetErrorBuffer().SetCaptureLimit(5000)).OrHang());

        Assert.Equal("stderr", error.Stream);
        Assert.Equal(Probe.StderrBlock(data)[..5000], error.Result.StandardErrorBytes.ToArray());
    }

    [Fact]
    public async Task The_limit_applies_to_a_merged_capture()
    {
        var error = await Assert.ThrowsAsync<CommandCaptureLimitException>(() =>
            _runner.RunAsync(Command.NewArgList("cat", "/dev/zero").SetMergedOutputBuffer().SetCaptureLimit(4096)).OrHang());

        Assert.Equal(new byte[4096], error.Result.StandardOutputBytes.ToArray());
    }

    [Fact]
    public async Task Overflowing_the_limit_while_the_output_drains_after_the_exit_is_still_reported()
    {
        // The child exits at once; its background child writes past the limit during the drain time.
        // Nothing is left to stop, but the capture is cut short, and that must not pass in silence.
        var error = await Assert.ThrowsAsync<CommandCaptureLimitException>(() => _runner.RunAsync(
            Command.NewArgList("sh", "-c", "(sleep 0.3; head -c 5000 /dev/zero) & exit 0")
                .SetOutputBuffer().SetCaptureLimit(1000).SetDrainTimeout(TimeSpan.FromSeconds(10))).OrHang());

        Assert.Equal("stdout", error.Stream);
        Assert.Equal(0, error.Result.ExitCode);
        Assert.Equal(1000, error.Result.StandardOutputBytes.Length);
    }

    [Fact]
    public async Task Output_of_exactly_the_limit_is_fine()
    {
        var data = Probe.Binary(100_000, seed: 52);
        var limit = Probe.StdoutBlock(data).Length;

        var result = await _runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(data).SetOutputBuffer().SetCaptureLimit(limit)).OrHang();

        Assert.Equal(Probe.StdoutBlock(data), result.StandardOutputBytes.ToArray());
    }

    [Fact]
    public async Task The_runners_default_limit_applies_when_the_command_sets_none()
    {
        var runner = new PosixCommandRunner(new CommandRunnerOptions { CaptureLimit = 10 });

        var error = await Assert.ThrowsAsync<CommandCaptureLimitException>(() =>
            runner.RunAsync(Probe.Command("--quiet").SetInputBuffer("more than ten bytes").SetOutputBuffer()).OrHang());

        Assert.Equal("BEGIN STDO"u8.ToArray(), error.Result.StandardOutputBytes.ToArray());
    }

    [Fact]
    public async Task The_capture_limit_does_not_apply_to_the_stderr_tail()
    {
        var result = await _runner.RunAsync(Probe.Command("--quiet", "--write-stderr", new string('e', 7000)).SetOutputBuffer().SetCaptureLimit(100)).OrHang();

        Assert.Equal(Probe.StdoutBlock(""), result.StandardOutput);
    }
}
