using Microsoft.Win32.SafeHandles;

namespace VirCommand.Backends.Posix.Io;

/// <summary>
/// A library-owned pipe end that is pumped until it is done, then unregisters and closes: by the
/// event loop, or by a blocking run's own thread that polls <see cref="PollFd"/> and calls
/// <see cref="OnReady"/>. All of its work happens under one lock, so the pumping thread and a
/// thread that closes it early (drain timeout, abort) never touch it at once.
/// </summary>
internal abstract class PipeChannel : IReadinessHandler
{
    private readonly EventLoop _loop;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ulong _token;
    private bool _closed;

    protected PipeChannel(EventLoop loop, SafeFileHandle fd, uint events)
    {
        _loop = loop;
        Fd = fd;
        Events = events;
    }

    /// <summary>What the channel waits for: <see cref="Interop.Epoll.In"/> or <see cref="Interop.Epoll.Out"/>.</summary>
    public uint Events { get; }

    /// <summary>The fd to poll, for a blocking run; valid until <see cref="IsClosed"/>.</summary>
    public int PollFd => (int)Fd.DangerousGetHandle();

    /// <summary>True once the channel reached its end or was closed; only the pumping thread may rely on it staying false.</summary>
    public bool IsClosed => Volatile.Read(ref _closed);

    protected SafeFileHandle Fd { get; }

    protected Lock Gate { get; } = new();

    /// <summary>Completes when the channel reached its end (EOF, all written) or was closed early.</summary>
    public Task Completion => _done.Task;

    /// <summary>Starts pumping: on the event loop, or (<paramref name="onLoop"/> false) by a blocking run that polls the channel itself.</summary>
    public void Start(bool onLoop)
    {
        if (HasNothingToDo)
        {
            Close();
            return;
        }
        if (onLoop)
        {
            lock (Gate)
            {
                // Already finished (the stderr tail of a child that exited at once): nothing to watch.
                if (!_closed)
                    _token = _loop.Register(Fd, Events, this);
            }
        }
    }

    public void OnReady(uint events) => PumpThenClose(always: false);

    /// <summary>Stops pumping and closes the fd, whatever is left.</summary>
    public void Close()
    {
        lock (Gate)
            CloseLocked();
        _done.TrySetResult();
    }

    /// <summary>Moves what can be moved without waiting one last time, then closes: nothing already in the pipe is lost.</summary>
    public void FinishAndClose() => PumpThenClose(always: true);

    /// <summary>True when the channel is done before it starts (nothing to write).</summary>
    protected virtual bool HasNothingToDo => false;

    /// <summary>Moves data without blocking; returns true when the channel is done.</summary>
    protected abstract bool Pump();

    /// <summary>Pumps, then closes when the channel is done (or <paramref name="always"/>); an I/O error ends it too.</summary>
    private void PumpThenClose(bool always)
    {
        lock (Gate)
        {
            if (_closed)
                return;
            try
            {
                if (!Pump() && !always)
                    return;
            }
            catch (IOException e)
            {
                _done.TrySetException(e);
            }
            CloseLocked();
        }
        _done.TrySetResult();
    }

    private void CloseLocked()
    {
        if (_closed)
            return;
        _closed = true;
        if (_token != 0)
            _loop.Unregister(Fd, _token);
        Fd.Dispose();
    }
}
