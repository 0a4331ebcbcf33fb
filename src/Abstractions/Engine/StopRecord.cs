namespace VirCommand.Backends;

/// <summary>
/// Why a backend stopped a child, by the rules every backend shares: the first reason wins; a child
/// that has exited is past stopping, even while its output still drains, except that a capture
/// that overflows during that drain is still reported. For backend authors.
/// </summary>
/// <remarks>Not thread-safe: a backend calls it under the lock that also guards its signalling.</remarks>
internal sealed class StopRecord
{
    /// <summary>The first reason recorded, or <see cref="StopReason.None"/>.</summary>
    public StopReason Reason { get; private set; }

    /// <summary>The token that cancelled the run, for <see cref="StopReason.Canceled"/>.</summary>
    public CancellationToken CancelledBy { get; private set; }

    /// <summary>The first capture that overflowed ("stdout" or "stderr"), or empty.</summary>
    public string OverflowStream { get; private set; } = "";

    /// <summary>
    /// Records <paramref name="reason"/> if it is the first and comes in time. Returns true when the
    /// backend must now signal the child: it was recorded and the child has not exited.
    /// </summary>
    public bool TryStop(StopReason reason, bool exited, CancellationToken cancelledBy)
    {
        // What was lost while the output drains is still reported: a capture past its limit, a target that failed.
        if (Reason != StopReason.None || (exited && reason is not (StopReason.CaptureLimit or StopReason.StreamFailed)))
            return false;
        Reason = reason;
        CancelledBy = cancelledBy;
        return !exited;
    }

    /// <summary>The first pumped stream that failed and why, for <see cref="StopReason.StreamFailed"/>.</summary>
    public (string Stream, Exception Error)? StreamFailure { get; private set; }

    /// <summary>Notes the first pumped stream that failed; the engine then stops for <see cref="StopReason.StreamFailed"/>.</summary>
    public void NoteStreamFailure(string stream, Exception error) => StreamFailure ??= (stream, error);

    /// <summary>Notes which capture overflowed first; the backend then stops for <see cref="StopReason.CaptureLimit"/>.</summary>
    public void NoteOverflow(string stream)
    {
        if (OverflowStream.Length == 0)
            OverflowStream = stream;
    }

    /// <summary>The run's outcome: <see cref="ExitStatusPolicy.Judge"/> with what was recorded.</summary>
    public CommandResult Judge(CommandResult result, RunSettings settings, bool allowsNonZeroExit, bool returnsRawStatus, string? standardErrorTail) =>
        Reason == StopReason.StreamFailed && StreamFailure is var (stream, error)
            ? throw new CommandStreamException(result.CommandLine, stream, error, result)
            : ExitStatusPolicy.Judge(Reason, result, settings, allowsNonZeroExit, returnsRawStatus, standardErrorTail, OverflowStream, CancelledBy);
}
