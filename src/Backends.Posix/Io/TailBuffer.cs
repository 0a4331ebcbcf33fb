using System.Text;

namespace VirCommand.Backends.Posix.Io;

/// <summary>Keeps the last bytes of a stream nobody asked to capture (stderr), for the failure message.</summary>
internal sealed class TailBuffer(int size) : IOutputSink
{
    private readonly byte[] _scratch = new byte[16 * 1024];
    private readonly byte[] _tail = new byte[size];
    private int _length;

    public Span<byte> GetSpan() => _scratch;

    public void Advance(int count)
    {
        var fresh = _scratch.AsSpan(0, count);
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

    public override string ToString() => Encoding.UTF8.GetString(_tail, 0, _length);
}
