namespace VirCommand;

/// <summary>One of the child's output streams.</summary>
public enum ChildOutput
{
    /// <summary>stdout (fd 1).</summary>
    StandardOutput,
    /// <summary>stderr (fd 2).</summary>
    StandardError,
}
