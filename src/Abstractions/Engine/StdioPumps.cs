namespace VirCommand.Backends;

/// <summary>
/// The stdio the run engine serves itself, the same for every backend: the backend makes a plain pipe
/// (<see cref="RunPlan.Input"/> etc. say <see cref="StdioKind.Pipe"/>) and this pumps it — stdin from a
/// caller's stream, <see cref="System.IO.Pipelines.PipeReader"/>, async sequence or a file; stdout and
/// stderr to a caller's stream or a file, and into a capture for a tee. Each pump awaits its write before
/// it reads on, so a slow target slows the child through the full pipe, and memory stays one buffer.
/// </summary>
/// <remarks>
/// <para>
/// Lifecycle: <see cref="Open"/> before the spawn opens the files this side writes or reads (a failure is
/// the start's, with nothing spawned); <see cref="Start"/> once the child runs; the run waits for
/// <see cref="OutputsDone"/> within the drain time like for the backend's own captures, then calls
/// <see cref="StopReading"/>, which ends every pump and makes the captures final; <see cref="Dispose"/>
/// closes the files. The caller's streams and sources are never disposed; a caller's output stream is
/// flushed once its output ended.
/// </para>
/// <para>
/// Failures: a source or target that throws stops the child and fails the run
/// (<see cref="StopSequence.StreamFailed"/>, <see cref="CommandStreamException"/>). The child's side is
/// never a failure: a child that exits or closes stdin before reading all its input just ends the feed.
/// </para>
/// </remarks>
internal sealed class StdioPumps : IDisposable
{
    private const int ReadSize = 64 * 1024;

    private readonly RunPlan _plan;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Stream> _files = [];
    private readonly List<Task> _outputs = [];
    private IAsyncEnumerable<ReadOnlyMemory<byte>>? _input;
    private Stream? _outputTarget;
    private Stream? _errorTarget;
    private Stream? _childOutput;
    private Stream? _childError;

    private StdioPumps(RunPlan plan) => _plan = plan;

    /// <summary>True when the engine feeds stdin: the child's stdin pipe is not the caller's.</summary>
    public bool PumpsInput => _plan.PumpedInput is not null;

    /// <summary>True when the engine reads stdout: the child's stdout pipe is not the caller's.</summary>
    public bool PumpsOutput => _plan.PumpedOutput is not null;

    /// <summary>True when the engine reads stderr: the child's stderr pipe is not the caller's.</summary>
    public bool PumpsError => _plan.PumpedError is not null;

    /// <summary>The tee capture of stdout, or null.</summary>
    public TeeCapture? OutputCapture { get; private set; }

    /// <summary>The tee capture of stderr, or null.</summary>
    public TeeCapture? ErrorCapture { get; private set; }

    /// <summary>Completes when every output pump has reached end-of-file and flushed its target.</summary>
    public Task OutputsDone { get; private set; } = Task.CompletedTask;

    /// <summary>The pumps of <paramref name="plan"/>, with their files open; null when the engine pumps nothing.</summary>
    /// <exception cref="CommandStartException">A file could not be opened (stage <see cref="StartStage.Stdio"/>); nothing is left open.</exception>
    public static StdioPumps? Open(RunPlan plan)
    {
        if (plan.PumpedInput is null && plan.PumpedOutput is null && plan.PumpedError is null)
            return null;
        var pumps = new StdioPumps(plan);
        try
        {
            pumps._input = plan.PumpedInput is { } input
                ? input.Kind == StdioKind.File ? InputChunks.Of(pumps.OpenFile(input, "stdin", write: false)) : input.Source
                : null;
            pumps._outputTarget = pumps.Target(plan.PumpedOutput, "stdout");
            pumps._errorTarget = pumps.Target(plan.PumpedError, "stderr");
            return pumps;
        }
        catch
        {
            pumps.Dispose();
            throw;
        }
    }

    /// <summary>Starts the pumps on the child's pipes; a child that lacks a pipe the plan asked for is a backend bug.</summary>
    public void Start(IChildProcess child, StopSequence stops)
    {
        var token = _stop.Token;
        if (_input is not null)
            _ = FeedAsync(_input, Pipe(child.StandardInput, "stdin"), stops, token);
        if (_plan.PumpedOutput is { } output)
        {
            _childOutput = Pipe(child.StandardOutput, "stdout");
            OutputCapture = Capture(output, "stdout", stops);
            _outputs.Add(DrainAsync(_childOutput, _outputTarget, OutputCapture, "stdout", stops, token));
        }
        if (_plan.PumpedError is { } error)
        {
            _childError = Pipe(child.StandardError, "stderr");
            ErrorCapture = Capture(error, "stderr", stops);
            _outputs.Add(DrainAsync(_childError, _errorTarget, ErrorCapture, "stderr", stops, token));
        }
        OutputsDone = _outputs.Count == 0 ? Task.CompletedTask : Task.WhenAll(_outputs);
    }

    /// <summary>The run is over: every pump stops where it is, the captures are final, and the files are closed.</summary>
    public void StopReading()
    {
        _stop.Cancel();
        OutputCapture?.Close();
        ErrorCapture?.Close();
        // A read a grandchild keeps waiting ends when its pipe goes.
        _childOutput?.Dispose();
        _childError?.Dispose();
        Dispose();
    }

    /// <summary>Closes the files the engine opened, for a run that ended or never started (the child's pipes go with the child).</summary>
    public void Dispose()
    {
        foreach (var file in _files)
            file.Dispose();
        _stop.Dispose();
    }

    private Stream? Target(StdioTarget? target, string stream) => target?.Kind switch
    {
        null => null,
        StdioKind.File => OpenFile(target, stream, write: true),
        _ => target.NewStream?.Invoke() ?? target.Stream,
    };

    private TeeCapture? Capture(StdioTarget target, string stream, StopSequence stops) =>
        target.Captures ? new TeeCapture(_plan.Settings.CaptureLimit, () => stops.CaptureOverflowed(stream)) : null;

    private Stream Pipe(Stream? pipe, string stream) =>
        pipe ?? throw new InvalidOperationException($"The backend made no {stream} pipe, which the plan of '{_plan.CommandLine}' asked for.");

    /// <summary>Opens a file this side reads or writes for the child, as <see cref="StartStage.Stdio"/> fails if it cannot.</summary>
    private FileStream OpenFile(StdioTarget target, string stream, bool write)
    {
        var path = target.Path!;
        try
        {
            var options = new FileStreamOptions
            {
                Mode = write ? target.Append ? FileMode.Append : FileMode.Create : FileMode.Open,
                Access = write ? FileAccess.Write : FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
                Options = FileOptions.Asynchronous,
            };
            if (write && !OperatingSystem.IsWindows())
                options.UnixCreateMode = target.CreateMode;
            var file = new FileStream(path, options);
            _files.Add(file);
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandStartException(_plan.CommandLine, StartStage.Stdio, Errno(e, path), $"cannot open '{path}' for {stream}");
        }
    }

    /// <summary>
    /// The errno behind .NET's exception for an open, as the POSIX backend reports it from open(2) itself:
    /// .NET raises the errno of an unusual failure as the HResult, and a type for the common ones.
    /// </summary>
    private static int Errno(Exception e, string path)
    {
        const int ENOENT = 2, EACCES = 13, EISDIR = 21, ENAMETOOLONG = 36;
        return e switch
        {
            FileNotFoundException or DirectoryNotFoundException => ENOENT,
            PathTooLongException => ENAMETOOLONG,
            // .NET refuses a directory (which open(2) lets one read) as access denied.
            UnauthorizedAccessException when Directory.Exists(path) => EISDIR,
            UnauthorizedAccessException => EACCES,
            _ when e.HResult is > 0 and < 4096 => e.HResult,
            _ => 0,
        };
    }

    /// <summary>Feeds stdin: a failing source fails the run; a child that stops reading only ends the feed.</summary>
    private static async Task FeedAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> source, Stream stdin, StopSequence stops, CancellationToken token)
    {
        IAsyncEnumerator<ReadOnlyMemory<byte>>? chunks = null;
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    chunks ??= source.GetAsyncEnumerator(token);
                    more = await chunks.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    // Noted before the child sees end-of-file, so that it cannot end as if its input were whole.
                    stops.StreamFailed("stdin", e);
                    return;
                }
                catch (Exception)
                {
                    // The run is over: whatever the source does now is no longer its business.
                    return;
                }
                if (!more)
                    return;
                try
                {
                    await stdin.WriteAsync(chunks!.Current, token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
                {
                    // The child closed stdin or exited (EPIPE), or the run is over: the rest is not wanted.
                    return;
                }
            }
        }
        finally
        {
            await stdin.DisposeAsync().ConfigureAwait(false);
            try
            {
                if (chunks is not null)
                    await chunks.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                stops.StreamFailed("stdin", e);
            }
        }
    }

    /// <summary>Reads one output to its end into its target and capture; a failing target fails the run.</summary>
    private static async Task DrainAsync(Stream from, Stream? target, TeeCapture? capture, string stream, StopSequence stops, CancellationToken token)
    {
        var buffer = new byte[ReadSize];
        while (true)
        {
            int read;
            try
            {
                read = await from.ReadAsync(buffer, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The run stopped reading (drain over, disposal): what was read is what it keeps.
                return;
            }
            try
            {
                if (read == 0)
                {
                    if (target is not null)
                        await target.FlushAsync(token).ConfigureAwait(false);
                    return;
                }
                capture?.Append(buffer.AsSpan(0, read));
                if (target is not null)
                    await target.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                stops.StreamFailed(stream, e);
                return;
            }
            catch (Exception)
            {
                // The run is over (drain time out, disposal): a write cut short is not the target's failure.
                return;
            }
        }
    }
}
