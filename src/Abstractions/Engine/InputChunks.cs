using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace VirCommand.Backends;

/// <summary>
/// The input sources as chunks for the run engine's stdin pump, which writes each chunk to the child
/// before it asks for the next: a chunk's memory may be reused by the next one. Each enumeration reads
/// the source on from where it is; the caller's source is never disposed or completed.
/// </summary>
internal static class InputChunks
{
    private const int ReadSize = 64 * 1024;

    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> Of(Stream stream, [EnumeratorCancellation] CancellationToken token = default)
    {
        var buffer = new byte[ReadSize];
        int read;
        while ((read = await stream.ReadAsync(buffer, token).ConfigureAwait(false)) > 0)
            yield return buffer.AsMemory(0, read);
    }

    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> Of(PipeReader reader, [EnumeratorCancellation] CancellationToken token = default)
    {
        while (true)
        {
            var read = await reader.ReadAsync(token).ConfigureAwait(false);
            var buffer = read.Buffer;
            try
            {
                foreach (var segment in buffer)
                    yield return segment;
            }
            finally
            {
                // Fed, or dropped for a child that stopped reading: this run is done with it either way.
                reader.AdvanceTo(buffer.End);
            }
            if (read.IsCompleted || read.IsCanceled)
                yield break;
        }
    }
}
