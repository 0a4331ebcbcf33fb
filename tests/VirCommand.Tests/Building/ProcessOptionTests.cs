namespace VirCommand.Tests.Building;

public sealed class ProcessOptionTests
{
    [Fact]
    public void NewCommand_HasNoProcessOptions()
    {
        var command = new Command("prog");

        Assert.Null(command.WorkingDirectory);
        Assert.Null(command.Umask);
        Assert.False(command.IsDaemon);
        Assert.Null(command.PidFile);
        Assert.Empty(command.ResourceLimits);
        Assert.False(command.StartsNewSession);
        Assert.False(command.StartsNewProcessGroup);
        Assert.False(command.HasOwnProcessGroup);
        Assert.Null(command.ParentDeathSignal);
    }

    [Fact]
    public void SetWorkingDirectory_RecordsPath()
    {
        var command = new Command("prog").SetWorkingDirectory("/var/lib/x y");

        Assert.Equal("/var/lib/x y", command.WorkingDirectory);
    }

    [Fact]
    public void SetWorkingDirectory_Twice_ThrowsAndKeepsTheFirst()
    {
        var command = new Command("prog").SetWorkingDirectory("/first");

        Assert.Throws<InvalidOperationException>(() => command.SetWorkingDirectory("/second"));
        Assert.Equal("/first", command.WorkingDirectory);
    }

    [Fact]
    public void SetWorkingDirectory_Empty_Throws()
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentException>(() => command.SetWorkingDirectory(""));

        Assert.Equal("path", ex.ParamName);
        Assert.Null(command.WorkingDirectory);
    }

    [Fact]
    public void Daemonize_ThenWorkingDirectory_Throws()
    {
        var command = new Command("prog").Daemonize();

        Assert.Throws<InvalidOperationException>(() => command.SetWorkingDirectory("/srv"));
        Assert.Null(command.WorkingDirectory);
    }

    [Fact]
    public void WorkingDirectory_ThenDaemonize_Throws()
    {
        var command = new Command("prog").SetWorkingDirectory("/srv");

        Assert.Throws<InvalidOperationException>(() => command.Daemonize());
        Assert.False(command.IsDaemon);
    }

    public static TheoryData<string> CaptureSetters => ["OutputBuffer", "ErrorBuffer", "MergedBuffer"];

    [Theory]
    [MemberData(nameof(CaptureSetters))]
    public void Daemonize_ThenCapture_Throws(string capture)
    {
        var command = new Command("prog").Daemonize();

        Assert.Throws<InvalidOperationException>(() => SetCapture(command, capture));
        Assert.Equal(StdioTarget.Null, command.Output);
        Assert.Equal(StdioTarget.Null, command.Error);
    }

    [Theory]
    [MemberData(nameof(CaptureSetters))]
    public void Capture_ThenDaemonize_Throws(string capture)
    {
        var command = SetCapture(new Command("prog"), capture);

        Assert.Throws<InvalidOperationException>(() => command.Daemonize());
        Assert.False(command.IsDaemon);
    }

    [Fact]
    public void Daemonize_SetsIsDaemon()
    {
        Assert.True(new Command("prog").Daemonize().IsDaemon);
    }

    [Fact]
    public void SetPidFile_RecordsPath()
    {
        Assert.Equal("/run/x.pid", new Command("prog").SetPidFile("/run/x.pid").PidFile);
    }

    [Fact]
    public void SetPidFile_Twice_ThrowsAndKeepsTheFirst()
    {
        var command = new Command("prog").SetPidFile("/run/a.pid");

        Assert.Throws<InvalidOperationException>(() => command.SetPidFile("/run/b.pid"));
        Assert.Equal("/run/a.pid", command.PidFile);
    }

    [Fact]
    public void SetPidFile_Empty_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Command("prog").SetPidFile(""));

        Assert.Equal("path", ex.ParamName);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ValidateForRun_PidFileWithoutDaemonize_Throws(bool runToCompletion)
    {
        var command = new Command("prog").SetPidFile("/run/x.pid");

        var ex = Assert.Throws<InvalidOperationException>(() => command.ValidateForRun(runToCompletion));

        Assert.Contains("Daemonize", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateForRun_PidFileWithDaemonize_IsAllowed()
    {
        var command = new Command("prog").SetPidFile("/run/x.pid").Daemonize();

        command.ValidateForRun(runToCompletion: true);
        command.ValidateForRun(runToCompletion: false);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0b000_010_010)]
    [InlineData(0b000_111_111)]
    [InlineData(0b111_111_111)]
    public void SetUmask_InRange_RecordsExactValue(int mask)
    {
        var command = new Command("prog").SetUmask(mask);

        Assert.Equal(mask, command.Umask);
    }

    [Theory]
    [InlineData(512)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void SetUmask_OutOfRange_ThrowsAndRecordsNothing(int mask)
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => command.SetUmask(mask));

        Assert.Equal("mask", ex.ParamName);
        Assert.Null(command.Umask);
    }

    public static TheoryData<ResourceLimitKind, ulong> Limits()
    {
        var data = new TheoryData<ResourceLimitKind, ulong>();
        foreach (var kind in Enum.GetValues<ResourceLimitKind>())
            foreach (var value in new[] { 0UL, 1UL, 1024UL, ResourceLimit.Unlimited })
                data.Add(kind, value);
        return data;
    }

    [Theory]
    [MemberData(nameof(Limits))]
    public void SetResourceLimit_RecordsExactValue(ResourceLimitKind kind, ulong value)
    {
        var command = new Command("prog").SetResourceLimit(kind, value);

        Assert.Equal(new Dictionary<ResourceLimitKind, ulong> { [kind] = value }, command.ResourceLimits);
    }

    [Fact]
    public void Unlimited_IsRlimInfinity()
    {
        Assert.Equal(ulong.MaxValue, ResourceLimit.Unlimited);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1024UL)]
    [InlineData(ResourceLimit.Unlimited)]
    public void SetMaxFiles_RecordsExactlyTheValue(ulong value)
    {
        var command = new Command("prog").SetMaxFiles(value);

        Assert.Equal(value, command.ResourceLimits[ResourceLimitKind.OpenFiles]);
        Assert.Single(command.ResourceLimits);
    }

    [Fact]
    public void SetMaxHelpers_MapToTheirKinds()
    {
        var command = new Command("prog")
            .SetMaxFiles(11)
            .SetMaxProcesses(22)
            .SetMaxMemLock(33)
            .SetMaxCoreSize(0);

        Assert.Equal(
            new Dictionary<ResourceLimitKind, ulong>
            {
                [ResourceLimitKind.OpenFiles] = 11,
                [ResourceLimitKind.Processes] = 22,
                [ResourceLimitKind.LockedMemory] = 33,
                [ResourceLimitKind.CoreSize] = 0,
            },
            command.ResourceLimits);
    }

    [Fact]
    public void SetResourceLimit_UnknownKind_Throws()
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => command.SetResourceLimit((ResourceLimitKind)42, 1));

        Assert.Equal("kind", ex.ParamName);
        Assert.Empty(command.ResourceLimits);
    }

    [Fact]
    public void NewSession_GivesOwnProcessGroup()
    {
        var command = new Command("prog").NewSession();

        Assert.True(command.StartsNewSession);
        Assert.False(command.StartsNewProcessGroup);
        Assert.True(command.HasOwnProcessGroup);
    }

    [Fact]
    public void NewProcessGroup_GivesOwnProcessGroup()
    {
        var command = new Command("prog").NewProcessGroup();

        Assert.True(command.StartsNewProcessGroup);
        Assert.False(command.StartsNewSession);
        Assert.True(command.HasOwnProcessGroup);
    }

    [Fact]
    public void SetParentDeathSignal_RecordsSignal()
    {
        Assert.Equal(Signal.SIGKILL, new Command("prog").SetParentDeathSignal(Signal.SIGKILL).ParentDeathSignal);
    }

    [Fact]
    public void SetParentDeathSignal_UnknownSignal_Throws()
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => command.SetParentDeathSignal((Signal)0));

        Assert.Equal("signal", ex.ParamName);
        Assert.Null(command.ParentDeathSignal);
    }

    private static Command SetCapture(Command command, string capture) => capture switch
    {
        "OutputBuffer" => command.SetOutputBuffer(),
        "ErrorBuffer" => command.SetErrorBuffer(),
        _ => command.SetMergedOutputBuffer(),
    };

    [Fact]
    public void Daemonize_WithParentDeathSignal_ThrowsInEitherOrder()
    {
        var signalFirst = new Command("d").SetParentDeathSignal(Signal.SIGTERM);
        var daemonFirst = new Command("d").Daemonize();

        Assert.Throws<InvalidOperationException>(() => signalFirst.Daemonize());
        Assert.Throws<InvalidOperationException>(() => daemonFirst.SetParentDeathSignal(Signal.SIGTERM));
        Assert.False(signalFirst.IsDaemon);
        Assert.Null(daemonFirst.ParentDeathSignal);
    }
}
