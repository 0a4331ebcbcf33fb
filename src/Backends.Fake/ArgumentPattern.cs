using System.Text.RegularExpressions;

namespace VirCommand.Backends.Fake;

/// <summary>
/// Matches an argv against a pattern: <c>*</c> and <c>?</c> are globs inside one argument, and an
/// element that is exactly <c>**</c> matches any number of elements (in the program's place, the
/// program too: <c>**</c> alone matches every argv). The program pattern also matches the file name
/// of a program given as a path.
/// </summary>
internal sealed class ArgumentPattern
{
    private const string AnyArguments = "**";
    private readonly string[] _pattern;
    private readonly Regex?[] _globs;

    public ArgumentPattern(IReadOnlyList<string> pattern)
    {
        if (pattern.Count == 0)
            throw new ArgumentException("A pattern needs at least the program.", nameof(pattern));
        _pattern = [.. pattern];
        _globs = [.. _pattern.Select(p => p == AnyArguments ? null : new Regex(
            "^" + Regex.Escape(p).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.Singleline | RegexOptions.CultureInvariant))];
    }

    public bool Matches(IReadOnlyList<string> argv) => argv.Count > 0 && Match(argv, 0, 0);

    public static bool ProgramMatches(string pattern, string program) =>
        pattern == program || (!pattern.Contains('/', StringComparison.Ordinal) && Path.GetFileName(program) == pattern);

    /// <summary>Whether <c>argv[a..]</c> matches <c>pattern[p..]</c>; argv[0], the program, also matches by its file name.</summary>
    private bool Match(IReadOnlyList<string> argv, int a, int p)
    {
        if (p == _pattern.Length)
            return a == argv.Count;
        if (_globs[p] is not { } glob)
            return Enumerable.Range(a, argv.Count - a + 1).Any(next => Match(argv, next, p + 1));
        return a < argv.Count
            && (glob.IsMatch(argv[a]) || (a == 0 && !_pattern[p].Contains('/', StringComparison.Ordinal) && glob.IsMatch(Path.GetFileName(argv[0]))))
            && Match(argv, a + 1, p + 1);
    }
}
