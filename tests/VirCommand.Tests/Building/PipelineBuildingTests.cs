using VirCommand.Backends.Fake;

namespace VirCommand.Tests.Building;

/// <summary>Issue 14 item 1: building a pipeline, and the clear errors of a stage that does not fit its place.</summary>
public sealed class PipelineBuildingTests
{
    [Fact]
    public void Of_Pipe_and_the_bar_operator_build_the_same_pipeline_without_changing_the_stages()
    {
        var a = Command.New("a");
        var b = Command.NewArgList("b", "x y");
        var c = Command.New("c");

        Assert.Equal("a | b 'x y' | c", Pipeline.Of(a, b, c).ToString());
        Assert.Equal("a | b 'x y' | c", a.Pipe(b).Pipe(c).ToString());
        Assert.Equal("a | b 'x y' | c", (a | b | c).ToString());
        Assert.Equal([a, b, c], (a | b | c).Stages);
        Assert.Equal("a", a.ToString());
    }

    [Fact]
    public void A_pipeline_is_immutable_and_keeps_its_timeout_when_extended()
    {
        var ab = (Command.New("a") | Command.New("b")).WithTimeout(TimeSpan.FromSeconds(5));
        var abc = ab | Command.New("c");

        Assert.Equal(2, ab.Stages.Count);
        Assert.Equal(TimeSpan.FromSeconds(5), abc.Timeout);
        Assert.Null(ab.WithTimeout(null).Timeout);
    }

    [Fact]
    public void Bad_input_is_refused_at_the_call_with_the_argument_named()
    {
        Assert.Equal("stages", Assert.Throws<ArgumentException>(() => Pipeline.Of(Command.New("a"))).ParamName);
        Assert.Equal("stages", Assert.Throws<ArgumentException>(() => Pipeline.Of(Command.New("a"), null!)).ParamName);
        Assert.Throws<ArgumentNullException>(() => Pipeline.Of((Command[])null!));
        Assert.Throws<ArgumentNullException>(() => Command.New("a").Pipe(null!));
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => (Command.New("a") | Command.New("b")).WithTimeout(TimeSpan.Zero)).ParamName);
    }

    public static TheoryData<string, int, string> Misfits => new()
    {
        { "stdin of a later stage", 1, "its stdin is set" },
        { "stdout of an earlier stage", 0, "its stdout is set" },
        { "daemon", 0, "daemonized" },
        { "process group", 1, "process group" },
        { "handshake", 0, "handshake" },
        { "pseudo-terminal", 0, "pseudo-terminal" },
        { "caller pipe in a run to completion", 1, "use StartAsync" },
    };

    [Theory]
    [MemberData(nameof(Misfits))]
    public async Task A_stage_that_does_not_fit_its_place_is_refused_before_anything_runs(string misfit, int stage, string message)
    {
        var fake = new FakeCommandRunner { AllowUnregistered = true };
        var a = Command.New("a");
        var b = Command.New("b");
        _ = misfit switch
        {
            "stdin of a later stage" => b.SetInputBuffer("x"),
            "stdout of an earlier stage" => a.SetOutputBuffer(),
            "daemon" => a.Daemonize(),
            "process group" => b.NewProcessGroup(),
            "handshake" => a.RequireHandshake(),
            "pseudo-terminal" => a.SetPseudoTerminal(80, 24, TerminalStreams.Error),
            _ => b.SetOutputPipe(),
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => fake.RunAsync(a | b));

        Assert.StartsWith($"Pipeline stage {stage} ", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(fake.Invocations);
    }
}
