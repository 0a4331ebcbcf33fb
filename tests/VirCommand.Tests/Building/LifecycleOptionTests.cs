namespace VirCommand.Tests.Building;

public sealed class LifecycleOptionTests
{
    [Fact]
    public void NewCommand_HasRunnerDefaults()
    {
        var command = new Command("prog");

        Assert.Null(command.Hook);
        Assert.False(command.RequiresHandshake);
        Assert.False(command.AllowsNonZeroExit);
        Assert.False(command.ReturnsRawStatus);
        Assert.Null(command.Timeout);
        Assert.Null(command.GracefulSignal);
        Assert.Null(command.KillGracePeriod);
        Assert.Null(command.DrainTimeout);
        Assert.Null(command.CaptureLimit);
    }

    [Fact]
    public void FromFunctionPointer_KeepsFunctionAndOpaque()
    {
        var hook = PreExecHook.FromFunctionPointer(0x1234, 0x42);

        Assert.Equal(0x1234, hook.Function);
        Assert.Equal(0x42, hook.Opaque);
        Assert.False(string.IsNullOrEmpty(hook.Description));
    }

    [Fact]
    public void FromFunctionPointer_Zero_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => PreExecHook.FromFunctionPointer(0));

        Assert.Equal("function", ex.ParamName);
    }

    [Fact]
    public void FromLibrary_MissingLibrary_Throws()
    {
        var missing = "libvircommand-no-such-library-" + Guid.NewGuid().ToString("N") + ".so";

        var ex = Assert.Throws<ArgumentException>(() => PreExecHook.FromLibrary(missing, "hook"));

        Assert.Equal("library", ex.ParamName);
    }

    [Fact]
    public void FromLibrary_MissingSymbol_Throws()
    {
        Assert.True(OperatingSystem.IsLinux(), "This test loads the C library by its Linux name.");

        var ex = Assert.Throws<ArgumentException>(() => PreExecHook.FromLibrary("libc.so.6", "vircommand_no_such_symbol"));

        Assert.Equal("symbol", ex.ParamName);
    }

    [Fact]
    public void FromLibrary_ExportedSymbol_GivesNonZeroFunction()
    {
        Assert.True(OperatingSystem.IsLinux(), "This test loads the C library by its Linux name.");

        var hook = PreExecHook.FromLibrary("libc.so.6", "getpid", 7);

        Assert.NotEqual(0, hook.Function);
        Assert.Equal(7, hook.Opaque);
        Assert.Contains("getpid", hook.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "hook")]
    [InlineData("libc.so.6", "")]
    public void FromLibrary_EmptyName_Throws(string library, string symbol)
    {
        Assert.Throws<ArgumentException>(() => PreExecHook.FromLibrary(library, symbol));
    }

    [Fact]
    public void SetPreExecHook_RecordsHook()
    {
        var hook = PreExecHook.FromFunctionPointer(0x1000, 0x2000);

        var command = new Command("prog").SetPreExecHook(hook);

        Assert.Equal(hook, command.Hook);
    }

    [Fact]
    public void SetPreExecHook_DefaultHook_Throws()
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentException>(() => command.SetPreExecHook(default));

        Assert.Equal("hook", ex.ParamName);
        Assert.Null(command.Hook);
    }

    [Fact]
    public void SetPreExecHook_Second_ThrowsAndKeepsTheFirst()
    {
        var first = PreExecHook.FromFunctionPointer(0x1000);
        var command = new Command("prog").SetPreExecHook(first);

        Assert.Throws<InvalidOperationException>(() => command.SetPreExecHook(PreExecHook.FromFunctionPointer(0x2000)));
        Assert.Equal(first, command.Hook);
    }

    [Fact]
    public void RequireHandshake_SetsFlag()
    {
        Assert.True(new Command("prog").RequireHandshake().RequiresHandshake);
    }

    [Fact]
    public void AllowNonZeroExit_SetsFlagOnly()
    {
        var command = new Command("prog").AllowNonZeroExit();

        Assert.True(command.AllowsNonZeroExit);
        Assert.False(command.ReturnsRawStatus);
    }

    [Fact]
    public void RawStatus_SetsFlag()
    {
        Assert.True(new Command("prog").RawStatus().ReturnsRawStatus);
    }

    [Fact]
    public void SetTimeout_Positive_IsRecorded()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), new Command("prog").SetTimeout(TimeSpan.FromSeconds(5)).Timeout);
    }

    [Fact]
    public void SetTimeout_Infinite_IsAccepted()
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, new Command("prog").SetTimeout(Timeout.InfiniteTimeSpan).Timeout);
    }

    public static TheoryData<TimeSpan> NonPositive => [TimeSpan.Zero, TimeSpan.FromTicks(-1), TimeSpan.FromSeconds(-1), TimeSpan.MinValue];

    [Theory]
    [MemberData(nameof(NonPositive))]
    public void SetTimeout_ZeroOrNegative_Throws(TimeSpan timeout)
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => command.SetTimeout(timeout));

        Assert.Equal("timeout", ex.ParamName);
        Assert.Null(command.Timeout);
    }

    [Fact]
    public void SetKillGracePeriod_Zero_IsAccepted()
    {
        Assert.Equal(TimeSpan.Zero, new Command("prog").SetKillGracePeriod(TimeSpan.Zero).KillGracePeriod);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(-10_000_000L)]
    public void SetKillGracePeriod_Negative_Throws(long ticks)
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => command.SetKillGracePeriod(TimeSpan.FromTicks(ticks)));

        Assert.Equal("grace", ex.ParamName);
        Assert.Null(command.KillGracePeriod);
    }

    [Fact]
    public void SetDrainTimeout_ZeroAccepted_NegativeRejected()
    {
        var command = new Command("prog");

        Assert.Throws<ArgumentOutOfRangeException>(() => command.SetDrainTimeout(TimeSpan.FromMilliseconds(-1)));
        Assert.Null(command.DrainTimeout);

        command.SetDrainTimeout(TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, command.DrainTimeout);
    }

    [Theory]
    [InlineData(Signal.SIGTERM)]
    [InlineData(Signal.SIGINT)]
    [InlineData(Signal.SIGKILL)]
    public void SetGracefulSignal_RecordsSignal(Signal signal)
    {
        Assert.Equal(signal, new Command("prog").SetGracefulSignal(signal).GracefulSignal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(64)]
    public void SetGracefulSignal_UnknownSignal_Throws(int signal)
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => command.SetGracefulSignal((Signal)signal));

        Assert.Equal("signal", ex.ParamName);
        Assert.Null(command.GracefulSignal);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void SetCaptureLimit_ZeroOrNegative_Throws(long bytes)
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => command.SetCaptureLimit(bytes));

        Assert.Equal("bytes", ex.ParamName);
        Assert.Null(command.CaptureLimit);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(long.MaxValue)]
    public void SetCaptureLimit_Positive_IsRecorded(long bytes)
    {
        Assert.Equal(bytes, new Command("prog").SetCaptureLimit(bytes).CaptureLimit);
    }
}
