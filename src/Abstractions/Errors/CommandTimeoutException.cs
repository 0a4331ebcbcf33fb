namespace VirCommand;

/// <summary>The command's timeout elapsed: the child got the graceful signal, SIGKILL if it lingered, and was reaped.</summary>
public sealed class CommandTimeoutException : CommandException
{
    /// <summary>Creates the exception.</summary>
    public CommandTimeoutException(string commandLine, TimeSpan timeout, CommandResult? result = null)
        : base(commandLine, $"timed out after {timeout.TotalMilliseconds:0} ms{(result is null ? "" : "; " + result.DescribeStatus())}")
    {
        Timeout = timeout;
        Result = result;
    }

    /// <summary>The timeout that elapsed.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>How the stopped child ended, with what it had written, or null if it was never started.</summary>
    public CommandResult? Result { get; }
}
