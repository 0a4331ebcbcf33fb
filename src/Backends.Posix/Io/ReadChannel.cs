using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Posix.Interop;

namespace VirCommand.Backends.Posix.Io;

/// <summary>Reads a pipe (a capture, or the stderr tail) into a sink until end-of-file or until it is closed (the stderr tail's pipe never reaches end-of-file).</summary>
internal sealed unsafe class ReadChannel(EventLoop loop, SafeFileHandle fd, IOutputSink sink) : PipeChannel(loop, fd, Epoll.In)
{
    /// <summary>Reads per wake-up before yielding to the other fds of the loop (it is level-triggered, so it comes back).</summary>
    private const int ReadsPerWake = 16;

    private PipeGrowth _growth;

    protected override bool Pump()
    {
        for (var reads = 0; reads < ReadsPerWake;)
        {
            var span = sink.GetSpan();
            nint n;
            fixed (byte* p = span)
                n = Syscalls.Read(Fd, p, span.Length);
            if (n > 0)
            {
                sink.Advance((int)n);
                _growth.Carried(Fd, n);
                reads++;
                continue;
            }
            if (n == 0)
                return true;
            switch (Marshal.GetLastPInvokeError())
            {
                case var errno when Pipe.IsEndOfOutput(errno):
                    return true;
                case Syscalls.EAGAIN:
                    return false;
                case Syscalls.EINTR:
                    continue;
                default:
                    throw new IOException($"reading from the child failed: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
        return false;
    }
}
