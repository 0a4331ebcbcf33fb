namespace VirCommand.Backends.Managed.Io;

/// <summary>Reads one redirected output of the child to its end into a sink.</summary>
internal static class OutputPump
{
    private const int ReadSize = 64 * 1024;

    /// <summary>
    /// Completes at end-of-file, or when the stream is disposed under it. On Unix a read on the pipe
    /// waits on a thread-pool thread (that is how .NET reads anonymous pipes asynchronously); disposing
    /// the stream cannot wake a read a grandchild keeps open, so the run stops waiting after the drain
    /// time and closes the sink instead, and the read ends when the grandchild lets go of the pipe.
    /// </summary>
    public static async Task RunAsync(Stream stream, OutputSink sink)
    {
        // Not pooled: a read abandoned after the drain may still write into it.
        var buffer = new byte[ReadSize];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                sink.Write(buffer.AsSpan(0, read));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The run stopped reading (drain over, disposal): what was read is what the run keeps.
        }
    }
}
