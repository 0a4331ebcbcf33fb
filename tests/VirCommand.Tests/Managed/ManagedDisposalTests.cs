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

    [LinuxFact]
    public async Task ADetachedDisposedHandle_LetsGoOfItsProcessOnceTheChildIsWaitedFor()
    {
        using var command = Command.New("/bin/true");
        var running = await Runner.StartAsync(command).OrHang();
        // The Process object holds .NET's record of the child (and on Windows its handle).
        var process = ProcessOf(running);
        running.Detach();
        await running.DisposeAsync().AsTask().OrHang();

        await running.WaitAsync().OrHang();

        // A disposed Process no longer names a process.
        Assert.True(await Task.Run(() => ProcessInspector.WaitUntil(() => !NamesAProcess(process), HangGuard.Limit)),
            "the detached handle kept its Process");
    }

    private static bool NamesAProcess(System.Diagnostics.Process process)
    {
        try
        {
            _ = process.Id;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    [LinuxFact]
    public async Task AbortingAChildThatHasJustExited_ChangesNothing()
    {
        // .NET may know the child exited (HasExited) a moment before it completes WaitForExitAsync:
        // an abort in between must find the child past stopping, as after the wait.
        for (var i = 0; i < 20; i++)
        {
            using var command = Command.New("/bin/true");
            await using var running = await Runner.StartAsync(command).OrHang();
            var process = ProcessOf(running);
            while (!process.HasExited)
                await Task.Yield();

            await running.AbortAsync().OrHang();

            Assert.Equal(0, (await running.WaitAsync().OrHang()).ExitCode);
        }
    }

    private static System.Diagnostics.Process ProcessOf(IRunningCommand running)
    {
        const System.Reflection.BindingFlags Private = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance;
        var child = typeof(VirCommand.Backends.RunningCommand).GetField("_child", Private)!.GetValue(running)!;
        return (System.Diagnostics.Process)typeof(ManagedChild).GetField("_process", Private)!.GetValue(child)!;
    }
}
