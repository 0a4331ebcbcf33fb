namespace VirCommand;

/// <summary>Who <see cref="IRunningCommand.SignalAsync"/> signals.</summary>
public enum SignalTarget
{
    /// <summary>The child alone.</summary>
    Process,

    /// <summary>
    /// The child's whole process group: the child and every descendant that stayed in it. Only for a
    /// command that leads a group of its own (<see cref="Command.NewProcessGroup"/>, <see cref="Command.NewSession"/>).
    /// </summary>
    ProcessGroup,
}
