using System.Text;

namespace VirCommand.Tests.Lines;

/// <summary>The line decoder alone: the same lines whatever the reads' boundaries, and every edge of a line's end and length.</summary>
public sealed class LineDecoderTests
{
    private static List<OutputLine> Decode(byte[] bytes, LineOptions? options = null, int readSize = int.MaxValue)
    {
        var decoder = new LineDecoder(options ?? LineOptions.Default, ChildOutput.StandardOutput);
        var lines = new Queue<OutputLine>();
        for (var at = 0; at < bytes.Length; at += readSize)
            decoder.Decode(bytes.AsSpan(at, Math.Min(readSize, bytes.Length - at)), final: false, lines);
        decoder.Decode([], final: true, lines);
        return [.. lines];
    }

    private static string[] Texts(string text, LineOptions? options = null, int readSize = int.MaxValue) =>
        [.. Decode(Encoding.UTF8.GetBytes(text), options, readSize).Select(l => l.Text)];

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("\n", new[] { "" })]
    [InlineData("a", new[] { "a" })]
    [InlineData("a\n", new[] { "a" })]
    [InlineData("a\n\n", new[] { "a", "" })]
    [InlineData("a\r\nb\rc\n\rd", new[] { "a", "b", "c", "", "d" })]
    [InlineData("a\r\r\nb", new[] { "a", "", "b" })]
    [InlineData("a\r", new[] { "a" })]
    public void New_lines_end_lines_whatever_the_reads_boundaries(string text, string[] expected)
    {
        Assert.Equal(expected, Texts(text));
        Assert.Equal(expected, Texts(text, readSize: 1));
    }

    [Fact]
    public void Nul_separated_records_keep_new_lines_as_text()
    {
        var options = new LineOptions { Separator = LineSeparator.Nul };

        Assert.Equal(["a\r\nb", "", "c\n"], Texts("a\r\nb\0\0c\n", options, readSize: 1));
        Assert.Equal(["x"], Texts("x\0", options));
    }

    [Fact]
    public void A_line_at_the_limit_is_whole_and_a_longer_one_is_cut_into_marked_chunks()
    {
        var options = new LineOptions { MaxLineLength = 4 };

        var lines = Decode("abcd\nabcdefghij\nabcdefgh"u8.ToArray(), options, readSize: 3);

        Assert.Equal(["abcd", "abcd", "efgh", "ij", "abcd", "efgh"], lines.Select(l => l.Text));
        Assert.Equal([false, true, true, false, true, false], lines.Select(l => l.IsPartial));
    }

    [Fact]
    public void A_chunk_never_splits_a_surrogate_pair()
    {
        var options = new LineOptions { MaxLineLength = 2 };

        var lines = Decode(Encoding.UTF8.GetBytes("a😀😀"), options, readSize: 1);

        Assert.Equal(["a", "😀", "😀"], lines.Select(l => l.Text));
        Assert.Equal([true, true, false], lines.Select(l => l.IsPartial));
    }

    [Fact]
    public void Invalid_and_truncated_bytes_follow_the_encodings_fallback()
    {
        Assert.Equal(["a\uFFFDb", "\uFFFD"], Decode([(byte)'a', 0xFF, (byte)'b', (byte)'\n', 0xE2, 0x82], readSize: 1).Select(l => l.Text));
        var strict = new LineOptions { Encoding = new UTF8Encoding(false, throwOnInvalidBytes: true) };
        Assert.Throws<DecoderFallbackException>(() => Decode([0xFF, (byte)'\n'], strict));
    }

    [Fact]
    public void Lines_hold_their_stream()
    {
        var decoder = new LineDecoder(LineOptions.Default, ChildOutput.StandardError);
        var lines = new Queue<OutputLine>();

        decoder.Decode("x\n"u8, final: true, lines);

        Assert.Equal(new StandardErrorLine("x"), Assert.Single(lines));
        Assert.Equal(ChildOutput.StandardError, lines.Peek().Source);
        Assert.Equal("x", lines.Peek().ToString());
    }

    [Fact]
    public void Bad_options_are_refused_at_the_setter()
    {
        Assert.Throws<ArgumentNullException>(() => new LineOptions { Encoding = null! });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LineOptions { MaxLineLength = 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LineOptions { Separator = (LineSeparator)7 });
    }
}
