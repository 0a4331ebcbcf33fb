namespace VirCommand.Backends.Managed.Io;

/// <summary>Reads one redirected output of the child to its end into a sink.</summary>
internal static class OutputPump
{
    /// <summary>Most children write little: a first small buffer keeps a run's allocations small.</summary>
    private const int FirstReadSize = 4 * 1024;

    /// <summary>A child that fills the first buffer gets a large one: fewer reads per megabyte.</summary>
    private const int ReadSize = 64 * 1024;

    /// <summary>
    /// Completes at end-of-file, or when the stream is disposed under it: after the drain time, the
    /// run closes the sink and disposes the stream, which ends a read a grandchild keeps open (on
    /// Unix, .NET waits on pipes with its socket engine, holding no thread, and closing aborts the wait).
    /// </summary>
    public static async Task RunAsync(Stream stream, OutputSink sink)
    {
        // Not pooled: a read abandoned after the drain may still write into it.
        var buffer = new byte[FirstReadSize];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                sink.Write(buffer.AsSpan(0, read));
                if (read == buffer.Length && buffer.Length < ReadSize)
                    buffer = new byte[ReadSize];
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The run stopped reading (drain over, disposal): what was read is what the run keeps.
        }
    }
}
