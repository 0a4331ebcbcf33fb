namespace VirCommand;

/// <summary>
/// The master side of a running child's pseudo-terminal (<see cref="Command.SetPseudoTerminal"/>): what a
/// terminal window does for a program, done by code — type into it, read its screen output, resize it,
/// press ^D and ^C.
/// </summary>
/// <remarks>
/// <para>
/// Lifecycle: it lives as long as its <see cref="IRunningCommand"/>. Disposing the handle closes the master,
/// which hangs the terminal up: the kernel sends SIGHUP to the child's session, as closing a terminal window
/// does, also for a detached child. Until then the output stays readable after the child exited: a read
/// returns what the child wrote before it exited, then end-of-stream (the hang-up the kernel reports as
/// EIO is the end, not an error), so nothing is lost however fast the child exits.
/// </para>
/// <para>
/// The terminal's line discipline sits between the two sides, as in any terminal: what is written is
/// echoed back to the output and, in the default canonical mode, reaches the child a line at a time, and
/// the child's <c>\n</c> arrives as <c>\r\n</c>. A program that switches the terminal to raw mode
/// (an editor, <c>top</c>) gets the bytes as they come.
/// </para>
/// </remarks>
public abstract class PseudoTerminal
{
    private readonly Lock _lock = new();
    private TerminalSize _size;

    /// <summary>Makes the terminal of a started child.</summary>
    /// <param name="settings">What the command asked for.</param>
    /// <param name="output">Reads what the child writes to the terminal, echo included; null when stdout's target reads it instead.</param>
    /// <param name="input">Writes to the terminal, as typing does.</param>
    protected PseudoTerminal(TerminalSettings settings, Stream? output, Stream input)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(input);
        _size = settings.Size;
        Streams = settings.Streams;
        Stream = new TerminalStream(output, input);
    }

    /// <summary>The window size the child sees now.</summary>
    public TerminalSize Size
    {
        get
        {
            lock (_lock)
                return _size;
        }
    }

    /// <summary>The child's standard streams on this terminal.</summary>
    public TerminalStreams Streams { get; }

    /// <summary>
    /// The master side: writing types into the terminal; reading gives what the child writes to it (and the
    /// echo), unless stdout is on the terminal with a target of its own, which then reads it (<see cref="Stream.CanRead"/>
    /// is false). It belongs to the running command: disposing it closes nothing.
    /// </summary>
    public Stream Stream { get; }

    /// <summary>
    /// Changes the window size (<c>TIOCSWINSZ</c> on the master): the kernel sends SIGWINCH to the terminal's
    /// foreground process group, and the child reads the new size with <c>TIOCGWINSZ</c>.
    /// </summary>
    /// <param name="columns">The width, 1 to <see cref="TerminalSize.Max"/>.</param>
    /// <param name="rows">The height, 1 to <see cref="TerminalSize.Max"/>.</param>
    /// <returns>
    /// A task that every failure travels in, as <see cref="IRunningCommand.SignalAsync"/>'s: <see cref="ArgumentOutOfRangeException"/>
    /// for a size out of range, <see cref="ObjectDisposedException"/> once the handle closed the terminal.
    /// </returns>
    public Task ResizeAsync(int columns, int rows)
    {
        try
        {
            var size = TerminalSize.Checked(columns, rows);
            lock (_lock)
            {
                Resize(size);
                _size = size;
            }
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    /// <summary>
    /// Presses the end-of-file key (the terminal's VEOF character, ^D unless the child changed it): at the
    /// start of a line, the child's next read of the terminal returns end-of-file; after a partial line it
    /// hands that line over without a newline (a second call then is the end-of-file).
    /// </summary>
    public abstract Task SendEndOfFileAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Presses the interrupt key (the terminal's VINTR character, ^C unless the child changed it): the
    /// kernel sends SIGINT to the terminal's foreground process group, unless the child turned signals off
    /// (raw mode), when it reads the character instead.
    /// </summary>
    public abstract Task InterruptAsync(CancellationToken cancellationToken = default);

    /// <summary>Applies a new window size; called under a lock, one at a time.</summary>
    /// <exception cref="ObjectDisposedException">The terminal is closed.</exception>
    protected abstract void Resize(TerminalSize size);

    /// <summary>Both directions of the master in one stream: reads from one side, writes to the other.</summary>
    private sealed class TerminalStream(Stream? output, Stream input) : Stream
    {
        public override bool CanRead => output?.CanRead ?? false;

        public override bool CanWrite => input.CanWrite;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException("A terminal has no length.");

        public override long Position
        {
            get => throw new NotSupportedException("A terminal has no position.");
            set => throw new NotSupportedException("A terminal has no position.");
        }

        public override int Read(byte[] buffer, int offset, int count) => Output.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => Output.Read(buffer);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Output.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Output.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => input.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => input.Write(buffer);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            input.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            input.WriteAsync(buffer, offset, count, cancellationToken);

        public override void Flush() => input.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => input.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A terminal cannot seek.");

        public override void SetLength(long value) => throw new NotSupportedException("A terminal has no length.");

        private Stream Output => output ?? throw new NotSupportedException(
            "Stdout is on the terminal with a target of its own (a buffer, pipe, file, stream or line listener), which reads the terminal's output: read it there.");
    }
}
