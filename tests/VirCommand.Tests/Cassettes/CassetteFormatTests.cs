using System.Text;
using VirCommand.Backends.Fake.Cassettes;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Cassettes;

/// <summary>The file: readable, diff-friendly JSON with a version; text as strings, other bytes as base64.</summary>
public sealed class CassetteFormatTests
{
    private static Cassette OneRun(ReadOnlyMemory<byte> stdout, ReadOnlyMemory<byte> stderr) => new([new CassetteInteraction
    {
        Request = new CassetteRequest { Argv = ["tool", "--flag"], Stdio = new CassetteStdio("null", "buffer", "buffer") },
        Outcome = new CassetteOutcome { ExitCode = 0, DurationMs = 1.5, Output = [new CassetteOutput(1.5, Stdout: stdout), new CassetteOutput(1.5, Stderr: stderr)] },
    }]);

    [Fact]
    public void Text_is_written_as_text_and_other_bytes_as_base64_and_both_read_back_exactly()
    {
        using var dir = new TempDir();
        byte[] binary = [0xff, 0x00, 0xfe];
        var text = "héllo <wörld> & \"quotes\"\r\n\0end";
        OneRun(Encoding.UTF8.GetBytes(text), binary).Save(dir.File("c.json"));

        var json = File.ReadAllText(dir.File("c.json"));
        Assert.StartsWith("{\n  \"version\": 1,\n  \"interactions\": [", json, StringComparison.Ordinal);
        Assert.Contains("\"stdout\": \"héllo <wörld> & \\\"quotes\\\"\\r\\n\\u0000end\"", json, StringComparison.Ordinal);
        Assert.Contains($"\"stderr\": {{\n", json, StringComparison.Ordinal);
        Assert.Contains($"\"base64\": \"{Convert.ToBase64String(binary)}\"", json, StringComparison.Ordinal);

        var output = Cassette.Load(dir.File("c.json")).Interactions.Single().Outcome.Output;
        Assert.Equal(text, Encoding.UTF8.GetString(output[0].Stdout!.Value.Span));
        Assert.Equal(binary, output[1].Stderr!.Value.ToArray());
    }

    [Fact]
    public void Saving_twice_gives_the_same_text()
    {
        var cassette = OneRun("a\n"u8.ToArray(), default);
        Assert.Equal(cassette.ToJson(), cassette.ToJson());
        using var dir = new TempDir();
        cassette.Save(dir.File("c.json"));
        Assert.Equal(cassette.ToJson(), Cassette.Load(dir.File("c.json")).ToJson());
    }

    [Fact]
    public void Another_version_or_no_cassette_at_all_is_refused_by_name()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("v2.json"), "{\"version\": 2, \"interactions\": []}");
        File.WriteAllText(dir.File("junk.json"), "[1, 2]");

        Assert.Contains("version 2", Assert.Throws<InvalidDataException>(() => Cassette.Load(dir.File("v2.json"))).Message, StringComparison.Ordinal);
        Assert.Contains("is not a cassette", Assert.Throws<InvalidDataException>(() => Cassette.Load(dir.File("junk.json"))).Message, StringComparison.Ordinal);
        Assert.Contains("record it first", Assert.Throws<FileNotFoundException>(() => Cassette.Load(dir.File("none.json"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tests_cassette_is_named_after_its_class_file_and_method()
    {
        var path = Cassette.PathForTest();

        Assert.EndsWith(Path.Combine("Cassettes", "Cassettes", "CassetteFormatTests", "A_tests_cassette_is_named_after_its_class_file_and_method.json"), path, StringComparison.Ordinal);
        Assert.EndsWith(".case1.json", Cassette.PathForTest("case1"), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Cassette.PathForTest("a/b"));
    }
}
