namespace VirCommand.Backends.Fake;

/// <summary>
/// A strict <see cref="FakeCommandRunner"/> received a command that no registration matches. It is a
/// mistake in the test's setup, not a command failure, so it is not a <see cref="CommandException"/>
/// that the code under test might catch.
/// </summary>
public sealed class FakeCommandNotRegisteredException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public FakeCommandNotRegisteredException(string commandLine, IEnumerable<string> registered)
        : base(Describe(commandLine, registered))
    {
        CommandLine = commandLine;
    }

    /// <summary>The unmatched command's string form.</summary>
    public string CommandLine { get; }

    private static string Describe(string commandLine, IEnumerable<string> registered)
    {
        var list = registered.ToList();
        return $"No fake registration matches: {commandLine}" + Environment.NewLine + (list.Count == 0
            ? "Nothing is registered."
            : "Registered:" + Environment.NewLine + string.Join(Environment.NewLine, list.Select(r => "  " + r)));
    }
}
