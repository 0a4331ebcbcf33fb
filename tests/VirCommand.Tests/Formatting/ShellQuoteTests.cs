using VirCommand.Formatting;

namespace VirCommand.Tests.Formatting;

public sealed class ShellQuoteTests
{
    public static TheoryData<string> SpecialCharacters =>
    [
        "\r", "\t", "\n", " ", "!", "\"", "#", "$", "&", "'", "(", ")", "*", ";", "<", ">", "?", "[", "\\", "]", "^", "`", "{", "|", "}", "~",
    ];

    public static TheoryData<string> OrdinaryCharacters => ["=", "%", ",", "-", "/", ":", "@", "+", ".", "_"];

    [Fact]
    public void Quote_Empty_IsTwoSingleQuotes()
    {
        Assert.Equal("''", ShellQuote.Quote(""));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("abc123")]
    [InlineData("/usr/bin/qemu-system-x86_64")]
    [InlineData("guest=x,debug-threads=on")]
    [InlineData("--name=value")]
    [InlineData("user@host:/path")]
    [InlineData("50%")]
    [InlineData("a+b.c")]
    public void Quote_PlainWord_IsUnchanged(string value)
    {
        Assert.Equal(value, ShellQuote.Quote(value));
    }

    [Theory]
    [MemberData(nameof(SpecialCharacters))]
    public void Quote_SpecialCharacter_ForcesSingleQuotes(string special)
    {
        var expected = special == "'" ? "'a'\\''b'" : "'a" + special + "b'";

        Assert.Equal(expected, ShellQuote.Quote("a" + special + "b"));
    }

    [Theory]
    [MemberData(nameof(SpecialCharacters))]
    public void Quote_SpecialCharacterAlone_IsQuoted(string special)
    {
        var expected = special == "'" ? "''\\'''" : "'" + special + "'";

        Assert.Equal(expected, ShellQuote.Quote(special));
    }

    [Theory]
    [MemberData(nameof(OrdinaryCharacters))]
    public void Quote_OrdinaryCharacter_DoesNotForceQuotes(string ordinary)
    {
        Assert.Equal("a" + ordinary + "b", ShellQuote.Quote("a" + ordinary + "b"));
        Assert.Equal(ordinary, ShellQuote.Quote(ordinary));
    }

    [Fact]
    public void Quote_SingleQuote_IsWrittenAsCloseEscapeOpen()
    {
        Assert.Equal("'it'\\''s'", ShellQuote.Quote("it's"));
    }

    [Fact]
    public void Quote_SeveralSingleQuotes_EachIsEscaped()
    {
        Assert.Equal("''\\''a'\\'''\\'''", ShellQuote.Quote("'a''"));
    }

    [Fact]
    public void Quote_DoubleSpaces_AreKeptInsideQuotes()
    {
        Assert.Equal("'G  H'", ShellQuote.Quote("G  H"));
    }

    [Fact]
    public void Quote_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ShellQuote.Quote(null!));
    }
}
