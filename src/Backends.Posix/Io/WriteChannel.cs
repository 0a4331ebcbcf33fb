using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Posix.Interop;

namespace VirCommand.Backends.Posix.Io;

/// <summary>
/// Feeds a buffer into a pipe (stdin or a send buffer), then closes it so the child sees end-of-file.
/// A child that closes its end early is not an error: the rest of the data is dropped.
/// </summary>
internal sealed unsafe class WriteChannel(EventLoop loop, SafeFileHandle fd, ReadOnlyMemory<byte> data) : PipeChannel(loop, fd, Epoll.Out)
{
    private const int MaxWrite = 1 << 20;
    private int _written;

    protected override bool HasNothingToDo => data.IsEmpty;

    protected override bool Pump()
    {
        while (_written < data.Length)
        {
            var chunk = data.Span.Slice(_written, Math.Min(MaxWrite, data.Length - _written));
            nint n;
            fixed (byte* p = chunk)
                n = Syscalls.Write(Fd, p, chunk.Length);
            if (n >= 0)
            {
                _written += (int)n;
                continue;
            }
            switch (Marshal.GetLastPInvokeError())
            {
                case Syscalls.EAGAIN:
                    return false;
                case Syscalls.EINTR:
                    continue;
                case Syscalls.EPIPE:
                    return true;
                default:
                    throw new IOException($"writing to the child failed: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
        return true;
    }
}
