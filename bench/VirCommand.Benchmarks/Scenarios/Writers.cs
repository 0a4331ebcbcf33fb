using System.Globalization;
using VirCommand.Benchmarks.Compare;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// The realistic children of P3W and P3L: programs that write as most programs do (stdio-sized writes),
/// where P3's writer does one 1 MiB write per MiB and so hides what each read costs the reader.
/// </summary>
/// <param name="Key">Short name, part of the contenders' ids.</param>
/// <param name="Name">What the tables show.</param>
/// <param name="Program">The program's path.</param>
/// <param name="Arguments">Its arguments.</param>
internal sealed record Writer(string Key, string Name, string Program, IReadOnlyList<string> Arguments)
{
    /// <summary>
    /// <c>head -c BYTES /dev/zero</c> (coreutils writes what it reads, 8 KiB at a time); <c>cat FILE</c> of a file in the
    /// page cache (128 KiB reads and writes); <c>vircommand-writer -s 4096</c> and <c>-s 65536</c>.
    /// </summary>
    /// <param name="mebibytes">How much each writes.</param>
    /// <param name="file">The file for <c>cat</c>, holding exactly that much; null to leave <c>cat</c> out (no newlines in /dev/zero, so the line readers use the file for every writer).</param>
    /// <param name="withHead">Whether to include <c>head -c</c> of /dev/zero.</param>
    public static IReadOnlyList<Writer> All(int mebibytes, string file, bool withHead)
    {
        var mib = mebibytes.ToString(CultureInfo.InvariantCulture);
        var bytes = (mebibytes * 1024L * 1024).ToString(CultureInfo.InvariantCulture);
        var writers = new List<Writer>();
        if (withHead)
            writers.Add(new("head", "`head -c` /dev/zero", "/usr/bin/head", ["-c", bytes, "/dev/zero"]));
        writers.Add(new("cat", "`cat` of a cached file", "/bin/cat", [file]));
        writers.Add(new("w4k", "writer, 4 KiB writes", NativeTools.Writer, ["-s", "4096", mib]));
        writers.Add(new("w64k", "writer, 64 KiB writes", NativeTools.Writer, ["-s", "65536", mib]));
        return writers;
    }

    /// <summary>Writes the <c>cat</c> writers' file: <paramref name="mebibytes"/> MiB of the writer's own 80-byte lines, read once so that it is cached.</summary>
    public static string CreateFile(int mebibytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vircommand-bench-{Environment.ProcessId}-{mebibytes}.txt");
        var line = new byte[80];
        for (var i = 0; i < line.Length; i++)
            line[i] = i == 79 ? (byte)'\n' : (byte)('a' + (i % 26));
        var chunk = new byte[1024 * 1024];
        for (var i = 0; i < chunk.Length; i++)
            chunk[i] = line[i % 80];
        using (var stream = File.Create(path))
        {
            for (var i = 0; i < mebibytes; i++)
                stream.Write(chunk);
        }
        using (var stream = File.OpenRead(path))
        {
            while (stream.Read(chunk) > 0)
            {
            }
        }
        return path;
    }
}
