using System.Globalization;
using System.Runtime.InteropServices;
using VirCommand.Backends.Posix;
using VirCommand.Benchmarks.Interop;
using VirCommand.Benchmarks.Scenarios;

namespace VirCommand.Benchmarks.Compare;

/// <summary>
/// The side-by-side comparison: every contender of every selected scenario runs in this one process,
/// interleaved so that machine noise hits them alike. Each round times each contender's N operations
/// (N from its scenario's plan), in S slices of about N/S: slice after slice, every contender runs its
/// share, in an order that rotates each round. A round keeps each contender's median over its N
/// operations; the report gives the median of the round medians and ratios between contenders of the
/// same run. A scenario whose plan has fewer rounds than another's sits out the later rounds.
/// </summary>
internal static class CompareProgram
{
    private sealed record Options(int? Runs, int? Rounds, int Slices, int? Warmup, IReadOnlyList<string> Scenarios, bool Verbose);

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
            NativeTools.EnsureBuilt();
        }
        catch (FileNotFoundException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
        var runners = Runners.CreateDefault();
        var scenarios = Create(options.Scenarios, runners)
            .Select(s => (Scenario: s, Plan: s.Defaults.With(options.Runs, options.Rounds, options.Warmup)))
            .ToList();
        try
        {
            var contenders = scenarios
                .SelectMany(s => s.Scenario.Contenders.Select(c => (Contender: c, s.Plan)))
                .ToList();
            var results = contenders.ToDictionary(c => c.Contender.Id, _ => new Report.Results([], []));

            // First an operation or three each, without set-up: the first calls load and compile most of what the
            // runtime loads lazily, before anything is timed and before P2 opens its fds.
            foreach (var (contender, plan) in contenders)
                await contender.MeasureAsync(Math.Min(3, plan.Runs));
            var warned = new HashSet<string>();

            await Console.Error.WriteLineAsync("warm-up");
            foreach (var (contender, plan) in contenders)
            {
                if (plan.Warmup > 0)
                    await MeasureAsync(contender, plan.Warmup);
            }

            foreach (var (scenario, _) in scenarios)
                scenario.BeginRounds();
            var rounds = scenarios.Max(s => s.Plan.Rounds);
            for (var round = 0; round < rounds; round++)
            {
                await Console.Error.WriteLineAsync($"round {round + 1}/{rounds}");
                var active = contenders.Where(c => round < c.Plan.Rounds).ToList();
                var samples = active.ToDictionary(c => c.Contender.Id, c => new List<double>(c.Plan.Runs));
                var allocated = active.ToDictionary(c => c.Contender.Id, _ => 0L);
                for (var slice = 0; slice < options.Slices; slice++)
                {
                    for (var k = 0; k < active.Count; k++)
                    {
                        var (contender, plan) = active[(k + round) % active.Count];
                        // Slices share the N operations out as evenly as they go (a plan of 1 run has one slice with work).
                        var count = (plan.Runs * (slice + 1) / options.Slices) - (plan.Runs * slice / options.Slices);
                        if (count == 0)
                            continue;
                        var (ns, bytes) = await MeasureAsync(contender, count);
                        samples[contender.Id].AddRange(ns);
                        allocated[contender.Id] += bytes;
                        if (contender.TearDown is not null && FdLimit.HighestOpenFd() >= SpawnTrueManyFds.ExtraFdsBase && warned.Add(contender.Id))
                            await Console.Error.WriteLineAsync($"warning: fd {FdLimit.HighestOpenFd()} stayed open after {contender.Id}'s batch: every later fork copies an fd table that large.");
                    }
                }
                foreach (var (contender, plan) in active)
                {
                    var median = Sampler.Median(samples[contender.Id]);
                    results[contender.Id].RoundMedians.Add(median);
                    results[contender.Id].AllocatedPerOperation.Add((double)allocated[contender.Id] / plan.Runs);
                    if (options.Verbose)
                        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {contender.Id,-24} {median / 1000,12:N1} µs"));
                }
            }

            Console.WriteLine(Report.Render(Header(options), scenarios, results));
            return 0;
        }
        finally
        {
            foreach (var (scenario, _) in scenarios)
                scenario.Dispose();
        }
    }

    /// <returns>The ns of each operation, and the managed bytes this process allocated during the batch (every thread).</returns>
    private static async Task<(double[] Ns, long Allocated)> MeasureAsync(Contender contender, int count)
    {
        // Start each batch from a clean heap, outside the timing.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        contender.SetUp?.Invoke();
        try
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var ns = await contender.MeasureAsync(count);
            return (ns, GC.GetTotalAllocatedBytes(precise: true) - before);
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

        Each round runs every contender's operations in {o.Slices} interleaved slices, order rotated each round, after a warm-up.
        Figures: the median over rounds of each round's median time per operation; ratios divide two such figures from this run.
        Managed bytes allocated/op: everything this process allocated during the contender's batches (every thread), per operation, median over rounds.
        """);

    /// <summary>The selected scenarios plus the ones they require, in catalog order.</summary>
    private static List<IScenario> Create(IReadOnlyList<string> selected, Runners runners)
    {
        var created = new Dictionary<string, IScenario>();
        var pending = new Queue<string>(selected);
        while (pending.TryDequeue(out var id))
        {
            if (created.ContainsKey(id))
                continue;
            var scenario = ScenarioCatalog.Create(id, runners);
            created[id] = scenario;
            foreach (var required in scenario.Requires)
                pending.Enqueue(required);
        }
        return [.. ScenarioCatalog.Ids.Where(created.ContainsKey).Select(id => created[id])];
    }

    private static Options Parse(string[] args)
    {
        int? runs = null;
        int? rounds = null;
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
                    warmup = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var w)
                        ? w
                        : throw new ArgumentException("--warmup needs a non-negative integer.");
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
                    throw new ArgumentException($"Unknown option '{args[i]}'. Options: --runs N, --rounds R, --slices S, --warmup W, --scenarios P1,P3, --verbose.");
            }
        }
        return new Options(runs, rounds, slices, warmup, scenarios, verbose);
    }
}
