using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace VirCommand.Backends.Ssh.Remote;

/// <summary>
/// Reads ssh's stderr, which carries both the remote command's stderr and the wrapper's reports
/// (<see cref="RemoteScript"/>: lines that start with the run's nonce, wherever they fall in the stream):
/// the reports are taken out and answered (<see cref="Started"/>, <see cref="Ended"/>), everything else
/// goes on unchanged to <see cref="Output"/>. It reads for as long as ssh writes, whether anybody reads
/// <see cref="Output"/> or not, so that the end report is never stuck behind unread output; a reader that
/// does not keep up slows it by the pipe's threshold, as a full pipe slows a local child.
/// </summary>
/// <remarks>
/// What comes before the start report is not the command's: the command's stderr starts with that report
/// (<see cref="RemoteScript"/>), and before it the stream carries what the remote login shell's startup
/// files say (a <c>~/.bashrc</c> runs for every ssh session: a tool it calls may print a warning, which on a
/// loaded host with concurrent sessions it does, such as pyenv's rehash racing another's "rm: cannot
/// remove…") and ssh's own messages. That goes to <see cref="Tail"/> only, for the error messages, never
/// into the command's stderr.
/// </remarks>
internal sealed class ReportReader
{
    private const int TailBytes = 4096;
    private readonly Stream _stderr;
    private readonly byte[] _nonce;
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
    private readonly TaskCompletionSource<RemoteStart> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _tailLock = new();
    private readonly Queue<byte> _tail = new();
    private bool _outputGone;

    public ReportReader(Stream stderr, string nonce)
    {
        _stderr = stderr;
        _nonce = Encoding.ASCII.GetBytes(nonce);
        Output = _pipe.Reader.AsStream();
        _ = PumpAsync();
    }

    /// <summary>The remote stderr without the reports.</summary>
    public Stream Output { get; }

    /// <summary>The start report: the command's pid, or the stage it failed at; null when ssh's stderr ended without one.</summary>
    public Task<RemoteStart> Started => _started.Task;

    /// <summary>The command's raw wait status as the wrapper reported it, or null when ssh's stderr ended without the end report.</summary>
    public Task<int?> Ended => _ended.Task;

    /// <summary>The end of what ssh wrote on stderr besides the reports (its own messages among them), for error messages.</summary>
    public string Tail
    {
        get
        {
            lock (_tailLock)
                return Encoding.UTF8.GetString([.. _tail]).Trim();
        }
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[64 * 1024];
        var pending = new List<byte>();
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await _stderr.ReadAsync(buffer).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    read = 0;
                }
                if (read == 0)
                    break;
                pending.AddRange(buffer.AsSpan(0, read));
                await ProcessAsync(pending).ConfigureAwait(false);
            }
            // A report cut short by the end of the stream is no report: what is left is the command's.
            await EmitAsync([.. pending]).ConfigureAwait(false);
        }
        finally
        {
            // Read in sync mode, ssh's stderr is ours to close: Process.Dispose leaves it open.
            await _stderr.DisposeAsync().ConfigureAwait(false);
            _started.TrySetResult(RemoteStart.None);
            _ended.TrySetResult(null);
            await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Passes on what cannot be part of a report, answers every whole report, and keeps the rest for the next read.</summary>
    private async Task ProcessAsync(List<byte> pending)
    {
        while (true)
        {
            var bytes = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pending);
            var at = bytes.IndexOf(_nonce);
            if (at < 0)
            {
                // Hold back an end that may be the start of the nonce.
                var keep = Math.Min(bytes.Length, _nonce.Length - 1);
                while (keep > 0 && !_nonce.AsSpan().StartsWith(bytes[^keep..]))
                    keep--;
                var pass = bytes[..^keep].ToArray();
                pending.RemoveRange(0, pass.Length);
                await EmitAsync(pass).ConfigureAwait(false);
                return;
            }
            var end = bytes[at..].IndexOf((byte)'\n');
            if (end < 0)
            {
                var before = bytes[..at].ToArray();
                pending.RemoveRange(0, at);
                await EmitAsync(before).ConfigureAwait(false);
                return;
            }
            var report = Encoding.UTF8.GetString(bytes.Slice(at + _nonce.Length, end - _nonce.Length)).Trim();
            var text = bytes[..at].ToArray();
            pending.RemoveRange(0, at + end + 1);
            await EmitAsync(text).ConfigureAwait(false);
            Answer(report);
        }
    }

    private void Answer(string report)
    {
        var words = report.Split(' ', 4);
        switch (words[0])
        {
            case "pid" when words.Length > 1 && int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid):
                _started.TrySetResult(new RemoteStart(pid, StartStage.None, 0, null));
                break;
            case "fail" when words.Length > 2 && Enum.TryParse<StartStage>(words[1], out var stage)
                && int.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out var errno):
                _started.TrySetResult(new RemoteStart(0, stage, errno, words.Length > 3 ? words[3] : null));
                break;
            case "unsupported" when words.Length > 1 && Enum.TryParse<CommandFeatures>(words[1], out var feature):
                _started.TrySetResult(new RemoteStart(0, StartStage.None, 0, string.Join(' ', words[2..]), feature));
                break;
            // The shell's $?, where the host has no perl: an exit code, or 128 + N for a death by signal N.
            case "exit" when words.Length > 1 && int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status) && status <= 255:
                _ended.TrySetResult(CommandResult.ExitStatus(status));
                break;
            // perl's $? after waitpid: the raw wait status, which tells the two apart.
            case "wait" when words.Length > 1 && int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var raw) && raw <= 0xFFFF:
                _ended.TrySetResult(raw);
                break;
        }
    }

    private async Task EmitAsync(byte[] bytes)
    {
        if (bytes.Length == 0)
            return;
        // Answer runs after the text before its report is emitted: until the start report, nothing is the command's.
        var commands = _started.Task.IsCompleted;
        lock (_tailLock)
        {
            foreach (var b in bytes.AsSpan(Math.Max(0, bytes.Length - TailBytes)))
            {
                if (_tail.Count == TailBytes)
                    _tail.Dequeue();
                _tail.Enqueue(b);
            }
        }
        if (_outputGone || !commands)
            return;
        var flushed = await _pipe.Writer.WriteAsync(bytes).ConfigureAwait(false);
        // Nobody reads any more (the run stopped reading): keep reading ssh for the reports, drop the rest.
        _outputGone = flushed.IsCompleted;
    }
}

/// <summary>
/// What the wrapper reported of the start: the pid of the command, which leads its own session or group; or
/// the stage that failed; or a feature the run needs that the host lacks what it takes for.
/// </summary>
internal readonly record struct RemoteStart(int Pid, StartStage FailedStage, int Errno, string? Detail, CommandFeatures Unsupported = CommandFeatures.None)
{
    /// <summary>No start report at all: ssh, or the remote shell, failed before the wrapper ran.</summary>
    public static RemoteStart None => new(0, StartStage.None, 0, null);

    public bool Reported => Pid != 0 || FailedStage != StartStage.None || Unsupported != CommandFeatures.None;
}
