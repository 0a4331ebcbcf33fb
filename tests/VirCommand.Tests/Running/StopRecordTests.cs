using VirCommand.Backends;

namespace VirCommand.Tests.Running;

public sealed class StopRecordTests
{
    private static readonly RunSettings Settings = new(TimeSpan.FromSeconds(5), Signal.SIGTERM, TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(1), CaptureLimit: 10, StandardErrorTailBytes: 100, KeepsErrorTail: false);

    private static readonly CommandResult Killed = new("cmd", 42, CommandResult.SignalStatus(Signal.SIGTERM), default, default);

    [Fact]
    public void The_first_reason_wins_and_asks_for_the_signal_once()
    {
        var stop = new StopRecord();
        using var source = new CancellationTokenSource();

        Assert.True(stop.TryStop(StopReason.Canceled, exited: false, source.Token));
        Assert.False(stop.TryStop(StopReason.Timeout, exited: false, default));

        Assert.Equal(StopReason.Canceled, stop.Reason);
        Assert.Equal(source.Token, stop.CancelledBy);
    }

    [Theory]
    [InlineData(StopReason.Timeout)]
    [InlineData(StopReason.Canceled)]
    [InlineData(StopReason.Aborted)]
    public void A_child_that_exited_is_past_stopping(StopReason reason)
    {
        var stop = new StopRecord();

        Assert.False(stop.TryStop(reason, exited: true, default));
        Assert.Equal(StopReason.None, stop.Reason);
    }

    [Fact]
    public void An_overflow_during_the_drain_is_recorded_without_a_signal_and_names_the_first_stream()
    {
        var stop = new StopRecord();
        stop.NoteOverflow("stderr");
        stop.NoteOverflow("stdout");

        Assert.False(stop.TryStop(StopReason.CaptureLimit, exited: true, default));

        var e = Assert.Throws<CommandCaptureLimitException>(() => stop.Judge(Killed, Settings, false, false, null));
        Assert.Equal(StopReason.CaptureLimit, stop.Reason);
        Assert.Equal("stderr", stop.OverflowStream);
        Assert.Equal(("stderr", 10L), (e.Stream, e.Limit));
        Assert.Contains("stderr", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_reason_the_exit_status_rules_judge()
    {
        var stop = new StopRecord();

        Assert.Throws<CommandExitException>(() => stop.Judge(Killed, Settings, allowsNonZeroExit: true, returnsRawStatus: false, null));
        Assert.Same(Killed, stop.Judge(Killed, Settings, allowsNonZeroExit: false, returnsRawStatus: true, null));
    }
}
