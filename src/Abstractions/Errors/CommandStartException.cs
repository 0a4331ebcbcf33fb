using System.Runtime.InteropServices;

namespace VirCommand;

/// <summary>The child could not be started: the stage that failed and the errno it failed with.</summary>
public sealed class CommandStartException : CommandException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="commandLine">The command's string form, secrets redacted.</param>
    /// <param name="stage">The stage that failed.</param>
    /// <param name="errno">The errno, or 0 when the stage has none (a hook's return value goes in <paramref name="detail"/>).</param>
    /// <param name="detail">More about the failure, or null.</param>
    public CommandStartException(string commandLine, StartStage stage, int errno, string? detail = null)
        : base(commandLine, Describe(stage, errno, detail))
    {
        Stage = stage;
        Errno = errno;
    }

    /// <summary>The stage that failed.</summary>
    public StartStage Stage { get; }

    /// <summary>The errno of the failure, or 0.</summary>
    public int Errno { get; }

    private static string Describe(StartStage stage, int errno, string? detail)
    {
        var text = $"failed to start at stage {stage}";
        if (errno != 0)
            text += $": {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
        if (detail is not null)
            text += $": {detail}";
        return text;
    }
}
