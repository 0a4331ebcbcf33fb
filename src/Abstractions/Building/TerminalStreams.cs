namespace VirCommand;

/// <summary>Which of the child's standard streams a pseudo-terminal takes (<see cref="Command.SetPseudoTerminal"/>).</summary>
[Flags]
public enum TerminalStreams
{
    /// <summary>
    /// No stream: refused by <see cref="Command.SetPseudoTerminal"/>. A terminal that only the child's
    /// <c>/dev/tty</c> opens would have no reader of its master between the child's opens (the kernel reports
    /// that as the hang-up, the end of its output), so at least one standard stream keeps it open.
    /// </summary>
    None = 0,
    /// <summary>stdin reads what is written to <see cref="PseudoTerminal.Stream"/> (with the terminal's echo and line editing).</summary>
    Input = 1,
    /// <summary>stdout writes to the terminal; its output is stdout's source for the command's stdout target.</summary>
    Output = 2,
    /// <summary>stderr writes to the terminal, interleaved with stdout there as on a screen.</summary>
    Error = 4,
    /// <summary>stdin, stdout and stderr: the child runs as in a terminal window.</summary>
    All = Input | Output | Error,
}
