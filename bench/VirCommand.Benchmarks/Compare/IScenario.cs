namespace VirCommand.Benchmarks.Compare;

/// <summary>
/// One comparison scenario (P1, P2, ...): its contenders and the ratios to report. Scenarios live in
/// <c>Scenarios/</c>, one class each, and are listed in <see cref="ScenarioCatalog"/>.
/// </summary>
internal interface IScenario : IDisposable
{
    /// <summary>Short id (<c>P1</c>), also the prefix of its contenders' ids.</summary>
    string Id { get; }

    /// <summary>One line: what is done.</summary>
    string Title { get; }

    /// <summary>A sentence or two: what is measured, and what is outside the measurement.</summary>
    string Description { get; }

    /// <summary>Ids of other scenarios whose contenders this one's ratios refer to; they run too.</summary>
    IReadOnlyList<string> Requires { get; }

    /// <summary>The contender the table's "× baseline" column divides by.</summary>
    string BaselineId { get; }

    IReadOnlyList<Contender> Contenders { get; }

    IReadOnlyList<Ratio> Ratios { get; }

    /// <summary>Runs, rounds and warm-up when the command line does not override them.</summary>
    Plan Defaults => new(Runs: 300, Rounds: 7, Warmup: 100);

    /// <summary>A throughput column for the table (MiB/s, runs/s), or null for none.</summary>
    Rate? Rate => null;

    /// <summary>Figures other than time that the scenario measured on the side (peak memory, threads), after the run.</summary>
    IReadOnlyList<Figure> Figures() => [];

    /// <summary>Called once the untimed first operations and the warm-up are over: side figures start afresh, so they cover the rounds only.</summary>
    void BeginRounds()
    {
    }
}
