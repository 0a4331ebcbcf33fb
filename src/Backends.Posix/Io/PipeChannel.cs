using Microsoft.Win32.SafeHandles;

namespace VirCommand.Backends.Posix.Io;

/// <summary>
/// A library-owned pipe end that the event loop pumps until it is done, then unregisters and closes.
/// All of its work happens under one lock, so the loop thread and a thread that closes it early
/// (drain timeout, abort) never touch it at once.
/// </summary>
internal abstract class PipeChannel : IReadinessHandler
{
    private readonly EventLoop _loop;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ulong _token;
    private bool _closed;

    protected PipeChannel(EventLoop loop, SafeFileHandle fd)
    {
        _loop = loop;
        Fd = fd;
    }

    protected SafeFileHandle Fd { get; }

    protected Lock Gate { get; } = new();

    /// <summary>Completes when the channel reached its end (EOF, all written) or was closed early.</summary>
    public Task Completion => _done.Task;

    public void Start(uint events)
    {
        lock (Gate)
            _token = _loop.Register(Fd, events, this);
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
