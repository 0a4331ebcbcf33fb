namespace VirCommand;

/// <summary>The base of every failure of a command; its message starts with the command's string form, secrets redacted.</summary>
public abstract class CommandException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected CommandException(string commandLine, string message, Exception? innerException = null)
        : base($"{commandLine}: {message}", innerException)
    {
        CommandLine = commandLine;
    }

    /// <summary>The command's string form, secrets redacted.</summary>
    public string CommandLine { get; }
}
