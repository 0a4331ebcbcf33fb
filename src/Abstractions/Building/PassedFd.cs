namespace VirCommand;

/// <summary>Options of <see cref="Command.PassFd(int, PassFdOptions)"/>.</summary>
[Flags]
public enum PassFdOptions
{
    /// <summary>The parent keeps its copy open.</summary>
    None = 0,
    /// <summary>The parent's copy is closed once the child has started, or when the command is disposed unstarted.</summary>
    CloseParent = 1,
}

/// <summary>A file descriptor the child keeps open.</summary>
/// <param name="ParentFd">The fd in the parent.</param>
/// <param name="ChildFd">The number it has in the child (the same as <paramref name="ParentFd"/> unless remapped).</param>
/// <param name="Flags">Who closes the parent's copy.</param>
public sealed record PassedFd(int ParentFd, int ChildFd, PassFdOptions Flags)
{
    /// <summary>True when the library closes the parent's copy.</summary>
    public bool ClosesParent => (Flags & PassFdOptions.CloseParent) != 0;
}
