using System.Runtime.InteropServices;
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

    /// <param name="program">The command's program.</param>
    /// <param name="deferPathCheck">
    /// True to skip checking a program with a slash here (two system calls on every spawn): its exec
    /// then fails instead (or an earlier stage does), and <see cref="ExplainStartFailure"/> turns that
    /// failure into the same <see cref="StartStage.Resolve"/> failure. Only for spawns that have no side
    /// effect before exec (no hook, daemon or handshake).
    /// </param>
    /// <exception cref="StartFailure">Stage <see cref="StartStage.Resolve"/>: ENOENT when nothing is found, EACCES when only non-executable files are.</exception>
    public static string Resolve(string program, bool deferPathCheck)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(program);
            if (!deferPathCheck)
                CheckPath(program, path);
            return path;
        }

        var foundButNotExecutable = false;
        var searchPath = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } p ? p : DefaultPath;
        foreach (var dir in searchPath.Split(':'))
        {
            var candidate = Path.Combine(dir.Length == 0 ? "." : dir, program);
            var found = Syscalls.Access(candidate, Syscalls.X_OK) == 0;
            ThrowIfNameTooLong(found, program);
            if (found && !Directory.Exists(candidate))
                return Path.GetFullPath(candidate);
            foundButNotExecutable |= File.Exists(candidate);
        }
        throw new StartFailure(StartStage.Resolve, foundButNotExecutable ? Syscalls.EACCES : Syscalls.ENOENT,
            $"'{program}' was not found {(foundButNotExecutable ? "as an executable " : "")}on the parent's PATH");
    }

    /// <summary>
    /// After a deferred check: the <see cref="StartStage.Resolve"/> failure when <paramref name="path"/> is no
    /// executable file, else <paramref name="failure"/>. Whatever stage failed (the exec, or an earlier one such
    /// as the working directory), Resolve comes first, as it would have without the deferral.
    /// </summary>
    public static StartFailure ExplainStartFailure(string program, string path, StartFailure failure)
    {
        if (failure.Stage == StartStage.Resolve || !program.Contains('/', StringComparison.Ordinal))
            return failure;
        try
        {
            CheckPath(program, path);
            return failure;
        }
        catch (StartFailure resolve)
        {
            return resolve;
        }
    }

    private static void CheckPath(string program, string path)
    {
        var found = Syscalls.Access(path, Syscalls.X_OK) == 0;
        ThrowIfNameTooLong(found, program);
        if (!found || Directory.Exists(path))
        {
            throw new StartFailure(StartStage.Resolve, File.Exists(path) || Directory.Exists(path) ? Syscalls.EACCES : Syscalls.ENOENT,
                $"'{program}' is not an executable file");
        }
    }

    /// <summary>A path longer than PATH_MAX (or a name longer than NAME_MAX) names no file at all: say so, rather than ENOENT.</summary>
    private static void ThrowIfNameTooLong(bool found, string program)
    {
        if (!found && Marshal.GetLastPInvokeError() == Syscalls.ENAMETOOLONG)
            throw new StartFailure(StartStage.Resolve, Syscalls.ENAMETOOLONG, $"'{program}' is longer than a path or file name may be");
    }
}
