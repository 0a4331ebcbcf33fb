namespace VirCommand.Backends.Fake.Cassettes;

/// <summary>
/// A started child of <see cref="RecordingCommandRunner"/>: the inner runner's handle, whose pipes
/// record what passes through them and whose signals and end are recorded. It behaves as the handle
/// it wraps in every way (the line listener reads that handle's drain time and clock through it).
/// </summary>
internal sealed class RecordingRunningCommand : IRunningCommand, IRunningCommandDecorator
{
    private readonly IRunningCommand _inner;
    private readonly InteractionRecorder _recorder;
    private readonly Task _endRecorded;

    public RecordingRunningCommand(IRunningCommand inner, InteractionRecorder recorder)
    {
        _inner = inner;
        _recorder = recorder;
        recorder.Started();
        StandardInput = inner.StandardInput is { } stdin ? new RecordingStream(stdin, recorder, output: null) : null;
        StandardOutput = inner.StandardOutput is { } stdout ? new RecordingStream(stdout, recorder, ChildOutput.StandardOutput) : null;
        StandardError = inner.StandardError is { } stderr ? new RecordingStream(stderr, recorder, ChildOutput.StandardError) : null;
        // The end, however the caller waits for it or not (a detached child, a handle disposed unwaited).
        _endRecorded = inner.WaitAsync(CancellationToken.None).ContinueWith(static (ended, state) =>
        {
            var recorder = (InteractionRecorder)state!;
            try
            {
                recorder.Ended(ended.GetAwaiter().GetResult());
            }
            catch (Exception failure)
            {
                // A stopped child's CommandCanceledException leaves the task canceled, not faulted: rethrown, it is seen too.
                recorder.Failed(failure);
            }
        }, recorder, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public IRunningCommand Inner => _inner;

    public int Pid => _inner.Pid;

    public int? DaemonPid => _inner.DaemonPid;

    public string CommandLine => _inner.CommandLine;

    public DateTimeOffset StartTime => _inner.StartTime;

    public Stream? StandardInput { get; }

    public Stream? StandardOutput { get; }

    public Stream? StandardError { get; }

    public bool IsDetached => _inner.IsDetached;

    /// <summary>The inner handle's wait, returning once the end is in the cassette too: a caller that reads the cassette after its wait (or after ListenAsync) finds the exit there.</summary>
    public async Task<CommandResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The child ended (or the wait failed by its end): its recording follows at once. A cancelled wait does not wait for it.
            if (!cancellationToken.IsCancellationRequested)
                await _endRecorded.ConfigureAwait(false);
        }
    }

    public Task AbortAsync() => _inner.AbortAsync();

    public async Task<bool> SignalAsync(Signal signal, SignalTarget target = SignalTarget.Process)
    {
        var at = _recorder.Elapsed;
        var sent = await _inner.SignalAsync(signal, target).ConfigureAwait(false);
        if (sent)
            _recorder.Signaled(at, signal, target);
        return sent;
    }

    public void Detach() => _inner.Detach();

    public Task WaitForHandshakeAsync(CancellationToken cancellationToken = default) => _inner.WaitForHandshakeAsync(cancellationToken);

    public Task NotifyHandshakeAsync(CancellationToken cancellationToken = default) => _inner.NotifyHandshakeAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // The wrappers own nothing but the inner pipes, which the inner handle's disposal closes.
        await _inner.DisposeAsync().ConfigureAwait(false);
    }
}
