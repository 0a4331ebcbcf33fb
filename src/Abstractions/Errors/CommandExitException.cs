namespace VirCommand;

/// <summary>The child exited non-zero or died by a signal, and the command did not ask to judge that itself.</summary>
public sealed class CommandExitException : CommandException
{
    /// <summary>Creates the exception from the child's result and the end of what it wrote to stderr.</summary>
    public CommandExitException(CommandResult result, string standardErrorTail)
        : base(Line(result), Describe(result, standardErrorTail))
    {
        Result = result;
        StandardErrorTail = standardErrorTail ?? "";
    }

    /// <summary>The result, with whatever was captured.</summary>
    public CommandResult Result { get; }

    /// <summary>The exit code, or null when the child died by a signal.</summary>
    public int? ExitCode => Result.ExitCode;

    /// <summary>The signal that killed the child, or null.</summary>
    public Signal? Signal => Result.TerminatingSignal;

    /// <summary>The end of the child's stderr, for diagnosis.</summary>
    public string StandardErrorTail { get; }

    private static string Line(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.CommandLine;
    }

    private static string Describe(CommandResult result, string? tail) =>
        string.IsNullOrWhiteSpace(tail) ? result.DescribeStatus() : $"{result.DescribeStatus()}; stderr: {tail.TrimEnd()}";
}
