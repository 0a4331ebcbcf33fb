using VirCommand;

namespace VirCommand.Samples.Worker;

/// <summary>
/// Starts a long child (a stand-in for a daemon-like helper such as dnsmasq) and, while it runs,
/// runs a short command every few seconds. On Ctrl+C the host cancels <c>stoppingToken</c>: the
/// wait ends, and once every hosted service has stopped the runner stops the child it still owns
/// (SIGTERM, then SIGKILL after the kill grace) and logs it; no handle needs disposing for that.
/// </summary>
internal sealed partial class Worker(ICommandRunner runner, ILogger<Worker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The token governs only the start: a start asked after the host began to stop is refused.
        // The child's life is the runner's (or this handle's) to end, not the token's.
        using var sleep = Command.NewArgList("sleep", "3600");
        // Ctrl+C in a terminal sends SIGINT to its whole foreground process group, children included:
        // in a group of its own the child is left for the runner to stop by its stop sequence.
        if (runner.Features.HasFlag(CommandFeatures.NewProcessGroup))
            sleep.NewProcessGroup();
        var helper = await runner.StartAsync(sleep, stoppingToken);
        LogHelper(logger, helper.Pid);

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            do
            {
                using var uptime = Command.New("uptime").SetOutputBuffer();
                var result = await runner.RunAsync(uptime, stoppingToken);
                LogUptime(logger, result.StandardOutput);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Ctrl+C: the runner stops the helper once the host's services have stopped.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The helper runs as pid {Pid}; press Ctrl+C to stop the service")]
    private static partial void LogHelper(ILogger logger, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "uptime:{Uptime}")]
    private static partial void LogUptime(ILogger logger, string uptime);
}
