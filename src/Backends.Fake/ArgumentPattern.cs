using System.Text.RegularExpressions;

namespace VirCommand.Backends.Fake;

/// <summary>
/// Matches an argv against a pattern: <c>*</c> and <c>?</c> are globs inside one argument, and an
/// element that is exactly <c>**</c> matches any number of arguments. The program pattern also
/// matches the file name of a program given as a path.
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

    public bool Matches(IReadOnlyList<string> argv) =>
        argv.Count > 0 && ProgramMatches(argv[0]) && Match(argv, 1, 1);

    public static bool ProgramMatches(string pattern, string program) =>
        pattern == program || (!pattern.Contains('/', StringComparison.Ordinal) && Path.GetFileName(program) == pattern);

    private bool ProgramMatches(string program) =>
        _globs[0] is { } glob && (glob.IsMatch(program) || (!_pattern[0].Contains('/', StringComparison.Ordinal) && glob.IsMatch(Path.GetFileName(program))));

    private bool Match(IReadOnlyList<string> argv, int a, int p)
    {
        if (p == _pattern.Length)
            return a == argv.Count;
        if (_globs[p] is null)
            return Enumerable.Range(a, argv.Count - a + 1).Any(next => Match(argv, next, p + 1));
        return a < argv.Count && _globs[p]!.IsMatch(argv[a]) && Match(argv, a + 1, p + 1);
    }
}
