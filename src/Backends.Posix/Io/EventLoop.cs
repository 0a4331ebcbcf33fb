using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Posix.Interop;

namespace VirCommand.Backends.Posix.Io;

/// <summary>
/// The one loop that serves every pipe and every child of the process: a single thread blocked in
/// <c>epoll_wait</c>, so a thousand running children cost no more threads than one. Registrations are
/// keyed by a token, never by fd number, so an event for a handler that was just removed is dropped
/// instead of reaching whatever reuses the fd.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The loop lives as long as the process.")]
internal sealed unsafe class EventLoop
{
    private const int BatchSize = 256;
    private static readonly Lazy<EventLoop> SharedLoop = new(() => new EventLoop(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly SafeFileHandle _epoll;
    private readonly ConcurrentDictionary<ulong, IReadinessHandler> _handlers = new();
    private long _nextToken;

    private EventLoop()
    {
        var fd = Epoll.Create(Epoll.CloseOnExec);
        if (fd < 0)
            throw new IOException($"epoll_create1 failed: {Marshal.GetLastPInvokeErrorMessage()}");
        _epoll = new SafeFileHandle(fd, ownsHandle: true);
        var thread = new Thread(Run) { IsBackground = true, Name = "VirCommand event loop" };
        thread.UnsafeStart();
    }

    /// <summary>The process-wide loop, started on first use.</summary>
    public static EventLoop Shared => SharedLoop.Value;

    /// <summary>Watches <paramref name="fd"/> for <paramref name="events"/> (level-triggered unless one-shot).</summary>
    /// <returns>The token that <see cref="Rearm"/> and <see cref="Unregister"/> take.</returns>
    public ulong Register(SafeHandle fd, uint events, IReadinessHandler handler)
    {
        var token = (ulong)Interlocked.Increment(ref _nextToken);
        _handlers[token] = handler;
        if (Epoll.Control(_epoll, Epoll.Add, fd, events, token) < 0)
        {
            _handlers.TryRemove(token, out _);
            throw new IOException($"epoll_ctl(ADD) failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        return token;
    }

    /// <summary>Re-arms a one-shot registration.</summary>
    public void Rearm(SafeHandle fd, ulong token, uint events)
    {
        if (Epoll.Control(_epoll, Epoll.Modify, fd, events, token) < 0)
            throw new IOException($"epoll_ctl(MOD) failed: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>Stops watching; call before closing the fd. Events already fetched for the token are dropped.</summary>
    public void Unregister(SafeHandle fd, ulong token)
    {
        _handlers.TryRemove(token, out _);
        if (!fd.IsClosed)
            Epoll.Control(_epoll, Epoll.Delete, fd, 0, 0);
    }

    private void Run()
    {
        var events = stackalloc byte[BatchSize * Epoll.EventSize];
        while (true)
        {
            var count = Epoll.Wait(_epoll, events, BatchSize, -1);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() == Syscalls.EINTR)
                    continue;
                Environment.FailFast($"VirCommand event loop: epoll_wait failed: {Marshal.GetLastPInvokeErrorMessage()}");
            }
            for (var i = 0; i < count; i++)
            {
                if (_handlers.TryGetValue(Epoll.DataAt(events, i), out var handler))
                    handler.OnReady(Epoll.EventsAt(events, i));
            }
        }
    }
}
