namespace VirCommand.Benchmarks.Compare;

/// <summary>
/// How much a scenario runs: <see cref="Runs"/> operations per contender per round, for <see cref="Rounds"/>
/// rounds, after a warm-up of <see cref="Warmup"/> operations per contender. Each scenario has its own
/// defaults (a spawn of <c>/bin/true</c> takes half a millisecond, 1 GiB through a pipe most of a second);
/// <c>--runs</c>, <c>--rounds</c> and <c>--warmup</c> override them for every selected scenario.
/// </summary>
internal sealed record Plan(int Runs, int Rounds, int Warmup)
{
    /// <summary>The plan with the command line's overrides applied; the warm-up never exceeds the runs.</summary>
    public Plan With(int? runs, int? rounds, int? warmup)
    {
        var r = runs ?? Runs;
        return new Plan(r, rounds ?? Rounds, warmup ?? Math.Min(Warmup, r));
    }
}
