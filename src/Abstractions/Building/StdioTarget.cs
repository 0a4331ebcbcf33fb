namespace VirCommand;

/// <summary>What one of the child's standard streams is connected to.</summary>
public enum StdioKind
{
    /// <summary><c>/dev/null</c>, the default.</summary>
    Null,
    /// <summary>A file descriptor the caller owns; the library never closes it.</summary>
    Fd,
    /// <summary>A pipe the library makes; the running command hands its parent end back as a stream.</summary>
    Pipe,
    /// <summary>A buffer the library pumps: input fed from bytes, or output captured into the result.</summary>
    Buffer,
    /// <summary>
    /// A file by path, opened by the library for each run: on a backend that connects files itself (POSIX)
    /// the child reads or writes the file directly; elsewhere, or with a capture (tee), the run engine pumps it.
    /// </summary>
    File,
    /// <summary>
    /// Bytes the run engine pumps through a pipe: output written to a caller's <see cref="System.IO.Stream"/>;
    /// input read from a caller's <see cref="System.IO.Stream"/>, <see cref="System.IO.Pipelines.PipeReader"/> or async sequence.
    /// </summary>
    Stream,
}

/// <summary>The connection of one standard stream: its kind, and the fd, bytes, file or stream it uses.</summary>
/// <param name="Kind">How the stream is connected.</param>
/// <param name="Fd">The caller's fd, for <see cref="StdioKind.Fd"/>; otherwise -1.</param>
/// <param name="Input">The bytes fed to stdin, for an input <see cref="StdioKind.Buffer"/>.</param>
public sealed record StdioTarget(StdioKind Kind, int Fd = -1, ReadOnlyMemory<byte> Input = default)
{
    /// <summary>The mode a file target is created with when it does not exist: 0644, less the parent's umask as for any open(2).</summary>
    public const UnixFileMode DefaultCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>The default: <c>/dev/null</c>.</summary>
    public static StdioTarget Null { get; } = new(StdioKind.Null);

    internal static StdioTarget Pipe { get; } = new(StdioKind.Pipe);

    internal static StdioTarget Capture { get; } = new(StdioKind.Buffer);

    /// <summary>The file's path as given, for <see cref="StdioKind.File"/>; relative paths are from the parent's working directory.</summary>
    public string? Path { get; init; }

    /// <summary>For an output <see cref="StdioKind.File"/>: true to append (<c>O_APPEND</c>), false to truncate.</summary>
    public bool Append { get; init; }

    /// <summary>For an output <see cref="StdioKind.File"/>: the permissions a new file gets (less the parent's umask).</summary>
    public UnixFileMode CreateMode { get; init; } = DefaultCreateMode;

    /// <summary>For an output <see cref="StdioKind.File"/> or <see cref="StdioKind.Stream"/>: the output is also captured into the result (tee).</summary>
    public bool Captures { get; init; }

    /// <summary>The caller's stream, for <see cref="StdioKind.Stream"/> made from a <see cref="System.IO.Stream"/>. The caller owns it: the library never disposes it.</summary>
    public System.IO.Stream? Stream { get; init; }

    /// <summary>For an output <see cref="StdioKind.Stream"/> that keeps state per run (a line callback): makes each run's own target.</summary>
    internal Func<System.IO.Stream>? NewStream { get; init; }

    /// <summary>For an input <see cref="StdioKind.Stream"/>: the chunks the run engine feeds to stdin, enumerated afresh by each run.</summary>
    internal IAsyncEnumerable<ReadOnlyMemory<byte>>? Source { get; init; }

    /// <summary>True when the run engine pumps this stream itself, through a pipe the backend makes: never for a file a backend connects itself without a capture.</summary>
    internal bool IsPumped(bool backendConnectsFiles) =>
        Kind == StdioKind.Stream || (Kind == StdioKind.File && (Captures || !backendConnectsFiles));
}
