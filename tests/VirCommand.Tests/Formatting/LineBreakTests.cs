namespace VirCommand.Tests.Formatting;

public sealed class LineBreakTests
{
    private const string Break = " \\\n";

    [Fact]
    public void ToStringLineBreaks_QemuExample_IsExact()
    {
        var command = Command.NewArgList("/usr/bin/qemu", "-name", "guest=x", "-S", "-m", "1024")
            .AddEnvPair("LC_ALL", "C")
            .AddEnvPair("HOME", "/h");

        Assert.Equal(
            "LC_ALL=C \\\nHOME=/h \\\n/usr/bin/qemu \\\n-name guest=x \\\n-S \\\n-m 1024",
            command.ToString(lineBreaks: true));
    }

    [Fact]
    public void ToStringLineBreaks_ProgramOnly_HasNoBreak()
    {
        Assert.Equal("prog", new Command("prog").ToString(lineBreaks: true));
    }

    [Fact]
    public void ToStringLineBreaks_EnvAndProgramOnly_BreaksAfterEachEnvEntryOnly()
    {
        var command = new Command("prog").AddEnvPair("A", "1").AddEnvPair("B", "2");

        Assert.Equal("A=1" + Break + "B=2" + Break + "prog", command.ToString(lineBreaks: true));
    }

    [Fact]
    public void ToStringLineBreaks_PositionalArgumentsBeforeAnyOption_EachOnItsOwnLine()
    {
        var command = Command.NewArgList("prog", "a", "b", "--opt", "v");

        Assert.Equal("prog \\\na \\\nb \\\n--opt v", command.ToString(lineBreaks: true));
    }

    [Fact]
    public void ToStringLineBreaks_TrailingPositionalsAfterLastOption_EachOnItsOwnLine()
    {
        var command = Command.NewArgList("prog", "--opt", "v", "x", "y");

        Assert.Equal("prog \\\n--opt v \\\nx \\\ny", command.ToString(lineBreaks: true));
    }

    [Fact]
    public void ToStringLineBreaks_SeveralValuesBeforeALaterOption_StayOnTheOptionsLine()
    {
        var command = Command.NewArgList("prog", "-a", "v1", "v2", "-b", "w");

        Assert.Equal("prog \\\n-a v1 v2 \\\n-b w", command.ToString(lineBreaks: true));
    }

    [Fact]
    public void ToStringLineBreaks_ConsecutiveOptions_EachStartsALine()
    {
        var command = Command.NewArgList("prog", "-a", "-b", "--c");

        Assert.Equal("prog \\\n-a \\\n-b \\\n--c", command.ToString(lineBreaks: true));
    }

    [Fact]
    public void ToStringLineBreaks_SinglePositional_IsOnItsOwnLine()
    {
        Assert.Equal("prog \\\nfile", Command.NewArgList("prog", "file").ToString(lineBreaks: true));
    }

    [Fact]
    public void ToStringLineBreaks_OptionThenOneValueAtTheEnd_StaysOnTheOptionsLine()
    {
        Assert.Equal("prog \\\n-o out", Command.NewArgList("prog", "-o", "out").ToString(lineBreaks: true));
    }

    [Fact]
    public void ToStringLineBreaks_QuotingStillApplies()
    {
        var command = Command.NewArgList("/opt/my prog", "--name", "a b", "", "--x", "it's")
            .AddEnvPair("C", "D  E");

        Assert.Equal(
            "C='D  E'" + Break + "'/opt/my prog'" + Break + "--name 'a b' ''" + Break + "--x 'it'\\''s'",
            command.ToString(lineBreaks: true));
    }

    [Fact]
    public void ToStringLineBreaks_EmptyArgumentIsNotAnOption()
    {
        var command = Command.NewArgList("prog", "", "-a", "");

        Assert.Equal("prog" + Break + "''" + Break + "-a ''", command.ToString(lineBreaks: true));
    }

    [Fact]
    public void ToStringLineBreaks_ArgumentIsSeparatedBySpaceOrBreakOnly()
    {
        var command = Command.NewArgList("prog", "--opt", "v", "x").AddEnvPair("A", "1");
        var text = command.ToString(lineBreaks: true);

        Assert.False(text.EndsWith('\n'));
        Assert.False(text.EndsWith('\\'));
        Assert.Equal(text.Replace(Break, " ", StringComparison.Ordinal), command.ToString());
    }
}
