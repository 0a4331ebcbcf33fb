namespace VirCommand.Tests.Building;

/// <summary>
/// SPEC §3.1: a NUL or a lone surrogate anywhere a string reaches the child is refused at the call
/// that added it (a NUL would cut the C string short; a lone surrogate has no UTF-8 form and would
/// become U+FFFD, or make the program path name another file), the same way for every backend.
/// </summary>
[Collection("Serial")] // one test sets a parent environment variable
public sealed class InvalidStringTests
{
    /// <summary>Every call that takes a string for the child, and the parameter its error names.</summary>
    private static readonly (string Call, string ParamName)[] Inputs =
    [
        ("Constructor", "program"),
        ("New", "program"),
        ("NewArgsProgram", "program"),
        ("NewArgListProgram", "program"),
        ("AddArg", "value"),
        ("AddSecretArg", "value"),
        ("AddArgPairName", "name"),
        ("AddArgPairValue", "value"),
        ("AddSecretArgPairName", "name"),
        ("AddSecretArgPairValue", "value"),
        ("AddArgList", "values"),
        ("AddArgSet", "values"),
        ("AddEnvPairName", "name"),
        ("AddEnvPairValue", "value"),
        ("AddSecretEnvPairName", "name"),
        ("AddSecretEnvPairValue", "value"),
        ("AddEnvStringName", "nameAndValue"),
        ("AddEnvStringValue", "nameAndValue"),
        ("AddEnvPass", "name"),
        ("SetWorkingDirectory", "path"),
        ("SetPidFile", "path"),
        ("AddArgFormatFormat", "format"),
        ("AddArgFormatArgs", "args"),
    ];

    /// <summary>Each call, given a string that carries the bad fragment.</summary>
    private static readonly Dictionary<string, Action<string>> Calls = new(StringComparer.Ordinal)
    {
        ["Constructor"] = bad => _ = new Command($"/bin/t{bad}rue"),
        ["New"] = bad => Command.New($"true{bad}"),
        ["NewArgsProgram"] = bad => Command.NewArgs([$"{bad}prog", "arg"]),
        ["NewArgListProgram"] = bad => Command.NewArgList($"pr{bad}og", "arg"),
        ["AddArg"] = bad => new Command("prog").AddArg($"a{bad}b"),
        ["AddSecretArg"] = bad => new Command("prog").AddSecretArg($"a{bad}b"),
        ["AddArgPairName"] = bad => new Command("prog").AddArgPair($"na{bad}me", "value"),
        ["AddArgPairValue"] = bad => new Command("prog").AddArgPair("name", $"val{bad}ue"),
        ["AddSecretArgPairName"] = bad => new Command("prog").AddSecretArgPair($"na{bad}me", "value"),
        ["AddSecretArgPairValue"] = bad => new Command("prog").AddSecretArgPair("name", $"val{bad}ue"),
        ["AddArgList"] = bad => new Command("prog").AddArgList("ok", $"b{bad}d"),
        ["AddArgSet"] = bad => new Command("prog").AddArgSet(["ok", $"b{bad}d"]),
        ["AddEnvPairName"] = bad => new Command("prog").AddEnvPair($"NA{bad}ME", "value"),
        ["AddEnvPairValue"] = bad => new Command("prog").AddEnvPair("NAME", $"val{bad}ue"),
        ["AddSecretEnvPairName"] = bad => new Command("prog").AddSecretEnvPair($"NA{bad}ME", "value"),
        ["AddSecretEnvPairValue"] = bad => new Command("prog").AddSecretEnvPair("NAME", $"val{bad}ue"),
        ["AddEnvStringName"] = bad => new Command("prog").AddEnvString($"NA{bad}ME=value"),
        ["AddEnvStringValue"] = bad => new Command("prog").AddEnvString($"NAME=val{bad}ue"),
        ["AddEnvPass"] = bad => new Command("prog").AddEnvPass($"PA{bad}TH"),
        ["SetWorkingDirectory"] = bad => new Command("prog").SetWorkingDirectory($"/tmp/{bad}dir"),
        ["SetPidFile"] = bad => new Command("prog").SetPidFile($"/run/{bad}x.pid"),
        ["AddArgFormatFormat"] = bad => new Command("prog").AddArgFormat($"--x{bad}={{0}}", 1),
        ["AddArgFormatArgs"] = bad => new Command("prog").AddArgFormat("--x={0}", $"a{bad}b"),
    };

    /// <summary>The bad fragments and what the message must say: a NUL, a lone high and a lone low surrogate, a reversed pair.</summary>
    public static readonly (string Bad, string Says)[] Fragments =
    [
        ("\0", "NUL"),
        ("\uD800", "lone surrogate (U+D800"),
        ("\uDC00", "lone surrogate (U+DC00"),
        ("\uDC00\uD800", "lone surrogate (U+DC00"),
    ];

    public static TheoryData<string, string, int> BadInputs()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var (call, paramName) in Inputs)
        {
            for (var i = 0; i < Fragments.Length; i++)
                data.Add(call, paramName, i);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Call_ValueWithNulOrLoneSurrogate_ThrowsArgumentExceptionNamingTheArgument(string call, string paramName, int fragment)
    {
        var (bad, says) = Fragments[fragment];
        var ex = Assert.ThrowsAny<ArgumentException>(() => Calls[call](bad));

        Assert.IsNotType<ArgumentNullException>(ex);
        Assert.NotNull(ex.ParamName);
        Assert.StartsWith(paramName, ex.ParamName, StringComparison.Ordinal);
        Assert.Contains(says, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\uD83D\uDE00")] // a valid pair: U+1F600
    [InlineData("a\uD83D\uDE00b\uD83D\uDE00")]
    [InlineData("\uFFFD")]
    public void A_valid_surrogate_pair_is_accepted_everywhere(string good)
    {
        foreach (var (call, _) in Inputs)
            Calls[call](good);
    }

    [Fact]
    public void A_parent_value_is_always_valid_UTF16_so_AddEnvPass_passes_what_the_parent_reads()
    {
        // .NET itself stores U+FFFD for a lone surrogate set in the environment: nothing invalid can reach AddEnvPass.
        using var scope = new EnvironmentScope().Set("VIRCOMMAND_TEST_BAD", "a\uD800b");

        var command = new Command("prog").AddEnvPass("VIRCOMMAND_TEST_BAD");

        Assert.Equal(System.Environment.GetEnvironmentVariable("VIRCOMMAND_TEST_BAD"), Assert.Single(command.Environment).Value);
        new Command("prog").AddArg(command.Environment[0].Value); // a valid string: the builder takes it as is
    }

    [Fact]
    public void AddArgList_NulInOneElement_AddsNothing()
    {
        var command = new Command("prog");

        Assert.Throws<ArgumentException>(() => command.AddArgList("a", "b", "c\0"));

        Assert.Empty(command.Arguments);
    }

    [Fact]
    public void AddEnvPair_NulInValue_LeavesEnvironmentInherited()
    {
        var command = new Command("prog");

        Assert.Throws<ArgumentException>(() => command.AddEnvPair("NAME", "\0"));

        Assert.True(command.InheritsEnvironment);
        Assert.Empty(command.Environment);
    }

    [Fact]
    public void NewArgList_NulInArgument_ThrowsNamingArgs()
    {
        var ex = Assert.Throws<ArgumentException>(() => Command.NewArgList("prog", "ok", "b\0d"));

        Assert.NotNull(ex.ParamName);
        Assert.StartsWith("args", ex.ParamName, StringComparison.Ordinal);
        Assert.Contains("NUL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NewArgs_NulInArgument_ThrowsNamingArgv()
    {
        var ex = Assert.Throws<ArgumentException>(() => Command.NewArgs(["prog", "b\0d"]));

        Assert.NotNull(ex.ParamName);
        Assert.StartsWith("argv", ex.ParamName, StringComparison.Ordinal);
        Assert.Contains("NUL", ex.Message, StringComparison.Ordinal);
    }
}
