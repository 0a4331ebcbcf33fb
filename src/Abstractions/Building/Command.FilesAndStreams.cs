using System.IO.Pipelines;
using VirCommand.Backends;

namespace VirCommand;

public sealed partial class Command
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0x1FF;

    /// <summary>
    /// Feeds the child's stdin from the file at <paramref name="path"/>, opened read-only for each run
    /// (a relative path from the parent's working directory). The POSIX backend gives the child the
    /// file itself; the others pump it. A file that cannot be opened fails the start at stage
    /// <see cref="StartStage.Stdio"/> with its errno, with nothing spawned.
    /// </summary>
    /// <exception cref="ArgumentException">The path is empty, or contains NUL or a lone surrogate.</exception>
    /// <exception cref="InvalidOperationException">Stdin is already set.</exception>
    public Command SetInputFile(string path) => SetInput(FileTarget(path, nameof(path)));

    /// <summary>
    /// Feeds the child's stdin from <paramref name="stream"/>, read from its current position to its end
    /// by each run; then the child reads end-of-file. The caller owns the stream: the library never
    /// disposes it. A child that exits before reading it all is not an error; a read that throws fails
    /// the run with <see cref="CommandStreamException"/> and stops the child.
    /// </summary>
    /// <exception cref="ArgumentException">The stream cannot be read.</exception>
    public Command SetInputStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
            throw new ArgumentException("The stream cannot be read (CanRead is false): stdin needs a readable stream.", nameof(stream));
        return SetInput(new StdioTarget(StdioKind.Stream) { Stream = stream, Source = InputChunks.Of(stream) });
    }

    /// <summary>
    /// Feeds the child's stdin from <paramref name="reader"/> until its writer completes. The caller owns
    /// the reader: the library advances it past what it fed, and never completes it.
    /// </summary>
    /// <inheritdoc cref="SetInputStream(Stream)"/>
    public Command SetInputSource(PipeReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return SetInput(new StdioTarget(StdioKind.Stream) { Source = InputChunks.Of(reader) });
    }

    /// <summary>
    /// Feeds the child's stdin from <paramref name="chunks"/>, enumerated afresh by each run, each chunk
    /// written before the next is asked for (the child's reading paces the enumeration).
    /// </summary>
    /// <inheritdoc cref="SetInputStream(Stream)"/>
    public Command SetInputSource(IAsyncEnumerable<ReadOnlyMemory<byte>> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        return SetInput(new StdioTarget(StdioKind.Stream) { Source = chunks });
    }

    /// <summary>
    /// Sends stdout to the file at <paramref name="path"/>, opened for each run (a relative path from the
    /// parent's working directory): truncated, or appended to with <c>O_APPEND</c>; created with
    /// <paramref name="createMode"/> (less the parent's umask) if missing. The POSIX backend gives the
    /// child the file itself, with no pumping; the others, and a tee (<paramref name="capture"/>), pump it.
    /// A file that cannot be opened (a missing directory, no permission, a directory) fails the start
    /// at stage <see cref="StartStage.Stdio"/> with its errno, with nothing spawned.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="append">True to append, false to truncate.</param>
    /// <param name="capture">True to also capture stdout into <see cref="CommandResult.StandardOutput"/> (tee).</param>
    /// <param name="createMode">The permissions of a file the run creates; only the 0777 bits.</param>
    /// <exception cref="ArgumentException">The path is empty, or contains NUL or a lone surrogate.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="createMode"/> has bits beyond 0777.</exception>
    /// <exception cref="InvalidOperationException">Stdout is already set; or a capture on a daemon.</exception>
    public Command SetOutputFile(string path, bool append = false, bool capture = false, UnixFileMode createMode = StdioTarget.DefaultCreateMode) =>
        SetOutput(OutputFile(path, append, capture, createMode), merged: false);

    /// <summary>Sends stderr to the file at <paramref name="path"/>; see <see cref="SetOutputFile"/>.</summary>
    /// <inheritdoc cref="SetOutputFile"/>
    public Command SetErrorFile(string path, bool append = false, bool capture = false, UnixFileMode createMode = StdioTarget.DefaultCreateMode) =>
        SetError(OutputFile(path, append, capture, createMode));

    /// <summary>
    /// Writes stdout to <paramref name="stream"/> as it comes (the run engine pumps it; a slow stream
    /// slows the child through the pipe). The caller owns the stream: the library flushes it once the
    /// output ended and never disposes it. When a run completes, the stream holds all the output (unless
    /// the drain time ran out first). A write that throws fails the run with
    /// <see cref="CommandStreamException"/> and stops the child.
    /// </summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="capture">True to also capture stdout into <see cref="CommandResult.StandardOutput"/> (tee).</param>
    /// <exception cref="ArgumentException">The stream cannot be written.</exception>
    /// <exception cref="InvalidOperationException">Stdout is already set; or the command is a daemon.</exception>
    public Command SetOutputStream(Stream stream, bool capture = false) => SetOutput(OutputStream(stream, capture), merged: false);

    /// <summary>Writes stderr to <paramref name="stream"/> as it comes; see <see cref="SetOutputStream"/>.</summary>
    /// <inheritdoc cref="SetOutputStream"/>
    public Command SetErrorStream(Stream stream, bool capture = false) => SetError(OutputStream(stream, capture));

    /// <summary>
    /// Hands each line of stdout to <paramref name="onLine"/> as the child writes it (CliWrap's
    /// <c>PipeTarget.ToDelegate</c>), cut and decoded as <see cref="RunningCommandLines.ReadLinesAsync"/>
    /// cuts them: the terminator dropped, a last line without one still handed over, a line longer than
    /// <see cref="LineOptions.MaxLineLength"/> handed over in chunks. The run engine pumps it, so a slow
    /// callback slows the child through the pipe. The callback runs on the pump's thread, one line at a
    /// time per stream (stdout's and stderr's callbacks may run at the same time); every line is handed
    /// over before the run completes (unless the drain time ran out first). A callback that throws fails
    /// the run with <see cref="CommandStreamException"/> and stops the child.
    /// </summary>
    /// <param name="onLine">Called with each line's text.</param>
    /// <param name="options">The encoding, line-length bound and separator; null for UTF-8 lines.</param>
    /// <exception cref="InvalidOperationException">Stdout is already set; or the command is a daemon.</exception>
    public Command SetOutputLines(Action<string> onLine, LineOptions? options = null) =>
        SetOutput(LineTarget(onLine, options, ChildOutput.StandardOutput), merged: false);

    /// <summary>Hands each line of stderr to <paramref name="onLine"/> as the child writes it; see <see cref="SetOutputLines"/>.</summary>
    /// <inheritdoc cref="SetOutputLines"/>
    public Command SetErrorLines(Action<string> onLine, LineOptions? options = null) =>
        SetError(LineTarget(onLine, options, ChildOutput.StandardError));

    /// <summary>
    /// Sends stdout and stderr to one file, interleaved in the child's write order (<c>&gt;file 2&gt;&amp;1</c>);
    /// see <see cref="SetOutputFile"/>. Needs <see cref="CommandFeatures.MergedOutput"/>.
    /// </summary>
    /// <inheritdoc cref="SetOutputFile"/>
    public Command SetMergedOutputFile(string path, bool append = false, bool capture = false, UnixFileMode createMode = StdioTarget.DefaultCreateMode) =>
        SetOutput(OutputFile(path, append, capture, createMode), merged: true);

    /// <summary>
    /// Writes stdout and stderr to one stream, interleaved in the child's write order (they share one pipe);
    /// see <see cref="SetOutputStream"/>. Needs <see cref="CommandFeatures.MergedOutput"/>.
    /// </summary>
    /// <inheritdoc cref="SetOutputStream"/>
    public Command SetMergedOutputStream(Stream stream, bool capture = false) => SetOutput(OutputStream(stream, capture), merged: true);

    private static StdioTarget FileTarget(string path, string paramName)
    {
        ArgumentNullException.ThrowIfNull(path, paramName);
        Validate.ChildString(path, paramName);
        if (path.Length == 0)
            throw new ArgumentException("The file path must not be empty.", paramName);
        return new StdioTarget(StdioKind.File) { Path = path };
    }

    private static StdioTarget OutputFile(string path, bool append, bool capture, UnixFileMode createMode)
    {
        if ((createMode & ~PermissionBits) != 0)
            throw new ArgumentOutOfRangeException(nameof(createMode), createMode, "Only the permission bits (0777) can be given to a new file.");
        return FileTarget(path, nameof(path)) with { Append = append, Captures = capture, CreateMode = createMode };
    }

    private static StdioTarget OutputStream(Stream stream, bool capture)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
            throw new ArgumentException("The stream cannot be written (CanWrite is false): an output needs a writable stream.", nameof(stream));
        return new StdioTarget(StdioKind.Stream) { Stream = stream, Captures = capture };
    }

    private static StdioTarget LineTarget(Action<string> onLine, LineOptions? options, ChildOutput output)
    {
        ArgumentNullException.ThrowIfNull(onLine);
        var lines = options ?? LineOptions.Default;
        return new StdioTarget(StdioKind.Stream) { NewStream = () => new LineCallbackStream(onLine, lines, output) };
    }
}
