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
}

/// <summary>The connection of one standard stream: its kind, and the fd or the input bytes it uses.</summary>
/// <param name="Kind">How the stream is connected.</param>
/// <param name="Fd">The caller's fd, for <see cref="StdioKind.Fd"/>; otherwise -1.</param>
/// <param name="Input">The bytes fed to stdin, for an input <see cref="StdioKind.Buffer"/>.</param>
public sealed record StdioTarget(StdioKind Kind, int Fd = -1, ReadOnlyMemory<byte> Input = default)
{
    /// <summary>The default: <c>/dev/null</c>.</summary>
    public static StdioTarget Null { get; } = new(StdioKind.Null);

    internal static StdioTarget Pipe { get; } = new(StdioKind.Pipe);

    internal static StdioTarget Capture { get; } = new(StdioKind.Buffer);
}
