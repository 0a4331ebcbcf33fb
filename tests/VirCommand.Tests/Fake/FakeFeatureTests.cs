using Microsoft.Extensions.DependencyInjection;
using VirCommand.Backends.Fake;
using VirCommand.Backends.Managed;

namespace VirCommand.Tests.Fake;

/// <summary>Issue 13 item 6: the fake has the features of the backend it stands in for, and refuses what that backend refuses.</summary>
public sealed class FakeFeatureTests
{
    private static async Task AssertMergedOutputRefusedAsync(ICommandRunner runner, FakeCommandRunner fake)
    {
        var error = await Assert.ThrowsAsync<CommandNotSupportedException>(() => runner.RunAsync(Command.New("tool").SetMergedOutputBuffer()));

        Assert.Equal(CommandFeatures.MergedOutput, error.Feature);
        Assert.Empty(fake.Invocations); // refused before anything "started", as production refuses before spawning
    }

    [Fact]
    public async Task Standing_in_for_the_managed_backend_the_fake_refuses_a_merged_capture_as_it_does()
    {
        var fake = new FakeCommandRunner(ManagedCommandRunner.PlatformFeatures);
        fake.RegisterProgram("tool");

        Assert.Equal(ManagedCommandRunner.PlatformFeatures, fake.Features);
        await AssertMergedOutputRefusedAsync(fake, fake);
        await fake.RunAsync(Command.New("tool").SetOutputBuffer()); // what managed honours still runs
    }

    [Fact]
    public async Task AddVirCommandFake_takes_the_features_of_the_runner_it_replaces()
    {
        using var services = new ServiceCollection().AddVirCommandManaged().AddVirCommandFake(f => f.RegisterProgram("tool")).BuildServiceProvider();

        var runner = services.GetRequiredService<ICommandRunner>();

        Assert.Equal(ManagedCommandRunner.PlatformFeatures, runner.Features);
        await AssertMergedOutputRefusedAsync(runner, services.GetRequiredService<FakeCommandRunner>());
    }

    [Fact]
    public void A_fake_replacing_a_fake_keeps_the_features_it_stood_in_for()
    {
        using var services = new ServiceCollection().AddVirCommandManaged().AddVirCommandFake().AddVirCommandFake().BuildServiceProvider();

        Assert.Equal(ManagedCommandRunner.PlatformFeatures, services.GetRequiredService<ICommandRunner>().Features);
    }

    [Fact]
    public void Replacing_the_POSIX_backend_or_nothing_the_fake_has_every_feature()
    {
        using var posix = new ServiceCollection().AddVirCommandPosix().AddVirCommandFake().BuildServiceProvider();
        using var nothing = new ServiceCollection().AddVirCommandFake().BuildServiceProvider();

        Assert.Equal(CommandFeatures.All, posix.GetRequiredService<ICommandRunner>().Features);
        Assert.Equal(CommandFeatures.All, nothing.GetRequiredService<ICommandRunner>().Features);
    }

    [Fact]
    public void An_explicit_feature_set_wins_over_the_replaced_runners()
    {
        using var services = new ServiceCollection().AddVirCommandPosix().AddVirCommandFake(features: CommandFeatures.StdioPipes).BuildServiceProvider();

        Assert.Equal(CommandFeatures.StdioPipes, services.GetRequiredService<ICommandRunner>().Features);
    }

    [Fact]
    public async Task Standing_in_for_a_backend_that_cannot_signal_SignalAsync_is_refused()
    {
        var fake = new FakeCommandRunner(ManagedCommandRunner.FeaturesWhere(canSignal: false));
        fake.Register("svc").Returns(FakeResponse.Success().WithDelay(TimeSpan.FromMinutes(5)));

        await using var running = await fake.StartAsync(Command.New("svc"));
        var error = await Assert.ThrowsAsync<CommandNotSupportedException>(() => running.SignalAsync(Signal.SIGHUP));

        Assert.Equal(CommandFeatures.GracefulSignal, error.Feature);
        Assert.Empty(fake.Invocations[0].Signals);
    }

    [Fact]
    public void Flags_outside_CommandFeatures_are_refused()
    {
        Assert.Equal("features", Assert.Throws<ArgumentOutOfRangeException>(() => new FakeCommandRunner((CommandFeatures)(1L << 40))).ParamName);
    }
}
