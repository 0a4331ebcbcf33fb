using System.Globalization;
using System.Runtime.InteropServices;
using VirCommand.Backends.Posix;
using VirCommand.Benchmarks.Interop;
using VirCommand.Benchmarks.Scenarios;

namespace VirCommand.Benchmarks.Compare;

/// <summary>
/// The side-by-side comparison: every contender of every selected scenario runs in this one process,
/// interleaved so that machine noise hits them alike. Each round times N operations per contender,
/// in S slices of N/S: slice after slice, every contender runs its share, in an order that rotates
/// each round. A round keeps each contender's median over its N operations; the report gives the
/// median of the round medians and ratios between contenders of the same run.
/// </summary>
internal static class CompareProgram
{
    private sealed record Options(int Runs, int Rounds, int Slices, int Warmup, IReadOnlyList<string> Scenarios, bool Verbose);

    public static async Task<int> RunAsync(string[] args)
    {
        Options options;
        try
        {
            options = Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        try
        {
            SpawnLoop.EnsureBuilt();
        }
        catch (FileNotFoundException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
        var runner = new PosixCommandRunner();
        var scenarios = Create(options.Scenarios, runner);
        try
        {
            var contenders = scenarios.SelectMany(s => s.Contenders).ToList();
            var medians = contenders.ToDictionary(c => c.Id, _ => new List<double>());

            // First a few operations each, without set-up: the first calls load and compile most of what the
            // runtime loads lazily, before anything is timed and before P2 opens its fds.
            foreach (var contender in contenders)
                await contender.MeasureAsync(3);
            var warned = new HashSet<string>();

            await Console.Error.WriteLineAsync($"warm-up: {options.Warmup} operations per contender");
            foreach (var contender in contenders)
                await MeasureAsync(contender, options.Warmup);

            for (var round = 0; round < options.Rounds; round++)
            {
                await Console.Error.WriteLineAsync($"round {round + 1}/{options.Rounds}");
                var samples = contenders.ToDictionary(c => c.Id, _ => new List<double>(options.Runs));
                for (var slice = 0; slice < options.Slices; slice++)
                {
                    // Slices share the N operations out as evenly as they go.
                    var count = (options.Runs * (slice + 1) / options.Slices) - (options.Runs * slice / options.Slices);
                    for (var k = 0; k < contenders.Count; k++)
                    {
                        var contender = contenders[(k + round) % contenders.Count];
                        samples[contender.Id].AddRange(await MeasureAsync(contender, count));
                        if (contender.TearDown is not null && FdLimit.HighestOpenFd() >= SpawnTrueManyFds.ExtraFdsBase && warned.Add(contender.Id))
                            await Console.Error.WriteLineAsync($"warning: fd {FdLimit.HighestOpenFd()} stayed open after {contender.Id}'s batch: every later fork copies an fd table that large.");
                    }
                }
                foreach (var contender in contenders)
                {
                    var median = Sampler.Median(samples[contender.Id]);
                    medians[contender.Id].Add(median);
                    if (options.Verbose)
                        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {contender.Id,-20} {median / 1000,10:F1} µs"));
                }
            }

            Console.WriteLine(Report.Render(Header(options), scenarios, medians));
            return 0;
        }
        finally
        {
            foreach (var scenario in scenarios)
                scenario.Dispose();
        }
    }

    private static async Task<double[]> MeasureAsync(Contender contender, int count)
    {
        // Start each batch from a clean heap, outside the timing.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        contender.SetUp?.Invoke();
        try
        {
            return await contender.MeasureAsync(count);
        }
        finally
        {
            contender.TearDown?.Invoke();
        }
    }

    private static string Header(Options o) => string.Create(CultureInfo.InvariantCulture,
        $"""
        # VirCommand compare

        {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC · {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture} · {Environment.ProcessorCount} CPUs · .NET {Environment.Version}

        {o.Rounds} rounds × {o.Runs} operations per contender, each round in {o.Slices} interleaved slices, order rotated each round, after a warm-up of {o.Warmup}.
        Figures: the median over rounds of each round's median time per operation; ratios divide two such figures from this run.
        """);

    /// <summary>The selected scenarios plus the ones they require, in catalog order.</summary>
    private static List<IScenario> Create(IReadOnlyList<string> selected, PosixCommandRunner runner)
    {
        var created = new Dictionary<string, IScenario>();
        var pending = new Queue<string>(selected);
        while (pending.TryDequeue(out var id))
        {
            if (created.ContainsKey(id))
                continue;
            var scenario = ScenarioCatalog.Create(id, runner);
            created[id] = scenario;
            foreach (var required in scenario.Requires)
                pending.Enqueue(required);
        }
        return [.. ScenarioCatalog.Ids.Where(created.ContainsKey).Select(id => created[id])];
    }

    private static Options Parse(string[] args)
    {
        var runs = 300;
        var rounds = 7;
        var slices = 5;
        int? warmup = null;
        IReadOnlyList<string> scenarios = ScenarioCatalog.Ids;
        var verbose = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Count()
            {
                var name = args[i];
                return int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                    ? n
                    : throw new ArgumentException($"{name} needs a positive integer.");
            }

            switch (args[i])
            {
                case "--runs" or "-n":
                    runs = Count();
                    break;
                case "--rounds" or "-r":
                    rounds = Count();
                    break;
                case "--slices":
                    slices = Count();
                    break;
                case "--warmup" or "-w":
                    warmup = Count();
                    break;
                case "--scenarios" or "-s":
                    scenarios = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToUpperInvariant())];
                    foreach (var id in scenarios)
                    {
                        if (!ScenarioCatalog.Ids.Contains(id))
                            throw new ArgumentException($"Unknown scenario '{id}'; known: {string.Join(", ", ScenarioCatalog.Ids)}.");
                    }
                    break;
                case "--verbose" or "-v":
                    verbose = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'. Options: --runs N, --rounds R, --slices S, --warmup W, --scenarios P1,P2, --verbose.");
            }
        }
        return new Options(runs, rounds, Math.Min(slices, runs), warmup ?? Math.Min(runs, 100), scenarios, verbose);
    }
}
