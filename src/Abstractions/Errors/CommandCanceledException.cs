namespace VirCommand;

/// <summary>
/// The run was cancelled by its token, or the child was aborted: the child got the graceful signal,
/// SIGKILL if it lingered, and was reaped. An <see cref="OperationCanceledException"/>, so ordinary
/// cancellation handling catches it.
/// </summary>
public sealed class CommandCanceledException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public CommandCanceledException(string commandLine, string reason, CommandResult? result, CancellationToken token)
        : base($"{commandLine}: {reason}{(result is null ? "" : "; " + result.DescribeStatus())}", null, token)
    {
        CommandLine = commandLine;
        Result = result;
    }

    /// <summary>The command's string form, secrets redacted.</summary>
    public string CommandLine { get; }

    /// <summary>How the stopped child ended, or null if it was never started.</summary>
    public CommandResult? Result { get; }
}
