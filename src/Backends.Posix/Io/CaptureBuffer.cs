namespace VirCommand.Backends.Posix.Io;

/// <summary>
/// A capture of one stream, up to a limit. Bytes past the limit are read and dropped (so the child
/// never blocks on a full pipe while it is being stopped) and reported once through the overflow callback.
/// </summary>
internal sealed class CaptureBuffer(long limit, Action onOverflow) : IOutputSink
{
    private const int MinRead = 64 * 1024;
    [ThreadStatic]
    private static byte[]? t_discard;
    private byte[] _buffer = [];
    private int _length;
    private bool _discarding;

    public bool Overflowed { get; private set; }

    public ReadOnlyMemory<byte> Captured => _buffer.AsMemory(0, _length);

    public Span<byte> GetSpan()
    {
        var room = (int)Math.Min(limit - _length, int.MaxValue - _length);
        if (room <= 0)
        {
            _discarding = true;
            return t_discard ??= new byte[MinRead];
        }
        if (_buffer.Length - _length < Math.Min(MinRead, room))
            Array.Resize(ref _buffer, (int)Math.Min(Math.Max(_buffer.Length * 2L, _length + (long)MinRead), _length + (long)room));
        return _buffer.AsSpan(_length, Math.Min(_buffer.Length - _length, room));
    }

    public void Advance(int count)
    {
        if (!_discarding)
        {
            _length += count;
            return;
        }
        if (count > 0 && !Overflowed)
        {
            Overflowed = true;
            onOverflow();
        }
    }
}
