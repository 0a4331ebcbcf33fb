using VirCommand.Backends.Posix;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Lifetime;

/// <summary>The POSIX backend's own blocking Run is owned and stopped like every other run.</summary>
public sealed class PosixShutdownTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [LinuxFact]
    public async Task Shutdown_stops_a_blocking_run_without_a_token_through_the_whole_stop_sequence()
    {
        var runner = new PosixCommandRunner(new CommandRunnerOptions { KillGracePeriod = TimeSpan.FromMilliseconds(200) });
        var ready = _dir.File("ready");
        // No token: only the runner's shutdown can wake the blocking loop to send the SIGKILL after the grace.
        var run = Task.Factory.StartNew(() => runner.Run(Command.NewArgList("/bin/sh", "-c", "trap '' TERM; : > \"$0\"; while :; do sleep 0.1; done", ready)),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        while (!run.IsCompleted && !File.Exists(ready))
            await Task.Delay(20);

        await runner.ShutdownAsync();

        var error = await Assert.ThrowsAsync<CommandCanceledException>(() => run);
        Assert.Equal(Signal.SIGKILL, error.Result?.TerminatingSignal);
    }
}
