namespace VirCommand.Backends.Managed.Spawning;

/// <summary>
/// Makes <see cref="System.Diagnostics.Process"/> start the file the contract's rule found
/// (<see cref="ProgramLookup"/>), rather than the one its own lookup would (which also looks in the
/// application's directory and the working directory).
/// </summary>
internal static class ProgramResolver
{
    /// <summary>
    /// What to give <see cref="System.Diagnostics.ProcessStartInfo.FileName"/>, which .NET also passes as
    /// argv[0]: the program as given (the contract's argv[0]) when .NET's own lookup of it lands on the
    /// same file as ours; otherwise the resolved path, so that the right file runs even though argv[0]
    /// then shows its path. .NET takes an absolute path as it is; anything else it looks for as
    /// <see cref="ProcessLookup"/> does.
    /// </summary>
    public static string FileNameFor(string program, string resolved)
    {
        if (OperatingSystem.IsWindows())
            return resolved;
        if (Path.IsPathRooted(program))
            return program;
        // A relative PATH entry gives .NET a relative file, which the child execs after its chdir: from
        // another working directory that names another file, or none.
        return ProcessLookup(program) is { } found && Path.IsPathRooted(found) && string.Equals(Path.GetFullPath(found), resolved, StringComparison.Ordinal)
            ? program
            : resolved;
    }

    /// <summary>
    /// The file .NET starts for a relative <paramref name="program"/> on Unix: in the application's
    /// directory, else the working directory, else on each non-empty entry of PATH; nothing when PATH
    /// is unset or empty, where ours falls back on the default path.
    /// </summary>
    private static string? ProcessLookup(string program)
    {
        foreach (var directory in (string?[])[Path.GetDirectoryName(Environment.ProcessPath), Directory.GetCurrentDirectory()])
        {
            if (directory is not null && Path.Combine(directory, program) is var inDirectory && File.Exists(inDirectory))
                return inDirectory;
        }
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Path.Combine(directory, program) is var candidate && ProgramLookup.IsExecutable(candidate))
                return candidate;
        }
        return null;
    }
}
