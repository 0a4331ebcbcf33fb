namespace VirCommand;

public sealed partial class Command
{
    /// <summary>The pseudo-terminal the child gets (<see cref="SetPseudoTerminal"/>), or null.</summary>
    public TerminalSettings? PseudoTerminal { get; private set; }

    /// <summary>
    /// Runs the child on a new pseudo-terminal of <paramref name="columns"/> × <paramref name="rows"/> (beyond
    /// libvirt): the child starts a new session whose controlling terminal it is, and the chosen standard
    /// streams are its slave side, so the child sees <c>isatty</c> true and the window size (colours,
    /// progress bars, prompts, REPLs behave as in a terminal window). The running command hands back the
    /// master side as <see cref="IRunningCommand.Terminal"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The terminal's output is stdout's source: with <see cref="TerminalStreams.Output"/>, stdout's target
    /// (<see cref="SetOutputBuffer"/>, <see cref="SetOutputPipe"/>, a file, a stream, a line callback, the
    /// line listeners) gets what the child wrote to the terminal, stderr included when it is on it too, with
    /// the terminal's line endings (<c>\r\n</c>) and its echo of the input. With no stdout target the caller
    /// reads it from <see cref="PseudoTerminal.Stream"/>. A stdin or stderr on the terminal has no other
    /// source or target: its setters are refused, in either order.
    /// </para>
    /// <para>
    /// The new session makes the child lead its own process group, so stops and
    /// <see cref="SignalTarget.ProcessGroup"/> reach the whole group, as with <see cref="NewSession"/>
    /// (which, like <see cref="NewProcessGroup"/>, then adds nothing but is allowed). A daemon cannot have
    /// one: it leaves every terminal behind by design.
    /// </para>
    /// </remarks>
    /// <param name="columns">The width, 1 to <see cref="TerminalSize.Max"/>.</param>
    /// <param name="rows">The height, 1 to <see cref="TerminalSize.Max"/>.</param>
    /// <param name="streams">The standard streams on the terminal, at least one; default all three.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range, or <paramref name="streams"/> is <see cref="TerminalStreams.None"/> or holds an undefined flag.</exception>
    /// <exception cref="InvalidOperationException">A pseudo-terminal is already set, the command is a daemon, or a stream it takes already has a source or target.</exception>
    public Command SetPseudoTerminal(int columns, int rows, TerminalStreams streams = TerminalStreams.All)
    {
        var size = TerminalSize.Checked(columns, rows);
        if ((streams & ~TerminalStreams.All) != 0)
            throw new ArgumentOutOfRangeException(nameof(streams), streams, "Unknown TerminalStreams flags.");
        if (streams == TerminalStreams.None)
            throw new ArgumentOutOfRangeException(nameof(streams), streams, "The terminal must take at least one of stdin, stdout and stderr.");
        var settings = new TerminalSettings(size, streams);
        return Set(() =>
        {
            if (PseudoTerminal is not null)
                throw new InvalidOperationException($"A pseudo-terminal ({PseudoTerminal.Size}) is already set; it can be set once.");
            if (IsDaemon)
                throw new InvalidOperationException("A daemon cannot have a pseudo-terminal: it leaves every terminal behind by design.");
            if (settings.Takes(TerminalStreams.Input) && Input.Kind != StdioKind.Null)
                throw new InvalidOperationException($"Stdin is already set ({Describe(Input)}): it cannot also read the pseudo-terminal.");
            if (MergesOutput && settings.Takes(TerminalStreams.Output | TerminalStreams.Error))
                throw new InvalidOperationException(
                    "Stdout and stderr are merged: a terminal merges what is written to it itself, so put both on it (TerminalStreams.Output | TerminalStreams.Error) and set only a stdout target.");
            if (settings.Takes(TerminalStreams.Output) && Output.Kind == StdioKind.Fd)
                throw new InvalidOperationException(CallerFdOnTerminal);
            if (settings.Takes(TerminalStreams.Error) && Error.Kind != StdioKind.Null)
                throw new InvalidOperationException($"Stderr is already set ({Describe(Error)}): it cannot also write to the pseudo-terminal.");
            PseudoTerminal = settings;
        });
    }

    private const string CallerFdOnTerminal =
        "Stdout writes to the pseudo-terminal, and a caller fd cannot take the terminal's output (nothing would copy it there): use SetOutputFile or SetOutputStream instead.";

    /// <summary>Refuses a caller fd as stdout's target while the terminal takes stdout; the caller holds the gate.</summary>
    private void ThrowIfCallerFdOnTerminal(StdioTarget target)
    {
        if (target.Kind == StdioKind.Fd && PseudoTerminal?.Takes(TerminalStreams.Output) == true)
            throw new InvalidOperationException(CallerFdOnTerminal);
    }

    /// <summary>Refuses another source or target for a stream the pseudo-terminal takes; the caller holds the gate.</summary>
    private void ThrowIfOnTerminal(TerminalStreams stream, string name)
    {
        if (PseudoTerminal is { } terminal && terminal.Takes(stream))
            throw new InvalidOperationException(stream == TerminalStreams.Input
                ? $"{name} reads the pseudo-terminal: write to IRunningCommand.Terminal instead."
                : $"{name} writes to the pseudo-terminal, whose output goes to stdout's target: set only that one.");
    }

    /// <summary>
    /// A run to completion has nobody to type into a terminal or read it: stdin must stay off it, and
    /// what the child writes to it must have stdout's target to go to.
    /// </summary>
    private void ValidateTerminalForRun()
    {
        if (PseudoTerminal is not { } terminal)
            return;
        if (terminal.Takes(TerminalStreams.Input))
            throw new InvalidOperationException(
                "Stdin is on the pseudo-terminal, which nobody can type into during a run to completion: use StartAsync and write to IRunningCommand.Terminal, or leave stdin off it (TerminalStreams.Output | TerminalStreams.Error).");
        if (!terminal.Takes(TerminalStreams.Output) || Output.Kind == StdioKind.Null)
            throw new InvalidOperationException(
                "Nothing would read the pseudo-terminal during a run to completion: put stdout on it with a target (SetOutputBuffer, a file or a stream), or use StartAsync and read IRunningCommand.Terminal.");
    }
}
