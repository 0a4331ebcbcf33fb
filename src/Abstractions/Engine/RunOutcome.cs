namespace VirCommand.Backends;

/// <summary>
/// How a run ended, as telemetry and logs name it (the <c>vircommand.run.outcome</c> attribute, and
/// <c>error.type</c> for every outcome but <see cref="Success"/>): a few fixed values, derived from
/// the same stop reason and exit-status rules that judge the run.
/// </summary>
internal static class RunOutcome
{
    /// <summary>The run's status was acceptable: a zero exit, or what the command said it judges itself.</summary>
    public const string Success = "success";

    /// <summary>The child exited with a non-zero code the command did not allow.</summary>
    public const string ExitCode = "exit_code";

    /// <summary>The child was killed by a signal nobody of the run sent, and the command did not ask for the raw status.</summary>
    public const string Signal = "signal";

    /// <summary>The child could not be started (the <c>vircommand.start.stage</c> attribute says where).</summary>
    public const string StartFailure = "start_failure";

    /// <summary>The engine could not follow the child to its end (a failed system call while waiting for it).</summary>
    public const string Failure = "failure";

    /// <summary>Stopped by the command's timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>Stopped because the caller's token was cancelled.</summary>
    public const string Canceled = "canceled";

    /// <summary>Stopped because the caller aborted or disposed it.</summary>
    public const string Aborted = "aborted";

    /// <summary>Stopped because a capture went over its limit.</summary>
    public const string CaptureLimit = "capture_limit";

    /// <summary>Stopped because an input source or output target the engine pumps failed.</summary>
    public const string StreamFailure = "stream_failure";

    /// <summary>Stopped because its runner was shut down (disposed, or its host stopped).</summary>
    public const string Stopped = "stopped";

    /// <summary>The outcome of a run stopped for <paramref name="reason"/>, or that ended by itself with <paramref name="result"/>.</summary>
    public static string Of(StopReason reason, CommandResult result, RunPlan plan) => reason switch
    {
        StopReason.None when ExitStatusPolicy.Accepts(plan.AllowsNonZeroExit, plan.ReturnsRawStatus, result) => Success,
        StopReason.None => result.ExitCode is null ? Signal : ExitCode,
        StopReason.Timeout => Timeout,
        StopReason.Canceled => Canceled,
        StopReason.Aborted => Aborted,
        StopReason.CaptureLimit => CaptureLimit,
        StopReason.StreamFailed => StreamFailure,
        _ => Stopped,
    };
}
