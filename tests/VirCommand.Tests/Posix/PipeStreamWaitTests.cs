using VirCommand.Backends.Posix.Io;

namespace VirCommand.Tests.Posix;

/// <summary>
/// The pipe stream's one reusable wait, driven on a pipe directly: reused wait after wait, ended by
/// readiness, cancellation or disposal, and a second concurrent wait refused instead of lost.
/// </summary>
public sealed class PipeStreamWaitTests
{
    [Fact]
    public async Task Thousands_of_waits_in_a_row_each_get_their_byte()
    {
        var (parent, child) = Pipe.Create(parentReads: true);
        await using var stream = new PipeStream(EventLoop.Shared, parent, readable: true);
        using var writer = new FileStream(child, FileAccess.Write, bufferSize: 0);
        var buffer = new byte[16];

        for (var i = 0; i < 2000; i++)
        {
            // The read finds the pipe empty and waits; the write wakes it.
            var read = stream.ReadAsync(buffer).AsTask();
            writer.Write([(byte)i]);
            Assert.Equal(1, await read.OrHang());
            Assert.Equal((byte)i, buffer[0]);
        }
    }

    [Fact]
    public async Task A_second_read_while_one_waits_is_refused_instead_of_lost()
    {
        var (parent, child) = Pipe.Create(parentReads: true);
        await using var stream = new PipeStream(EventLoop.Shared, parent, readable: true);
        using var writer = new FileStream(child, FileAccess.Write, bufferSize: 0);
        var first = stream.ReadAsync(new byte[16]).AsTask();
        Assert.False(first.IsCompleted, "the first read did not wait on the empty pipe");

        await Assert.ThrowsAsync<InvalidOperationException>(() => stream.ReadAsync(new byte[16]).AsTask().OrHang());

        writer.Write("x"u8);
        Assert.Equal(1, await first.OrHang());
    }

    [Fact]
    public async Task A_cancelled_wait_ends_with_the_token_and_the_next_wait_works()
    {
        var (parent, child) = Pipe.Create(parentReads: true);
        await using var stream = new PipeStream(EventLoop.Shared, parent, readable: true);
        using var writer = new FileStream(child, FileAccess.Write, bufferSize: 0);
        using var cts = new CancellationTokenSource();
        var cancelled = stream.ReadAsync(new byte[16], cts.Token).AsTask();
        Assert.False(cancelled.IsCompleted, "the read did not wait on the empty pipe");

        await cts.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.OrHang());
        Assert.Equal(cts.Token, error.CancellationToken);
        var next = stream.ReadAsync(new byte[16]).AsTask();
        writer.Write("y"u8);
        Assert.Equal(1, await next.OrHang());
    }

    [Fact]
    public async Task Disposing_the_stream_wakes_a_waiting_read_with_ObjectDisposedException()
    {
        var (parent, child) = Pipe.Create(parentReads: true);
        var stream = new PipeStream(EventLoop.Shared, parent, readable: true);
        using var writer = new FileStream(child, FileAccess.Write, bufferSize: 0);
        var waiting = stream.ReadAsync(new byte[16]).AsTask();
        Assert.False(waiting.IsCompleted, "the read did not wait on the empty pipe");

        await stream.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.OrHang());
    }

    [Fact]
    public async Task Disposing_the_stream_wakes_a_blocked_synchronous_read()
    {
        var (parent, child) = Pipe.Create(parentReads: true);
        var stream = new PipeStream(EventLoop.Shared, parent, readable: true);
        using var writer = new FileStream(child, FileAccess.Write, bufferSize: 0);
        var disposedWhileWaiting = false;
        var reader = new Thread(() =>
        {
            try
            {
                _ = stream.Read(new byte[16], 0, 16);
            }
            catch (ObjectDisposedException)
            {
                disposedWhileWaiting = true;
            }
        });
        reader.Start();
        // Only once the reader is blocked inside Read does disposing prove the wake-up (disposing first would
        // also throw ObjectDisposedException, at the start of the read).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!reader.ThreadState.HasFlag(ThreadState.WaitSleepJoin))
        {
            Assert.True(DateTime.UtcNow < deadline, "the reader never blocked in Read");
            await Task.Delay(5);
        }

        await stream.DisposeAsync();

        Assert.True(reader.Join(TimeSpan.FromSeconds(10)), "the blocked read did not wake up when the stream was disposed");
        Assert.True(disposedWhileWaiting);
    }
}
