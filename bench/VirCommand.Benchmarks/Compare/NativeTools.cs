using System.Globalization;

namespace VirCommand.Benchmarks.Compare;

/// <summary>
/// The native helpers built from <c>bench/native/*.c</c> by the project's build and copied next to this
/// program (see the project file).
/// </summary>
internal static class NativeTools
{
    /// <summary>The raw C spawn loop (P1, P2): <c>spawnloop.c</c>.</summary>
    public static string SpawnLoop { get; } = PathOf("spawnloop");

    /// <summary>The raw C read loop (P3): <c>readloop.c</c>.</summary>
    public static string ReadLoop { get; } = PathOf("readloop");

    /// <summary>The child that writes N MiB to stdout, or to stderr with <c>-e</c> (P3 and the allocation benchmarks): <c>writer.c</c>.</summary>
    public static string Writer { get; } = PathOf("writer");

    /// <summary>Fails early, with a hint, when a helper was not built.</summary>
    public static void EnsureBuilt()
    {
        foreach (var path in new[] { SpawnLoop, ReadLoop, Writer })
        {
            if (!File.Exists(path))
                throw new FileNotFoundException($"A native helper of the benchmarks is missing ({path}): build the project on Linux with gcc installed.");
        }
    }

    /// <summary>
    /// Reads a raw C loop's answer to a batch of <paramref name="count"/> operations: the line
    /// <c>n=N total_ns=T median_ns=M min_ns=L</c>, then the ns of each operation, one per line.
    /// </summary>
    public static async Task<double[]> ReadTimesAsync(StreamReader output, int count, string helper)
    {
        var summary = await output.ReadLineAsync();
        if (summary is null || !summary.StartsWith("n=", StringComparison.Ordinal))
            throw new InvalidOperationException($"The {helper} stopped or answered '{summary}'.");
        var ns = new double[count];
        for (var i = 0; i < count; i++)
        {
            var line = await output.ReadLineAsync()
                ?? throw new InvalidOperationException($"The {helper} stopped mid-batch.");
            ns[i] = double.Parse(line, CultureInfo.InvariantCulture);
        }
        return ns;
    }

    private static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "vircommand-" + name);
}
