namespace VirCommand.Benchmarks.Compare;

/// <summary>
/// One way of doing a scenario's operation. <see cref="MeasureAsync"/> performs it a number of times
/// and returns the time of each operation, in nanoseconds.
/// </summary>
/// <param name="Id">Stable id used by ratios, for example <c>P1.posix-async</c>.</param>
/// <param name="Name">What the tables show.</param>
/// <param name="MeasureAsync">Runs a batch of the given size; returns the ns of each operation.</param>
internal sealed record Contender(string Id, string Name, Func<int, Task<double[]>> MeasureAsync)
{
    /// <summary>Untimed preparation before each batch (for example opening 10,000 fds).</summary>
    public Action? SetUp { get; init; }

    /// <summary>Untimed clean-up after each batch; runs even when the batch failed.</summary>
    public Action? TearDown { get; init; }

    /// <summary>
    /// True when the operation runs in another process (the raw C loops): this process's managed
    /// allocations during its batches are only the helper's bookkeeping, so the report shows none.
    /// </summary>
    public bool RunsElsewhere { get; init; }
}
