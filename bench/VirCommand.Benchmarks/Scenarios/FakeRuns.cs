using VirCommand.Backends.Fake;
using VirCommand.Benchmarks.Compare;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// P5: runs per second of the fake backend (<see cref="FakeCommandRunner"/>): <c>RunAsync</c> of a command
/// answered from a registration, with its output captured, from one caller and from several at once.
/// Compared with a real spawn of P1 in the same run: how much faster a test suite on the fake goes.
/// </summary>
internal sealed class FakeRuns : IScenario
{
    public const int Callers = 8;
    public const string SingleId = "P5.fake";
    public const string ParallelId = "P5.fake-parallel";

    private readonly FakeCommandRunner _fake = new();
    private readonly Command _command = Command.New("git").AddArgList("status", "--porcelain").SetOutputBuffer();

    public FakeRuns()
    {
        Reset();
        Contenders =
        [
            new(SingleId, "fake `await runner.RunAsync(cmd)`, one caller", n => Sampler.TimeEachAsync(n, () => _fake.RunAsync(_command)))
            {
                SetUp = Reset,
            },
            new(ParallelId, $"fake `RunAsync` from {Callers} concurrent tasks (batch time / runs)", ParallelAsync)
            {
                SetUp = Reset,
            },
        ];
    }

    public string Id => "P5";

    public string Title => "fake backend runs per second";

    public string Description =>
        "`RunAsync` of `git status --porcelain` with `SetOutputBuffer()` on a `FakeCommandRunner` that answers it from a registration " +
        "(exit 0, one line of stdout) and records it, as a test sees it. The record is cleared before each batch (untimed). " +
        $"With {Callers} concurrent tasks, the time per run is the batch's wall time over its runs (every run of a batch gets that figure).";

    public IReadOnlyList<string> Requires => ["P1"];

    public string BaselineId => SingleId;

    public IReadOnlyList<Contender> Contenders { get; }

    public IReadOnlyList<Ratio> Ratios { get; } =
    [
        new("real POSIX spawn (P1 RunAsync) / fake run: the fake's speed-up", SpawnTrue.PosixAsyncId, SingleId),
        new($"fake run, one caller / {Callers} callers: the concurrent speed-up", SingleId, ParallelId),
    ];

    /// <summary>A run takes about a microsecond: many per round.</summary>
    public Plan Defaults => new(Runs: 20_000, Rounds: 7, Warmup: 5_000);

    public Rate Rate => new("runs/s", 1);

    public void Dispose() => _command.Dispose();

    /// <summary>The fake records every run; start each batch from an empty record and one registration.</summary>
    private void Reset()
    {
        _fake.Reset();
        _fake.Register("git", "status", "--porcelain").Returns(FakeResponse.Success(" M README.md\n"));
    }

    private async Task<double[]> ParallelAsync(int count)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(k => Task.Run(async () =>
        {
            // Caller k runs its share of the count.
            var share = (count * (k + 1) / Callers) - (count * k / Callers);
            for (var i = 0; i < share; i++)
                await _fake.RunAsync(_command);
        })));
        var perRun = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalNanoseconds / count;
        return Enumerable.Repeat(perRun, count).ToArray();
    }
}
