namespace VirCommand.Backends.Fake.Cassettes;

/// <summary>
/// A <see cref="CassetteMode.Verify"/> run found the tools behaving differently from the cassette:
/// the message is the diff, run by run.
/// </summary>
public sealed class CassetteVerificationException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public CassetteVerificationException(string path, IReadOnlyList<string> differences)
        : base($"The tools no longer behave as {path} recorded:" + Environment.NewLine + string.Join(Environment.NewLine, differences ?? []))
    {
        Path = path;
        Differences = differences ?? [];
    }

    /// <summary>The cassette file.</summary>
    public string Path { get; }

    /// <summary>The differences, one readable block per run.</summary>
    public IReadOnlyList<string> Differences { get; }
}
