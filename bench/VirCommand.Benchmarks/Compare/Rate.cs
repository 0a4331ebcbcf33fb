namespace VirCommand.Benchmarks.Compare;

/// <summary>
/// A throughput column for a scenario's table: <see cref="PerOperation"/> units (MiB, runs) per operation,
/// shown per second of the contender's median time per operation.
/// </summary>
internal sealed record Rate(string Unit, double PerOperation)
{
    public double PerSecond(double nsPerOperation) => PerOperation * 1e9 / nsPerOperation;
}
