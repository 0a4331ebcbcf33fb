using System.Text;

namespace VirCommand.Backends.Managed.Io;

/// <summary>Keeps the last <paramref name="size"/> bytes of a stream nobody asked to capture (stderr), for the failure message.</summary>
internal sealed class TailSink(int size) : OutputSink
{
    private readonly byte[] _tail = new byte[size];
    private int _length;

    protected override void Append(ReadOnlySpan<byte> data)
    {
        if (data.Length >= _tail.Length)
        {
            data[^_tail.Length..].CopyTo(_tail);
            _length = _tail.Length;
            return;
        }
        var keep = Math.Min(_length, _tail.Length - data.Length);
        _tail.AsSpan(_length - keep, keep).CopyTo(_tail);
        data.CopyTo(_tail.AsSpan(keep));
        _length = keep + data.Length;
    }

    public override string ToString() => Encoding.UTF8.GetString(_tail, 0, _length);
}
