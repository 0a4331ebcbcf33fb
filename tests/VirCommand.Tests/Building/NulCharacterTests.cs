namespace VirCommand.Tests.Building;

public sealed class NulCharacterTests
{
    public static TheoryData<string, string> NulInputs => new()
    {
        { "Constructor", "program" },
        { "New", "program" },
        { "NewArgsProgram", "program" },
        { "NewArgListProgram", "program" },
        { "AddArg", "value" },
        { "AddSecretArg", "value" },
        { "AddArgPairName", "name" },
        { "AddArgPairValue", "value" },
        { "AddSecretArgPairName", "name" },
        { "AddSecretArgPairValue", "value" },
        { "AddArgList", "values" },
        { "AddArgSet", "values" },
        { "AddEnvPairName", "name" },
        { "AddEnvPairValue", "value" },
        { "AddSecretEnvPairName", "name" },
        { "AddSecretEnvPairValue", "value" },
        { "AddEnvStringName", "nameAndValue" },
        { "AddEnvStringValue", "nameAndValue" },
        { "AddEnvPass", "name" },
        { "SetWorkingDirectory", "path" },
        { "SetPidFile", "path" },
    };

    private static readonly Dictionary<string, Action> Calls = new(StringComparer.Ordinal)
    {
        ["Constructor"] = () => _ = new Command("/bin/t\0rue"),
        ["New"] = () => Command.New("true\0"),
        ["NewArgsProgram"] = () => Command.NewArgs(["\0prog", "arg"]),
        ["NewArgListProgram"] = () => Command.NewArgList("pr\0og", "arg"),
        ["AddArg"] = () => new Command("prog").AddArg("a\0b"),
        ["AddSecretArg"] = () => new Command("prog").AddSecretArg("a\0b"),
        ["AddArgPairName"] = () => new Command("prog").AddArgPair("na\0me", "value"),
        ["AddArgPairValue"] = () => new Command("prog").AddArgPair("name", "val\0ue"),
        ["AddSecretArgPairName"] = () => new Command("prog").AddSecretArgPair("na\0me", "value"),
        ["AddSecretArgPairValue"] = () => new Command("prog").AddSecretArgPair("name", "val\0ue"),
        ["AddArgList"] = () => new Command("prog").AddArgList("ok", "b\0d"),
        ["AddArgSet"] = () => new Command("prog").AddArgSet(["ok", "b\0d"]),
        ["AddEnvPairName"] = () => new Command("prog").AddEnvPair("NA\0ME", "value"),
        ["AddEnvPairValue"] = () => new Command("prog").AddEnvPair("NAME", "val\0ue"),
        ["AddSecretEnvPairName"] = () => new Command("prog").AddSecretEnvPair("NA\0ME", "value"),
        ["AddSecretEnvPairValue"] = () => new Command("prog").AddSecretEnvPair("NAME", "val\0ue"),
        ["AddEnvStringName"] = () => new Command("prog").AddEnvString("NA\0ME=value"),
        ["AddEnvStringValue"] = () => new Command("prog").AddEnvString("NAME=val\0ue"),
        ["AddEnvPass"] = () => new Command("prog").AddEnvPass("PA\0TH"),
        ["SetWorkingDirectory"] = () => new Command("prog").SetWorkingDirectory("/tmp/\0dir"),
        ["SetPidFile"] = () => new Command("prog").SetPidFile("/run/\0x.pid"),
    };

    [Theory]
    [MemberData(nameof(NulInputs))]
    public void Call_ValueWithNul_ThrowsArgumentExceptionNamingTheArgument(string call, string paramName)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(Calls[call]);

        Assert.IsNotType<ArgumentNullException>(ex);
        Assert.NotNull(ex.ParamName);
        Assert.StartsWith(paramName, ex.ParamName, StringComparison.Ordinal);
        Assert.Contains("NUL", ex.Message, StringComparison.Ordinal);
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
