using VirCommand.Benchmarks.Interop;

namespace VirCommand.Benchmarks.Compare;

/// <summary>
/// Samples this process's thread count every couple of milliseconds on a dedicated thread, between
/// <see cref="Begin"/> and <see cref="End"/>, keeping the highest count seen. The sampler's own thread exists
/// (parked) before and during every measurement alike, so it cancels out of "peak minus idle"; parked, and
/// sampling without allocating, it does not show in the other scenarios' figures either.
/// </summary>
internal sealed class ThreadSampler : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(2);
    private readonly ProcStatus.ThreadCounter _counter = new();
    private readonly ManualResetEventSlim _sampling = new();
    private readonly Thread _thread;
    private volatile bool _stopped;
    private int _peak;

    public ThreadSampler()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "thread sampler" };
        _thread.Start();
    }

    /// <summary>Starts sampling, from the current count; returns that count (the sampler's own thread included).</summary>
    public int Begin()
    {
        var idle = _counter.Read();
        Volatile.Write(ref _peak, idle);
        _sampling.Set();
        return idle;
    }

    /// <summary>Stops sampling; returns the highest count seen since <see cref="Begin"/>.</summary>
    public int End()
    {
        _sampling.Reset();
        var last = _counter.Read();
        return Math.Max(Volatile.Read(ref _peak), last);
    }

    public void Dispose()
    {
        _stopped = true;
        _sampling.Set();
        _thread.Join();
        _sampling.Dispose();
        _counter.Dispose();
    }

    private void Run()
    {
        var counter = new ProcStatus.ThreadCounter();
        try
        {
            while (true)
            {
                _sampling.Wait();
                if (_stopped)
                    return;
                var threads = counter.Read();
                int seen;
                while (threads > (seen = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, threads, seen) != seen)
                {
                }
                Thread.Sleep(Interval);
            }
        }
        finally
        {
            counter.Dispose();
        }
    }
}
