namespace VirCommand.Backends;

/// <summary>Why a backend stopped a child before it ended by itself; the first reason wins.</summary>
public enum StopReason
{
    /// <summary>The child ended by itself.</summary>
    None,
    /// <summary>The command's timeout elapsed.</summary>
    Timeout,
    /// <summary>The caller's token was cancelled.</summary>
    Canceled,
    /// <summary>The caller aborted or disposed the running command.</summary>
    Aborted,
    /// <summary>A capture exceeded its limit.</summary>
    CaptureLimit,
    /// <summary>An input source or output target the run engine pumps failed (it threw).</summary>
    StreamFailed,
    /// <summary>The runner that owns the child was disposed, or its host stopped.</summary>
    RunnerStopped,
}
