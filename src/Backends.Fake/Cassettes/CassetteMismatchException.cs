namespace VirCommand.Backends.Fake.Cassettes;

/// <summary>
/// A replaying runner got a run the cassette does not hold, or one out of the recorded order. A
/// mistake in the test or a change in the code under test, not a command failure, so it is not a
/// <see cref="CommandException"/> the code under test might catch. The message shows what ran and
/// the recorded run it comes closest to (or the one expected next), difference by difference.
/// </summary>
public sealed class CassetteMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public CassetteMismatchException(string commandLine, string message)
        : base(message)
    {
        CommandLine = commandLine;
    }

    /// <summary>The string form of the run that matched nothing, secrets redacted.</summary>
    public string CommandLine { get; }
}
