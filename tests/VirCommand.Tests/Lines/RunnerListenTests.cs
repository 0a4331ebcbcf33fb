using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Fake;

namespace VirCommand.Tests.Lines;

/// <summary>The runner's listening runs a copy of the command that keeps what a direct run would do with it.</summary>
public sealed class RunnerListenTests
{
    [Fact]
    public async Task A_CloseParent_fd_goes_to_the_listened_run_and_is_closed_after_it_as_after_a_direct_run()
    {
        var fake = new FakeCommandRunner();
        fake.RegisterProgram("tool").Returns(FakeResponse.Success("x\n"));
        using SafeFileHandle handle = File.OpenHandle("/dev/null");
        using var command = Command.New("tool").PassFd(handle, PassFdOptions.CloseParent);

        var events = await fake.ListenAsync(command).ToListAsync();

        Assert.Equal("x", Assert.IsType<StandardOutputLine>(events[1]).Text);
        Assert.True(handle.IsClosed);
        Assert.Equal(PassFdOptions.CloseParent, Assert.Single(fake.Invocations[0].Plan.PassedFds).Flags);
        Assert.Throws<InvalidOperationException>(() => fake.ListenAsync(command).GetAsyncEnumerator().MoveNextAsync().AsTask().GetAwaiter().GetResult());
    }
}
