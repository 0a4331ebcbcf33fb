using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Posix.Interop;
using VirCommand.Backends.Posix.Spawning;

namespace VirCommand.Backends.Posix.Io;

/// <summary>A pipe between parent and child: both ends close-on-exec from birth, the parent's end non-blocking.</summary>
internal static unsafe class Pipe
{
    /// <summary>Creates a pipe between two children (a pipeline's junction): both ends blocking, as a shell's; the parent only hands them on.</summary>
    public static (SafeFileHandle Read, SafeFileHandle Write) CreateBetweenChildren()
    {
        var fds = stackalloc int[2];
        if (Syscalls.Pipe2(fds, Syscalls.O_CLOEXEC) < 0)
            throw new StartFailure(StartStage.Pipe, Marshal.GetLastPInvokeError());
        return (new SafeFileHandle(fds[0], ownsHandle: true), new SafeFileHandle(fds[1], ownsHandle: true));
    }

    /// <summary>Creates a pipe; <paramref name="parentReads"/> says which end the parent keeps.</summary>
    /// <returns>The parent's end (non-blocking) and the child's end (blocking, placed by the spawn).</returns>
    public static (SafeFileHandle Parent, SafeFileHandle Child) Create(bool parentReads)
    {
        var fds = stackalloc int[2];
        if (Syscalls.Pipe2(fds, Syscalls.O_CLOEXEC) < 0)
            throw new StartFailure(StartStage.Pipe, Marshal.GetLastPInvokeError());
        var read = new SafeFileHandle(fds[0], ownsHandle: true);
        var write = new SafeFileHandle(fds[1], ownsHandle: true);
        var parent = parentReads ? read : write;
        // A new pipe end has no other status flag that F_SETFL could change, so there is nothing to read first.
        if (Syscalls.Fcntl(parent, Syscalls.F_SETFL, Syscalls.O_NONBLOCK) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            read.Dispose();
            write.Dispose();
            throw new StartFailure(StartStage.Pipe, errno);
        }
        return parentReads ? (read, write) : (write, read);
    }

    /// <summary>
    /// True when a failed read is the end of the output: EIO is how a pseudo-terminal's master reports that the
    /// last copy of its slave closed (the child exited), once everything written before is read. A pipe never says it.
    /// </summary>
    public static bool IsEndOfOutput(int errno) => errno == Syscalls.EIO;
}
