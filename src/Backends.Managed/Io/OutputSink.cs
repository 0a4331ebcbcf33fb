namespace VirCommand.Backends.Managed.Io;

/// <summary>
/// Where the bytes of one redirected output go. Once <see cref="Close"/>d (the run has its result),
/// later bytes are dropped: a read still pending when the drain time ran out must not change a
/// result that was already handed out.
/// </summary>
internal abstract class OutputSink
{
    private readonly Lock _lock = new();
    private bool _closed;

    /// <summary>Takes bytes read from the child, unless closed.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (!_closed)
                Append(data);
        }
    }

    /// <summary>Stops taking bytes; what was taken so far is final.</summary>
    public void Close()
    {
        lock (_lock)
            _closed = true;
    }

    /// <summary>Keeps <paramref name="data"/>; called under the sink's lock.</summary>
    protected abstract void Append(ReadOnlySpan<byte> data);
}
