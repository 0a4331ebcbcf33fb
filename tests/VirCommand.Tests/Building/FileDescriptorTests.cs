namespace VirCommand.Tests.Building;

public sealed class FileDescriptorTests
{
    [Fact]
    public void NewCommand_PassesNoFds()
    {
        Assert.Empty(new Command("prog").PassedFds);
    }

    [Fact]
    public void PassFd_Fd_KeepsSameNumberInChild()
    {
        var command = new Command("prog").PassFd(100);

        var passed = Assert.Single(command.PassedFds);
        Assert.Equal(new PassedFd(100, 100, PassFdOptions.None), passed);
        Assert.False(passed.ClosesParent);
    }

    [Fact]
    public void PassFd_SeveralFds_KeepsOrder()
    {
        var command = new Command("prog").PassFd(101).PassFd(100).PassFd(250);

        Assert.Equal([101, 100, 250], command.PassedFds.Select(p => p.ChildFd));
    }

    [Fact]
    public void PassFd_ParentAndChild_Remaps()
    {
        var command = new Command("prog").PassFd(100, 3);

        Assert.Equal(new PassedFd(100, 3, PassFdOptions.None), Assert.Single(command.PassedFds));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    public void PassFd_StandardStreamOrNegativeFd_Throws(int fd)
    {
        var command = new Command("prog");

        Assert.Throws<ArgumentOutOfRangeException>(() => command.PassFd(fd));
        Assert.Empty(command.PassedFds);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void PassFd_StandardStreamAsParentOfRemap_Throws(int fd)
    {
        var command = new Command("prog");

        Assert.Throws<ArgumentOutOfRangeException>(() => command.PassFd(fd, 10));
        Assert.Empty(command.PassedFds);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-5)]
    public void PassFd_ChildFdBelowThree_Throws(int childFd)
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => command.PassFd(100, childFd));

        Assert.Equal("childFd", ex.ParamName);
        Assert.Empty(command.PassedFds);
    }

    [Fact]
    public void PassFd_SameFdTwice_Throws()
    {
        var command = new Command("prog").PassFd(100);

        Assert.Throws<InvalidOperationException>(() => command.PassFd(100));
        Assert.Single(command.PassedFds);
    }

    [Fact]
    public void PassFd_SameParentFdToAnotherChildFd_Throws()
    {
        var command = new Command("prog").PassFd(100, 10);

        Assert.Throws<InvalidOperationException>(() => command.PassFd(100, 11));
        Assert.Single(command.PassedFds);
    }

    [Fact]
    public void PassFd_DuplicateChildFd_Throws()
    {
        var command = new Command("prog").PassFd(100, 10);

        Assert.Throws<InvalidOperationException>(() => command.PassFd(101, 10));
        Assert.Single(command.PassedFds);
    }

    [Fact]
    public void PassFd_ChildFdTakenByAnUnremappedFd_Throws()
    {
        var command = new Command("prog").PassFd(10);

        Assert.Throws<InvalidOperationException>(() => command.PassFd(100, 10));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(-1)]
    [InlineData(3)]
    public void PassFd_UnknownFlags_Throws(int flags)
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => command.PassFd(100, (PassFdOptions)flags));

        Assert.Equal("flags", ex.ParamName);
        Assert.Empty(command.PassedFds);
    }

    [Fact]
    public void PassFd_SafeHandle_UsesItsFdAtTheSameNumber()
    {
        using var file = new TempFile();
        var command = new Command("prog").PassFd(file.Handle);

        Assert.Equal(new PassedFd(file.Fd, file.Fd, PassFdOptions.None), Assert.Single(command.PassedFds));
    }

    [Fact]
    public void PassFd_SafeHandleWithChildFd_Remaps()
    {
        using var file = new TempFile();
        var childFd = file.Fd + 100;

        var command = new Command("prog").PassFd(file.Handle, childFd, PassFdOptions.CloseParent);

        Assert.Equal(new PassedFd(file.Fd, childFd, PassFdOptions.CloseParent), Assert.Single(command.PassedFds));
    }

    [Fact]
    public void PassFd_ClosedSafeHandle_Throws()
    {
        var file = new TempFile();
        file.Dispose();
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentException>(() => command.PassFd(file.Handle));

        Assert.Equal("handle", ex.ParamName);
        Assert.Empty(command.PassedFds);
    }

    [Fact]
    public void PassFd_NullSafeHandle_Throws()
    {
        var command = new Command("prog");

        Assert.Throws<ArgumentNullException>(() => command.PassFd(null!, PassFdOptions.None));
    }

    [Fact]
    public void PassFd_SafeHandleAlreadyPassedAsRawFd_Throws()
    {
        using var file = new TempFile();
        var command = new Command("prog").PassFd(file.Fd);

        Assert.Throws<InvalidOperationException>(() => command.PassFd(file.Handle));
    }

    [Fact]
    public void NonblockingFds_SetsFlag()
    {
        var command = new Command("prog");
        Assert.False(command.UsesNonblockingFds);

        command.NonblockingFds();

        Assert.True(command.UsesNonblockingFds);
    }
}
