namespace VirCommand.Backends.Managed.Io;

/// <summary>
/// A capture of one stream, up to a limit. Bytes past the limit are dropped (the child is being
/// stopped and must not block on a full pipe meanwhile) and reported once through <paramref name="onOverflow"/>.
/// </summary>
internal sealed class CaptureSink(long limit, Action onOverflow) : OutputSink
{
    private byte[] _buffer = [];
    private int _length;
    private bool _overflowed;

    /// <summary>What was captured; read it once the sink is closed.</summary>
    public ReadOnlyMemory<byte> Captured => _buffer.AsMemory(0, _length);

    protected override void Append(ReadOnlySpan<byte> data)
    {
        var room = (int)Math.Min(limit - _length, Array.MaxLength - _length);
        var kept = data[..Math.Min(data.Length, room)];
        if (_buffer.Length - _length < kept.Length)
            Array.Resize(ref _buffer, (int)Math.Min(Math.Max(_buffer.Length * 2L, _length + (long)kept.Length), _length + (long)room));
        kept.CopyTo(_buffer.AsSpan(_length));
        _length += kept.Length;
        if (kept.Length < data.Length && !_overflowed)
        {
            _overflowed = true;
            onOverflow();
        }
    }
}
