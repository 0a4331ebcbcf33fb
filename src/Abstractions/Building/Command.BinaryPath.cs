namespace VirCommand;

public sealed partial class Command
{
    /// <summary>
    /// The absolute path of the file a run started now would execute (<c>virCommandGetBinaryPath</c>):
    /// <see cref="Program"/> with a slash taken relative to the current working directory, a bare name
    /// looked up on the parent's PATH as it is now (never a PATH set for the child), as every backend
    /// resolves it. Read-only: it changes nothing, and a later run resolves again.
    /// </summary>
    /// <exception cref="CommandStartException">
    /// Stage <see cref="StartStage.Resolve"/>, the error a run would fail with: ENOENT when nothing is
    /// found, EACCES when only non-executable files are, ENAMETOOLONG for a path longer than PATH_MAX.
    /// </exception>
    public string GetBinaryPath() => ProgramLookup.Resolve(Program, ToString());
}
