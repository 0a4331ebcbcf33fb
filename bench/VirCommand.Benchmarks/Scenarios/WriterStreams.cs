using System.Globalization;
using VirCommand.Benchmarks.Compare;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// P3W: P3's stream with realistic writers (<see cref="Writer.All"/>) and read sizes (8 KiB, 80 KiB as CliWrap
/// and <c>Stream.CopyTo</c> read, 1 MiB), POSIX against CliWrap 3.10.5 and <c>Process.Start</c>: where each read's
/// own cost shows, which P3's 1 MiB writes and reads hide.
/// </summary>
internal sealed class WriterStreams : IScenario
{
    public const int Mebibytes = 512;
    private static readonly int[] ReadSizes = [8 * 1024, 80 * 1024, 1024 * 1024];
    private readonly string _file;

    public WriterStreams(Runners runners)
    {
        _file = Writer.CreateFile(Mebibytes);
        var contenders = new List<Contender>();
        var ratios = new List<Ratio>();
        foreach (var writer in Writer.All(Mebibytes, _file, withHead: true))
        {
            foreach (var size in ReadSizes)
            {
                var buffer = new byte[size];
                var key = $"P3W.{writer.Key}.{Kib(size)}k";
                var label = $"{writer.Name}, {Kib(size)} KiB reads";
                contenders.Add(new($"{key}.posix", $"POSIX stream, {label}", n => Sampler.TimeEachAsync(n, () => Expect(WriterReaders.StreamAsync(runners.Posix, writer, buffer)))));
                contenders.Add(new($"{key}.cliwrap", $"CliWrap stream, {label}", n => Sampler.TimeEachAsync(n, () => Expect(WriterReaders.CliWrapStreamAsync(writer, buffer)))));
                contenders.Add(new($"{key}.process", $"`Process.Start` stream, {label}", n => Sampler.TimeEachAsync(n, () => Expect(WriterReaders.ProcessStreamAsync(writer, buffer)))));
                contenders.Add(new($"{key}.managed", $"managed stream, {label}", n => Sampler.TimeEachAsync(n, () => Expect(WriterReaders.StreamAsync(runners.Managed, writer, buffer)))));
                // Throughput ratios (time upside down); both must reach 1.0, so POSIX is at least as fast as the better of the two.
                ratios.Add(new($"POSIX / CliWrap, {label}", $"{key}.cliwrap", $"{key}.posix", Target.Min(1.0)));
                ratios.Add(new($"POSIX / Process.Start, {label}", $"{key}.process", $"{key}.posix", Target.Min(1.0)));
            }
        }
        Contenders = contenders;
        Ratios = ratios;
        BaselineId = Contenders[2].Id;
    }

    public string Id => "P3W";

    public string Title => $"{Mebibytes} MiB of child stdout from realistic writers, through a stream";

    public string Description =>
        $"Per run: spawn a writer of {Mebibytes} MiB (`head -c` of /dev/zero, 8 KiB writes; `cat` of a file in the page cache, 128 KiB writes; " +
        "`vircommand-writer -s 4096` and `-s 65536`), read its stdout stream with `ReadAsync` into one reused buffer of 8 KiB, 80 KiB or 1 MiB " +
        "to end-of-file, wait for it; timed from before the spawn to after the wait. CliWrap 3.10.5 reads the stream it hands to a " +
        "`PipeTarget.Create` delegate; `Process.Start` its `StandardOutput.BaseStream`. Ratios are throughputs (POSIX over the other), target ≥ 1.00 against both.";

    public IReadOnlyList<string> Requires => [];

    public string BaselineId { get; }

    public IReadOnlyList<Contender> Contenders { get; }

    public IReadOnlyList<Ratio> Ratios { get; }

    public Plan Defaults => new(Runs: 1, Rounds: 5, Warmup: 0);

    public Rate Rate => new("MiB/s", Mebibytes);

    public void Dispose() => File.Delete(_file);

    private static string Kib(int size) => (size / 1024).ToString(CultureInfo.InvariantCulture);

    private static async Task Expect(Task<long> read)
    {
        var bytes = await read;
        if (bytes != Mebibytes * 1024L * 1024)
            throw new InvalidOperationException($"Read {bytes} bytes instead of {Mebibytes} MiB.");
    }
}
