using System.Diagnostics;
using VirCommand.Backends;

namespace VirCommand.Backends.Managed.Io;

/// <summary>
/// The child's three redirected streams, as the command asked for them: handed to the caller
/// (pipes), fed (input buffer), captured, kept as a stderr tail, or read and dropped. Every stream
/// is redirected, whatever the command says, so that the child never shares the parent's own
/// stdin, stdout or stderr.
/// </summary>
internal sealed class ChildStreams
{
    private readonly List<OutputSink> _sinks = [];
    private readonly List<Task> _pumps = [];
    private readonly Stream _stdin;
    private readonly Stream _stdout;
    private readonly Stream _stderr;

    public ChildStreams(Process process, RunPlan plan, Action<string> onOverflow)
        : this(process.StandardInput.BaseStream, process.StandardOutput.BaseStream, process.StandardError.BaseStream, plan, onOverflow)
    {
    }

    /// <summary>Serves the three streams of a child that is not a <see cref="Process"/> of its own (the SSH backend's remote command, through its ssh client).</summary>
    public ChildStreams(Stream stdin, Stream stdout, Stream stderr, RunPlan plan, Action<string> onOverflow)
    {
        var settings = plan.Settings;
        _stdin = stdin;
        _stdout = stdout;
        _stderr = stderr;

        switch (plan.Input.Kind)
        {
            case StdioKind.Pipe:
                Input = _stdin;
                break;
            case StdioKind.Buffer:
                _ = FeedAsync(_stdin, plan.Input.Input);
                break;
            default:
                // Null: an empty pipe; the child reads end-of-file at once.
                _stdin.Dispose();
                break;
        }

        Output = Route(_stdout, plan.Output.Kind, () => OutputCapture = Capture("stdout"), () => new DiscardSink());
        Error = Route(_stderr, plan.Error.Kind, () => ErrorCapture = Capture("stderr"),
            () => settings.KeepsErrorTail ? ErrorTail = new TailSink(settings.StandardErrorTailBytes) : new DiscardSink());
        OutputsDone = Task.WhenAll(_pumps);

        CaptureSink Capture(string name) => new(settings.CaptureLimit, () => onOverflow(name));
    }

    /// <summary>The stdin pipe handed to the caller, or null.</summary>
    public Stream? Input { get; }

    /// <summary>The stdout pipe handed to the caller, or null.</summary>
    public Stream? Output { get; }

    /// <summary>The stderr pipe handed to the caller, or null.</summary>
    public Stream? Error { get; }

    public CaptureSink? OutputCapture { get; private set; }

    public CaptureSink? ErrorCapture { get; private set; }

    public TailSink? ErrorTail { get; private set; }

    /// <summary>Completes when every output the library reads has reached end-of-file.</summary>
    public Task OutputsDone { get; }

    /// <summary>Ends the reading: what the sinks hold is final, and the library's own streams are closed.</summary>
    public void StopReading()
    {
        foreach (var sink in _sinks)
            sink.Close();
        if (Input is null)
            _stdin.Dispose();
        if (Output is null)
            _stdout.Dispose();
        if (Error is null)
            _stderr.Dispose();
    }

    /// <summary>Closes the streams handed to the caller.</summary>
    public void DisposeCallerStreams()
    {
        Input?.Dispose();
        Output?.Dispose();
        Error?.Dispose();
    }

    private Stream? Route(Stream stream, StdioKind kind, Func<OutputSink> capture, Func<OutputSink> other)
    {
        if (kind == StdioKind.Pipe)
            return stream;
        var sink = kind == StdioKind.Buffer ? capture() : other();
        _sinks.Add(sink);
        _pumps.Add(OutputPump.RunAsync(stream, sink));
        return null;
    }

    /// <summary>Writes the input buffer, then end-of-file. A child that exits or closes stdin before reading it all is not an error.</summary>
    private static async Task FeedAsync(Stream stdin, ReadOnlyMemory<byte> data)
    {
        try
        {
            await using (stdin.ConfigureAwait(false))
                await stdin.WriteAsync(data).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }
}
