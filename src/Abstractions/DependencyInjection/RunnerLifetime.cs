using Microsoft.Extensions.Hosting;
using VirCommand.Backends;

namespace VirCommand;

/// <summary>
/// Ties the registered runner to the generic host: the runner is made when the host starts, so that
/// a backend that cannot honour the options fails the start; once every hosted service has stopped
/// (they may still be using their children until then), the runner is shut down within what is left
/// of the host's shutdown timeout (<see cref="CommandRunnerBase.ShutdownAsync"/>).
/// </summary>
internal sealed class RunnerLifetime(ICommandRunner runner) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        (runner as CommandRunnerBase)?.ThrowIfOptionsUnsupported();
        return Task.CompletedTask;
    }

    public Task StoppedAsync(CancellationToken cancellationToken) =>
        runner is CommandRunnerBase owner ? owner.ShutdownAsync(cancellationToken) : Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
