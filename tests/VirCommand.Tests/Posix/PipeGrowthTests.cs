using VirCommand.Backends.Posix.Io;

namespace VirCommand.Tests.Posix;

/// <summary>
/// Pipes the parent reads grow to 1 MiB once they carried 1 MiB (fewer wake-ups for a busy child), and keep
/// the kernel's default size for short outputs. Driven on the channels and streams directly.
/// </summary>
public sealed class PipeGrowthTests
{
    private const int F_GETPIPE_SZ = 1032;

    [Fact]
    public async Task A_capture_pipe_that_carried_a_mebibyte_is_grown()
    {
        var data = Probe.Binary(2 * PipeGrowth.Threshold, seed: 60);
        var (parent, child) = Pipe.Create(parentReads: true);
        var capture = new CaptureBuffer(long.MaxValue, () => { });
        var channel = new ReadChannel(EventLoop.Shared, parent, capture);
        channel.Start(onLoop: true);

        using (var writer = new FileStream(child, FileAccess.Write, bufferSize: 0))
        {
            // A blocking write into a 64 KiB pipe returns only once the channel has read all but the last pipeful.
            await Task.Run(() => writer.Write(data)).OrHang();
            Assert.Equal(PipeGrowth.Size, SizeOf(child));
        }
        await channel.Completion.OrHang();

        Assert.True(capture.Captured.Span.SequenceEqual(data));
    }

    [Fact]
    public async Task A_stream_pipe_that_carried_a_mebibyte_is_grown()
    {
        var data = Probe.Binary(2 * PipeGrowth.Threshold, seed: 61);
        var (parent, child) = Pipe.Create(parentReads: true);
        await using var stream = new PipeStream(EventLoop.Shared, parent, readable: true);

        using (var writer = new FileStream(child, FileAccess.Write, bufferSize: 0))
        {
            var writing = Task.Run(() => writer.Write(data));
            var received = await ReadAsync(stream, data.Length).OrHang();
            await writing.OrHang();

            Assert.Equal(PipeGrowth.Size, SizeOf(child));
            Assert.Equal(data, received);
        }
    }

    [Fact]
    public async Task A_pipe_with_a_short_output_keeps_its_size()
    {
        var data = Probe.Binary(PipeGrowth.Threshold / 4, seed: 62);
        var (parent, child) = Pipe.Create(parentReads: true);
        var before = SizeOf(child);
        await using var stream = new PipeStream(EventLoop.Shared, parent, readable: true);

        using var writer = new FileStream(child, FileAccess.Write, bufferSize: 0);
        var writing = Task.Run(() => writer.Write(data));
        Assert.Equal(data, await ReadAsync(stream, data.Length).OrHang());
        await writing.OrHang();

        Assert.Equal(before, SizeOf(child));
    }

    private static int SizeOf(Microsoft.Win32.SafeHandles.SafeFileHandle end)
    {
        var size = LibC.Fcntl((int)end.DangerousGetHandle(), F_GETPIPE_SZ, 0);
        Assert.True(size > 0, "F_GETPIPE_SZ failed");
        return size;
    }

    private static async Task<byte[]> ReadAsync(Stream stream, int length)
    {
        var received = new byte[length];
        for (var offset = 0; offset < length;)
        {
            var n = await stream.ReadAsync(received.AsMemory(offset));
            Assert.True(n > 0, "end of file before all the data");
            offset += n;
        }
        return received;
    }
}
