using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace VirCommand.Backends.Posix.Spawning;

/// <summary>
/// One long-lived thread that makes the spawns which set a parent-death signal. Linux sends that
/// signal when the <em>thread</em> that created the child exits, not the process: a spawn from a
/// thread-pool thread, which the pool may retire at any time, would kill the child early. This
/// thread never exits while the process lives, so the signal comes only when the process dies.
/// </summary>
internal static class SpawnerThread
{
    private static readonly BlockingCollection<Action> Queue = [];
    private static readonly Lazy<Thread> Thread = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Runs <paramref name="spawn"/> on the spawner thread and waits for it; its exception is rethrown here.</summary>
    public static T Invoke<T>(Func<T> spawn)
    {
        _ = Thread.Value;
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        using var done = new ManualResetEventSlim();
        Queue.Add(() =>
        {
            try
            {
                result = spawn();
            }
#pragma warning disable CA1031 // rethrown on the caller's thread
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait();
        failure?.Throw();
        return result;
    }

    private static Thread Start()
    {
        var thread = new Thread(() =>
        {
            foreach (var work in Queue.GetConsumingEnumerable())
                work();
        })
        { IsBackground = true, Name = "VirCommand spawner" };
        thread.UnsafeStart();
        return thread;
    }
}
