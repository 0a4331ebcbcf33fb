using VirCommand.Backends.Posix.Io;

namespace VirCommand.Tests.Posix;

/// <summary>The pipe channels of the event loop, driven directly so that timing cannot decide the outcome.</summary>
public sealed class ChannelTests
{
    [Fact]
    public void Finishing_a_read_channel_takes_what_is_already_in_the_pipe()
    {
        var (parent, child) = Pipe.Create(parentReads: true);
        using (var writer = new FileStream(child, FileAccess.Write, bufferSize: 0))
            writer.Write("written before the drain ended"u8);
        var capture = new CaptureBuffer(1000, () => { });
        var channel = new ReadChannel(EventLoop.Shared, parent, capture);

        channel.FinishAndClose();

        Assert.Equal("written before the drain ended"u8.ToArray(), capture.Captured.ToArray());
        Assert.True(parent.IsClosed);
        Assert.True(channel.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public void Closing_a_read_channel_drops_what_is_in_the_pipe()
    {
        var (parent, child) = Pipe.Create(parentReads: true);
        using (var writer = new FileStream(child, FileAccess.Write, bufferSize: 0))
            writer.Write("abandoned"u8);
        var capture = new CaptureBuffer(1000, () => { });

        new ReadChannel(EventLoop.Shared, parent, capture).Close();

        Assert.True(capture.Captured.IsEmpty);
        Assert.True(parent.IsClosed);
    }
}
