using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Posix.Interop;

namespace VirCommand.Backends.Posix.Io;

/// <summary>
/// The parent end of a pipe handed to the caller (<c>SetInputPipe</c>, <c>SetOutputPipe</c>…). The fd
/// is non-blocking; reads and writes that must wait, synchronous or not, wait for readiness on the
/// shared event loop (no thread per stream), which disposal wakes with <see cref="ObjectDisposedException"/>.
/// Disposing closes the fd: for stdin that is the child's end-of-file.
/// </summary>
/// <remarks>
/// An asynchronous wait allocates nothing: the stream is its own reusable wait (one read or write at a time,
/// as for any stream), and the async methods' state machines are pooled. So reading or writing a stream costs
/// the same memory whether the child moves a kilobyte or a gigabyte. A synchronous wait blocks on a task of
/// its own, which readiness completes without needing a thread-pool thread.
/// </remarks>
internal sealed class PipeStream : Stream, IReadinessHandler, IValueTaskSource
{
    private readonly SafeFileHandle _fd;
    private readonly bool _readable;
    private readonly EventLoop _loop;
    private readonly Lock _lock = new();
    private ulong _token;
    private ManualResetValueTaskSourceCore<bool> _wait = new() { RunContinuationsAsynchronously = true };
    private bool _waiting;

    /// <summary>
    /// The pending synchronous wait, if that is what <see cref="_waiting"/> is: a blocked thread waits on a task
    /// that completing wakes at once, without a thread-pool hop (a value-task source would need one, which a
    /// pool starved by blocked readers could not give).
    /// </summary>
    private TaskCompletionSource? _blocked;
    private PipeGrowth _growth;

    public PipeStream(EventLoop loop, SafeFileHandle fd, bool readable)
    {
        _loop = loop;
        _fd = fd;
        _readable = readable;
    }

    /// <summary>The parent's fd, for callers who pass it on; it stays owned by this stream.</summary>
    public SafeFileHandle SafeFileHandle => _fd;

    public override bool CanRead => _readable && !_fd.IsClosed;

    public override bool CanWrite => !_readable && !_fd.IsClosed;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException("A pipe has no length.");

    public override long Position
    {
        get => throw new NotSupportedException("A pipe has no position.");
        set => throw new NotSupportedException("A pipe has no position.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        EnsureCan(read: true);
        while (true)
        {
            var n = TryTransfer(buffer);
            if (n >= 0)
                return n;
            WaitReady(Epoll.In);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureCan(read: true);
        while (true)
        {
            var n = TryTransfer(buffer.Span);
            if (n >= 0)
                return n;
            await WaitReadyAsync(Epoll.In, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureCan(read: false);
        while (!buffer.IsEmpty)
        {
            var n = TryTransfer(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(buffer), buffer.Length));
            if (n >= 0)
                buffer = buffer[n..];
            else
                WaitReady(Epoll.Out);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureCan(read: false);
        while (!buffer.IsEmpty)
        {
            var n = TryTransfer(MemoryMarshal.AsMemory(buffer).Span);
            if (n >= 0)
                buffer = buffer[n..];
            else
                await WaitReadyAsync(Epoll.Out, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A pipe cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A pipe has no length.");

    public void OnReady(uint events) => CompleteWait(null);

    void IValueTaskSource.GetResult(short token) => _wait.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _wait.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wait.OnCompleted(continuation, state, token, flags);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                if (_token != 0)
                    _loop.Unregister(_fd, _token);
                _fd.Dispose();
            }
            CompleteWait(new ObjectDisposedException(nameof(PipeStream), "The pipe was closed while waiting on it."));
        }
        base.Dispose(disposing);
    }

    /// <summary>Reads or writes without blocking: the byte count, 0 at end-of-file, -1 when the pipe is not ready. A write to a pipe the child closed throws.</summary>
    private unsafe int TryTransfer(Span<byte> buffer)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
                n = _readable ? Syscalls.Read(_fd, p, buffer.Length) : Syscalls.Write(_fd, p, buffer.Length);
            if (n >= 0)
            {
                if (_readable)
                    _growth.Carried(_fd, n);
                return (int)n;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Syscalls.EAGAIN)
                return -1;
            if (_readable && Pipe.IsEndOfOutput(errno))
                return 0;
            if (errno != Syscalls.EINTR)
                throw new IOException(errno == Syscalls.EPIPE
                    ? "The child closed its end of the pipe."
                    : $"Pipe {(_readable ? "read" : "write")} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    /// <summary>Blocks until the loop reports readiness or the stream is disposed.</summary>
    private void WaitReady(uint events)
    {
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Arm(events, blocked);
        blocked.Task.GetAwaiter().GetResult();
    }

    /// <summary>Waits until the loop reports readiness, the token is cancelled, or the stream is disposed; allocates nothing unless the token can be cancelled.</summary>
    private ValueTask WaitReadyAsync(uint events, CancellationToken cancellationToken)
    {
        var wait = new ValueTask(this, Arm(events, blocked: null));
        return cancellationToken.CanBeCanceled ? WaitCancellableAsync(wait, cancellationToken) : wait;
    }

    /// <summary>Arms the one-shot readiness wait, synchronous (<paramref name="blocked"/>) or not; returns the value-task version.</summary>
    /// <exception cref="InvalidOperationException">Another read or write is already waiting on this stream.</exception>
    private short Arm(uint events, TaskCompletionSource? blocked)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
            if (_waiting)
                throw new InvalidOperationException("Another read or write is already waiting on this pipe: a stream takes one at a time.");
            if (_token == 0)
                _token = _loop.Register(_fd, events | Epoll.OneShot, this);
            else
                _loop.Rearm(_fd, _token, events | Epoll.OneShot);
            if (blocked is null)
                _wait.Reset();
            _blocked = blocked;
            _waiting = true;
            return _wait.Version;
        }
    }

    /// <summary>A wait that the token can end; only a cancellable token pays for the registration.</summary>
    private async ValueTask WaitCancellableAsync(ValueTask wait, CancellationToken cancellationToken)
    {
        using (cancellationToken.UnsafeRegister(static (stream, token) => ((PipeStream)stream!).CompleteWait(new OperationCanceledException(token)), this))
            await wait.ConfigureAwait(false);
    }

    /// <summary>Ends the pending wait, if any (only the first of readiness, cancellation and disposal counts): with success, or with <paramref name="error"/>.</summary>
    private void CompleteWait(Exception? error)
    {
        TaskCompletionSource? blocked;
        lock (_lock)
        {
            if (!_waiting)
                return;
            _waiting = false;
            blocked = _blocked;
            _blocked = null;
        }
        if (blocked is not null)
        {
            if (error is null)
                blocked.TrySetResult();
            else
                blocked.TrySetException(error);
        }
        else if (error is null)
        {
            _wait.SetResult(true);
        }
        else
        {
            _wait.SetException(error);
        }
    }

    private void EnsureCan(bool read)
    {
        ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
        if (read != _readable)
            throw new NotSupportedException(_readable ? "This pipe is the read end: it cannot be written." : "This pipe is the write end: it cannot be read.");
    }
}
