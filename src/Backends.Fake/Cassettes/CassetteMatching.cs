namespace VirCommand.Backends.Fake.Cassettes;

/// <summary>
/// When a run matches a recorded one. By default: the same argv (secret arguments by their redacted
/// form), the same explicit environment (or both inherited), the same working directory, the same
/// input buffer; in any order, each recorded run answering once, the earliest unused first (so a
/// command run twice gets its two recorded answers in turn). Immutable.
/// </summary>
public sealed record CassetteMatching
{
    private readonly IReadOnlyList<IReadOnlyList<string>> _patterns = [];
    private readonly ArgumentPattern[] _matchers = [];

    /// <summary>True: the runs must come in the recorded order, and one out of order fails. Default false.</summary>
    public bool InOrder { get; init; }

    /// <summary>Environment variables left out of the comparison (values that change from run to run).</summary>
    public IReadOnlySet<string> IgnoredEnvironment { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>True to leave the whole environment out of the comparison. Default false.</summary>
    public bool IgnoresEnvironment { get; init; }

    /// <summary>True to leave the working directory out of the comparison. Default false.</summary>
    public bool IgnoresWorkingDirectory { get; init; }

    /// <summary>True to leave the input buffer out of the comparison. Default false.</summary>
    public bool IgnoresInput { get; init; }

    /// <summary>
    /// Argv patterns, as <see cref="FakeCommandRunner.RegisterPattern"/> takes them (<c>*</c> and
    /// <c>?</c> inside an argument, <c>**</c> for any arguments): a run and a recorded run whose argvs
    /// both match one of them match each other's argv, for a value that changes from run to run (a
    /// temporary directory, a date).
    /// </summary>
    /// <exception cref="ArgumentException">A pattern is empty or holds a null.</exception>
    public IReadOnlyList<IReadOnlyList<string>> ArgumentPatterns
    {
        get => _patterns;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Any(p => p is null || p.Count == 0 || p.Any(e => e is null)))
                throw new ArgumentException("Each pattern needs at least the program, and no null element.", nameof(value));
            _patterns = [.. value.Select(p => (IReadOnlyList<string>)[.. p])];
            _matchers = [.. _patterns.Select(p => new ArgumentPattern(p))];
        }
    }

    /// <summary>These rules with <paramref name="pattern"/> added to <see cref="ArgumentPatterns"/>.</summary>
    public CassetteMatching WithArgumentPattern(params string[] pattern) => this with { ArgumentPatterns = [.. ArgumentPatterns, pattern] };

    /// <summary>These rules with <paramref name="names"/> added to <see cref="IgnoredEnvironment"/>.</summary>
    public CassetteMatching IgnoringEnvironment(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return this with { IgnoredEnvironment = new HashSet<string>([.. IgnoredEnvironment, .. names], StringComparer.Ordinal) };
    }

    /// <summary>Where <paramref name="ran"/> differs from <paramref name="recorded"/> by these rules, one line each; empty when they match.</summary>
    internal List<string> Differences(CassetteRequest recorded, CassetteRequest ran)
    {
        var differences = new List<string>();
        if (!_matchers.Any(m => m.Matches(recorded.Argv) && m.Matches(ran.Argv)))
        {
            for (var i = 0; i < Math.Max(recorded.Argv.Count, ran.Argv.Count); i++)
            {
                var was = i < recorded.Argv.Count ? Quote(recorded.Argv[i]) : "nothing";
                var now = i < ran.Argv.Count ? Quote(ran.Argv[i]) : "nothing";
                if (was != now)
                    differences.Add($"argv[{i}]: recorded {was}, ran {now}");
            }
        }
        if (!IgnoresEnvironment)
            differences.AddRange(EnvironmentDifferences(recorded.Environment, ran.Environment));
        if (!IgnoresWorkingDirectory && recorded.WorkingDirectory != ran.WorkingDirectory)
            differences.Add($"working directory: recorded {Quote(recorded.WorkingDirectory)}, ran {Quote(ran.WorkingDirectory)}");
        if (!IgnoresInput && ran.Input is { } input && !(recorded.Input is { } before && before.Span.SequenceEqual(input.Span)))
            differences.Add($"stdin: recorded {Describe(recorded.Input)}, ran {Describe(input)}");
        return differences;
    }

    private IEnumerable<string> EnvironmentDifferences(IReadOnlyList<string>? recorded, IReadOnlyList<string>? ran)
    {
        if (recorded is null || ran is null)
        {
            if (recorded is not null || ran is not null)
                yield return $"environment: recorded {(recorded is null ? "inherited" : "explicit")}, ran {(ran is null ? "inherited" : "explicit")}";
            yield break;
        }
        var was = Entries(recorded);
        var now = Entries(ran);
        foreach (var name in was.Keys.Union(now.Keys).Order(StringComparer.Ordinal))
        {
            var before = was.GetValueOrDefault(name);
            var after = now.GetValueOrDefault(name);
            if (before != after)
                yield return $"environment {name}: recorded {Quote(before)}, ran {Quote(after)}";
        }
    }

    private Dictionary<string, string> Entries(IReadOnlyList<string> environment) => environment
        .Select(e => e.Split('=', 2))
        .Where(e => !IgnoredEnvironment.Contains(e[0]))
        .ToDictionary(e => e[0], e => e.Length > 1 ? e[1] : "", StringComparer.Ordinal);

    private static string Quote(string? value) => value is null ? "nothing" : $"\"{value}\"";

    private static string Describe(ReadOnlyMemory<byte>? bytes) => bytes is not { } b ? "nothing"
        : System.Text.Unicode.Utf8.IsValid(b.Span) ? $"{b.Length} bytes \"{System.Text.Encoding.UTF8.GetString(b.Span)}\"" : $"{b.Length} bytes";
}
