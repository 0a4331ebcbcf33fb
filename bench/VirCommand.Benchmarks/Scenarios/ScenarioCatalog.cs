using VirCommand.Backends.Posix;
using VirCommand.Benchmarks.Compare;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// Every comparison scenario, by id. To add one (P3 1 GiB throughput, P4 500 concurrent sleeps, P5 fake
/// runs per second), write a class implementing <see cref="IScenario"/> in this folder and list it here.
/// </summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<string> Ids { get; } = ["P1", "P2"];

    public static IScenario Create(string id, PosixCommandRunner runner) => id switch
    {
        "P1" => new SpawnTrue(runner),
        "P2" => new SpawnTrueManyFds(runner),
        _ => throw new ArgumentException($"Unknown scenario '{id}'; known: {string.Join(", ", Ids)}.", nameof(id)),
    };
}
