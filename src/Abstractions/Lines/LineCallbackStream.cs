namespace VirCommand;

/// <summary>
/// The target of <see cref="Command.SetOutputLines"/> and <see cref="Command.SetErrorLines"/>: the run
/// engine's pump writes the child's bytes here, and each line they complete goes to the callback at
/// once, on the pump's thread. One is made for each run, so runs of one command never share a
/// half-decoded line.
/// </summary>
/// <remarks>
/// The engine flushes a target once, when its output ended (<see cref="Backends.StdioPumps"/>): that is when a
/// last line without a terminator goes out. A callback that throws fails the write, which stops the
/// child and fails the run with <see cref="CommandStreamException"/>.
/// </remarks>
internal sealed class LineCallbackStream(Action<string> onLine, LineOptions options, ChildOutput output) : Stream
{
    private readonly LineDecoder _decoder = new(options, output);
    private readonly Queue<OutputLine> _lines = new();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer) => Hand(buffer, final: false);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Hand(buffer.Span, final: false);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>The output ended: the last line, if it had no terminator, goes out.</summary>
    public override void Flush() => Hand([], final: true);

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Hand(ReadOnlySpan<byte> bytes, bool final)
    {
        _decoder.Decode(bytes, final, _lines);
        while (_lines.TryDequeue(out var line))
            onLine(line.Text);
    }
}
