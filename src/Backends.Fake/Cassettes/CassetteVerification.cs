using System.Text;

namespace VirCommand.Backends.Fake.Cassettes;

/// <summary>
/// Where fresh runs of the tools differ from a cassette: each fresh run is paired with the recorded
/// run it matches (<see cref="CassetteMatching"/>), and their ends and output compared; times are not.
/// </summary>
internal static class CassetteVerification
{
    /// <summary>The differences as readable text, one block per run; empty when the tools behave as recorded.</summary>
    public static List<string> Compare(Cassette recorded, Cassette fresh, CassetteMatching matching)
    {
        var reports = new List<string>();
        var paired = new bool[recorded.Interactions.Count];
        foreach (var run in fresh.Interactions)
        {
            var index = Enumerable.Range(0, paired.Length)
                .FirstOrDefault(i => !paired[i] && matching.Differences(recorded.Interactions[i].Request, run.Request).Count == 0, -1);
            if (index < 0)
            {
                reports.Add($"Ran, but not in the cassette: {Line(run.Request)}");
                continue;
            }
            paired[index] = true;
            var changes = Changes(recorded.Interactions[index].Outcome, run.Outcome);
            if (changes.Count > 0)
                reports.Add($"Recorded run #{index + 1} behaves differently now: {Line(run.Request)}" + Environment.NewLine +
                    string.Join(Environment.NewLine, changes.Select(c => "  " + c)));
        }
        for (var i = 0; i < paired.Length; i++)
        {
            if (!paired[i])
                reports.Add($"Recorded run #{i + 1} did not run: {Line(recorded.Interactions[i].Request)}");
        }
        return reports;
    }

    private static List<string> Changes(CassetteOutcome was, CassetteOutcome now)
    {
        var changes = new List<string>();
        if (Describe(was) is var before && Describe(now) is var after && before != after)
            changes.Add($"end: recorded {before}, now {after}");
        foreach (var stream in new[] { ChildOutput.StandardOutput, ChildOutput.StandardError })
        {
            var diff = LineDiff(Text(was, stream), Text(now, stream));
            if (diff.Count > 0)
                changes.Add((stream == ChildOutput.StandardOutput ? "stdout" : "stderr") + " (- recorded, + now):" + Environment.NewLine +
                    string.Join(Environment.NewLine, diff.Select(d => "    " + d)));
        }
        return changes;
    }

    private static string Describe(CassetteOutcome outcome)
    {
        var end = outcome.StartFailure is { } failure ? $"start failure at {failure.Stage} (errno {failure.Errno})"
            : outcome.Signal is { } signal ? $"killed by {signal}"
            : outcome.ExitCode is { } code ? $"exit status {code}"
            : "still running";
        return outcome.StoppedBy is { } reason ? $"{end}, stopped by {reason}" : end;
    }

    private static string Text(CassetteOutcome outcome, ChildOutput stream)
    {
        var bytes = outcome.Output.Where(o => o.Stream == stream).SelectMany(o => o.Bytes.ToArray()).ToArray();
        return System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : $"({bytes.Length} bytes, base64 {Convert.ToBase64String(bytes)})";
    }

    /// <summary>The lines removed (<c>-</c>) and added (<c>+</c>) from <paramref name="was"/> to <paramref name="now"/>, by their longest common subsequence.</summary>
    private static List<string> LineDiff(string was, string now)
    {
        if (was == now)
            return [];
        var a = was.Split('\n');
        var b = now.Split('\n');
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
        }
        var diff = new List<string>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
                (x, y) = (x + 1, y + 1);
            else if (x < a.Length && (y == b.Length || common[x + 1, y] >= common[x, y + 1]))
                diff.Add("- " + a[x++]);
            else
                diff.Add("+ " + b[y++]);
        }
        return diff;
    }

    internal static string Line(CassetteRequest request) => string.Join(' ', request.Argv.Select(Formatting.ShellQuote.Quote));
}
