using VirCommand.Backends.Fake;

namespace VirCommand.Tests.Fake;

/// <summary>Issue 14 item 1 on the fake: each stage is matched and recorded on its own, and the pipeline as a whole.</summary>
public sealed class FakePipelineTests
{
    [Fact]
    public async Task Each_stage_is_matched_on_its_own_and_the_pipeline_is_recorded_as_a_whole()
    {
        var fake = new FakeCommandRunner();
        fake.Register("git", "log", "--oneline").Responds(_ => FakeResponse.Success("abc fix\ndef feat\n"));
        fake.Register("grep", "fix").Responds(i => FakeResponse.Success(string.Concat(i.InputText.Split('\n').Where(l => l.Contains("fix", StringComparison.Ordinal)).Select(l => l + "\n"))));

        var result = await fake.RunAsync(Command.NewArgList("git", "log", "--oneline") | Command.NewArgList("grep", "fix").SetOutputBuffer());

        Assert.Equal("abc fix\n", result.StandardOutput);
        var pipeline = Assert.Single(fake.Pipelines);
        Assert.Equal("git log --oneline | grep fix", pipeline.CommandLine);
        Assert.Equal(["git log --oneline", "grep fix"], pipeline.Stages.Select(s => s.CommandLine));
        Assert.Equal("abc fix\ndef feat\n", pipeline.Stages[1].InputText);
        Assert.Equal(fake.Invocations, pipeline.Stages);
        fake.VerifyAllCalled();
    }

    [Fact]
    public async Task An_unregistered_stage_fails_the_start_naming_the_stage_and_stops_the_earlier_ones()
    {
        var fake = new FakeCommandRunner();
        fake.Register("cat").Responds(_ => FakeResponse.Success().WithDelay(TimeSpan.FromMinutes(5)));

        var error = await Assert.ThrowsAsync<PipelineStageException>(() => fake.RunAsync(Command.New("cat") | Command.New("unknown")));

        Assert.Equal(1, error.StageIndex);
        Assert.IsType<FakeCommandNotRegisteredException>(error.InnerException);
        Assert.Empty(fake.Pipelines);
        Assert.True(fake.Invocations[0].WasStopped);
    }

    [Fact]
    public async Task A_runner_without_pipelines_refuses_them_before_anything_runs()
    {
        var fake = new FakeCommandRunner(CommandFeatures.All & ~CommandFeatures.Pipelines) { AllowUnregistered = true };

        var error = await Assert.ThrowsAsync<CommandNotSupportedException>(() => fake.RunAsync(Command.New("a") | Command.New("b")));

        Assert.Equal(CommandFeatures.Pipelines, error.Feature);
        Assert.Equal("a | b", error.CommandLine);
        Assert.Empty(fake.Invocations);
    }

    [Fact]
    public async Task A_runner_of_its_own_that_knows_nothing_of_pipelines_refuses_them_clearly()
    {
        ICommandRunner runner = new MinimalRunner();

        var error = await Assert.ThrowsAsync<CommandNotSupportedException>(() => runner.RunAsync(Command.New("a") | Command.New("b")));
        var started = await Assert.ThrowsAsync<CommandNotSupportedException>(() => runner.StartAsync(Command.New("a") | Command.New("b")));

        Assert.Equal(CommandFeatures.Pipelines, error.Feature);
        Assert.Equal("minimal", started.Backend);
    }

    /// <summary>A third party's runner written before pipelines existed: it implements only the command members.</summary>
    private sealed class MinimalRunner : ICommandRunner
    {
        public string Name => "minimal";

        public CommandFeatures Features => CommandFeatures.None;

        public Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public CommandResult Run(Command command, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IRunningCommand> StartAsync(Command command, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
