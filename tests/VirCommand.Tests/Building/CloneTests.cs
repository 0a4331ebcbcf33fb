namespace VirCommand.Tests.Building;

public sealed class CloneTests
{
    private static Command BuildFull()
    {
        var command = Command.NewArgList("/usr/bin/prog", "-a", "1")
            .AddSecretArg("s")
            .AddEnvPair("A", "1")
            .PassFd(100, 5)
            .SetInputBuffer("in")
            .SetOutputBuffer()
            .SetUmask(0b000_010_010)
            .SetMaxFiles(64)
            .SetUid(1000)
            .ClearCaps()
            .AllowCap(Capability.CAP_KILL)
            .SetPreExecHook(PreExecHook.FromFunctionPointer(0x1000))
            .SetTimeout(TimeSpan.FromSeconds(3));
        command.SetSendBuffer(new byte[] { 1 });
        return command;
    }

    [Fact]
    public void Clone_CopiesTheDescription()
    {
        using var command = BuildFull();

        using var clone = command.Clone();

        Assert.NotSame(command, clone);
        Assert.Equal(command.ToString(), clone.ToString());
        Assert.Equal(command.Argv, clone.Argv);
        Assert.Equal(command.Environment, clone.Environment);
        Assert.Equal(command.PassedFds, clone.PassedFds);
        Assert.Equal([3], clone.SendBuffers.Select(b => b.ChildFd));
        Assert.Equal(command.Input, clone.Input);
        Assert.Equal(command.Output, clone.Output);
        Assert.Equal(command.Umask, clone.Umask);
        Assert.Equal(command.ResourceLimits, clone.ResourceLimits);
        Assert.Equal(command.Uid, clone.Uid);
        Assert.True(clone.AllowedCapabilities.SetEquals(command.AllowedCapabilities));
        Assert.Equal(command.Hook, clone.Hook);
        Assert.Equal(command.Timeout, clone.Timeout);
        Assert.Equal(command.RequiredFeatures, clone.RequiredFeatures);
    }

    [Fact]
    public void Clone_ChangingTheClone_LeavesTheOriginalUnchanged()
    {
        using var command = BuildFull();
        var before = (command.ToString(), command.PassedFds.Count, command.SendBuffers.Count,
            command.ResourceLimits.Count, command.AllowedCapabilities.Count, command.Environment.Count);

        using var clone = command.Clone()
            .AddArg("more")
            .AddEnvPair("B", "2")
            .AddEnvPair("A", "changed")
            .PassFd(101)
            .SetMaxProcesses(5)
            .AllowCap(Capability.CAP_CHOWN);
        clone.SetSendBuffer(new byte[] { 2 });

        Assert.Equal(before, (command.ToString(), command.PassedFds.Count, command.SendBuffers.Count,
            command.ResourceLimits.Count, command.AllowedCapabilities.Count, command.Environment.Count));
        Assert.Equal("A=1 /usr/bin/prog -a 1 '***'", command.ToString());
    }

    [Fact]
    public void Clone_ChangingTheOriginal_LeavesTheCloneUnchanged()
    {
        using var command = Command.NewArgList("prog", "x");
        using var clone = command.Clone();

        command.AddArg("y").AddEnvPair("A", "1");

        Assert.Equal(["prog", "x"], clone.Argv);
        Assert.True(clone.InheritsEnvironment);
        Assert.Empty(clone.Environment);
    }
}
