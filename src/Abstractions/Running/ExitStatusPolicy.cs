namespace VirCommand;

/// <summary>The exit-status rules every backend applies, as libvirt does.</summary>
public static class ExitStatusPolicy
{
    /// <summary>
    /// Throws <see cref="CommandExitException"/> unless the status is acceptable: a zero exit always;
    /// a non-zero exit when the command <see cref="Command.AllowsNonZeroExit"/>; anything when it
    /// <see cref="Command.ReturnsRawStatus"/>.
    /// </summary>
    /// <param name="command">The command that ran.</param>
    /// <param name="result">Its result.</param>
    /// <param name="standardErrorTail">The end of stderr, for the message, when it was not captured.</param>
    public static CommandResult Check(Command command, CommandResult result, string? standardErrorTail = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        return Check(command.AllowsNonZeroExit, command.ReturnsRawStatus, result, standardErrorTail);
    }

    /// <summary>The same rules, from the two settings a backend read when the run started.</summary>
    public static CommandResult Check(bool allowsNonZeroExit, bool returnsRawStatus, CommandResult result, string? standardErrorTail = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Succeeded || returnsRawStatus)
            return result;
        if (result.ExitCode is not null && allowsNonZeroExit)
            return result;
        throw new CommandExitException(result, standardErrorTail ?? Tail(result.StandardError));
    }

    /// <summary>The last <paramref name="maxChars"/> characters of <paramref name="text"/>, for messages.</summary>
    public static string Tail(string text, int maxChars = 2048)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= maxChars ? text : "…" + text[^maxChars..];
    }
}
