using System.Runtime.InteropServices;

namespace VirCommand.Backends;

public abstract partial class CommandRunnerBase
{
    /// <summary>
    /// Makes the kernel pipe that joins two stages of a pipeline, both ends close-on-exec, for a backend
    /// whose children take caller fds as their stdio (POSIX): the stages then read and write it directly
    /// and share one process group. Null (the default): the run engine joins the stages by pumping
    /// each stdout pipe into the next stdin pipe.
    /// </summary>
    /// <exception cref="CommandStartException">The pipe could not be made.</exception>
    protected virtual (SafeHandle Read, SafeHandle Write)? OpenStagePipe() => null;

    /// <summary>Called once every stage of a pipeline has started, before the caller gets it: for a backend that records runs (the fake).</summary>
    protected virtual void PipelineStarted(IRunningPipeline pipeline)
    {
    }

    /// <inheritdoc/>
    public async Task<PipelineResult> RunAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        var running = await StartPipelineAsync(pipeline, runToCompletion: true, cancellationToken).ConfigureAwait(false);
        await using (running.ConfigureAwait(false))
            return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IRunningPipeline> StartAsync(Pipeline pipeline, CancellationToken cancellationToken = default) =>
        await StartPipelineAsync(pipeline, runToCompletion: false, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Starts a pipeline's stages first to last, each through the gate and the run engine as any run.
    /// Every stage is checked and wired before the first one starts, so a refused pipeline spawns
    /// nothing. With kernel pipes the first stage leads a new process group and waits at a handshake
    /// until every other stage joined it (a leader that exited and was reaped would leave no group to
    /// join), and each pipe end goes from the parent once its stage has it. A stage that cannot start
    /// stops and reaps the stages started before it.
    /// </summary>
    private async Task<IRunningPipeline> StartPipelineAsync(Pipeline pipeline, bool runToCompletion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var commandLine = pipeline.ToString();
        if (!Features.HasFlag(CommandFeatures.Pipelines))
            throw new CommandNotSupportedException(commandLine, CommandFeatures.Pipelines, Name, FullerBackend);
        var count = pipeline.Stages.Count;
        var stages = new Command[count];
        var lines = new string[count];
        for (var i = 0; i < count; i++)
        {
            stages[i] = pipeline.Stages[i].Snapshot();
            stages[i].ValidateAsStage(i, count, runToCompletion);
            lines[i] = stages[i].ToString();
        }

        var ends = new List<SafeHandle>();
        var grouped = false;
        try
        {
            for (var j = 0; j < count - 1; j++)
            {
                if (OpenStagePipe() is not { } pipe)
                    break;
                grouped = true;
                ends.Add(pipe.Read);
                ends.Add(pipe.Write);
            }
            for (var i = 0; i < count; i++)
            {
                // Kernel pipe j is ends[2j] (read) and ends[2j + 1] (write).
                var input = i == 0 ? null : grouped ? Fd(ends[(2 * i) - 2]) : StdioTarget.Pipe;
                var output = i == count - 1 ? null : grouped ? Fd(ends[(2 * i) + 1]) : StdioTarget.Pipe;
                stages[i].JoinPipeline(input, output, leadsGroup: grouped && i == 0);
                CommandNotSupportedException.ThrowIfUnsupported(stages[i], this, FullerBackend);
            }
        }
        catch
        {
            foreach (var end in ends)
                end.Dispose();
            throw;
        }

        var started = new List<RunningCommand>();
        var current = 0;
        try
        {
            for (; current < count; current++)
            {
                if (grouped && current > 0)
                    stages[current].JoinProcessGroup(started[0].Pid);
                started.Add(Launch(PlanRun(stages[current], validateToCompletion: false, runToCompletion, cancellationToken)));
                if (grouped)
                {
                    // The child has its ends now: the parent's copies go, so that end-of-file and a broken pipe reach the stages.
                    if (current > 0)
                        ends[(2 * current) - 2].Dispose();
                    if (current < count - 1)
                        ends[(2 * current) + 1].Dispose();
                }
            }
            if (grouped)
            {
                // The first stage waits at its handshake until every other stage is in its group.
                current = 0;
                await started[0].WaitForHandshakeAsync(CancellationToken.None).ConfigureAwait(false);
                await started[0].NotifyHandshakeAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            foreach (var end in ends)
                end.Dispose();
            foreach (var stage in started)
                await stage.DisposeAsync().ConfigureAwait(false);
            if (e is OperationCanceledException)
                throw;
            throw new PipelineStageException(commandLine, current, lines[current], e, new CommandResult?[count]);
        }
        var running = new RunningPipeline(commandLine, [.. started], lines, grouped, pipeline.Timeout, Time);
        PipelineStarted(running);
        return running;
    }

    private static StdioTarget Fd(SafeHandle end) => new(StdioKind.Fd, checked((int)end.DangerousGetHandle()));
}
