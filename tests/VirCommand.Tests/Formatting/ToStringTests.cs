namespace VirCommand.Tests.Formatting;

public sealed class ToStringTests
{
    [Fact]
    public void ToString_SpecExample_IsExact()
    {
        var command = new Command("true")
            .AddEnvPair("A", "B")
            .AddEnvPair("C", "D  E")
            .AddArg("F")
            .AddArg("G  H");

        Assert.Equal("A=B C='D  E' true F 'G  H'", command.ToString());
    }

    [Fact]
    public void ToString_ProgramOnly_IsTheProgram()
    {
        Assert.Equal("/bin/true", new Command("/bin/true").ToString());
    }

    [Fact]
    public void ToString_InheritedEnvironment_DoesNotAppear()
    {
        var command = Command.NewArgList("prog", "x");

        Assert.True(command.InheritsEnvironment);
        Assert.Equal("prog x", command.ToString());
    }

    [Fact]
    public void ToString_EnvPassOfUnsetVariable_ShowsNoEntry()
    {
        var command = new Command("prog").AddEnvPass("VIRCOMMAND_TEST_NEVER_SET_" + Guid.NewGuid().ToString("N"));

        Assert.Equal("prog", command.ToString());
    }

    [Fact]
    public void ToString_EmptyArgument_ShowsAsTwoQuotes()
    {
        var command = Command.NewArgList("prog", "", "x");

        Assert.Equal("prog '' x", command.ToString());
    }

    [Fact]
    public void ToString_EmptyEnvValue_ShowsAsTwoQuotes()
    {
        var command = new Command("prog").AddEnvPair("EMPTY", "");

        Assert.Equal("EMPTY='' prog", command.ToString());
    }

    [Fact]
    public void ToString_ProgramWithSpace_IsQuoted()
    {
        Assert.Equal("'/opt/my tools/run' a", Command.NewArgList("/opt/my tools/run", "a").ToString());
    }

    [Fact]
    public void ToString_ArgumentWithSingleQuote_IsEscaped()
    {
        Assert.Equal("echo 'it'\\''s'", Command.NewArgList("echo", "it's").ToString());
    }

    [Fact]
    public void ToString_EnvValueWithSpecialCharacters_QuotesOnlyTheValue()
    {
        var command = new Command("prog").AddEnvPair("PS1", "$ ").AddEnvString("OPTS=a=b");

        Assert.Equal("PS1='$ ' OPTS=a=b prog", command.ToString());
    }

    [Fact]
    public void ToString_EnvironmentInFirstSetOrderAfterReplacement()
    {
        var command = new Command("prog")
            .AddEnvPair("A", "1")
            .AddEnvPair("B", "2")
            .AddEnvPair("A", "3");

        Assert.Equal("A=3 B=2 prog", command.ToString());
    }

    [Fact]
    public void ToString_ArgumentPairAndFormat_AreSingleWords()
    {
        var command = new Command("qemu")
            .AddArgPair("-name", "guest one")
            .AddArgFormat("{0}M", 1024);

        Assert.Equal("qemu '-name=guest one' 1024M", command.ToString());
    }

    [Fact]
    public void ToString_WithoutLineBreaks_EqualsParameterlessToString()
    {
        var command = Command.NewArgList("prog", "-a", "b", "--c", "d e").AddEnvPair("X", "1");

        Assert.Equal(command.ToString(), command.ToString(lineBreaks: false));
        Assert.DoesNotContain("\n", command.ToString(), StringComparison.Ordinal);
    }
}
