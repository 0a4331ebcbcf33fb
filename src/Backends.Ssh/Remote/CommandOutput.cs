using System.Text;

namespace VirCommand.Backends.Ssh.Remote;

/// <summary>
/// ssh's stdout from the command's first byte on. Before the command, the remote login shell's startup files
/// may print on it too (a <c>~/.bashrc</c> runs for every ssh session): the wrapper writes the run's nonce on
/// a line of its own just before the exec (<see cref="RemoteScript"/>), and everything up to that line is
/// dropped, as <see cref="ReportReader"/> drops what comes before the start report on stderr.
/// </summary>
internal sealed class CommandOutput : Stream
{
    private readonly Stream _stdout;
    private readonly byte[] _marker;
    private readonly List<byte> _before = [];
    private byte[] _rest = [];
    private int _restAt;
    private bool _started;
    private bool _ended;

    public CommandOutput(Stream stdout, string nonce)
    {
        _stdout = stdout;
        _marker = Encoding.ASCII.GetBytes(nonce + "\n");
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
            return 0;
        var chunk = new byte[4096];
        while (!_started && !_ended)
            Skip(chunk.AsSpan(0, _stdout.Read(chunk)));
        return _ended ? 0 : TakeRest(buffer) is var taken and > 0 ? taken : _stdout.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
            return 0;
        var chunk = new byte[4096];
        while (!_started && !_ended)
            Skip(chunk.AsSpan(0, await _stdout.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)));
        return _ended ? 0 : TakeRest(buffer.Span) is var taken and > 0 ? taken : await _stdout.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _stdout.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _stdout.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Looks for the nonce line in what came so far; the command's bytes after it are kept for the first reads.</summary>
    private void Skip(ReadOnlySpan<byte> read)
    {
        // The stream ended without the line (the command never started): nothing on it was the command's.
        if (read.IsEmpty)
        {
            _ended = true;
            return;
        }
        _before.AddRange(read);
        var seen = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_before);
        var at = seen.IndexOf(_marker);
        if (at < 0)
        {
            // Only an end that may be the start of the line is worth keeping.
            _before.RemoveRange(0, Math.Max(0, _before.Count - (_marker.Length - 1)));
            return;
        }
        _rest = seen[(at + _marker.Length)..].ToArray();
        _before.Clear();
        _started = true;
    }

    private int TakeRest(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, _rest.Length - _restAt);
        _rest.AsSpan(_restAt, count).CopyTo(buffer);
        _restAt += count;
        return count;
    }
}
