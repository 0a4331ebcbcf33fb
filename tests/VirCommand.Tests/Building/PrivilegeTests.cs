namespace VirCommand.Tests.Building;

public sealed class PrivilegeTests
{
    [Fact]
    public void NewCommand_HasNoPrivilegeChanges()
    {
        var command = new Command("prog");

        Assert.Null(command.Uid);
        Assert.Null(command.Gid);
        Assert.False(command.ClearsCapabilities);
        Assert.Empty(command.AllowedCapabilities);
        Assert.False(command.SetsNoNewPrivileges);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1000u)]
    [InlineData(uint.MaxValue - 2)]
    public void SetUidAndSetGid_RecordExactIds(uint id)
    {
        var command = new Command("prog").SetUid(id).SetGid(id + 1);

        Assert.Equal(id, command.Uid);
        Assert.Equal(id + 1, command.Gid);
    }

    [Fact]
    public void SetUid_Alone_LeavesGidUnset()
    {
        var command = new Command("prog").SetUid(1000);

        Assert.Null(command.Gid);
    }

    [Fact]
    public void ClearCaps_SetsClearsCapabilities()
    {
        var command = new Command("prog").ClearCaps();

        Assert.True(command.ClearsCapabilities);
        Assert.Empty(command.AllowedCapabilities);
    }

    [Fact]
    public void AllowCap_Alone_DoesNotClearCapabilities()
    {
        var command = new Command("prog").AllowCap(Capability.CAP_NET_BIND_SERVICE);

        Assert.False(command.ClearsCapabilities);
        Assert.Equal([Capability.CAP_NET_BIND_SERVICE], command.AllowedCapabilities);
    }

    [Fact]
    public void AllowCap_SeveralAndRepeated_RecordsEachOnce()
    {
        var command = new Command("prog")
            .ClearCaps()
            .AllowCap(Capability.CAP_NET_ADMIN)
            .AllowCap(Capability.CAP_CHOWN)
            .AllowCap(Capability.CAP_NET_ADMIN);

        Assert.True(command.ClearsCapabilities);
        Assert.True(command.AllowedCapabilities.SetEquals([Capability.CAP_CHOWN, Capability.CAP_NET_ADMIN]));
        Assert.Equal(2, command.AllowedCapabilities.Count);
    }

    [Theory]
    [InlineData(41)]
    [InlineData(-1)]
    [InlineData(1000)]
    public void AllowCap_UnknownCapability_Throws(int value)
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => command.AllowCap((Capability)value));

        Assert.Equal("capability", ex.ParamName);
        Assert.Empty(command.AllowedCapabilities);
    }

    [Fact]
    public void Capability_NumbersMatchTheKernel()
    {
        Assert.Equal(0, (int)Capability.CAP_CHOWN);
        Assert.Equal(10, (int)Capability.CAP_NET_BIND_SERVICE);
        Assert.Equal(12, (int)Capability.CAP_NET_ADMIN);
        Assert.Equal(21, (int)Capability.CAP_SYS_ADMIN);
        Assert.Equal(40, (int)Capability.CAP_CHECKPOINT_RESTORE);
    }

    [Fact]
    public void SetNoNewPrivileges_SetsFlag()
    {
        Assert.True(new Command("prog").SetNoNewPrivileges().SetsNoNewPrivileges);
    }
}
