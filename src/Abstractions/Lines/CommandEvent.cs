namespace VirCommand;

/// <summary>
/// One thing that happened to a listened child, in order: <see cref="CommandStarted"/> first, then its
/// output lines (<see cref="StandardOutputLine"/>, <see cref="StandardErrorLine"/>) as they arrive,
/// and <see cref="CommandExited"/> last. Switch on the type.
/// </summary>
public abstract record CommandEvent;

/// <summary>The child was started.</summary>
/// <param name="Pid">Its pid.</param>
/// <param name="StartTime">When it was started.</param>
public sealed record CommandStarted(int Pid, DateTimeOffset StartTime) : CommandEvent;

/// <summary>
/// One line the child wrote, decoded with its stream's <see cref="LineOptions.Encoding"/>, without its
/// terminator. A line longer than <see cref="LineOptions.MaxLineLength"/> comes as several chunks: each
/// but the last has <see cref="IsPartial"/> set, and the next line of the same stream continues it.
/// </summary>
/// <param name="Text">The text, without the line terminator.</param>
/// <param name="IsPartial">True when the line goes on in the next line of the same stream.</param>
public abstract record OutputLine(string Text, bool IsPartial) : CommandEvent
{
    /// <summary>The stream the child wrote the line to.</summary>
    public abstract ChildOutput Source { get; }

    /// <summary>The line's <see cref="Text"/>.</summary>
    public sealed override string ToString() => Text;
}

/// <summary>A line of stdout (of stdout and stderr, when the command merged them).</summary>
/// <inheritdoc cref="OutputLine"/>
public sealed record StandardOutputLine(string Text, bool IsPartial = false) : OutputLine(Text, IsPartial)
{
    /// <inheritdoc/>
    public override ChildOutput Source => ChildOutput.StandardOutput;
}

/// <summary>A line of stderr.</summary>
/// <inheritdoc cref="OutputLine"/>
public sealed record StandardErrorLine(string Text, bool IsPartial = false) : OutputLine(Text, IsPartial)
{
    /// <inheritdoc/>
    public override ChildOutput Source => ChildOutput.StandardError;
}

/// <summary>
/// The child exited and its status passed the command's exit-status rules; a status that did not (or a
/// timeout, a cancellation) ends the listening with the exception <see cref="IRunningCommand.WaitAsync"/> throws instead.
/// </summary>
/// <param name="Result">The result, as <see cref="IRunningCommand.WaitAsync"/> returns it.</param>
public sealed record CommandExited(CommandResult Result) : CommandEvent;
