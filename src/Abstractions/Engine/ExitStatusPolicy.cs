namespace VirCommand.Backends;

/// <summary>The exit-status rules every backend applies, as libvirt does.</summary>
internal static class ExitStatusPolicy
{
    /// <summary>
    /// Throws <see cref="CommandExitException"/> unless the status is acceptable: a zero exit always;
    /// a non-zero exit when the command <see cref="Command.AllowsNonZeroExit"/>; anything when it
    /// <see cref="Command.ReturnsRawStatus"/>. Backends pass the two settings as read when the run started.
    /// </summary>
    public static CommandResult Check(bool allowsNonZeroExit, bool returnsRawStatus, CommandResult result, string? standardErrorTail = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (Accepts(allowsNonZeroExit, returnsRawStatus, result))
            return result;
        throw new CommandExitException(result, standardErrorTail ?? (result.HasStandardError ? Tail(result.StandardError) : ""));
    }

    /// <summary>True when the status is acceptable by the rules of <see cref="Check"/>.</summary>
    public static bool Accepts(bool allowsNonZeroExit, bool returnsRawStatus, CommandResult result) =>
        result.Succeeded || returnsRawStatus || (result.ExitCode is not null && allowsNonZeroExit);

    /// <summary>The last <paramref name="maxChars"/> characters of <paramref name="text"/>, for messages.</summary>
    private static string Tail(string text, int maxChars = 2048)
    {
        return text.Length <= maxChars ? text : "…" + text[^maxChars..];
    }

    /// <summary>
    /// The outcome of a finished run, the same for every backend: the exception of the reason the child
    /// was stopped, if it was; otherwise the exit-status rules of <see cref="Check(bool, bool, CommandResult, string?)"/>.
    /// </summary>
    /// <param name="reason">Why the backend stopped the child, or <see cref="StopReason.None"/>.</param>
    /// <param name="result">How the child ended.</param>
    /// <param name="settings">The run's settings (timeout and capture limit, for the messages).</param>
    /// <param name="allowsNonZeroExit">The command's <see cref="Command.AllowsNonZeroExit"/> when it started.</param>
    /// <param name="returnsRawStatus">The command's <see cref="Command.ReturnsRawStatus"/> when it started.</param>
    /// <param name="standardErrorTail">The end of an uncaptured stderr, or null.</param>
    /// <param name="overflowStream">Which capture overflowed, for <see cref="StopReason.CaptureLimit"/>.</param>
    /// <param name="cancelledBy">The token that cancelled the run, for <see cref="StopReason.Canceled"/>.</param>
    public static CommandResult Judge(StopReason reason, CommandResult result, RunSettings settings, bool allowsNonZeroExit,
        bool returnsRawStatus, string? standardErrorTail, string overflowStream, CancellationToken cancelledBy)
    {
        ArgumentNullException.ThrowIfNull(result);
        return reason switch
        {
            StopReason.Timeout => throw new CommandTimeoutException(result.CommandLine, settings.Timeout ?? TimeSpan.Zero, result),
            StopReason.Canceled => throw new CommandCanceledException(result.CommandLine, "cancelled", result, cancelledBy),
            StopReason.Aborted => throw new CommandCanceledException(result.CommandLine, "aborted", result, default),
            StopReason.RunnerStopped => throw new CommandCanceledException(result.CommandLine, "stopped: its runner was shut down", result, default),
            StopReason.CaptureLimit => throw new CommandCaptureLimitException(result.CommandLine, overflowStream, settings.CaptureLimit, result),
            _ => Check(allowsNonZeroExit, returnsRawStatus, result, standardErrorTail),
        };
    }
}
