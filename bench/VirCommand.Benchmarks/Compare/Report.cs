using System.Globalization;
using System.Text;

namespace VirCommand.Benchmarks.Compare;

/// <summary>
/// Renders the comparison as Markdown: per scenario, its plan, a table of contenders (median time, spread of
/// the round medians, ratio to the baseline, throughput if the scenario has one, managed bytes allocated per
/// operation), its ratios against their targets, then its other figures against theirs.
/// </summary>
internal static class Report
{
    /// <summary>What the comparison collected for one contender.</summary>
    /// <param name="RoundMedians">Per round, the median ns per operation.</param>
    /// <param name="AllocatedPerOperation">Per round, the managed bytes this process allocated per operation (every thread).</param>
    public sealed record Results(List<double> RoundMedians, List<double> AllocatedPerOperation);

    public static string Render(string header, IReadOnlyList<(IScenario Scenario, Plan Plan)> scenarios, IReadOnlyDictionary<string, Results> results)
    {
        var figure = results.ToDictionary(m => m.Key, m => Sampler.Median(m.Value.RoundMedians));
        var sb = new StringBuilder();
        sb.AppendLine(header);
        foreach (var (scenario, plan) in scenarios)
        {
            var baseline = figure[scenario.BaselineId];
            var rate = scenario.Rate;
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"## {scenario.Id}: {scenario.Title}");
            sb.AppendLine();
            sb.AppendLine(scenario.Description);
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"{plan.Rounds} rounds × {plan.Runs} operations per contender, after a warm-up of {plan.Warmup}.");
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| contender | median µs/op | round medians µs (min–max) | × baseline |{(rate is null ? "" : $" {rate.Unit} |")} managed bytes allocated/op |");
            sb.AppendLine(CultureInfo.InvariantCulture, $"|---|---:|---:|---:|{(rate is null ? "" : "---:|")}---:|");
            foreach (var c in scenario.Contenders)
            {
                var r = results[c.Id];
                var rateCell = rate is null ? "" : $" {rate.PerSecond(figure[c.Id]):N0} |";
                var allocated = c.RunsElsewhere ? "n/a" : Sampler.Median(r.AllocatedPerOperation).ToString("N0", CultureInfo.InvariantCulture);
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {c.Name}{(c.Id == scenario.BaselineId ? " (baseline)" : "")} | {figure[c.Id] / 1000:N1} | {r.RoundMedians.Min() / 1000:N1}–{r.RoundMedians.Max() / 1000:N1} | {figure[c.Id] / baseline:F2} |{rateCell} {allocated} |");
            }
            if (scenario.Ratios.Count > 0)
            {
                sb.AppendLine();
                sb.AppendLine("| ratio | value | target | |");
                sb.AppendLine("|---|---:|---:|---|");
                foreach (var r in scenario.Ratios)
                {
                    var value = figure[r.NumeratorId] / figure[r.DenominatorId];
                    sb.AppendLine(CultureInfo.InvariantCulture, $"| {r.Label} | {value:F2} | {r.Target?.ToString() ?? "–"} | {Verdict(r.Target, value)} |");
                }
            }
            var figures = scenario.Figures();
            if (figures.Count > 0)
            {
                sb.AppendLine();
                sb.AppendLine("| figure | value | target | |");
                sb.AppendLine("|---|---:|---:|---|");
                foreach (var f in figures)
                {
                    var value = f.Value.ToString(f.Format, CultureInfo.InvariantCulture) + (f.Unit.Length > 0 ? " " + f.Unit : "");
                    var target = f.Target is null ? "–" : f.Target.ToString(f.Format) + (f.Unit.Length > 0 ? " " + f.Unit : "");
                    sb.AppendLine(CultureInfo.InvariantCulture, $"| {f.Label} | {value} | {target} | {Verdict(f.Target, f.Value)} |");
                }
            }
        }
        return sb.ToString();
    }

    private static string Verdict(Target? target, double value) => target is null ? "" : target.IsMet(value) ? "met" : "**missed**";
}
