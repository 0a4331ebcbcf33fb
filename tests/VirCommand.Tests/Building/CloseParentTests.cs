namespace VirCommand.Tests.Building;

// Serial: one test relies on the kernel handing a just-closed fd number to the next open.
[Collection("Serial")]
public sealed class CloseParentTests
{
    [Fact]
    public void Dispose_HandlePassedWithCloseParent_ClosesIt()
    {
        using var file = new TempFile();
        var command = new Command("prog").PassFd(file.Handle, PassFdOptions.CloseParent);
        Assert.True(command.PassedFds[0].ClosesParent);
        Assert.False(file.Handle.IsClosed);

        command.Dispose();

        Assert.True(file.Handle.IsClosed);
    }

    [Fact]
    public void Dispose_RemappedHandlePassedWithCloseParent_ClosesIt()
    {
        using var file = new TempFile();
        var command = new Command("prog").PassFd(file.Handle, file.Fd + 50, PassFdOptions.CloseParent);

        command.Dispose();

        Assert.True(file.Handle.IsClosed);
    }

    [Fact]
    public void Dispose_HandlePassedWithoutCloseParent_StaysOpen()
    {
        using var file = new TempFile();
        var command = new Command("prog").PassFd(file.Handle);

        command.Dispose();

        Assert.False(file.Handle.IsClosed);
        Assert.True(file.FdStillRefersToFile(file.Fd));
    }

    [Fact]
    public void Dispose_RawFdPassedWithCloseParent_ClosesIt()
    {
        var file = new TempFile();
        var fd = file.Fd;
        file.Handle.SetHandleAsInvalid();
        try
        {
            Assert.True(file.FdStillRefersToFile(fd));
            var command = new Command("prog").PassFd(fd, PassFdOptions.CloseParent);

            command.Dispose();

            Assert.False(file.FdStillRefersToFile(fd));
        }
        finally
        {
            File.Delete(file.Path);
        }
    }

    [Fact]
    public void PassFd_RejectedWithCloseParent_DoesNotTakeOwnership()
    {
        using var file = new TempFile();
        var command = new Command("prog").PassFd(file.Handle);

        Assert.Throws<InvalidOperationException>(() => command.PassFd(file.Handle, file.Fd + 50, PassFdOptions.CloseParent));
        command.Dispose();

        Assert.False(file.Handle.IsClosed);
        Assert.True(file.FdStillRefersToFile(file.Fd));
    }

    [Fact]
    public void ReleaseParentFds_ClosesCloseParentHandlesOnly()
    {
        using var owned = new TempFile();
        using var kept = new TempFile();
        var command = new Command("prog")
            .PassFd(owned.Handle, PassFdOptions.CloseParent)
            .PassFd(kept.Handle);

        command.ReleaseParentFds();

        Assert.True(owned.Handle.IsClosed);
        Assert.False(kept.Handle.IsClosed);
        Assert.True(kept.FdStillRefersToFile(kept.Fd));
    }

    [Fact]
    public void ReleaseParentFds_CalledTwiceAndThenDispose_DoesNotThrow()
    {
        using var file = new TempFile();
        var command = new Command("prog").PassFd(file.Handle, PassFdOptions.CloseParent);

        command.ReleaseParentFds();
        command.ReleaseParentFds();
        command.Dispose();
        command.Dispose();

        Assert.True(file.Handle.IsClosed);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ValidateForRun_AfterReleaseParentFds_ThrowsCannotRunAgain(bool runToCompletion)
    {
        using var file = new TempFile();
        var command = new Command("prog").PassFd(file.Handle, PassFdOptions.CloseParent);
        command.ValidateForRun(runToCompletion);

        command.ReleaseParentFds();

        var ex = Assert.Throws<InvalidOperationException>(() => command.ValidateForRun(runToCompletion));
        Assert.Contains("CloseParent", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateForRun_AfterReleaseWithoutCloseParentFds_StillAllowed()
    {
        using var file = new TempFile();
        var command = new Command("prog").PassFd(file.Handle);

        command.ReleaseParentFds();

        command.ValidateForRun(runToCompletion: true);
        Assert.False(file.Handle.IsClosed);
        Assert.True(file.FdStillRefersToFile(file.Fd));
    }

    [Fact]
    public void Clone_DropsCloseParentFromPassedFds()
    {
        using var file = new TempFile();
        using var command = new Command("prog").PassFd(file.Handle, PassFdOptions.CloseParent);

        using var clone = command.Clone();

        var passed = Assert.Single(clone.PassedFds);
        Assert.Equal(file.Fd, passed.ParentFd);
        Assert.Equal(file.Fd, passed.ChildFd);
        Assert.False(passed.ClosesParent);
        Assert.True(Assert.Single(command.PassedFds).ClosesParent);
    }

    [Fact]
    public void Clone_DisposingTheClone_LeavesFdOpenUntilTheOriginalIsDisposed()
    {
        using var file = new TempFile();
        var command = new Command("prog").PassFd(file.Handle, PassFdOptions.CloseParent);
        var clone = command.Clone();

        clone.Dispose();
        Assert.False(file.Handle.IsClosed);
        Assert.True(file.FdStillRefersToFile(file.Fd));

        command.Dispose();
        Assert.True(file.Handle.IsClosed);
    }

    [Fact]
    public void Clone_ReleasingTheClone_LeavesFdOpenAndOriginalRunnable()
    {
        using var file = new TempFile();
        using var command = new Command("prog").PassFd(file.Handle, PassFdOptions.CloseParent);
        using var clone = command.Clone();

        clone.ReleaseParentFds();

        Assert.False(file.Handle.IsClosed);
        Assert.True(file.FdStillRefersToFile(file.Fd));
        command.ValidateForRun(runToCompletion: true);
    }

    [Fact]
    public void Release_HandleTheCallerAlreadyDisposed_DoesNotCloseTheReusedNumber()
    {
        using var first = new TempFile();
        var fd = first.Fd;
        var command = new Command("prog").PassFd(first.Handle, PassFdOptions.CloseParent);
        first.Handle.Dispose();
        using var reuser = new TempFile();
        Assert.Equal(fd, reuser.Fd);

        command.ReleaseParentFds();

        Assert.False(reuser.Handle.IsClosed);
        Assert.True(reuser.FdStillRefersToFile(fd));
    }

    [Fact]
    public void ValidateForRun_CloneMadeAfterTheFdsWereClosed_Throws()
    {
        using var file = new TempFile();
        using var command = new Command("prog").PassFd(file.Handle, PassFdOptions.CloseParent);
        command.ReleaseParentFds();

        var clone = command.Clone();

        var error = Assert.Throws<InvalidOperationException>(() => clone.ValidateForRun(runToCompletion: true));
        Assert.Contains($"fd {file.Fd}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClaimForRun_SecondClaimOfCloseParentFds_Throws()
    {
        using var file = new TempFile();
        using var command = new Command("prog").PassFd(file.Handle, PassFdOptions.CloseParent);

        ClaimForRun(command, runToCompletion: true);

        var error = Assert.Throws<InvalidOperationException>(() => ClaimForRun(command, runToCompletion: false));
        Assert.Contains("CloseParent", error.Message, StringComparison.Ordinal);
        Assert.False(file.Handle.IsClosed);
    }

    [Fact]
    public void ClaimForRun_WithoutCloseParentFds_CanRepeat()
    {
        using var file = new TempFile();
        using var command = new Command("prog").PassFd(file.Handle);

        ClaimForRun(command, runToCompletion: true);
        ClaimForRun(command, runToCompletion: true);
    }

    /// <summary>What the run plan's gate does with the command before it plans a run: validates it, then claims its CloseParent fds.</summary>
    private static void ClaimForRun(Command command, bool runToCompletion)
    {
        command.ValidateForRun(runToCompletion);
        command.ClaimParentFds();
    }
}
