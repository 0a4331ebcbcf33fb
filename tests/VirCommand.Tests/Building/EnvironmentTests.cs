namespace VirCommand.Tests.Building;

public sealed class EnvironmentTests
{
    private static readonly string UnsetName = "VIRCOMMAND_TEST_NEVER_SET_" + Guid.NewGuid().ToString("N");

    [Fact]
    public void NewCommand_InheritsEnvironmentWithNoExplicitEntries()
    {
        var command = new Command("prog");

        Assert.True(command.InheritsEnvironment);
        Assert.Empty(command.Environment);
    }

    public static TheoryData<string> EnvironmentCalls => ["AddEnvPair", "AddSecretEnvPair", "AddEnvString", "AddEnvPassCommon", "AddEnvPassUnset"];

    [Theory]
    [MemberData(nameof(EnvironmentCalls))]
    public void AnyEnvironmentCall_StopsInheriting(string call)
    {
        var command = new Command("prog");

        _ = call switch
        {
            "AddEnvPair" => command.AddEnvPair("A", "1"),
            "AddSecretEnvPair" => command.AddSecretEnvPair("A", "1"),
            "AddEnvString" => command.AddEnvString("A=1"),
            "AddEnvPassCommon" => command.AddEnvPassCommon(),
            "AddEnvPassUnset" => command.AddEnvPass(UnsetName),
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };

        Assert.False(command.InheritsEnvironment);
    }

    [Fact]
    public void AddEnvPass_UnsetVariable_AddsNothingButStopsInheriting()
    {
        Assert.Null(System.Environment.GetEnvironmentVariable(UnsetName));
        var command = new Command("prog");

        command.AddEnvPass(UnsetName);

        Assert.False(command.InheritsEnvironment);
        Assert.Empty(command.Environment);
        Assert.Empty(command.ResolveEnvironment());
    }

    [Fact]
    public void AddEnvPair_SameNameAgain_ReplacesInPlaceKeepingFirstPosition()
    {
        var command = new Command("prog")
            .AddEnvPair("A", "1")
            .AddEnvPair("B", "2")
            .AddEnvPair("A", "3");

        Assert.Equal([new EnvironmentVariable("A", "3"), new EnvironmentVariable("B", "2")], command.Environment);
    }

    [Fact]
    public void AddEnvString_SameNameAsPair_ReplacesInPlace()
    {
        var command = new Command("prog")
            .AddEnvPair("A", "1")
            .AddEnvString("B=2")
            .AddEnvPair("C", "3")
            .AddEnvString("B=two");

        Assert.Equal(["A=1", "B=two", "C=3"], command.Environment.Select(e => e.ToEnvironString()));
    }

    [Fact]
    public void AddEnvPair_NamesDifferingOnlyInCase_AreDistinct()
    {
        var command = new Command("prog").AddEnvPair("path", "a").AddEnvPair("PATH", "b");

        Assert.Equal(["path=a", "PATH=b"], command.Environment.Select(e => e.ToEnvironString()));
    }

    [Fact]
    public void AddEnvPair_EmptyValue_IsKept()
    {
        var command = new Command("prog").AddEnvPair("EMPTY", "");

        var variable = Assert.Single(command.Environment);
        Assert.Equal("EMPTY", variable.Name);
        Assert.Equal("", variable.Value);
        Assert.Equal("EMPTY=", variable.ToEnvironString());
    }

    [Fact]
    public void AddEnvString_SplitsAtFirstEqualsSign()
    {
        var command = new Command("prog").AddEnvString("A=b=c");

        var variable = Assert.Single(command.Environment);
        Assert.Equal("A", variable.Name);
        Assert.Equal("b=c", variable.Value);
        Assert.False(variable.IsSecret);
    }

    [Fact]
    public void AddEnvString_EmptyValue_IsKept()
    {
        var command = new Command("prog").AddEnvString("A=");

        Assert.Equal(new EnvironmentVariable("A", ""), Assert.Single(command.Environment));
    }

    [Theory]
    [InlineData("NOEQUALS")]
    [InlineData("")]
    [InlineData("=value")]
    [InlineData("=")]
    public void AddEnvString_NoEqualsOrEmptyName_ThrowsAndKeepsInheriting(string nameAndValue)
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentException>(() => command.AddEnvString(nameAndValue));

        Assert.Equal("nameAndValue", ex.ParamName);
        Assert.True(command.InheritsEnvironment);
        Assert.Empty(command.Environment);
    }

    [Theory]
    [InlineData("AddEnvPair", "")]
    [InlineData("AddEnvPair", "A=B")]
    [InlineData("AddEnvPair", "=")]
    [InlineData("AddEnvPair", "A=")]
    [InlineData("AddSecretEnvPair", "")]
    [InlineData("AddSecretEnvPair", "A=B")]
    [InlineData("AddEnvPass", "")]
    [InlineData("AddEnvPass", "PATH=x")]
    public void NamedEnvironmentCall_EmptyNameOrNameWithEquals_ThrowsAndKeepsInheriting(string call, string name)
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentException>(() => call switch
        {
            "AddEnvPair" => command.AddEnvPair(name, "value"),
            "AddSecretEnvPair" => command.AddSecretEnvPair(name, "value"),
            _ => command.AddEnvPass(name),
        });

        Assert.Equal("name", ex.ParamName);
        Assert.True(command.InheritsEnvironment);
        Assert.Empty(command.Environment);
    }

    [Fact]
    public void AddEnvPair_NullValue_Throws()
    {
        var command = new Command("prog");

        Assert.Throws<ArgumentNullException>(() => command.AddEnvPair("A", null!));
    }

    [Fact]
    public void ResolveEnvironment_AfterEnvironmentCall_IsExactlyTheExplicitList()
    {
        var command = new Command("prog").AddEnvPair("Z", "1").AddEnvPair("A", "2").AddEnvPass(UnsetName);

        Assert.Equal([new EnvironmentVariable("Z", "1"), new EnvironmentVariable("A", "2")], command.ResolveEnvironment());
        Assert.Equal(command.Environment, command.ResolveEnvironment());
    }

    [Fact]
    public void AddSecretEnvPair_KeepsRealValueAndMarksSecret()
    {
        var command = new Command("prog").AddSecretEnvPair("TOKEN", "s3cr3t");

        var variable = Assert.Single(command.Environment);
        Assert.True(variable.IsSecret);
        Assert.Equal("s3cr3t", variable.Value);
        Assert.Equal("TOKEN=s3cr3t", variable.ToEnvironString());
        Assert.Equal("TOKEN=***", variable.ToString());
    }

    [Fact]
    public void AddEnvFormat_FormatsInvariantlyAndReplacesLikeAPair()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            var command = new Command("prog").AddEnvPair("RATE", "0").AddEnvFormat("RATE={0}", 1.5).AddEnvFormat("{0}={1}", "N", 7);

            Assert.False(command.InheritsEnvironment);
            Assert.Equal([new EnvironmentVariable("RATE", "1.5"), new EnvironmentVariable("N", "7")], command.Environment);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Theory]
    [InlineData("NOEQUALS{0}", "no '='")]
    [InlineData("{0}=x", "empty name")]
    public void AddEnvFormat_ResultThatIsNoAssignment_IsRefusedAndAddsNothing(string format, string expected)
    {
        var command = new Command("prog");

        var error = Assert.Throws<ArgumentException>(() => command.AddEnvFormat(format, ""));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.True(command.InheritsEnvironment);
    }

    [Fact]
    public void AddEnvFormat_ArgumentWithNul_NamesTheArguments()
    {
        var error = Assert.Throws<ArgumentException>(() => new Command("prog").AddEnvFormat("A={0}", "x\0y"));

        Assert.Equal("args", error.ParamName);
    }

    [Theory]
    [InlineData("/srv/vm", "/srv/vm")]
    [InlineData("/srv/vm/", "/srv/vm")]
    [InlineData("/", "")]
    public void AddEnvXDG_SetsLibvirtsThreeVariablesInItsOrder(string baseDirectory, string prefix)
    {
        var command = new Command("prog").AddEnvPair("XDG_CACHE_HOME", "/old").AddEnvXDG(baseDirectory);

        Assert.Equal(
            [
                new EnvironmentVariable("XDG_CACHE_HOME", prefix + "/.cache"),
                new EnvironmentVariable("XDG_DATA_HOME", prefix + "/.local/share"),
                new EnvironmentVariable("XDG_CONFIG_HOME", prefix + "/.config"),
            ],
            command.Environment);
    }

    [Theory]
    [InlineData("")]
    [InlineData("relative/dir")]
    [InlineData("/a\0b")]
    public void AddEnvXDG_EmptyRelativeOrNul_IsRefusedAndAddsNothing(string baseDirectory)
    {
        var command = new Command("prog");

        var error = Assert.Throws<ArgumentException>(() => command.AddEnvXDG(baseDirectory));

        Assert.Equal("baseDirectory", error.ParamName);
        Assert.True(command.InheritsEnvironment);
    }
}
