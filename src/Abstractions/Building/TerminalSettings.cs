namespace VirCommand;

/// <summary>The pseudo-terminal a command asked for: its first size and the standard streams it takes.</summary>
/// <param name="Size">The window size the child starts with.</param>
/// <param name="Streams">The standard streams connected to the terminal.</param>
public sealed record TerminalSettings(TerminalSize Size, TerminalStreams Streams)
{
    /// <summary>True when the terminal takes <paramref name="stream"/>.</summary>
    public bool Takes(TerminalStreams stream) => (Streams & stream) != 0;
}
