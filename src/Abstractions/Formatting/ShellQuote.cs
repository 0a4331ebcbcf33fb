using System.Buffers;

namespace VirCommand.Formatting;

/// <summary>Quotes a string so that a POSIX shell reads it back as one word, as libvirt's <c>virBufferEscapeShell</c>.</summary>
public static class ShellQuote
{
    private static readonly SearchValues<char> Special = SearchValues.Create("\r\t\n !\"#$&'()*;<>?[\\]^`{|}~");

    /// <summary>
    /// Returns <c>''</c> for an empty string, the string itself when it has no special character, and
    /// otherwise the string in single quotes with each <c>'</c> written <c>'\''</c>.
    /// </summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
            return "''";
        if (!value.AsSpan().ContainsAny(Special))
            return value;
        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
