namespace VirCommand;

/// <summary>
/// The contract's rule for the file to start, used by <see cref="Command.GetBinaryPath"/> and the
/// managed backend (the POSIX backend applies the same rule with access(2), in its own resolver, so
/// that a deferred check can fall to the exec): a program with a directory separator is a path
/// relative to the parent's working directory; a bare name is looked up on the <em>parent's</em> PATH
/// as it is now, never on a PATH set for the child.
/// </summary>
internal static class ProgramLookup
{
    private const int ENOENT = 2;
    private const int EACCES = 13;
    private const int ENAMETOOLONG = 36;

    /// <summary>Linux's PATH_MAX, with its NUL: a longer path names no file at all.</summary>
    private const int PathMax = 4096;
    private const string DefaultUnixPath = "/usr/local/bin:/usr/bin:/bin";

    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <exception cref="CommandStartException">Stage <see cref="StartStage.Resolve"/>: ENOENT when nothing is found, EACCES when only non-executable files are.</exception>
    public static string Resolve(string program, string commandLine)
    {
        if (program.Contains('/', StringComparison.Ordinal) || (OperatingSystem.IsWindows() && program.Contains('\\', StringComparison.Ordinal)))
        {
            var path = Path.GetFullPath(program);
            if (OperatingSystem.IsLinux() && System.Text.Encoding.UTF8.GetByteCount(path) >= PathMax)
                throw new CommandStartException(commandLine, StartStage.Resolve, ENAMETOOLONG, $"'{program}' is longer than a path may be");
            if (IsExecutable(path))
                return path;
            throw new CommandStartException(commandLine, StartStage.Resolve, Path.Exists(path) ? EACCES : ENOENT,
                $"'{program}' is not an executable file");
        }

        var foundButNotExecutable = false;
        var searchPath = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } p ? p : OperatingSystem.IsWindows() ? "" : DefaultUnixPath;
        foreach (var dir in searchPath.Split(Path.PathSeparator))
        {
            foreach (var candidate in Candidates(Path.Combine(dir.Length == 0 ? "." : dir, program)))
            {
                if (IsExecutable(candidate))
                    return Path.GetFullPath(candidate);
                foundButNotExecutable |= File.Exists(candidate);
            }
        }
        throw new CommandStartException(commandLine, StartStage.Resolve, foundButNotExecutable ? EACCES : ENOENT,
            $"'{program}' was not found {(foundButNotExecutable ? "as an executable " : "")}on the parent's PATH");
    }

    /// <summary>The name itself, and on Windows the name with each PATHEXT extension when it has none.</summary>
    private static IEnumerable<string> Candidates(string path)
    {
        yield return path;
        if (!OperatingSystem.IsWindows() || Path.HasExtension(path))
            yield break;
        var extensions = Environment.GetEnvironmentVariable("PATHEXT") is { Length: > 0 } e ? e : ".COM;.EXE;.BAT;.CMD";
        foreach (var extension in extensions.Split(';', StringSplitOptions.RemoveEmptyEntries))
            yield return path + extension;
    }

    /// <remarks>
    /// On Unix, a regular file with an execute bit for the owner, group or others: the same answer as
    /// access(X_OK) gives root, and for anyone else a file they could exec or get EACCES on at exec.
    /// </remarks>
    public static bool IsExecutable(string path)
    {
        if (!File.Exists(path))
            return false;
        return OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & AnyExecute) != 0;
    }
}
