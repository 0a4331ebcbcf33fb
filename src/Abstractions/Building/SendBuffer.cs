namespace VirCommand;

/// <summary>Data the library pumps into a pipe whose read end the child sees at <see cref="ChildFd"/>.</summary>
/// <param name="ChildFd">The fd number the child reads from (give it to the child, e.g. <c>--readfd N</c>).</param>
/// <param name="Data">The bytes written, then the pipe is closed.</param>
public sealed record SendBuffer(int ChildFd, ReadOnlyMemory<byte> Data);
