using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using VirCommand.Backends.Fake;

namespace VirCommand.Tests.Telemetry;

/// <summary>The engine logs every run, through dependency injection's logging, with numeric structured fields.</summary>
public sealed class RunLogTests : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly FakeLogCollector _log;
    private readonly ICommandRunner _runner;
    private readonly StateLoggerProvider _fields = new();

    public RunLogTests()
    {
        _services = new ServiceCollection()
            .AddLogging(b => b.AddFakeLogging().AddProvider(_fields).SetMinimumLevel(LogLevel.Trace))
            .AddVirCommandFake(f =>
            {
                f.Register("deploy", "--token=s3cret").Returns(FakeResponse.Success());
                f.Register("deploy", "--fail").Returns(FakeResponse.Exit(2));
                f.Register("crash").Returns(FakeResponse.Killed(Signal.SIGSEGV));
                f.Register("missing").Returns(FakeResponse.StartFailure(StartStage.Exec, 2));
                f.Register("job").Returns(FakeResponse.Exit(4));
            })
            .BuildServiceProvider();
        _log = _services.GetFakeLogCollector();
        _runner = _services.GetRequiredService<ICommandRunner>();
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task A_run_logs_its_start_and_end_with_numeric_fields_and_secrets_redacted()
    {
        var result = await _runner.RunAsync(Command.New("deploy").AddSecretArgPair("--token", "s3cret"));

        var started = Single("RunStarted");
        Assert.Equal((LogLevel.Debug, "VirCommand"), (started.Level, started.Category));
        Assert.Equal($"Started deploy '--token=***' as pid {result.Pid} with the fake backend", started.Message);
        Assert.Equal(result.Pid, Field(started, "Pid"));
        Assert.Equal("fake", Field(started, "Backend"));
        var exited = Single("RunExited");
        Assert.Equal(LogLevel.Debug, exited.Level);
        Assert.StartsWith($"deploy '--token=***' (pid {result.Pid}, fake) exited with code 0 after ", exited.Message, StringComparison.Ordinal);
        Assert.Equal(0, Field(exited, "ExitCode"));
        Assert.IsType<double>(Field(exited, "ElapsedMs"));
        Assert.Equal("success", Field(exited, "Outcome"));
        Assert.DoesNotContain(_log.GetSnapshot(), r => r.Message.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failures_log_at_warning_with_the_exit_code_the_signal_or_the_stage_and_errno()
    {
        await Assert.ThrowsAsync<CommandExitException>(() => _runner.RunAsync(Command.NewArgList("deploy", "--fail")));
        await Assert.ThrowsAsync<CommandExitException>(() => _runner.RunAsync(Command.New("crash")));
        await Assert.ThrowsAsync<CommandStartException>(() => _runner.RunAsync(Command.New("missing")));

        var exited = Single("RunExited");
        Assert.Equal((LogLevel.Warning, 2, "exit_code"), (exited.Level, Field(exited, "ExitCode"), Field(exited, "Outcome")));
        var killed = Single("RunKilled");
        Assert.Equal((LogLevel.Warning, 11, "signal"), (killed.Level, Field(killed, "Signal"), Field(killed, "Outcome")));
        Assert.Contains("was killed by signal 11 (SIGSEGV)", killed.Message, StringComparison.Ordinal);
        var failed = Single("RunStartFailed");
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Equal("missing failed to start with the fake backend at stage Exec (errno 2)", failed.Message);
        Assert.Equal((StartStage.Exec, 2), (Field(failed, "Stage"), Field(failed, "Errno")));
        Assert.IsType<CommandStartException>(failed.Exception);
    }

    [Fact]
    public async Task A_started_command_logs_its_end_even_when_nobody_waits_for_it()
    {
        await using (await _runner.StartAsync(Command.New("job")))
        {
        }

        var exited = Single("RunExited");
        Assert.Equal((LogLevel.Warning, 4), (exited.Level, Field(exited, "ExitCode")));
    }

    [Fact]
    public async Task CommandLogLevel_sets_the_level_of_the_start_and_success_entries_but_failures_stay_warnings()
    {
        using var services = new ServiceCollection()
            .AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace))
            .AddVirCommandFake(f => f.Register("job").Returns(FakeResponse.Success(), FakeResponse.Exit(3)),
                o => o.CommandLogLevel = LogLevel.Information)
            .BuildServiceProvider();
        var runner = services.GetRequiredService<ICommandRunner>();

        await runner.RunAsync(Command.New("job"));
        await Assert.ThrowsAsync<CommandExitException>(() => runner.RunAsync(Command.New("job")));

        var levels = services.GetFakeLogCollector().GetSnapshot().Select(r => (r.Id.Name, r.Level)).ToList();
        Assert.Equal([("RunStarted", LogLevel.Information), ("RunExited", LogLevel.Information),
            ("RunStarted", LogLevel.Information), ("RunExited", LogLevel.Warning)], levels);
    }

    private FakeLogRecord Single(string eventName) => Assert.Single(_log.GetSnapshot(), r => r.Id.Name == eventName);

    /// <summary>A structured field as the logger got it, before any formatting: numbers stay numbers.</summary>
    private object? Field(FakeLogRecord record, string name) => _fields.Field(record.Id.Name!, name);
}
