namespace VirCommand.Backends;

/// <summary>
/// The one <see cref="IRunningPipeline"/>: it drives the stages' <see cref="RunningCommand"/>s
/// together. It stops them all on the pipeline's timeout, cancellation, abort or disposal (the group
/// first, where the stages share one), pumps the junctions of a backend that has no kernel pipes
/// between its children, and judges the end by the <see cref="Pipefail"/> rule.
/// </summary>
internal sealed class RunningPipeline : IRunningPipeline
{
    private readonly RunningCommand[] _stages;
    private readonly string[] _stageLines;
    private readonly bool _grouped;
    private readonly TimeSpan? _timeout;
    private readonly CommandResult?[] _results;
    private readonly Exception?[] _failures;
    private readonly bool[] _cutOff;
    private readonly Task _ended;
    private readonly ITimer? _timer;
    private readonly Lock _lock = new();
    private StopReason _reason;
    private CancellationToken _cancelledBy;

    /// <summary>Starts driving the started <paramref name="stages"/>, which it then owns.</summary>
    /// <param name="commandLine">The pipeline's string form.</param>
    /// <param name="stages">The stages, all started (and the first released from its handshake).</param>
    /// <param name="stageLines">Each stage's string form.</param>
    /// <param name="grouped">True when the stages share a process group the first one leads (kernel pipes); false when the junctions are pumped here.</param>
    /// <param name="timeout">The pipeline's timeout, or null.</param>
    /// <param name="time">The clock of the timeout.</param>
    public RunningPipeline(string commandLine, RunningCommand[] stages, string[] stageLines, bool grouped, TimeSpan? timeout, TimeProvider time)
    {
        CommandLine = commandLine;
        _stages = stages;
        _stageLines = stageLines;
        _grouped = grouped;
        _timeout = timeout;
        _results = new CommandResult?[stages.Length];
        _failures = new Exception?[stages.Length];
        _cutOff = new bool[stages.Length];
        var joins = grouped ? [] : Enumerable.Range(0, stages.Length - 1).Select(JoinAsync).ToArray();
        _ended = EndAsync(joins);
        if (timeout is { } t)
            _timer = time.CreateTimer(static s => ((RunningPipeline)s!).Stop(StopReason.Timeout, default), this, t, Timeout.InfiniteTimeSpan);
    }

    public string CommandLine { get; }

    public IReadOnlyList<IRunningCommand> Stages => _stages;

    public int? ProcessGroupId => _grouped ? _stages[0].Pid : null;

    public Stream? StandardInput => _stages[0].StandardInput;

    public Stream? StandardOutput => _stages[^1].StandardOutput;

    public async Task<PipelineResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        if (!_ended.IsCompleted && cancellationToken.CanBeCanceled)
        {
            using (cancellationToken.UnsafeRegister(_ => Stop(StopReason.Canceled, cancellationToken), null))
                await _ended.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await _ended.ConfigureAwait(false);
        StopReason reason;
        lock (_lock)
            reason = _reason;
        return reason switch
        {
            StopReason.Timeout => throw new CommandTimeoutException(CommandLine, _timeout ?? TimeSpan.Zero),
            StopReason.Canceled => throw new CommandCanceledException(CommandLine, "cancelled", null, _cancelledBy),
            StopReason.Aborted => throw new CommandCanceledException(CommandLine, "aborted", null, default),
            _ => Pipefail.Judge(CommandLine, _stageLines, _results, _failures, _cutOff),
        };
    }

    public async Task AbortAsync()
    {
        Stop(StopReason.Aborted, default);
        await _ended.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public async Task<bool> SignalAsync(Signal signal)
    {
        if (_grouped && _stages[0].SignalGroup(signal))
            return true;
        var sent = false;
        foreach (var stage in _stages)
            sent |= await stage.SignalAsync(signal).ConfigureAwait(false);
        return sent;
    }

    public async ValueTask DisposeAsync()
    {
        await AbortAsync().ConfigureAwait(false);
        foreach (var stage in _stages)
            await stage.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Stops every stage for <paramref name="reason"/> unless a reason was recorded before or all
    /// ended: the graceful signal to the group at once, then each stage's own stop sequence.
    /// </summary>
    private void Stop(StopReason reason, CancellationToken cancelledBy)
    {
        lock (_lock)
        {
            if (_reason != StopReason.None || _ended.IsCompleted)
                return;
            _reason = reason;
            _cancelledBy = cancelledBy;
        }
        if (_grouped)
            _stages[0].SignalGroup(_stages[0].GracefulSignal);
        foreach (var stage in _stages)
            _ = stage.AbortAsync();
    }

    private async Task EndAsync(Task[] joins)
    {
        await Task.WhenAll(_stages.Select(OutcomeAsync)).ConfigureAwait(false);
        await Task.WhenAll(joins).ConfigureAwait(false);
        _timer?.Dispose();
    }

    private async Task OutcomeAsync(RunningCommand stage, int index)
    {
        try
        {
            _results[index] = await stage.WaitAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _failures[index] = e;
            _results[index] = Pipefail.ResultOf(e);
        }
    }

    /// <summary>
    /// Pumps stage <paramref name="junction"/>'s stdout into the next stage's stdin until end-of-file,
    /// then closes that stdin, as the kernel pipe would. When the next stage stops reading (it exited),
    /// the upstream's stdout is closed, so its next write breaks as it would on a kernel pipe whose
    /// reader is gone; the upstream is then marked cut off, for the pipefail rule.
    /// </summary>
    private async Task JoinAsync(int junction)
    {
        var from = _stages[junction].StandardOutput!;
        var to = _stages[junction + 1].StandardInput!;
        try
        {
            await from.CopyToAsync(to).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The reader is gone (EPIPE): the upstream's output was cut off, as a kernel pipe's would be.
            _cutOff[junction] = true;
        }
        catch (ObjectDisposedException)
        {
            // The pipeline was disposed meanwhile.
        }
        finally
        {
            await DisposeQuietlyAsync(to).ConfigureAwait(false);
            await DisposeQuietlyAsync(from).ConfigureAwait(false);
        }
    }

    private static async ValueTask DisposeQuietlyAsync(Stream stream)
    {
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Flushing into a reader that is gone: nothing more to deliver.
        }
    }
}
