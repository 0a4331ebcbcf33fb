namespace VirCommand.Backends.Fake.Cassettes;

/// <summary>How a replayed run keeps the recorded times.</summary>
public enum CassetteTiming
{
    /// <summary>At once: the output in its recorded order, the end right after; a recorded timeout elapses at once.</summary>
    Instant,
    /// <summary>
    /// Each piece of output at its recorded time from the start, and the end at the recorded duration,
    /// on the replaying runner's <see cref="TimeProvider"/> (a fake clock makes it virtual time).
    /// </summary>
    Recorded,
}
