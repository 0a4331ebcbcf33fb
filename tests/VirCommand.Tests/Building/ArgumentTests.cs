using System.Globalization;

namespace VirCommand.Tests.Building;

public sealed class ArgumentTests
{
    [Fact]
    public void Constructor_Program_IsKeptAsGivenWithNoArguments()
    {
        var command = new Command("qemu-system-x86_64");

        Assert.Equal("qemu-system-x86_64", command.Program);
        Assert.Empty(command.Arguments);
        Assert.Equal(["qemu-system-x86_64"], command.Argv);
    }

    [Fact]
    public void New_Program_IsKeptAsGiven()
    {
        var command = Command.New("/bin/true");

        Assert.Equal("/bin/true", command.Program);
        Assert.Equal(["/bin/true"], command.Argv);
    }

    [Fact]
    public void Constructor_EmptyProgram_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Command(""));

        Assert.Equal("program", ex.ParamName);
    }

    [Fact]
    public void Constructor_NullProgram_Throws()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => new Command(null!));

        Assert.Equal("program", ex.ParamName);
    }

    [Fact]
    public void AddArg_EmptyString_IsARealArgument()
    {
        var command = new Command("prog").AddArg("");

        Assert.Equal(["prog", ""], command.Argv);
        Assert.Single(command.Arguments);
        Assert.Equal("", command.Arguments[0].Value);
    }

    [Fact]
    public void AddArg_ValueWithSpacesAndQuotes_IsOneArgumentKeptVerbatim()
    {
        var command = new Command("prog").AddArg("  a b  'c' \"d\" $HOME ");

        Assert.Equal(["prog", "  a b  'c' \"d\" $HOME "], command.Argv);
    }

    [Fact]
    public void AddArg_SeveralCalls_KeepOrderAndReturnSameCommand()
    {
        var command = new Command("prog");

        var returned = command.AddArg("one").AddArg("two").AddArg("three");

        Assert.Same(command, returned);
        Assert.Equal(["prog", "one", "two", "three"], command.Argv);
    }

    [Fact]
    public void AddArg_Null_Throws()
    {
        var command = new Command("prog");

        Assert.Throws<ArgumentNullException>(() => command.AddArg(null!));
    }

    [Fact]
    public void AddArg_PlainArgument_IsNotSecret()
    {
        var argument = new Command("prog").AddArg("x").Arguments[0];

        Assert.False(argument.IsSecret);
        Assert.Equal("x", argument.Display);
    }

    [Fact]
    public void AddArgFormat_UnderGermanCulture_FormatsWithInvariantCulture()
    {
        var original = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal("1,5", 1.5.ToString(CultureInfo.CurrentCulture));

            var command = new Command("prog").AddArgFormat("--ratio={0}", 1.5);

            Assert.Equal(["prog", "--ratio=1.5"], command.Argv);
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }
    }

    [Fact]
    public void AddArgFormat_SeveralValues_FormatsOneArgument()
    {
        var command = new Command("prog").AddArgFormat("{0}:{1:D3}", "disk", 7);

        Assert.Equal(["prog", "disk:007"], command.Argv);
    }

    [Fact]
    public void AddArgFormat_InvalidFormat_ThrowsFormatException()
    {
        var command = new Command("prog");

        Assert.Throws<FormatException>(() => command.AddArgFormat("{1}", "only one"));
        Assert.Empty(command.Arguments);
    }

    [Fact]
    public void AddArgFormat_NullFormat_Throws()
    {
        var command = new Command("prog");

        Assert.Throws<ArgumentNullException>(() => command.AddArgFormat(null!, 1));
    }

    [Fact]
    public void AddArgPair_NameAndValue_IsOneArgument()
    {
        var command = new Command("prog").AddArgPair("--name", "guest one");

        Assert.Equal(["prog", "--name=guest one"], command.Argv);
    }

    [Fact]
    public void AddArgPair_EmptyValue_IsNameAndEqualsSign()
    {
        var command = new Command("prog").AddArgPair("key", "");

        Assert.Equal(["prog", "key="], command.Argv);
    }

    [Fact]
    public void AddArgPair_EmptyName_Throws()
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentException>(() => command.AddArgPair("", "value"));

        Assert.Equal("name", ex.ParamName);
        Assert.Empty(command.Arguments);
    }

    [Fact]
    public void AddArgSet_Values_AreAddedInEnumerationOrder()
    {
        var command = new Command("prog").AddArgSet(new SortedSet<string>(StringComparer.Ordinal) { "c", "a", "b" });

        Assert.Equal(["prog", "a", "b", "c"], command.Argv);
    }

    [Fact]
    public void AddArgSet_EmptySet_ThrowsNamingValues()
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentException>(() => command.AddArgSet([]));

        Assert.Equal("values", ex.ParamName);
        Assert.Empty(command.Arguments);
    }

    [Fact]
    public void AddArgSet_NullElement_ThrowsAndAddsNothing()
    {
        var command = new Command("prog");

        Assert.Throws<ArgumentException>(() => command.AddArgSet(["a", null!]));
        Assert.Empty(command.Arguments);
    }

    [Fact]
    public void AddArgList_Values_AreAddedInOrder()
    {
        var command = new Command("prog").AddArg("first").AddArgList("a", "", "c d");

        Assert.Equal(["prog", "first", "a", "", "c d"], command.Argv);
    }

    [Fact]
    public void AddArgList_NoValues_AddsNothing()
    {
        var command = new Command("prog").AddArgList();

        Assert.Empty(command.Arguments);
    }

    [Fact]
    public void AddArgList_NullElement_ThrowsAndAddsNothing()
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentException>(() => command.AddArgList("a", null!, "c"));

        Assert.StartsWith("values", ex.ParamName, StringComparison.Ordinal);
        Assert.Empty(command.Arguments);
    }

    [Fact]
    public void NewArgs_FirstElementIsProgram_RestAreArguments()
    {
        var command = Command.NewArgs(["/usr/bin/env", "-i", "", "x y"]);

        Assert.Equal("/usr/bin/env", command.Program);
        Assert.Equal(["-i", "", "x y"], command.Arguments.Select(a => a.Value));
        Assert.Equal(["/usr/bin/env", "-i", "", "x y"], command.Argv);
    }

    [Fact]
    public void NewArgs_ProgramOnly_HasNoArguments()
    {
        var command = Command.NewArgs(["prog"]);

        Assert.Equal("prog", command.Program);
        Assert.Empty(command.Arguments);
    }

    [Fact]
    public void NewArgs_Empty_ThrowsNamingArgv()
    {
        var ex = Assert.Throws<ArgumentException>(() => Command.NewArgs([]));

        Assert.Equal("argv", ex.ParamName);
    }

    [Fact]
    public void NewArgs_EmptyProgram_Throws()
    {
        Assert.Throws<ArgumentException>(() => Command.NewArgs(["", "arg"]));
    }

    [Fact]
    public void NewArgList_ProgramAndArguments_BuildArgv()
    {
        var command = Command.NewArgList("git", "log", "--oneline", "");

        Assert.Equal("git", command.Program);
        Assert.Equal(["git", "log", "--oneline", ""], command.Argv);
    }

    [Fact]
    public void NewArgList_EmptyProgram_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Command.NewArgList("", "arg"));

        Assert.Equal("program", ex.ParamName);
    }

    [Fact]
    public void Argv_ReflectsArgumentsAddedLater()
    {
        var command = new Command("prog");
        var before = command.Argv;

        command.AddArg("x");

        Assert.Equal(["prog"], before);
        Assert.Equal(["prog", "x"], command.Argv);
    }
}
