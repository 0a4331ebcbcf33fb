namespace VirCommand;

/// <summary>
/// Live output of a started child, as events or lines (SPEC §4 "Live output"), on any backend. The
/// command must have asked for the pipes (<see cref="Command.SetOutputPipe"/>,
/// <see cref="Command.SetErrorPipe"/>, <see cref="Command.SetMergedOutputPipe"/>); the
/// <see cref="ICommandRunner"/> overloads in <see cref="CommandRunnerLines"/> set them for you.
/// </summary>
/// <remarks>
/// <para>
/// Back-pressure: a pipe is read only as fast as the lines are taken, so a slow consumer slows the child
/// (its writes block once the pipe is full) and the listener holds at most one read of 16 KiB, the lines
/// it made and one unfinished line (<see cref="LineOptions.MaxLineLength"/>) per stream. Each stream's
/// lines come in the order the child wrote them; lines of stdout and stderr interleave as they arrive.
/// </para>
/// <para>
/// After the child exited, a stream is read to its end, but waiting for data that a grandchild may
/// never send is bounded by the run's drain time (<see cref="Command.SetDrainTimeout"/>), as for captures.
/// </para>
/// <para>
/// Cancelling the token stops the child by the stop sequence (graceful signal, grace period, SIGKILL,
/// reap), unless the handle was detached (<see cref="IRunningCommand.Detach"/>), and the enumeration then
/// throws <see cref="CommandCanceledException"/> (<see cref="OperationCanceledException"/> for a detached
/// child, which runs on). Leaving the loop early (<c>break</c>) stops nothing: the handle still owns the
/// child, and lines already read but not taken are dropped. The handle is not disposed by the listening:
/// the caller still owns it. One enumeration at a time per stream.
/// </para>
/// </remarks>
public static class RunningCommandLines
{
    /// <inheritdoc cref="ListenAsync(IRunningCommand, LineOptions?, LineOptions?, CancellationToken)"/>
    public static IAsyncEnumerable<CommandEvent> ListenAsync(this IRunningCommand running, CancellationToken cancellationToken = default) =>
        running.ListenAsync(null, null, cancellationToken);

    /// <summary>
    /// The child's events: <see cref="CommandStarted"/>, the lines of its stdout and stderr pipes, and
    /// <see cref="CommandExited"/> with the result once it passed the exit-status rules; a run that fails
    /// them (non-zero exit, signal, timeout) ends the enumeration with <see cref="IRunningCommand.WaitAsync"/>'s
    /// exception, after every line the child wrote.
    /// </summary>
    /// <param name="running">The started child.</param>
    /// <param name="output">How stdout is cut into lines; null for <see cref="LineOptions.Default"/>.</param>
    /// <param name="error">How stderr is cut into lines; null for <see cref="LineOptions.Default"/>.</param>
    /// <param name="cancellationToken">Stops the child (unless detached) and the enumeration.</param>
    /// <exception cref="InvalidOperationException">The command has neither a stdout nor a stderr pipe.</exception>
    public static IAsyncEnumerable<CommandEvent> ListenAsync(this IRunningCommand running, LineOptions? output, LineOptions? error,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(running);
        if (running.StandardOutput is null && running.StandardError is null)
            throw new InvalidOperationException(
                "The command has no output pipe to listen to: call SetOutputPipe() and SetErrorPipe() (or SetMergedOutputPipe()) before StartAsync, " +
                "or use runner.ListenAsync(command), which sets them on a copy of the command.");
        return LineListener.ListenAsync(running, output ?? LineOptions.Default, error ?? LineOptions.Default,
            readOutput: true, readError: true, lifecycle: true, cancellationToken);
    }

    /// <summary>
    /// The lines of one of the child's output pipes, to its end. The exit is not judged here: call
    /// <see cref="IRunningCommand.WaitAsync"/> after the loop (a child stopped by its timeout ends its lines, and
    /// <see cref="IRunningCommand.WaitAsync"/> throws the timeout).
    /// </summary>
    /// <param name="running">The started child.</param>
    /// <param name="stream">Which pipe; default stdout.</param>
    /// <param name="options">How it is cut into lines; null for <see cref="LineOptions.Default"/>.</param>
    /// <param name="cancellationToken">Stops the child (unless detached) and the enumeration.</param>
    /// <exception cref="InvalidOperationException">The command has no pipe for that stream.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stream"/> is not a defined <see cref="ChildOutput"/>.</exception>
    public static IAsyncEnumerable<OutputLine> ReadLinesAsync(this IRunningCommand running, ChildOutput stream = ChildOutput.StandardOutput,
        LineOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(running);
        var output = stream switch
        {
            ChildOutput.StandardOutput => true,
            ChildOutput.StandardError => false,
            _ => throw new ArgumentOutOfRangeException(nameof(stream), stream, "Unknown output stream."),
        };
        if ((output ? running.StandardOutput : running.StandardError) is null)
            throw new InvalidOperationException(output
                ? "The command has no stdout pipe: call SetOutputPipe() (or SetMergedOutputPipe()) before StartAsync, or use runner.ReadLinesAsync(command)."
                : "The command has no stderr pipe: call SetErrorPipe() before StartAsync (with SetMergedOutputPipe(), stderr's lines come through stdout).");
        return Lines(LineListener.ListenAsync(running, options ?? LineOptions.Default, options ?? LineOptions.Default,
            readOutput: output, readError: !output, lifecycle: false, cancellationToken), cancellationToken);
    }

    /// <summary>The lines of a listening without its start and exit.</summary>
    internal static async IAsyncEnumerable<OutputLine> Lines(IAsyncEnumerable<CommandEvent> events,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (e is OutputLine line)
                yield return line;
        }
    }
}
