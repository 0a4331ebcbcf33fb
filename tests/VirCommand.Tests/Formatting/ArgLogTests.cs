using System.Text;

namespace VirCommand.Tests.Formatting;

public sealed class ArgLogTests
{
    private static Command SpecExample() => new Command("true")
        .AddEnvPair("A", "B")
        .AddEnvPair("C", "D  E")
        .AddArg("F")
        .AddArg("G  H");

    private static string LogToWriter(Command command)
    {
        using var writer = new StringWriter();
        command.WriteArgLog(writer);
        return writer.ToString();
    }

    private static byte[] LogToStream(Command command)
    {
        using var stream = new MemoryStream();
        command.WriteArgLog(stream);
        return stream.ToArray();
    }

    [Fact]
    public void WriteArgLog_TextWriter_IsUnquotedWithOneFinalNewline()
    {
        Assert.Equal("A=B C=D  E true F G  H\n", LogToWriter(SpecExample()));
    }

    [Fact]
    public void WriteArgLog_Stream_IsUtf8OfTheSameText()
    {
        Assert.Equal(Encoding.UTF8.GetBytes("A=B C=D  E true F G  H\n"), LogToStream(SpecExample()));
    }

    [Fact]
    public void WriteArgLog_Stream_HasNoByteOrderMarkAndEncodesUtf8()
    {
        var bytes = LogToStream(Command.NewArgList("prog", "é"));

        Assert.Equal(new byte[] { (byte)'p', (byte)'r', (byte)'o', (byte)'g', (byte)' ', 0xC3, 0xA9, (byte)'\n' }, bytes);
    }

    [Fact]
    public void WriteArgLog_ProgramOnly_IsProgramAndNewline()
    {
        Assert.Equal("prog\n", LogToWriter(new Command("prog")));
    }

    [Fact]
    public void WriteArgLog_SpecialCharacters_AreNotQuoted()
    {
        var command = Command.NewArgList("/opt/my prog", "it's", "", "$HOME", "-x").AddEnvPair("E", "");

        Assert.Equal("E= /opt/my prog it's  $HOME -x\n", LogToWriter(command));
    }

    [Fact]
    public void WriteArgLog_InheritedEnvironment_DoesNotAppear()
    {
        Assert.Equal("prog a\n", LogToWriter(Command.NewArgList("prog", "a")));
    }

    [Fact]
    public void WriteArgLog_AppendsToWhatTheWriterHolds()
    {
        using var writer = new StringWriter();
        writer.Write("before: ");

        Command.NewArgList("prog", "a").WriteArgLog(writer);
        Command.NewArgList("other").WriteArgLog(writer);

        Assert.Equal("before: prog a\nother\n", writer.ToString());
    }

    [Fact]
    public void WriteArgLog_NullTarget_Throws()
    {
        var command = new Command("prog");

        Assert.Throws<ArgumentNullException>(() => command.WriteArgLog((TextWriter)null!));
        Assert.Throws<ArgumentNullException>(() => command.WriteArgLog((Stream)null!));
    }

    [Fact]
    public void WriteArgLog_TextWriter_IsFlushed()
    {
        using var stream = new MemoryStream();
        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1024, leaveOpen: true);

        Command.NewArgList("prog", "a").WriteArgLog(writer);

        Assert.Equal(Encoding.UTF8.GetBytes("prog a\n"), stream.ToArray());
    }
}
