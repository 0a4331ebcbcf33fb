using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// SPEC §3.5–§3.6 on every backend, for what every backend must do: the default stdio, the input buffer
/// fed byte for byte, stdout and stderr captured apart, an empty value for what was not captured, and
/// the capture cap reported, never silent.
/// </summary>
public sealed class InputOutputConformanceTests
{
    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task By_default_stdin_is_empty_and_the_child_never_writes_to_the_parents_streams(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        // /dev/null on the POSIX backend, an empty pipe on the managed one: either way end-of-file at once.
        // (Exactly fds 0, 1 and 2: the CloseOtherFds case of the feature table.)
        var result = await runner.RunAsync(Probe.Command().SetOutputBuffer()).OrHang();

        Assert.Equal(Probe.StdoutBlock(""), ProbeReport.Parse(result.StandardOutput).Echo);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_binary_input_buffer_of_a_MiB_is_echoed_byte_for_byte_on_stdout_and_stderr_captured_apart(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var data = Probe.Binary(1024 * 1024, seed: 501);

        var result = await runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(data).SetOutputBuffer().SetErrorBuffer()).OrHang();

        Assert.Equal(Probe.StdoutBlock(data), result.StandardOutputBytes.ToArray());
        Assert.Equal(Probe.StderrBlock(data), result.StandardErrorBytes.ToArray());
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_rerun_feeds_the_input_again_and_text_input_goes_as_UTF_8(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var command = Probe.Command("--quiet").SetInputBuffer("héllo\0wörld\n").SetOutputBuffer().SetErrorBuffer();

        var first = await runner.RunAsync(command).OrHang();
        var second = await runner.RunAsync(command).OrHang();

        foreach (var result in (CommandResult[])[first, second])
        {
            Assert.Equal(Probe.StdoutBlock("héllo\0wörld\n"), result.StandardOutput);
            Assert.Equal(Probe.StderrBlock("héllo\0wörld\n"), result.StandardError);
        }
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_child_that_stops_reading_its_input_early_is_not_an_error(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        // Far more than a pipe holds, and the probe closes stdin without reading a byte of it.
        var result = await runner.RunAsync(Probe.Command("--quiet", "--close-stdin").SetInputBuffer(new byte[1024 * 1024]).SetOutputBuffer()).OrHang();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.StandardOutput);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task One_command_runs_from_several_threads_at_once_each_run_seeing_the_same_description(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var data = Probe.Binary(100 * 1024, seed: 504);
        var command = Probe.Command("--quiet", "shared").SetInputBuffer(data).SetOutputBuffer().SetErrorBuffer();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => runner.RunAsync(command)))).OrHang();

        Assert.All(results, r => Assert.Equal(Probe.StdoutBlock(data), r.StandardOutputBytes.ToArray()));
        Assert.All(results, r => Assert.Equal(Probe.StderrBlock(data), r.StandardErrorBytes.ToArray()));
        Assert.Equal(6, results.Select(r => r.Pid).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Reading_what_was_not_captured_throws_and_names_the_setter(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        var result = await runner.RunAsync(Probe.Command("--write-stderr", "diagnostics").SetInputBuffer("input")).OrHang();

        Assert.False(result.HasStandardOutput);
        Assert.False(result.HasStandardError);
        Assert.Contains("SetOutputBuffer()", Assert.Throws<InvalidOperationException>(() => result.StandardOutput).Message, StringComparison.Ordinal);
        Assert.Contains("SetOutputBuffer()", Assert.Throws<InvalidOperationException>(() => result.StandardOutputBytes).Message, StringComparison.Ordinal);
        Assert.Contains("SetErrorBuffer()", Assert.Throws<InvalidOperationException>(() => result.StandardError).Message, StringComparison.Ordinal);
        Assert.Contains("SetErrorBuffer()", Assert.Throws<InvalidOperationException>(() => result.StandardErrorBytes).Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_capture_the_child_wrote_nothing_to_is_empty_never_an_error(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        var result = await runner.RunAsync(Probe.Command("--quiet", "--close-stdin").SetOutputBuffer().SetErrorBuffer()).OrHang();

        Assert.Equal("", result.StandardOutput);
        Assert.Equal("", result.StandardError);
        Assert.True(result.StandardOutputBytes.IsEmpty);
        Assert.True(result.HasStandardOutput && result.HasStandardError);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Output_beyond_the_capture_limit_stops_the_child_and_keeps_exactly_the_limit(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        const int limit = 64 * 1024;
        var data = Probe.Binary(512 * 1024, seed: 502);

        var error = await Assert.ThrowsAsync<CommandCaptureLimitException>(() =>
            runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(data).SetOutputBuffer().SetCaptureLimit(limit)).OrHang());

        Assert.Equal("stdout", error.Stream);
        Assert.Equal(limit, error.Limit);
        Assert.Equal(Probe.StdoutBlock(data)[..limit], error.Result.StandardOutputBytes.ToArray());
        Assert.Contains("capture limit", error.Message, StringComparison.Ordinal);
        await conformance.AssertStoppedAndGoneAsync(runner, error.Result.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task The_runners_capture_limit_applies_to_stderr_too(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner(new CommandRunnerOptions { CaptureLimit = 1000 });
        var data = Probe.Binary(64 * 1024, seed: 503);

        var error = await Assert.ThrowsAsync<CommandCaptureLimitException>(() =>
            runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(data).SetErrorBuffer()).OrHang());

        Assert.Equal("stderr", error.Stream);
        Assert.Equal(Probe.StderrBlock(data)[..1000], error.Result.StandardErrorBytes.ToArray());
        await conformance.AssertStoppedAndGoneAsync(runner, error.Result.Pid);
    }
}
