namespace VirCommand.Backends;

/// <summary>
/// The capture of an output the run engine pumps to a target as well (a tee), up to the capture limit:
/// bytes past it are dropped and reported once. Closed when the run has its result, after which late
/// bytes (a read still pending when the drain ran out) are dropped, so a result never changes.
/// </summary>
internal sealed class TeeCapture(long limit, Action onOverflow)
{
    private readonly Lock _lock = new();
    private readonly long _limit = Math.Min(limit, Array.MaxLength);
    private byte[] _buffer = [];
    private int _length;
    private bool _overflowed;
    private bool _closed;

    /// <summary>What was captured; final once <see cref="Close"/> was called.</summary>
    public ReadOnlyMemory<byte> Captured
    {
        get { lock (_lock) return _buffer.AsMemory(0, _length); }
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        bool overflowed;
        lock (_lock)
        {
            if (_closed)
                return;
            var kept = data[..(int)Math.Min(data.Length, _limit - _length)];
            if (_buffer.Length - _length < kept.Length)
            {
                // Unzeroed: every byte up to the length is copied or read in, and the kernel zeroes fresh pages anyway.
                var bigger = GC.AllocateUninitializedArray<byte>((int)Math.Min(Math.Max(_buffer.Length * 2L, _length + (long)kept.Length), _limit));
                _buffer.AsSpan(0, _length).CopyTo(bigger);
                _buffer = bigger;
            }
            kept.CopyTo(_buffer.AsSpan(_length));
            _length += kept.Length;
            overflowed = kept.Length < data.Length && !_overflowed;
            _overflowed |= overflowed;
        }
        if (overflowed)
            onOverflow();
    }

    public void Close()
    {
        lock (_lock)
            _closed = true;
    }
}
