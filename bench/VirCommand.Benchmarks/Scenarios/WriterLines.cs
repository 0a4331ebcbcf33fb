using VirCommand.Benchmarks.Compare;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// P3L: the realistic writers' output (80-byte lines) read line by line: the POSIX backend's
/// <c>runner.ListenAsync(command)</c> against CliWrap 3.10.5's <c>ListenAsync</c> and <c>Process.Start</c> +
/// <c>StreamReader.ReadLineAsync</c>. /dev/zero has no lines, so <c>head -c</c> is left out.
/// </summary>
internal sealed class WriterLines : IScenario
{
    public const int Mebibytes = 64;
    private readonly string _file;

    public WriterLines(Runners runners)
    {
        _file = Writer.CreateFile(Mebibytes);
        var contenders = new List<Contender>();
        var ratios = new List<Ratio>();
        foreach (var writer in Writer.All(Mebibytes, _file, withHead: false))
        {
            var key = $"P3L.{writer.Key}";
            contenders.Add(new($"{key}.posix", $"POSIX `ListenAsync`, {writer.Name}", n => Sampler.TimeEachAsync(n, () => Expect(WriterReaders.ListenAsync(runners.Posix, writer)))));
            contenders.Add(new($"{key}.cliwrap", $"CliWrap `ListenAsync`, {writer.Name}", n => Sampler.TimeEachAsync(n, () => Expect(WriterReaders.CliWrapListenAsync(writer)))));
            contenders.Add(new($"{key}.process", $"`Process.Start` + `ReadLineAsync`, {writer.Name}", n => Sampler.TimeEachAsync(n, () => Expect(WriterReaders.ProcessLinesAsync(writer)))));
            contenders.Add(new($"{key}.managed", $"managed `ListenAsync`, {writer.Name}", n => Sampler.TimeEachAsync(n, () => Expect(WriterReaders.ListenAsync(runners.Managed, writer)))));
            ratios.Add(new($"POSIX / CliWrap, {writer.Name}", $"{key}.cliwrap", $"{key}.posix"));
            ratios.Add(new($"POSIX / Process.Start, {writer.Name}", $"{key}.process", $"{key}.posix"));
        }
        Contenders = contenders;
        Ratios = ratios;
        BaselineId = Contenders[2].Id;
    }

    public string Id => "P3L";

    public string Title => $"{Mebibytes} MiB of 80-byte lines from realistic writers, line by line";

    public string Description =>
        $"Per run: spawn a writer of {Mebibytes} MiB of 80-byte lines (`cat` of a cached file; `vircommand-writer -s 4096` and `-s 65536`), take every " +
        "stdout line as a string, wait for it; timed from before the spawn to after the wait. Ratios are throughputs (POSIX over the other).";

    public IReadOnlyList<string> Requires => [];

    public string BaselineId { get; }

    public IReadOnlyList<Contender> Contenders { get; }

    public IReadOnlyList<Ratio> Ratios { get; }

    public Plan Defaults => new(Runs: 1, Rounds: 5, Warmup: 0);

    public Rate Rate => new("MiB/s", Mebibytes);

    public void Dispose() => File.Delete(_file);

    private static async Task Expect(Task<long> read)
    {
        var bytes = await read;
        // 64 MiB is no whole number of 80-byte lines: the last line has no newline, which ReadLineAsync and CliWrap do not say (counted +1).
        if (bytes - (Mebibytes * 1024L * 1024) is not (0 or 1))
            throw new InvalidOperationException($"Read {bytes} bytes instead of {Mebibytes} MiB.");
    }
}
