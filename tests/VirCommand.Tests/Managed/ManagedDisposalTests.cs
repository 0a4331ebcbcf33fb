using VirCommand.Backends.Managed;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Managed;

/// <summary>Disposing a handle ends the child on every path, however little the caller did with it.</summary>
public sealed class ManagedDisposalTests
{
    private static readonly ManagedCommandRunner Runner = new();

    [LinuxFact]
    public async Task DisposingAHandleWhosePipesWereNeverRead_KillsAChildThatIgnoresTheGracefulSignal()
    {
        // The shell ignores SIGTERM, and so does its child, blocked on a full stdout pipe nobody reads.
        using var command = Command.NewArgList("/bin/sh", "-c", "trap '' TERM; head -c 10000000 /dev/zero; sleep 100")
            .SetOutputPipe().SetErrorPipe().SetInputPipe().SetKillGracePeriod(TimeSpan.FromMilliseconds(100));
        var running = await Runner.StartAsync(command).OrHang();
        var pid = running.Pid;

        await running.DisposeAsync().AsTask().OrHang();

        Assert.True(await Processes.WaitGoneAsync(pid, HangGuard.Limit));
    }
}
