using VirCommand.Benchmarks.Compare;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// Every comparison scenario, by id. To add one, write a class implementing <see cref="IScenario"/> in this
/// folder and list it here.
/// </summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<string> Ids { get; } = ["P1", "P2", "P3", "P3W", "P3L", "P4", "P5", "P6"];

    public static IScenario Create(string id, Runners runners) => id switch
    {
        "P1" => new SpawnTrue(runners),
        "P2" => new SpawnTrueManyFds(runners),
        "P3" => new PipeThroughput(runners),
        "P3W" => new WriterStreams(runners),
        "P3L" => new WriterLines(runners),
        "P4" => new ConcurrentSleeps(runners),
        "P5" => new FakeRuns(),
        "P6" => new LargeParentStarts(runners),
        _ => throw new ArgumentException($"Unknown scenario '{id}'; known: {string.Join(", ", Ids)}.", nameof(id)),
    };
}
