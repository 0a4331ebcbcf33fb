using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using VirCommand.Tests.Examples;
using VirCommand.Tests.Posix;
using VirCommand.Tests.Running;

namespace VirCommand.Tests.Telemetry;

/// <summary>One activity per run, through the OpenTelemetry SDK and its in-memory exporter.</summary>
public sealed class TracingTests : IDisposable
{
    private static readonly ActivitySource Caller = new("VirCommand.Tests.Caller");
    private readonly LockedList<Activity> _exported = new();
    private readonly TracerProvider _tracing;
    private readonly ManualClock _clock = new();

    public TracingTests()
    {
        _tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(VirCommandTelemetry.Name, Caller.Name)
            .AddInMemoryExporter(_exported)
            .Build();
    }

    public void Dispose() => _tracing.Dispose();

    [Fact]
    public async Task A_run_is_one_activity_under_the_callers_with_the_process_attributes_and_the_caller_keeps_its_own()
    {
        var runner = new ScriptedRunner(_clock);
        using var parent = Caller.StartActivity("deploy");

        var running = await runner.StartAsync(Command.NewArgList("exit", "0"));
        Assert.Same(parent, Activity.Current);
        var result = await running.WaitAsync();
        await running.DisposeAsync();

        var run = Single(runner.Backend);
        Assert.Equal("run exit", run.DisplayName);
        Assert.Equal(ActivityKind.Internal, run.Kind);
        Assert.Equal(parent!.SpanId, run.ParentSpanId);
        Assert.Equal("exit", run.GetTagItem("process.executable.name"));
        Assert.Equal(result.Pid, run.GetTagItem("process.pid"));
        Assert.Equal(0, run.GetTagItem("process.exit.code"));
        Assert.Equal("success", run.GetTagItem("vircommand.run.outcome"));
        Assert.Equal(ActivityStatusCode.Unset, run.Status);
        Assert.Null(run.GetTagItem("error.type"));
        Assert.Null(run.GetTagItem("process.command_args"));
    }

    [Theory]
    [InlineData("exit 3", "exit_code")]
    [InlineData("die SIGKILL", "signal")]
    [InlineData("missing", "start_failure")]
    [InlineData("sleeper", "timeout")]
    public async Task A_failed_run_sets_the_error_status_and_error_type(string argv, string errorType)
    {
        var runner = new ScriptedRunner(_clock);
        var command = Command.NewArgList(argv.Split(' ')[0], argv.Split(' ')[1..]).SetTimeout(TimeSpan.FromSeconds(5));

        var run = runner.RunAsync(command);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.NotNull(await Record.ExceptionAsync(() => run));

        var activity = Single(runner.Backend);
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.Equal(errorType, activity.GetTagItem("error.type"));
        switch (errorType)
        {
            case "exit_code":
                Assert.Equal(3, activity.GetTagItem("process.exit.code"));
                break;
            case "signal":
                Assert.Equal(9, activity.GetTagItem("vircommand.signal"));
                break;
            case "start_failure":
                Assert.Equal("Exec", activity.GetTagItem("vircommand.start.stage"));
                Assert.Null(activity.GetTagItem("process.pid"));
                break;
        }
    }

    [Fact]
    public async Task Arguments_are_traced_only_when_the_option_allows_it_and_secrets_stay_redacted()
    {
        var runner = new ScriptedRunner(_clock, new CommandRunnerOptions { TraceCommandArguments = true });

        await runner.RunAsync(Command.NewArgList("exit", "0").AddSecretArgPair("--token", "s3cret"));

        Assert.Equal(["exit", "0", "--token=***"], Assert.IsType<string[]>(Single(runner.Backend).GetTagItem("process.command_args")));
    }

    [LinuxFact]
    public async Task The_posix_backends_runs_blocking_and_async_and_its_start_failures_are_traced_alike()
    {
        var blocking = Posix.Posix.Runner.Run(Command.NewArgList("/bin/sh", "-c", "exit 3").AllowNonZeroExit());
        var async = await Posix.Posix.Runner.RunAsync(Command.NewArgList("/bin/sh", "-c", "kill -KILL $$").RawStatus());
        var missing = "/nonexistent/vircommand-" + Guid.NewGuid().ToString("N");
        await Assert.ThrowsAsync<CommandStartException>(() => Posix.Posix.Runner.RunAsync(Command.New(missing)));

        var exited = Assert.Single(_exported.Snapshot(), a => a.GetTagItem("process.pid") is int pid && pid == blocking.Pid);
        Assert.Equal(("sh", "posix", 3, ActivityStatusCode.Unset), (exited.GetTagItem("process.executable.name"), exited.GetTagItem("vircommand.backend"),
            exited.GetTagItem("process.exit.code"), exited.Status));
        var killed = Assert.Single(_exported.Snapshot(), a => a.GetTagItem("process.pid") is int pid && pid == async.Pid);
        Assert.Equal((9, "success"), (killed.GetTagItem("vircommand.signal"), killed.GetTagItem("vircommand.run.outcome")));
        var failed = Assert.Single(_exported.Snapshot(), a => a.GetTagItem("process.executable.name") as string == Path.GetFileName(missing));
        Assert.Equal(("start_failure", ActivityStatusCode.Error), (failed.GetTagItem("error.type"), failed.Status));
    }

    private Activity Single(string backend) =>
        Assert.Single(_exported.Snapshot(), a => a.GetTagItem("vircommand.backend") as string == backend);
}
