using System.Runtime.CompilerServices;
using VirCommand.Backends;

namespace VirCommand;

/// <summary>
/// The listen loop every line and event stream runs, on any backend's handle: it reads the output pipes
/// only as fast as the consumer takes lines, keeps each stream's order, bounds the reading after the
/// child exited by the run's drain time, and stops the child when the enumeration is cancelled.
/// </summary>
/// <remarks>
/// <para>
/// Back-pressure: a stream is read again only once every line of its last read was taken, so the
/// listener holds at most one read (<see cref="ReadSize"/> bytes), the lines it made and one unfinished
/// line per stream; the rest waits in the pipe, whose full buffer blocks the child's next write.
/// </para>
/// <para>
/// Drain (SPEC §4): a grandchild may keep a pipe open after the child exited, so end-of-file may never
/// come. After the exit, each stream may spend the drain time in all waiting for data that is not there
/// yet; a read that finds data does not wait, so a slow consumer still gets everything the child wrote.
/// </para>
/// </remarks>
internal static class LineListener
{
    /// <summary>The bytes one read takes from a pipe.</summary>
    internal const int ReadSize = 16 * 1024;

    /// <summary>
    /// The events of <paramref name="running"/>'s streams given; with <paramref name="lifecycle"/> also
    /// <see cref="CommandStarted"/> first and <see cref="CommandExited"/> last (or the exception of the
    /// run's end), else the lines alone, without judging the end.
    /// </summary>
    public static async IAsyncEnumerable<CommandEvent> ListenAsync(
        IRunningCommand running, LineOptions outputOptions, LineOptions errorOptions, bool readOutput, bool readError, bool lifecycle,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (drain, time) = RunOf(running);
        var owned = !running.IsDetached;
        // Only to see the exit: the outcome is judged below, with the caller's token.
        var waiting = running.WaitAsync(CancellationToken.None);
        var sources = new List<Source>(2);
        if (readOutput && running.StandardOutput is { } stdout)
            sources.Add(new Source(stdout, new LineDecoder(outputOptions, ChildOutput.StandardOutput), time, cancellationToken));
        if (readError && running.StandardError is { } stderr)
            sources.Add(new Source(stderr, new LineDecoder(errorOptions, ChildOutput.StandardError), time, cancellationToken));
        var ready = new Queue<OutputLine>();
        var exited = false;
        try
        {
            if (lifecycle)
                yield return new CommandStarted(running.Pid, running.StartTime);
            foreach (var source in sources)
                source.Read(ready);
            while (!cancellationToken.IsCancellationRequested)
            {
                if (ready.TryDequeue(out var line))
                {
                    var source = sources.Find(s => s.Output == line.Source)!;
                    if (--source.Queued == 0)
                        source.Read(ready);
                    yield return line;
                    continue;
                }
                var reads = sources.Where(s => s.Pending is not null).Select(Task (s) => s.Pending!).ToList();
                if (reads.Count == 0)
                    break;
                if (!exited)
                    reads.Add(waiting);
                var done = await Task.WhenAny(reads).ConfigureAwait(false);
                if (done == waiting)
                {
                    exited = true;
                    foreach (var source in sources)
                        source.ChildExited(drain);
                }
                else
                {
                    sources.Find(s => s.Pending == done)!.Take(ready);
                }
            }
            if (cancellationToken.IsCancellationRequested)
                await CanceledAsync(running, owned, cancellationToken).ConfigureAwait(false);
            if (lifecycle)
            {
                CommandResult result;
                try
                {
                    result = await waiting.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !waiting.IsCompleted)
                {
                    await CanceledAsync(running, owned, cancellationToken).ConfigureAwait(false);
                    throw;
                }
                yield return new CommandExited(result);
            }
        }
        finally
        {
            foreach (var source in sources)
                await source.DisposeAsync().ConfigureAwait(false);
            // Seen here or by the caller's own WaitAsync: never an unobserved exception.
            _ = waiting.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// The enumeration was cancelled: the child goes by the stop sequence, and its
    /// <see cref="CommandCanceledException"/> comes once it is reaped; a detached child runs on.
    /// </summary>
    private static async Task CanceledAsync(IRunningCommand running, bool owned, CancellationToken cancellationToken)
    {
        if (owned)
            await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>The run's drain time and clock, from the engine; a handle from elsewhere (a test double) gets the defaults.</summary>
    private static (TimeSpan Drain, TimeProvider Time) RunOf(IRunningCommand running) => running switch
    {
        RunningCommand engine => (engine.DrainTimeout, engine.Time),
        IRunningCommandDecorator decorator => RunOf(decorator.Inner),
        _ => (new CommandRunnerOptions().DrainTimeout, TimeProvider.System),
    };

    /// <summary>One output stream: at most one read at a time, started only once the lines of the last one were taken.</summary>
    private sealed class Source : IAsyncDisposable
    {
        private readonly Stream _stream;
        private readonly LineDecoder _decoder;
        private readonly TimeProvider _time;
        private readonly byte[] _buffer = new byte[ReadSize];
        private readonly CancellationTokenSource _stop;
        private readonly CancellationTokenRegistration _cancellation;
        private TimeSpan? _drainLeft;
        private long _waitingSince;
        private bool _ended;

        public Source(Stream stream, LineDecoder decoder, TimeProvider time, CancellationToken cancellationToken)
        {
            _stream = stream;
            _decoder = decoder;
            _time = time;
            Output = decoder.Output;
            _stop = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
            _cancellation = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _stop);
        }

        public ChildOutput Output { get; }

        /// <summary>The read under way, if any.</summary>
        public Task<int>? Pending { get; private set; }

        /// <summary>The lines of this stream made but not taken yet.</summary>
        public int Queued { get; set; }

        /// <summary>Reads until a read is under way, or has made lines, or the stream ended.</summary>
        public void Read(Queue<OutputLine> ready)
        {
            while (!_ended)
            {
                _waitingSince = _time.GetTimestamp();
                if (_drainLeft is { } left)
                    _stop.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                Pending = _stream.ReadAsync(_buffer, _stop.Token).AsTask();
                if (!Pending.IsCompleted || Decode(ready) > 0)
                    return;
            }
        }

        /// <summary>The child exited: from now on, waiting for data that does not come is bounded by <paramref name="drain"/>.</summary>
        public void ChildExited(TimeSpan drain)
        {
            if (drain == Timeout.InfiniteTimeSpan)
                return;
            _drainLeft = drain;
            if (Pending is null)
                return;
            _waitingSince = _time.GetTimestamp();
            _stop.CancelAfter(drain);
        }

        /// <summary>The read under way completed: its lines go to <paramref name="ready"/>; without any, the next read starts.</summary>
        public void Take(Queue<OutputLine> ready)
        {
            if (Decode(ready) == 0)
                Read(ready);
        }

        /// <summary>Decodes the completed read; end-of-file, the drain time spent and cancellation end the stream.</summary>
        private int Decode(Queue<OutputLine> ready)
        {
            var read = Pending!;
            Pending = null;
            int count;
            try
            {
                count = read.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                count = 0;
            }
            if (_drainLeft is { } left && !_stop.IsCancellationRequested)
            {
                _drainLeft = left - _time.GetElapsedTime(_waitingSince);
                _stop.CancelAfter(Timeout.InfiniteTimeSpan);
            }
            _ended = count == 0;
            return Queued = _decoder.Decode(_buffer.AsSpan(0, count), final: _ended, ready);
        }

        public async ValueTask DisposeAsync()
        {
            _ended = true;
            await _cancellation.DisposeAsync().ConfigureAwait(false);
            if (Pending is { } read)
            {
                // A read left waiting would hold the stream: the caller may go on reading it, or dispose the handle.
                await _stop.CancelAsync().ConfigureAwait(false);
                await ((Task)read).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            _stop.Dispose();
        }
    }
}
