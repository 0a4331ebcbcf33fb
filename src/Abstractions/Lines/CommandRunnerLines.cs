using System.Runtime.CompilerServices;

namespace VirCommand;

/// <summary>
/// Runs a command and streams its output as events or lines, in one call: the run starts when the
/// enumeration starts, on a copy of the command with the pipes it needs (the caller's command is
/// never changed), and the handle is disposed when the enumeration ends, however it ends.
/// </summary>
/// <remarks>
/// The rules of <see cref="RunningCommandLines"/> apply (back-pressure, order, drain, encoding, long
/// lines), with one difference: the enumeration owns the child, so leaving the loop early
/// (<c>break</c>, an exception in its body) stops the child by the stop sequence as cancelling does.
/// The copy is taken when the method is called; a stream the command already sends elsewhere (a
/// capture, a caller fd) stays there and gives no lines.
/// </remarks>
public static class CommandRunnerLines
{
    /// <inheritdoc cref="ListenAsync(ICommandRunner, Command, LineOptions?, LineOptions?, CancellationToken)"/>
    public static IAsyncEnumerable<CommandEvent> ListenAsync(this ICommandRunner runner, Command command, CancellationToken cancellationToken = default) =>
        runner.ListenAsync(command, null, null, cancellationToken);

    /// <summary>
    /// Starts the command with stdout and stderr as pipes (those it leaves unset) and yields its events:
    /// <see cref="CommandStarted"/>, each line, then <see cref="CommandExited"/>, or the exception of a run
    /// that fails (start failure, non-zero exit, timeout, cancellation), after every line the child wrote.
    /// </summary>
    /// <param name="runner">The runner.</param>
    /// <param name="command">The command; it is copied, never changed.</param>
    /// <param name="output">How stdout is cut into lines; null for <see cref="LineOptions.Default"/>.</param>
    /// <param name="error">How stderr is cut into lines; null for <see cref="LineOptions.Default"/>.</param>
    /// <param name="cancellationToken">Stops the child and the enumeration.</param>
    /// <exception cref="InvalidOperationException">The command sends both stdout and stderr elsewhere: there is nothing to listen to.</exception>
    public static IAsyncEnumerable<CommandEvent> ListenAsync(this ICommandRunner runner, Command command, LineOptions? output, LineOptions? error,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var copy = WithPipes(command, error: true, nameof(ListenAsync));
        return StartAndListenAsync(runner, copy, output ?? LineOptions.Default, error ?? LineOptions.Default, readError: true, cancellationToken);
    }

    /// <summary>
    /// Starts the command with stdout as a pipe and yields its lines; the enumeration ends with the exit
    /// judged as <see cref="ICommandRunner.RunAsync(Command, CancellationToken)"/> judges it (a non-zero exit throws
    /// <see cref="CommandExitException"/> after the last line). Stderr goes where the command sends it.
    /// </summary>
    /// <param name="runner">The runner.</param>
    /// <param name="command">The command; it is copied, never changed.</param>
    /// <param name="options">How stdout is cut into lines; null for <see cref="LineOptions.Default"/>.</param>
    /// <param name="cancellationToken">Stops the child and the enumeration.</param>
    /// <exception cref="InvalidOperationException">The command already sends stdout elsewhere.</exception>
    public static IAsyncEnumerable<OutputLine> ReadLinesAsync(this ICommandRunner runner, Command command, LineOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var copy = WithPipes(command, error: false, nameof(ReadLinesAsync));
        var lines = options ?? LineOptions.Default;
        return RunningCommandLines.Lines(StartAndListenAsync(runner, copy, lines, lines, readError: false, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// A copy of <paramref name="command"/> (with its CloseParent fds, which the run then consumes as a
    /// direct run would) whose unset stdout, and stderr if asked, are pipes.
    /// </summary>
    internal static Command WithPipes(Command command, bool error, string method)
    {
        ArgumentNullException.ThrowIfNull(command);
        var copy = command.Snapshot();
        if (copy.Output.Kind == StdioKind.Null)
            copy.SetOutputPipe();
        // A stderr on the pseudo-terminal comes through stdout's pipe, the terminal's output.
        if (error && copy.Error.Kind == StdioKind.Null && copy.PseudoTerminal?.Takes(TerminalStreams.Error) != true)
            copy.SetErrorPipe();
        var outputPiped = copy.Output.Kind == StdioKind.Pipe;
        var errorPiped = error && copy.Error.Kind == StdioKind.Pipe && !copy.MergesOutput;
        if (error ? !outputPiped && !errorPiped : !outputPiped)
            throw new InvalidOperationException(error
                ? $"{method} reads the lines of stdout and stderr, but the command sends both elsewhere: leave one of them unset, or set it with SetOutputPipe() or SetErrorPipe()."
                : $"{method} reads the lines of stdout, but the command sends stdout elsewhere: leave it unset, or set it with SetOutputPipe().");
        return copy;
    }

    private static async IAsyncEnumerable<CommandEvent> StartAndListenAsync(ICommandRunner runner, Command command, LineOptions output, LineOptions error,
        bool readError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var running = await runner.StartAsync(command, cancellationToken).ConfigureAwait(false);
        await using (running.ConfigureAwait(false))
        {
            await foreach (var e in LineListener.ListenAsync(running, output, error, readOutput: true, readError, lifecycle: true, cancellationToken)
                .ConfigureAwait(false))
            {
                yield return e;
            }
        }
    }
}
