using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VirCommand.Backends.Managed;
using VirCommand.Backends.Posix;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.DependencyInjection;

public class DefaultBackendTests
{
    [LinuxFact]
    public void On_Linux_with_the_native_library_AddVirCommand_picks_posix_and_logs_why()
    {
        var logs = new ListLoggerProvider();
        using var services = new ServiceCollection().AddLogging(b => b.AddProvider(logs)).AddVirCommand().BuildServiceProvider();

        Assert.IsType<PosixCommandRunner>(services.GetRequiredService<ICommandRunner>());
        Assert.Equal("posix", services.GetRequiredService<BackendChoice>().Backend);
        var entry = Assert.Single(logs.Entries, e => e.Message.StartsWith("VirCommand uses the ", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.StartsWith("VirCommand uses the posix backend: the POSIX backend can run here: Linux ", entry.Message, StringComparison.Ordinal);
        Assert.Contains("libvircommand.so loaded", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Where_posix_cannot_run_AddVirCommand_picks_managed_logs_why_and_runs_commands()
    {
        var logs = new ListLoggerProvider();
        var choice = BackendChoice.Choose(posixAvailable: false, "its native library libvircommand.so did not load from /opt/app");
        using var services = new ServiceCollection().AddLogging(b => b.AddProvider(logs)).AddVirCommand(choice, null).BuildServiceProvider();

        var runner = services.GetRequiredService<ICommandRunner>();
        using var command = Command.New("dotnet").AddArg("--version").AddEnvPassCommon().SetOutputBuffer();
        var result = await runner.RunAsync(command);

        Assert.Equal("managed", runner.Name);
        Assert.IsType<ManagedCommandRunner>(runner);
        Assert.StartsWith("10.", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message ==
            "VirCommand uses the managed backend: the POSIX backend cannot run here: its native library libvircommand.so did not load " +
            "from /opt/app; the managed backend refuses what it cannot honour");
    }

    [Fact]
    public void The_choice_logs_once_however_often_the_runner_is_resolved()
    {
        var logs = new ListLoggerProvider();
        using var services = new ServiceCollection().AddLogging(b => b.AddProvider(logs)).AddVirCommand().BuildServiceProvider();

        services.GetRequiredService<ICommandRunner>();
        services.GetRequiredService<ICommandRunner>();

        Assert.Single(logs.Entries, e => e.Message.StartsWith("VirCommand uses the ", StringComparison.Ordinal));
    }

    [Fact]
    public void AddVirCommandManaged_registers_the_managed_backend_explicitly()
    {
        using var services = new ServiceCollection().AddVirCommandPosix().AddVirCommandManaged().BuildServiceProvider();

        var runner = Assert.IsType<ManagedCommandRunner>(services.GetRequiredService<ICommandRunner>());

        Assert.Equal(ManagedCommandRunner.PlatformFeatures, runner.Features);
    }

    [Fact]
    public void AddVirCommand_validates_the_options_naming_the_bad_one()
    {
        using var services = new ServiceCollection().AddVirCommand(o => o.DrainTimeout = TimeSpan.FromSeconds(-1)).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ICommandRunner>());

        Assert.Contains(nameof(CommandRunnerOptions.DrainTimeout), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fake_still_replaces_the_default_choice_in_tests()
    {
        using var services = new ServiceCollection().AddVirCommand().AddVirCommandFake().BuildServiceProvider();

        Assert.Equal("fake", services.GetRequiredService<ICommandRunner>().Name);
    }
}
