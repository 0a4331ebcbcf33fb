namespace VirCommand.Tests.Conformance;

/// <summary>
/// How the system would resolve a program for the fake (SPEC §3.1): a path as is, a bare name on the
/// <em>parent's</em> PATH as it is when the command runs; not found is ENOENT, found but not
/// executable is EACCES. The fake itself never looks at the file system: this script does it for it.
/// </summary>
internal static class FakeProgramResolution
{
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int ENOTDIR = 20;

    /// <summary>The resolved path, or the errno a real start would fail with at <see cref="StartStage.Resolve"/>.</summary>
    public static (string? Path, int Errno) Resolve(string program)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (program.Contains('/', StringComparison.Ordinal))
            return Check(program);
        var errno = ENOENT;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            var (path, error) = Check(Path.Combine(dir.Length == 0 ? "." : dir, program));
            if (path is not null)
                return (path, 0);
            if (error == EACCES)
                errno = EACCES; // as execvp: a match that cannot be run outranks no match
        }
        return (null, errno);
    }

    private static (string? Path, int Errno) Check(string path)
    {
        if (Directory.Exists(path))
            return (null, EACCES);
        if (!File.Exists(path))
            return (null, ENOENT);
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("The probe and its resolution are POSIX.");
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) == 0 ? (null, EACCES) : (Path.GetFullPath(path), 0);
    }
}
