using System.Text;

namespace VirCommand.Tests.Posix;

/// <summary>Builds commands that run <c>vircommand-probe</c> (tests/Probe), and the echo it writes back.</summary>
internal static partial class Probe
{
    /// <summary>The probe, built next to the test assembly.</summary>
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "vircommand-probe");

    /// <summary>The probe's path relative to the current directory, with a slash in it (so that no PATH search applies).</summary>
    public static string RelativePath
    {
        get
        {
            var relative = System.IO.Path.GetRelativePath(Environment.CurrentDirectory, Path);
            return relative.Contains('/', StringComparison.Ordinal) ? relative : "./" + relative;
        }
    }

    /// <summary>A command running the probe with <paramref name="args"/>.</summary>
    public static Command Command(params string[] args)
    {
        Assert.True(File.Exists(Path), $"The probe is missing: {Path} (tests/Probe/Probe.targets builds it).");
        return VirCommand.Command.NewArgList(Path, args);
    }

    /// <summary>What the probe writes to stdout for one echoed input.</summary>
    public static byte[] StdoutBlock(ReadOnlySpan<byte> data) => [.. "BEGIN STDOUT\n"u8, .. data, .. "END STDOUT\n"u8];

    /// <summary>What the probe writes to stderr for one echoed input.</summary>
    public static byte[] StderrBlock(ReadOnlySpan<byte> data) => [.. "BEGIN STDERR\n"u8, .. data, .. "END STDERR\n"u8];

    /// <summary>What a shared stdout/stderr sees for one echoed input: the stdout block, then the stderr block.</summary>
    public static byte[] MergedBlock(ReadOnlySpan<byte> data) => [.. StdoutBlock(data), .. StderrBlock(data)];

    public static string StdoutBlock(string data) => "BEGIN STDOUT\n" + data + "END STDOUT\n";

    public static string StderrBlock(string data) => "BEGIN STDERR\n" + data + "END STDERR\n";

    /// <summary>Bytes that are not text: every byte value, NULs included, in a seeded random order.</summary>
    public static byte[] Binary(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        for (var i = 0; i < Math.Min(length, 256); i++)
            data[i] = (byte)i;
        return data;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
