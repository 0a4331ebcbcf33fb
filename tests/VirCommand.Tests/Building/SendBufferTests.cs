namespace VirCommand.Tests.Building;

public sealed class SendBufferTests
{
    private static readonly byte[] Data = [1, 2, 3];

    [Fact]
    public void SetSendBuffer_First_IsFd3ThenFd4()
    {
        var command = new Command("prog");

        Assert.Equal(3, command.SetSendBuffer(Data));
        Assert.Equal(4, command.SetSendBuffer(Data));
        Assert.Equal([3, 4], command.SendBuffers.Select(b => b.ChildFd));
    }

    [Fact]
    public void SetSendBuffer_KeepsACopyOfTheData()
    {
        var data = new byte[] { 0, 1, 0 };
        var command = new Command("prog");

        command.SetSendBuffer(data);
        data[1] = 9;

        Assert.Equal(new byte[] { 0, 1, 0 }, Assert.Single(command.SendBuffers).Data.ToArray());
    }

    [Fact]
    public void SetSendBuffer_SkipsChildFdsTakenByPassedFds()
    {
        var command = new Command("prog").PassFd(100, 3).PassFd(4).PassFd(101, 6);

        Assert.Equal(5, command.SetSendBuffer(Data));
        Assert.Equal(7, command.SetSendBuffer(Data));
    }

    [Fact]
    public void SetSendBuffer_SkipsExplicitSendBufferFds()
    {
        var command = new Command("prog");
        command.SetSendBuffer(Data, 3);
        command.SetSendBuffer(Data, 5);

        Assert.Equal(4, command.SetSendBuffer(Data));
        Assert.Equal(6, command.SetSendBuffer(Data));
    }

    [Fact]
    public void SetSendBuffer_ExplicitChildFd_IsReturnedAndRecorded()
    {
        var command = new Command("prog");

        Assert.Equal(42, command.SetSendBuffer(Data, 42));
        Assert.Equal(42, Assert.Single(command.SendBuffers).ChildFd);
    }

    [Fact]
    public void SetSendBuffer_ExplicitChildFdTakenBySendBuffer_Throws()
    {
        var command = new Command("prog");
        command.SetSendBuffer(Data);

        Assert.Throws<InvalidOperationException>(() => command.SetSendBuffer(Data, 3));
        Assert.Single(command.SendBuffers);
    }

    [Fact]
    public void SetSendBuffer_ExplicitChildFdTakenByPassedFd_Throws()
    {
        var command = new Command("prog").PassFd(100, 10);

        Assert.Throws<InvalidOperationException>(() => command.SetSendBuffer(Data, 10));
        Assert.Empty(command.SendBuffers);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    public void SetSendBuffer_ChildFdBelowThree_Throws(int childFd)
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => command.SetSendBuffer(Data, childFd));

        Assert.Equal("childFd", ex.ParamName);
        Assert.Empty(command.SendBuffers);
    }

    [Fact]
    public void PassFd_OntoSendBufferChildFd_Throws()
    {
        var command = new Command("prog");
        var childFd = command.SetSendBuffer(Data);

        Assert.Throws<InvalidOperationException>(() => command.PassFd(100, childFd));
        Assert.Throws<InvalidOperationException>(() => command.PassFd(childFd));
        Assert.Empty(command.PassedFds);
    }

    [Fact]
    public void SetSendBuffer_EmptyData_IsAllowed()
    {
        var command = new Command("prog");

        Assert.Equal(3, command.SetSendBuffer(ReadOnlyMemory<byte>.Empty));
        Assert.True(Assert.Single(command.SendBuffers).Data.IsEmpty);
    }
}
