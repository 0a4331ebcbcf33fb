using VirCommand.Backends.Fake;
using VirCommand.Backends.Managed;

namespace VirCommand.Tests.Building;

/// <summary>CloseParent fds across runs: a refused run uses none, and a clone sees what its original closed after the clone was made.</summary>
public sealed class CloseParentRunTests
{
    private static FakeCommandRunner Fake()
    {
        var fake = new FakeCommandRunner();
        fake.RegisterProgram("prog");
        return fake;
    }

    [Fact]
    public async Task A_clone_made_before_the_original_ran_is_refused_once_the_fds_are_closed()
    {
        using var file = new TempFile();
        using var command = new Command("prog").PassFd(file.Handle, PassFdOptions.CloseParent);
        using var clone = command.Clone();
        var fake = Fake();

        await fake.RunAsync(command);

        Assert.True(file.Handle.IsClosed);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => fake.RunAsync(clone));
        Assert.Contains("cloned from", e.Message, StringComparison.Ordinal);
        Assert.Single(fake.Invocations);
    }

    [Fact]
    public async Task A_run_cancelled_before_it_started_leaves_the_fds_to_the_next_run()
    {
        using var file = new TempFile();
        using var command = new Command("prog").PassFd(file.Handle, PassFdOptions.CloseParent);
        var fake = Fake();

        await Assert.ThrowsAsync<CommandCanceledException>(() => fake.RunAsync(command, new CancellationToken(canceled: true)));
        Assert.False(file.Handle.IsClosed);

        await fake.RunAsync(command);
        Assert.True(file.Handle.IsClosed);
    }

    [Fact]
    public async Task A_run_a_backend_refuses_leaves_the_fds_to_the_backend_that_has_the_feature()
    {
        using var file = new TempFile();
        var fd = file.Fd;
        using var command = new Command("prog").PassFd(file.Handle, PassFdOptions.CloseParent);
        var fake = Fake();

        var refusal = await Assert.ThrowsAsync<CommandNotSupportedException>(() => new ManagedCommandRunner().RunAsync(command));
        Assert.Equal(CommandFeatures.PassFds, refusal.Feature);
        Assert.False(file.Handle.IsClosed);

        await fake.RunAsync(command);
        Assert.Equal(fd, Assert.Single(fake.Invocations).PassedFds.Single().ParentFd);
    }
}
