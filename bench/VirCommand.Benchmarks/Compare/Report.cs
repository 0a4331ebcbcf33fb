using System.Globalization;
using System.Text;

namespace VirCommand.Benchmarks.Compare;

/// <summary>Renders the comparison as Markdown: per scenario, a table of contenders, then its ratios against their targets.</summary>
internal static class Report
{
    public static string Render(string header, IReadOnlyList<IScenario> scenarios, IReadOnlyDictionary<string, List<double>> medians)
    {
        var figure = medians.ToDictionary(m => m.Key, m => Sampler.Median(m.Value));
        var sb = new StringBuilder();
        sb.AppendLine(header);
        foreach (var scenario in scenarios)
        {
            var baseline = figure[scenario.BaselineId];
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"## {scenario.Id}: {scenario.Title}");
            sb.AppendLine();
            sb.AppendLine(scenario.Description);
            sb.AppendLine();
            sb.AppendLine("| contender | median µs/op | round medians µs (min–max) | × baseline |");
            sb.AppendLine("|---|---:|---:|---:|");
            foreach (var c in scenario.Contenders)
            {
                var rounds = medians[c.Id];
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {c.Name}{(c.Id == scenario.BaselineId ? " (baseline)" : "")} | {figure[c.Id] / 1000:F1} | {rounds.Min() / 1000:F1}–{rounds.Max() / 1000:F1} | {figure[c.Id] / baseline:F2} |");
            }
            sb.AppendLine();
            sb.AppendLine("| ratio | value | target | |");
            sb.AppendLine("|---|---:|---:|---|");
            foreach (var r in scenario.Ratios)
            {
                var value = figure[r.NumeratorId] / figure[r.DenominatorId];
                var verdict = r.Target is null ? "" : r.Target.IsMet(value) ? "met" : "**missed**";
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {r.Label} | {value:F2} | {r.Target?.ToString() ?? "–"} | {verdict} |");
            }
        }
        return sb.ToString();
    }
}
