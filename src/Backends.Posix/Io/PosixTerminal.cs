using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Posix.Interop;
using VirCommand.Backends.Posix.Spawning;

namespace VirCommand.Backends.Posix.Io;

/// <summary>
/// A pseudo-terminal's master side in the parent: the fd its ioctls go to, and non-blocking copies of it
/// that the event loop waits on, one to type into and one to read from (each stream registers its own fd).
/// Every copy is close-on-exec from birth. Disposing closes them all: the terminal hangs up.
/// </summary>
internal sealed class PosixTerminal : PseudoTerminal, IDisposable
{
    private const int F_DUPFD_CLOEXEC = 1030;

    private readonly SafeFileHandle _master;
    private readonly PipeStream _input;
    private readonly PipeStream? _output;

    private PosixTerminal(TerminalSettings settings, SafeFileHandle master, PipeStream input, PipeStream? output)
        : base(settings, output, input)
    {
        _master = master;
        _input = input;
        _output = output;
    }

    /// <summary>
    /// Opens a terminal of the settings' size. Its slave, for the child, is <paramref name="slave"/>: the caller
    /// closes it once the child is spawned, so that the master reads end when the child's last copy goes.
    /// </summary>
    /// <param name="loop">The loop the streams wait on.</param>
    /// <param name="settings">The size and streams.</param>
    /// <param name="outputHasTarget">True when stdout's target reads the output (it gets <see cref="Duplicate()"/>), not <see cref="PseudoTerminal.Stream"/>.</param>
    /// <param name="slave">The slave's fd, blocking, close-on-exec.</param>
    /// <exception cref="StartFailure">The kernel gave no terminal (stage <see cref="StartStage.Terminal"/>); nothing is left open.</exception>
    public static PosixTerminal Open(EventLoop loop, TerminalSettings settings, bool outputHasTarget, out SafeFileHandle slave)
    {
        if (NativeSpawn.PtyOpen((ushort)settings.Size.Columns, (ushort)settings.Size.Rows, out var masterFd, out var slaveFd) != 0)
            throw new StartFailure(StartStage.Terminal, Marshal.GetLastPInvokeError(), "cannot open a pseudo-terminal (/dev/ptmx)");
        var master = new SafeFileHandle(masterFd, ownsHandle: true);
        slave = new SafeFileHandle(slaveFd, ownsHandle: true);
        SafeFileHandle? input = null;
        try
        {
            input = Duplicate(master);
            var output = outputHasTarget ? null : new PipeStream(loop, Duplicate(master), readable: true);
            return new PosixTerminal(settings, master, new PipeStream(loop, input, readable: false), output);
        }
        catch
        {
            input?.Dispose();
            master.Dispose();
            slave.Dispose();
            throw;
        }
    }

    /// <summary>A copy of the master for a reader of the terminal's output (stdout's target); the caller owns it.</summary>
    /// <exception cref="StartFailure">Out of fds.</exception>
    public SafeFileHandle Duplicate() => Duplicate(_master);

    public override Task SendEndOfFileAsync(CancellationToken cancellationToken = default) => PressAsync(endOfFile: true, cancellationToken);

    public override Task InterruptAsync(CancellationToken cancellationToken = default) => PressAsync(endOfFile: false, cancellationToken);

    public void Dispose()
    {
        _input.Dispose();
        _output?.Dispose();
        _master.Dispose();
    }

    protected override void Resize(TerminalSize size)
    {
        ObjectDisposedException.ThrowIf(_master.IsClosed, this);
        if (NativeSpawn.PtyResize(_master, (ushort)size.Columns, (ushort)size.Rows) != 0)
            throw new IOException($"Resizing the terminal to {size} failed: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>Types the terminal's key as the child has it set now (it may have changed it, e.g. with <c>stty intr</c>).</summary>
    private async Task PressAsync(bool endOfFile, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_master.IsClosed, this);
        if (NativeSpawn.PtyControlChars(_master, out var eof, out var intr) != 0)
            throw new IOException($"Reading the terminal's settings failed: {Marshal.GetLastPInvokeErrorMessage()}");
        var key = endOfFile ? eof : intr;
        // _POSIX_VDISABLE: the child turned the key off.
        if (key == 0)
            throw new InvalidOperationException($"The child disabled the terminal's {(endOfFile ? "end-of-file (VEOF)" : "interrupt (VINTR)")} key.");
        await _input.WriteAsync(new[] { key }, cancellationToken).ConfigureAwait(false);
    }

    private static SafeFileHandle Duplicate(SafeFileHandle master)
    {
        var fd = Syscalls.Fcntl(master, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
            throw new StartFailure(StartStage.Terminal, Marshal.GetLastPInvokeError(), "cannot duplicate the pseudo-terminal's master");
        return new SafeFileHandle(fd, ownsHandle: true);
    }
}
