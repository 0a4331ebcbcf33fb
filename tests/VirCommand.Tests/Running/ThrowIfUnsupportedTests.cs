using NSubstitute;

namespace VirCommand.Tests.Running;

public sealed class ThrowIfUnsupportedTests
{
    private static ICommandRunner Runner(CommandFeatures features)
    {
        var runner = Substitute.For<ICommandRunner>();
        runner.Features.Returns(features);
        runner.Name.Returns("limited");
        return runner;
    }

    [Fact]
    public void A_runner_lacking_a_required_feature_refuses_naming_the_lowest_missing_flag()
    {
        using var command = new Command("prog").AddSecretArg("hunter2").SetUmask(0).NewSession().PassFd(100);
        var runner = Runner(CommandFeatures.PassFds);

        var error = Assert.Throws<CommandNotSupportedException>(() => CommandNotSupportedException.ThrowIfUnsupported(command, runner, "posix"));

        Assert.Equal(CommandFeatures.Umask, error.Feature);
        Assert.Equal("limited", error.Backend);
        Assert.Equal("posix", error.Alternative);
        Assert.Equal("prog '***'", error.CommandLine);
        Assert.Contains("the limited backend does not support Umask; the posix backend does", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_runner_with_every_required_feature_lets_the_command_through()
    {
        using var command = new Command("prog").SetUmask(0).NewSession();

        CommandNotSupportedException.ThrowIfUnsupported(command, Runner(CommandFeatures.Umask | CommandFeatures.NewSession));
        CommandNotSupportedException.ThrowIfUnsupported(command, Runner(CommandFeatures.All));
        CommandNotSupportedException.ThrowIfUnsupported(new Command("prog"), Runner(CommandFeatures.None));
    }

    [Fact]
    public void Without_an_alternative_the_message_names_none()
    {
        using var command = new Command("prog").Daemonize();

        var error = Assert.Throws<CommandNotSupportedException>(() => CommandNotSupportedException.ThrowIfUnsupported(command, Runner(CommandFeatures.None)));

        Assert.Equal(CommandFeatures.Daemonize, error.Feature);
        Assert.Null(error.Alternative);
        Assert.EndsWith("the limited backend does not support Daemonize", error.Message, StringComparison.Ordinal);
    }
}
