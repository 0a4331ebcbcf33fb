namespace VirCommand;

/// <summary>
/// An input source or output target the library pumps failed: reading stdin's stream or source threw,
/// or writing stdout's or stderr's stream or file threw. The child was stopped and reaped; the cause
/// is the <see cref="Exception.InnerException"/>.
/// </summary>
/// <remarks>A child that stops reading its stdin, or a pipe closed by the child, is never this: only the caller's side of the pump.</remarks>
public sealed class CommandStreamException : CommandException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="commandLine">The command's string form, secrets redacted.</param>
    /// <param name="stream"><c>stdin</c>, <c>stdout</c> or <c>stderr</c>.</param>
    /// <param name="cause">What the source or target threw.</param>
    /// <param name="result">How the stopped child ended.</param>
    public CommandStreamException(string commandLine, string stream, Exception cause, CommandResult result)
        : base(commandLine, $"{Describe(stream)} failed, so the child was stopped: {cause?.Message}", cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        Stream = stream;
        Result = result;
    }

    /// <summary>The child's stream whose source or target failed: <c>stdin</c>, <c>stdout</c> or <c>stderr</c>.</summary>
    public string Stream { get; }

    /// <summary>How the stopped child ended, with what was captured.</summary>
    public CommandResult Result { get; }

    private static string Describe(string stream) => stream == "stdin" ? "reading the source of stdin" : $"writing {stream} to its target";
}
