using System.Text;
using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// Issue 14 item 1 on every backend: a <see cref="Pipeline"/> moves data stage to stage, keeps each
/// stage's stderr apart, judges the stages by the pipefail rule (a broken pipe that the downstream
/// stage made by finishing early is no failure), names the failing stage, stops every stage at once,
/// and renders itself as a shell line. The SSH backend does not claim pipelines: FeatureCases proves it
/// refuses them.
/// </summary>
public sealed class PipelineConformanceTests
{
    private static Command Echo() => Probe.Command("--quiet");

    private static Command Sleeper() => Probe.Command("--quiet", "--sleep", "60000");

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task Data_flows_from_the_first_stage_through_every_stage_to_the_last(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var pipeline = Echo().SetInputBuffer("hello\n") | Echo() | Echo().SetOutputBuffer();

        var result = await runner.RunAsync(pipeline).OrHang();

        Assert.Equal(Probe.StdoutBlock(Probe.StdoutBlock(Probe.StdoutBlock("hello\n"))), result.StandardOutput);
        Assert.Equal(3, result.Stages.Count);
        Assert.All(result.Stages, s => Assert.Equal(0, s.ExitCode));
        Assert.Equal(pipeline.ToString(), result.CommandLine);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task Each_stage_captures_its_own_stderr(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        var result = await runner.RunAsync(Echo().SetInputBuffer("x\n").SetErrorBuffer() | Echo().SetErrorBuffer().SetOutputBuffer()).OrHang();

        Assert.Equal(Probe.StderrBlock("x\n"), result.Stages[0].StandardError);
        Assert.Equal(Probe.StderrBlock(Probe.StdoutBlock("x\n")), result.Stages[1].StandardError);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task A_stage_merges_its_stderr_into_the_pipe_where_the_backend_merges_output(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var pipeline = Echo().SetInputBuffer("x\n").SetMergedOutputPipe() | Echo().SetOutputBuffer();

        if (!runner.Features.HasFlag(CommandFeatures.MergedOutput))
        {
            var refused = await Assert.ThrowsAsync<CommandNotSupportedException>(() => runner.RunAsync(pipeline).OrHang());
            Assert.Equal(CommandFeatures.MergedOutput, refused.Feature);
            return;
        }
        var result = await runner.RunAsync(pipeline).OrHang();

        Assert.Equal(Probe.StdoutBlock(Probe.StdoutBlock("x\n") + Probe.StderrBlock("x\n")), result.StandardOutput);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task A_failing_stage_fails_the_pipeline_and_is_named_with_its_command(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var failing = Probe.Command("--quiet", "--exit", "3", "--write-stderr", "broken\n");

        var error = await Assert.ThrowsAsync<PipelineStageException>(() =>
            runner.RunAsync(Echo().SetInputBuffer("x") | failing | Echo().SetOutputBuffer()).OrHang());

        Assert.Equal(1, error.StageIndex);
        Assert.Equal(failing.ToString(), error.StageCommandLine);
        Assert.Contains($"stage 1 failed: {failing}: exit status 3", error.Message, StringComparison.Ordinal);
        var exit = Assert.IsType<CommandExitException>(error.InnerException);
        Assert.Equal(3, exit.ExitCode);
        Assert.Contains("broken", exit.StandardErrorTail, StringComparison.Ordinal);
        Assert.Equal([0, 3, 0], error.StageResults.Select(r => r!.ExitCode));
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task When_several_stages_fail_the_rightmost_is_named_and_a_stage_that_judges_its_own_status_is_no_failure(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        var error = await Assert.ThrowsAsync<PipelineStageException>(() =>
            runner.RunAsync(Probe.Command("--quiet", "--exit", "4") | Probe.Command("--quiet", "--exit", "5")).OrHang());
        var judgedByItself = await Assert.ThrowsAsync<PipelineStageException>(() =>
            runner.RunAsync(Probe.Command("--quiet", "--exit", "4") | Probe.Command("--quiet", "--exit", "5").AllowNonZeroExit()).OrHang());

        Assert.Equal(1, error.StageIndex);
        Assert.Equal(0, judgedByItself.StageIndex);
        Assert.Equal(5, judgedByItself.StageResults[1]!.ExitCode);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task An_upstream_stage_broken_by_a_downstream_stage_that_finished_early_is_no_failure(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        // The fake's yes dies of the broken pipe at once, as the real one does once head has its line.
        conformance.Script(runner, "yes", _ => FakeResponse.Killed(Signal.SIGPIPE));
        conformance.Script(runner, "head", _ => FakeResponse.Success("y\n"));

        var result = await runner.RunAsync(Command.New("yes") | Command.NewArgList("head", "-n1").SetOutputBuffer()).OrHang();

        Assert.Equal("y\n", result.StandardOutput);
        Assert.False(result.Stages[0].Succeeded);
        Assert.True(result.IsBrokenPipeExcused(0));
        Assert.False(result.IsBrokenPipeExcused(1));
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task A_broken_pipe_is_a_failure_when_the_downstream_stage_failed(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        conformance.Script(runner, "yes", _ => FakeResponse.Killed(Signal.SIGPIPE));
        conformance.Script(runner, "/bin/sh", _ => FakeResponse.Exit(7));

        var error = await Assert.ThrowsAsync<PipelineStageException>(() =>
            runner.RunAsync(Command.New("yes") | Command.NewArgList("/bin/sh", "-c", "read line; exit 7")).OrHang());

        Assert.Equal(1, error.StageIndex);
        Assert.Equal(7, Assert.IsType<CommandExitException>(error.InnerException).ExitCode);
    }

    public static TheoryData<string, string> Stops
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var backend in ConformanceBackend.AllNames.Where(n => !ConformanceBackend.Get(n).IsRemote))
            {
                foreach (var stop in (string[])["timeout", "cancel", "abort", "dispose"])
                    data.Add(backend, stop);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Stops))]
    public async Task A_stop_of_the_pipeline_reaches_every_stage_and_reaps_it(string backend, string stop)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        var pipeline = Sleeper() | Sleeper() | Sleeper();
        if (stop == "timeout")
            pipeline = pipeline.WithTimeout(TimeSpan.FromMilliseconds(200));
        using var cts = new CancellationTokenSource();

        var running = await runner.StartAsync(pipeline).OrHang();
        var pids = running.Stages.Select(s => s.Pid).ToArray();
        try
        {
            switch (stop)
            {
                case "timeout":
                    var timedOut = await Assert.ThrowsAsync<CommandTimeoutException>(() => running.WaitAsync().OrHang());
                    Assert.Equal(pipeline.ToString(), timedOut.CommandLine);
                    break;
                case "cancel":
                    cts.CancelAfter(200);
                    var cancelled = await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync(cts.Token).OrHang());
                    Assert.Equal(cts.Token, cancelled.CancellationToken);
                    break;
                case "abort":
                    await running.AbortAsync().OrHang();
                    await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync().OrHang());
                    break;
                default:
                    await running.DisposeAsync().AsTask().OrHang();
                    break;
            }
            foreach (var pid in pids)
                await conformance.AssertStoppedAndGoneAsync(runner, pid);
        }
        finally
        {
            await running.DisposeAsync();
            foreach (var pid in pids)
                conformance.KillIfRunning(pid);
        }
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task The_string_form_joins_each_stages_quoted_and_redacted_form_with_bars(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var first = Probe.Command("--quiet", "two words").AddEnvPair("A", "b c");
        var second = Probe.Command("--quiet").AddSecretArg("hunter2").SetOutputBuffer();
        var pipeline = first.Pipe(second);

        await using var running = await runner.StartAsync(pipeline).OrHang();
        var result = await running.WaitAsync().OrHang();

        var expected = $"{first} | {second}";
        Assert.Equal(expected, pipeline.ToString());
        Assert.Equal(expected, running.CommandLine);
        Assert.Equal(expected, result.CommandLine);
        Assert.Contains("'two words'", expected, StringComparison.Ordinal);
        Assert.Contains("A='b c'", expected, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", expected, StringComparison.Ordinal);
        Assert.Equal(second.ToString(), running.Stages[1].CommandLine);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task The_first_stages_stdin_and_the_last_stages_stdout_can_be_the_callers_pipes(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        await using var running = await runner.StartAsync(Echo().SetInputPipe() | Echo().SetOutputPipe()).OrHang();
        await running.StandardInput!.WriteAsync(Encoding.UTF8.GetBytes("fed\n"));
        await running.StandardInput.DisposeAsync();
        using var reader = new StreamReader(running.StandardOutput!);
        var output = await reader.ReadToEndAsync().OrHang();
        await running.WaitAsync().OrHang();

        Assert.Equal(Probe.StdoutBlock(Probe.StdoutBlock("fed\n")), output);
    }
}
