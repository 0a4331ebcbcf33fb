using System.Text;
using VirCommand.Backends.Fake;

namespace VirCommand.Tests.Fake;

/// <summary>Issue 20 item 5: scripted output given as lines, with an explicit terminator, and text in a chosen encoding.</summary>
public sealed class FakeOutputTextTests
{
    private readonly FakeCommandRunner _fake = new();

    [Fact]
    public async Task Lines_are_each_terminated_the_last_one_too()
    {
        _fake.Register("ls").Returns(FakeResponse.Success().WithOutputLines(["a", "b"]).WithErrorLines(["warn"], "\r\n"));

        var result = await _fake.RunAsync(Command.New("ls").SetOutputBuffer().SetErrorBuffer());

        Assert.Equal("a\nb\n", result.StandardOutput);
        Assert.Equal("warn\r\n", result.StandardError);
    }

    [Fact]
    public async Task NUL_separated_records_as_find_print0_writes_them()
    {
        _fake.Register("find").Returns(FakeResponse.Success().WithOutputLines(["./a b", "./c"], "\0"));

        var result = await _fake.RunAsync(Command.New("find").SetOutputBuffer());

        Assert.Equal("./a b\0./c\0"u8.ToArray(), result.StandardOutputBytes.ToArray());
    }

    [Fact]
    public async Task Text_is_encoded_as_asked()
    {
        var latin1 = Encoding.Latin1;
        _fake.Register("legacy").Returns(FakeResponse.Success().WithOutput("café", latin1).WithErrorLines(["é"], encoding: Encoding.Unicode));

        var result = await _fake.RunAsync(Command.New("legacy").SetOutputBuffer().SetErrorBuffer());

        Assert.Equal(new byte[] { 0x63, 0x61, 0x66, 0xE9 }, result.StandardOutputBytes.ToArray());
        Assert.Equal(Encoding.Unicode.GetBytes("é\n"), result.StandardErrorBytes.ToArray());
    }

    [Theory]
    [InlineData("two\nlines", "\n")]
    [InlineData("a\rb", "\n")]
    [InlineData("x\0y", "\0")]
    public void A_line_that_would_reach_the_reader_as_other_lines_is_refused(string line, string terminator)
    {
        var error = Assert.Throws<ArgumentException>(() => FakeResponse.Success().WithOutputLines([line], terminator));

        Assert.Equal("lines", error.ParamName);
    }

    [Fact]
    public void An_empty_terminator_is_refused()
    {
        Assert.Equal("terminator", Assert.Throws<ArgumentException>(() => FakeResponse.Success().WithOutputLines(["a"], "")).ParamName);
    }
}
