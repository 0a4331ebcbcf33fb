using System.Diagnostics;
using VirCommand.Benchmarks.Compare;
using VirCommand.Benchmarks.Interop;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// P4: 500 children of <c>sleep 1</c> started at once and all awaited: the wall time, and the peak number
/// of threads of this process above its idle count (SPEC §4: waiting for many children costs no thread per child).
/// </summary>
internal sealed class ConcurrentSleeps : IScenario
{
    public const int Children = 500;
    public const string PosixId = "P4.posix";
    public const string ManagedId = "P4.managed";
    public const string ProcessStartId = "P4.process-start";

    private readonly ThreadSampler _threads = new();
    private readonly Dictionary<string, (List<double> Seconds, List<double> StartSeconds, List<int> ExtraThreads)> _figures = new()
    {
        [PosixId] = ([], [], []),
        [ManagedId] = ([], [], []),
        [ProcessStartId] = ([], [], []),
    };

    public ConcurrentSleeps(Runners runners)
    {
        // Every child holds an fd or two while it runs (a POSIX child its pidfd, a managed one its redirected pipes):
        // 500 of them must fit under RLIMIT_NOFILE with room to spare.
        FdLimit.EnsureRoomFor(4 * Children, 0);
        Contenders =
        [
            new(PosixId, $"POSIX: {Children} × `StartAsync`, then `WaitAsync` all", n => MeasureAsync(PosixId, n, () => Sleepers.StartAllAsync(runners.Posix, Children))),
            new(ManagedId, $"managed: {Children} × `StartAsync`, then `WaitAsync` all", n => MeasureAsync(ManagedId, n, () => Sleepers.StartAllAsync(runners.Managed, Children))),
            new(ProcessStartId, $"`Process.Start` × {Children}, then `WaitForExitAsync` all", n => MeasureAsync(ProcessStartId, n, () => Sleepers.ProcessStartAsync(Children))),
        ];
    }

    public string Id => "P4";

    public string Title => $"{Children} × `sleep 1` at once, all awaited";

    public string Description =>
        $"Per run: start {Children} children of `sleep 1` one after the other without waiting, then wait for all of them and dispose " +
        "them; timed from the first start to the last disposal (the figures also give how long the starts took: the run cannot end before " +
        "the last child started plus its second of sleep). Threads: this process's thread count (/proc/self/status), sampled " +
        "every 2 ms during the run, minus the count just before it; the figures give the largest such excess over the runs of the rounds.";

    public IReadOnlyList<string> Requires => [];

    public string BaselineId => ProcessStartId;

    public IReadOnlyList<Contender> Contenders { get; }

    public IReadOnlyList<Ratio> Ratios { get; } =
    [
        new("POSIX / Process.Start (wall time)", PosixId, ProcessStartId),
        new("managed / Process.Start (wall time)", ManagedId, ProcessStartId),
    ];

    /// <summary>A second and more per run: one run per round, five rounds, no warm-up beyond the first untimed run.</summary>
    public Plan Defaults => new(Runs: 1, Rounds: 5, Warmup: 0);

    public IReadOnlyList<Figure> Figures()
    {
        var figures = new List<Figure>();
        foreach (var (id, name, target) in new[] { (PosixId, "POSIX", true), (ManagedId, "managed", false), (ProcessStartId, "Process.Start", false) })
        {
            var (seconds, startSeconds, extra) = _figures[id];
            if (seconds.Count == 0)
                continue;
            figures.Add(new($"{name}: wall time per run (median of runs)", Sampler.Median(seconds), "0.00", "s", target ? Target.Max(1.5) : null));
            figures.Add(new($"{name}: of which starting the {Children} children (median of runs)", Sampler.Median(startSeconds), "0.00", "s"));
            figures.Add(new($"{name}: peak threads above idle (worst run)", extra.Max(), "0", "", target ? Target.Max(8) : null));
        }
        return figures;
    }

    public void BeginRounds()
    {
        foreach (var (seconds, startSeconds, extraThreads) in _figures.Values)
        {
            seconds.Clear();
            startSeconds.Clear();
            extraThreads.Clear();
        }
    }

    public void Dispose() => _threads.Dispose();

    /// <summary>Times each run, and samples the thread count during it.</summary>
    private async Task<double[]> MeasureAsync(string id, int count, Func<Task<TimeSpan>> run)
    {
        var ns = new double[count];
        for (var i = 0; i < count; i++)
        {
            var idle = _threads.Begin();
            var start = Stopwatch.GetTimestamp();
            var starting = await run();
            var elapsed = Stopwatch.GetElapsedTime(start);
            var peak = _threads.End();
            ns[i] = elapsed.TotalNanoseconds;
            _figures[id].Seconds.Add(elapsed.TotalSeconds);
            _figures[id].StartSeconds.Add(starting.TotalSeconds);
            _figures[id].ExtraThreads.Add(peak - idle);
        }
        return ns;
    }
}
