using VirCommand.Backends.Posix.Interop;

namespace VirCommand.Backends.Posix.Spawning;

/// <summary>
/// Finds the file to exec: a program with a slash is taken as a path (relative to the parent's
/// working directory); a bare name is looked up on the <em>parent's</em> PATH as it is now, never on
/// a PATH set for the child, so the child's environment cannot change which binary runs.
/// </summary>
internal static class ProgramResolver
{
    private const string DefaultPath = "/usr/local/bin:/usr/bin:/bin";

    /// <exception cref="StartFailure">Stage <see cref="StartStage.Resolve"/>: ENOENT when nothing is found, EACCES when only non-executable files are.</exception>
    public static string Resolve(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(program);
            if (Syscalls.Access(path, Syscalls.X_OK) == 0 && !Directory.Exists(path))
                return path;
            throw new StartFailure(StartStage.Resolve, File.Exists(path) || Directory.Exists(path) ? Syscalls.EACCES : Syscalls.ENOENT,
                $"'{program}' is not an executable file");
        }

        var foundButNotExecutable = false;
        var searchPath = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } p ? p : DefaultPath;
        foreach (var dir in searchPath.Split(':'))
        {
            var candidate = Path.Combine(dir.Length == 0 ? "." : dir, program);
            if (Syscalls.Access(candidate, Syscalls.X_OK) == 0 && !Directory.Exists(candidate))
                return Path.GetFullPath(candidate);
            foundButNotExecutable |= File.Exists(candidate);
        }
        throw new StartFailure(StartStage.Resolve, foundButNotExecutable ? Syscalls.EACCES : Syscalls.ENOENT,
            $"'{program}' was not found {(foundButNotExecutable ? "as an executable " : "")}on the parent's PATH");
    }
}
