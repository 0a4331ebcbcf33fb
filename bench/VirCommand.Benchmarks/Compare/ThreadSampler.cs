using VirCommand.Benchmarks.Interop;

namespace VirCommand.Benchmarks.Compare;

/// <summary>
/// Samples this process's thread count every couple of milliseconds on a dedicated thread, keeping the
/// highest count seen since the last <see cref="Restart"/>. The sampler's own thread exists before and
/// during every measurement alike, so it cancels out of "peak minus idle".
/// </summary>
internal sealed class ThreadSampler : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(2);
    private readonly Thread _thread;
    private volatile bool _stopped;
    private int _peak;

    public ThreadSampler()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "thread sampler" };
        _thread.Start();
    }

    /// <summary>The highest thread count sampled since <see cref="Restart"/>.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>Forgets the peak: from now on it starts at the current count.</summary>
    public void Restart() => Volatile.Write(ref _peak, ProcStatus.Threads());

    public void Dispose()
    {
        _stopped = true;
        _thread.Join();
    }

    private void Run()
    {
        while (!_stopped)
        {
            var threads = ProcStatus.Threads();
            int seen;
            while (threads > (seen = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, threads, seen) != seen)
            {
            }
            Thread.Sleep(Interval);
        }
    }
}
