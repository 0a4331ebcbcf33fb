using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VirCommand.Backends.Fake;

namespace VirCommand.Tests.DependencyInjection;

public class DependencyInjectionTests
{
    [Fact]
    public void AddVirCommandFake_registers_the_fake_behind_the_logging_runner()
    {
        using var services = new ServiceCollection().AddVirCommandFake().BuildServiceProvider();

        var runner = services.GetRequiredService<ICommandRunner>();

        var logging = Assert.IsType<LoggingCommandRunner>(runner);
        Assert.Same(services.GetRequiredService<FakeCommandRunner>(), logging.Inner);
        Assert.Equal("fake", runner.Name);
        Assert.Equal(CommandFeatures.All, runner.Features);
    }

    [Fact]
    public async Task The_fake_replaces_a_runner_registered_before_it()
    {
        var application = new ServiceCollection().AddVirCommandFake(f => f.Register("first"));

        using var services = application.AddVirCommandFake(f => f.Register("second")).BuildServiceProvider();

        Assert.Single(application, d => d.ServiceType == typeof(ICommandRunner));
        var runner = services.GetRequiredService<ICommandRunner>();
        await runner.RunAsync(Command.New("second"));
        await Assert.ThrowsAsync<FakeCommandNotRegisteredException>(() => runner.RunAsync(Command.New("first")));
    }

    [Fact]
    public async Task Options_configure_the_runner_defaults()
    {
        using var services = new ServiceCollection()
            .AddVirCommandFake(f => f.Register("slow").Returns(FakeResponse.Success().WithDelay(TimeSpan.FromSeconds(30))),
                o => o.DefaultTimeout = TimeSpan.FromMilliseconds(20))
            .BuildServiceProvider();

        await Assert.ThrowsAsync<CommandTimeoutException>(() => services.GetRequiredService<ICommandRunner>().RunAsync(Command.New("slow")));
    }

    [Theory]
    [InlineData(nameof(CommandRunnerOptions.CaptureLimit))]
    [InlineData(nameof(CommandRunnerOptions.KillGracePeriod))]
    [InlineData(nameof(CommandRunnerOptions.DrainTimeout))]
    [InlineData(nameof(CommandRunnerOptions.DefaultTimeout))]
    [InlineData(nameof(CommandRunnerOptions.StandardErrorTailBytes))]
    [InlineData(nameof(CommandRunnerOptions.GracefulSignal))]
    public void Invalid_options_are_rejected_with_the_option_named(string option)
    {
        Action<CommandRunnerOptions> breakIt = option switch
        {
            nameof(CommandRunnerOptions.CaptureLimit) => o => o.CaptureLimit = 0,
            nameof(CommandRunnerOptions.KillGracePeriod) => o => o.KillGracePeriod = TimeSpan.FromSeconds(-1),
            nameof(CommandRunnerOptions.DrainTimeout) => o => o.DrainTimeout = TimeSpan.FromSeconds(-1),
            nameof(CommandRunnerOptions.DefaultTimeout) => o => o.DefaultTimeout = TimeSpan.Zero,
            nameof(CommandRunnerOptions.StandardErrorTailBytes) => o => o.StandardErrorTailBytes = -1,
            _ => o => o.GracefulSignal = (Signal)99,
        };
        using var services = new ServiceCollection().AddVirCommandFake(configure: breakIt).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ICommandRunner>());

        Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_command_and_its_outcome_are_logged_with_secrets_redacted()
    {
        var logs = new ListLoggerProvider();
        using var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace))
            .AddVirCommandFake(f =>
            {
                f.Register("deploy", "--token=s3cret").Returns(FakeResponse.Success());
                f.Register("deploy", "--fail").Returns(FakeResponse.Exit(2));
            })
            .BuildServiceProvider();
        var runner = services.GetRequiredService<ICommandRunner>();

        await runner.RunAsync(Command.New("deploy").AddSecretArgPair("--token", "s3cret"));
        await Assert.ThrowsAsync<CommandExitException>(() => runner.RunAsync(Command.NewArgList("deploy", "--fail")));

        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Debug && e.Message == "Running deploy '--token=***' with the fake backend");
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Debug && e.Message.StartsWith("deploy '--token=***': exit status 0 after", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message == "deploy --fail failed: deploy --fail: exit status 2");
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CommandLogLevel_sets_the_level_of_the_command_and_success_entries_but_failures_stay_warnings()
    {
        var logs = new ListLoggerProvider();
        using var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace))
            .AddVirCommandFake(f => f.Register("job").Returns(FakeResponse.Success(), FakeResponse.Exit(3)),
                o => o.CommandLogLevel = LogLevel.Information)
            .BuildServiceProvider();
        var runner = services.GetRequiredService<ICommandRunner>();

        await runner.RunAsync(Command.New("job"));
        await Assert.ThrowsAsync<CommandExitException>(() => runner.RunAsync(Command.New("job")));

        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message == "Running job with the fake backend");
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("job: exit status 0 after", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message == "job failed: job: exit status 3");
        Assert.DoesNotContain(logs.Entries, e => e.Level == LogLevel.Debug);
    }

    [Fact]
    public async Task A_started_command_logs_its_outcome_when_waited_for()
    {
        var logs = new ListLoggerProvider();
        using var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace))
            .AddVirCommandFake(f => f.Register("job").Returns(FakeResponse.Exit(4)))
            .BuildServiceProvider();

        await using var running = await services.GetRequiredService<ICommandRunner>().StartAsync(Command.New("job"));
        await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync());

        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Debug && e.Message.StartsWith("Started job as pid ", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message == "job failed: job: exit status 4");
    }
}

public class RunnerOptionsValidationTests
{
    [Fact]
    public void A_runner_built_without_DI_rejects_invalid_options_naming_them()
    {
        var error = Assert.Throws<ArgumentException>(() => new FakeCommandRunner(new CommandRunnerOptions { KillGracePeriod = TimeSpan.FromSeconds(-5) }));

        Assert.Equal("options", error.ParamName);
        Assert.Contains(nameof(CommandRunnerOptions.KillGracePeriod), error.Message, StringComparison.Ordinal);
    }
}
