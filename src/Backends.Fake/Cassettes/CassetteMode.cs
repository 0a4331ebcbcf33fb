namespace VirCommand.Backends.Fake.Cassettes;

/// <summary>What a <see cref="CassetteRunner"/> does with its cassette file.</summary>
public enum CassetteMode
{
    /// <summary>Serve the runs from the file, which must exist; nothing is spawned, and a run the file does not hold fails.</summary>
    Replay,
    /// <summary>Run everything on the real runner and write the file anew.</summary>
    Record,
    /// <summary>Serve what the file holds; run what it lacks on the real runner and append it to the file.</summary>
    RecordMissing,
    /// <summary>Run everything on the real runner and report, as a diff, where the tools now behave differently from the file; the file is not changed.</summary>
    Verify,
}
