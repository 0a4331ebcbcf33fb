using System.Text;

namespace VirCommand.Backends.Posix.Io;

/// <summary>
/// Keeps the last bytes of a stream nobody asked to capture (stderr), for the failure message.
/// Reads land in a per-thread scratch buffer (the event loop's, or that of the thread that finishes
/// the tail or runs a blocking run), so a child that writes nothing costs no buffer at all.
/// </summary>
internal sealed class TailBuffer(int size) : IOutputSink
{
    [ThreadStatic]
    private static byte[]? t_scratch;
    private byte[]? _tail;
    private int _length;

    public Span<byte> GetSpan() => t_scratch ??= new byte[16 * 1024];

    public void Advance(int count)
    {
        var fresh = t_scratch.AsSpan(0, count);
        _tail ??= new byte[size];
        if (fresh.Length >= _tail.Length)
        {
            fresh[^_tail.Length..].CopyTo(_tail);
            _length = _tail.Length;
            return;
        }
        var keep = Math.Min(_length, _tail.Length - fresh.Length);
        _tail.AsSpan(_length - keep, keep).CopyTo(_tail);
        fresh.CopyTo(_tail.AsSpan(keep));
        _length = keep + fresh.Length;
    }

    public override string ToString() => _tail is null ? "" : Encoding.UTF8.GetString(_tail, 0, _length);
}
