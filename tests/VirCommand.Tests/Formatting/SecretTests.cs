namespace VirCommand.Tests.Formatting;

public sealed class SecretTests
{
    private const string Secret = "hunter2";

    private static string ArgLog(Command command)
    {
        using var writer = new StringWriter();
        command.WriteArgLog(writer);
        return writer.ToString();
    }

    private static string StreamArgLog(Command command)
    {
        using var stream = new MemoryStream();
        command.WriteArgLog(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void AssertNeverShown(Command command, string secret)
    {
        Assert.DoesNotContain(secret, command.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, command.ToString(lineBreaks: true), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, ArgLog(command), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, StreamArgLog(command), StringComparison.Ordinal);
    }

    [Fact]
    public void AddSecretArg_ToString_ShowsQuotedStars()
    {
        var command = Command.NewArgList("prog", "--user", "me").AddSecretArg(Secret);

        Assert.Equal("prog --user me '***'", command.ToString());
    }

    [Fact]
    public void AddSecretArg_ArgLog_ShowsBareStars()
    {
        var command = new Command("prog").AddSecretArg(Secret);

        Assert.Equal("prog ***\n", ArgLog(command));
    }

    [Fact]
    public void AddSecretArg_NeverShown_ButChildGetsRealValue()
    {
        var command = new Command("prog").AddArg("--key").AddSecretArg(Secret);

        AssertNeverShown(command, Secret);
        Assert.Equal(["prog", "--key", Secret], command.Argv);
        Assert.Equal(Secret, command.Arguments[1].Value);
        Assert.True(command.Arguments[1].IsSecret);
        Assert.Equal("***", command.Arguments[1].Display);
    }

    [Fact]
    public void AddSecretArgPair_ToString_ShowsNameAndQuotedStars()
    {
        var command = new Command("prog").AddSecretArgPair("--password", Secret);

        Assert.Equal("prog '--password=***'", command.ToString());
    }

    [Fact]
    public void AddSecretArgPair_ArgLog_ShowsNameAndBareStars()
    {
        var command = new Command("prog").AddSecretArgPair("--password", Secret);

        Assert.Equal("prog --password=***\n", ArgLog(command));
    }

    [Fact]
    public void AddSecretArgPair_LineBreaks_ShowsRedactedOptionOnItsOwnLine()
    {
        var command = Command.NewArgList("prog", "-v").AddSecretArgPair("--password", Secret);

        Assert.Equal("prog \\\n-v \\\n'--password=***'", command.ToString(lineBreaks: true));
    }

    [Fact]
    public void AddSecretArgPair_NeverShown_ButChildGetsRealValue()
    {
        var command = new Command("prog").AddSecretArgPair("--password", Secret);

        AssertNeverShown(command, Secret);
        Assert.Equal(["prog", "--password=" + Secret], command.Argv);
        Assert.Equal("--password=" + Secret, command.Arguments[0].Value);
        Assert.Equal("--password=***", command.Arguments[0].Display);
        Assert.Equal("--password=***", command.Arguments[0].ToString());
    }

    [Fact]
    public void AddSecretArgPair_EmptyName_Throws()
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentException>(() => command.AddSecretArgPair("", Secret));

        Assert.Equal("name", ex.ParamName);
        Assert.Empty(command.Arguments);
    }

    [Fact]
    public void AddSecretEnvPair_ToString_ShowsNameAndQuotedStars()
    {
        var command = new Command("prog").AddEnvPair("A", "1").AddSecretEnvPair("TOKEN", Secret);

        Assert.Equal("A=1 TOKEN='***' prog", command.ToString());
    }

    [Fact]
    public void AddSecretEnvPair_ArgLog_ShowsNameAndBareStars()
    {
        var command = new Command("prog").AddSecretEnvPair("TOKEN", Secret);

        Assert.Equal("TOKEN=*** prog\n", ArgLog(command));
    }

    [Fact]
    public void AddSecretEnvPair_LineBreaks_ShowsRedactedEntry()
    {
        var command = new Command("prog").AddSecretEnvPair("TOKEN", Secret);

        Assert.Equal("TOKEN='***' \\\nprog", command.ToString(lineBreaks: true));
    }

    [Fact]
    public void AddSecretEnvPair_NeverShown_ButChildGetsRealValue()
    {
        var command = new Command("prog").AddSecretEnvPair("TOKEN", Secret);

        AssertNeverShown(command, Secret);
        var variable = Assert.Single(command.ResolveEnvironment());
        Assert.Equal(Secret, variable.Value);
        Assert.Equal("TOKEN=" + Secret, variable.ToEnvironString());
        Assert.Equal("***", variable.DisplayValue);
    }

    [Fact]
    public void SecretValueThatLooksLikeAnOption_IsNotRevealedByLineBreaks()
    {
        var command = Command.NewArgList("prog", "--opt", "v", "x").AddSecretArg("-leaky");
        var plain = Command.NewArgList("prog", "--opt", "v", "x").AddSecretArg("notanoption");

        Assert.Equal(plain.ToString(lineBreaks: true), command.ToString(lineBreaks: true));
        AssertNeverShown(command, "leaky");
    }

    [Fact]
    public void Redacted_IsThreeStars()
    {
        Assert.Equal("***", CommandArgument.Redacted);
    }
}
