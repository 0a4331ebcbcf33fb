using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VirCommand.Backends.Fake;

namespace VirCommand.Tests.DependencyInjection;

public class DependencyInjectionTests
{
    [Fact]
    public void AddVirCommandFake_registers_the_fake_itself()
    {
        using var services = new ServiceCollection().AddVirCommandFake().BuildServiceProvider();

        var runner = services.GetRequiredService<ICommandRunner>();

        Assert.Same(services.GetRequiredService<FakeCommandRunner>(), runner);
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
