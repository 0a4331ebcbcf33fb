namespace VirCommand;

/// <summary>The child wrote more than the capture limit to a captured stream: it was stopped and reaped; the result holds what was captured up to the limit.</summary>
public sealed class CommandCaptureLimitException : CommandException
{
    /// <summary>Creates the exception.</summary>
    public CommandCaptureLimitException(string commandLine, string stream, long limit, CommandResult result)
        : base(commandLine, $"{stream} exceeded the capture limit of {limit} bytes; the child was stopped")
    {
        Stream = stream;
        Limit = limit;
        Result = result;
    }

    /// <summary>Which capture overflowed: <c>stdout</c> or <c>stderr</c>.</summary>
    public string Stream { get; }

    /// <summary>The limit in bytes.</summary>
    public long Limit { get; }

    /// <summary>How the stopped child ended, with the capture truncated at the limit.</summary>
    public CommandResult Result { get; }
}
