using VirCommand.Backends.Fake;

namespace VirCommand.Tests.Building;

/// <summary>Issue 14 item 2: SetPseudoTerminal's validation and its conflicts, refused in either order with nothing changed.</summary>
public sealed class PseudoTerminalBuilderTests
{
    [Theory]
    [InlineData(0, 24, "columns")]
    [InlineData(-1, 24, "columns")]
    [InlineData(65536, 24, "columns")]
    [InlineData(80, 0, "rows")]
    [InlineData(80, 65536, "rows")]
    public void A_size_out_of_range_is_refused_naming_it(int columns, int rows, string param)
    {
        using var command = Command.New("sh");
        Assert.Equal(param, Assert.Throws<ArgumentOutOfRangeException>(() => command.SetPseudoTerminal(columns, rows)).ParamName);
        Assert.Null(command.PseudoTerminal);
    }

    [Fact]
    public void The_largest_size_and_the_chosen_streams_are_kept()
    {
        using var command = Command.New("sh").SetPseudoTerminal(65535, 1, TerminalStreams.Output);
        Assert.Equal(new TerminalSettings(new TerminalSize(65535, 1), TerminalStreams.Output), command.PseudoTerminal);
        Assert.Equal("65535x1", command.PseudoTerminal!.Size.ToString());
        Assert.True(command.HasOwnProcessGroup);
        Assert.Equal(CommandFeatures.PseudoTerminal, command.RequiredFeatures);
    }

    [Theory]
    [InlineData(TerminalStreams.None)]
    [InlineData((TerminalStreams)8)]
    public void No_stream_or_an_unknown_flag_is_refused(TerminalStreams streams)
    {
        using var command = Command.New("sh");
        Assert.Equal("streams", Assert.Throws<ArgumentOutOfRangeException>(() => command.SetPseudoTerminal(80, 24, streams)).ParamName);
    }

    public static TheoryData<string, Func<Command, Command>, Func<Command, Command>> Conflicts => new()
    {
        { "twice", c => c.SetPseudoTerminal(80, 24), c => c.SetPseudoTerminal(100, 30) },
        { "daemon then terminal", c => c.Daemonize(), c => c.SetPseudoTerminal(80, 24, TerminalStreams.Output) },
        { "terminal then daemon", c => c.SetPseudoTerminal(80, 24, TerminalStreams.Output), c => c.Daemonize() },
        { "stdin source then terminal", c => c.SetInputBuffer("x"), c => c.SetPseudoTerminal(80, 24) },
        { "terminal then stdin source", c => c.SetPseudoTerminal(80, 24, TerminalStreams.Input), c => c.SetInputPipe() },
        { "stderr target then terminal", c => c.SetErrorBuffer(), c => c.SetPseudoTerminal(80, 24, TerminalStreams.Error) },
        { "terminal then stderr target", c => c.SetPseudoTerminal(80, 24), c => c.SetErrorPipe() },
        { "merged then terminal", c => c.SetMergedOutputBuffer(), c => c.SetPseudoTerminal(80, 24, TerminalStreams.Output) },
        { "terminal then merged", c => c.SetPseudoTerminal(80, 24, TerminalStreams.Error), c => c.SetMergedOutputPipe() },
        { "stdout caller fd then terminal", c => c.SetOutputFd(5), c => c.SetPseudoTerminal(80, 24) },
        { "terminal then stdout caller fd", c => c.SetPseudoTerminal(80, 24), c => c.SetOutputFd(5) },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public void A_conflict_is_refused_in_either_order_and_changes_nothing(string name, Func<Command, Command> first, Func<Command, Command> second)
    {
        using var command = first(Command.New("sh"));
        var before = (command.PseudoTerminal, command.IsDaemon, command.Input, command.Output, command.Error);
        var error = Assert.Throws<InvalidOperationException>(() => second(command));
        Assert.False(string.IsNullOrWhiteSpace(error.Message), name);
        Assert.Equal(before, (command.PseudoTerminal, command.IsDaemon, command.Input, command.Output, command.Error));
    }

    [Fact]
    public void Streams_off_the_terminal_and_stdout_targets_are_free_and_a_session_or_group_adds_nothing()
    {
        using var command = Command.New("sh").SetPseudoTerminal(80, 24, TerminalStreams.Output).SetInputBuffer("x").SetErrorBuffer().SetOutputBuffer()
            .NewSession().NewProcessGroup();
        Assert.Equal(StdioKind.Buffer, command.Output.Kind);
    }

    [Fact]
    public async Task A_run_to_completion_refuses_a_terminal_nobody_serves()
    {
        var fake = new FakeCommandRunner { AllowUnregistered = true };
        using var typing = Command.New("sh").SetPseudoTerminal(80, 24).SetOutputBuffer();
        Assert.Contains("type", (await Assert.ThrowsAsync<InvalidOperationException>(() => fake.RunAsync(typing))).Message, StringComparison.Ordinal);
        using var unread = Command.New("sh").SetPseudoTerminal(80, 24, TerminalStreams.Output);
        Assert.Contains("read", (await Assert.ThrowsAsync<InvalidOperationException>(() => fake.RunAsync(unread))).Message, StringComparison.Ordinal);
        using var stderrOnly = Command.New("sh").SetPseudoTerminal(80, 24, TerminalStreams.Error).SetOutputBuffer();
        await Assert.ThrowsAsync<InvalidOperationException>(() => fake.RunAsync(stderrOnly));
        Assert.Empty(fake.Invocations);

        using var captured = Command.New("sh").SetPseudoTerminal(80, 24, TerminalStreams.Output | TerminalStreams.Error).SetOutputBuffer();
        await fake.RunAsync(captured);
        Assert.Single(fake.Invocations);
    }
}
