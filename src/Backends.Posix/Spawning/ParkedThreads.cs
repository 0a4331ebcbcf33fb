using System.Collections.Concurrent;

namespace VirCommand.Backends.Posix.Spawning;

/// <summary>
/// The threads that make the clones of handshake starts without a fork (<c>vc_parked_run</c>): each sleeps in
/// the kernel's vfork wait until its child has exec'd or exited, which for a child waiting at the handshake lasts
/// until the caller releases it, so each child waiting at a handshake holds one of these threads. A thread is
/// created when none is idle, up to <see cref="Limit"/>, and never exits: a child's parent-death signal fires when
/// the thread that cloned it exits (see <see cref="SpawnerThread"/>), so these, like the spawner thread, live as
/// long as the process. Past the limit a handshake start takes the fork path, as before.
/// </summary>
internal static class ParkedThreads
{
    /// <summary>Children waiting at a handshake at once before the next start falls back to fork.</summary>
    public const int Limit = 64;

    /// <summary>Native frames only (the P/Invoke and glibc's clone; the child has its own stack): small.</summary>
    private const int StackSize = 256 * 1024;

    private static readonly ConcurrentStack<Parked> Idle = new();
    private static int s_count;

    /// <summary>Threads created so far (idle or parked), for tests.</summary>
    public static int Count => Volatile.Read(ref s_count);

    /// <summary>An idle thread for one run, or a new one; null past the limit or when no thread can be made.</summary>
    public static Parked? TryTake()
    {
        if (Idle.TryPop(out var idle))
            return idle;
        if (Interlocked.Increment(ref s_count) > Limit)
        {
            Interlocked.Decrement(ref s_count);
            return null;
        }
        try
        {
            return new Parked();
        }
        catch (OutOfMemoryException)
        {
            Interlocked.Decrement(ref s_count);
            return null;
        }
    }

    /// <summary>One parked thread: runs one item at a time, then is idle again.</summary>
#pragma warning disable CA1001 // the thread and its semaphore live as long as the process
    internal sealed class Parked
#pragma warning restore CA1001
    {
        private readonly SemaphoreSlim _go = new(0);
        private Action? _work;

        public Parked()
        {
            var thread = new Thread(Loop, StackSize) { IsBackground = true, Name = "VirCommand parked spawn" };
            thread.UnsafeStart();
        }

        /// <summary>Hands <paramref name="work"/> to the thread (taken with <see cref="TryTake"/>); it is idle again afterwards.</summary>
        public void Run(Action work)
        {
            Volatile.Write(ref _work, work);
            _go.Release();
        }

        /// <summary>Gives back a thread taken but not used.</summary>
        public void Return() => Idle.Push(this);

        private void Loop()
        {
            while (true)
            {
                _go.Wait();
                var work = Interlocked.Exchange(ref _work, null);
                work?.Invoke();
                Idle.Push(this);
            }
        }
    }
}
