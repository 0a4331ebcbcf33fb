using System.Text;

namespace VirCommand;

/// <summary>What ends a line.</summary>
public enum LineSeparator
{
    /// <summary><c>\n</c>, <c>\r\n</c> or a lone <c>\r</c> (as <see cref="StreamReader.ReadLine()"/>): a progress bar redrawn with <c>\r</c> gives a line per redraw.</summary>
    NewLine,
    /// <summary>A NUL character only (<c>find -print0</c>, <c>xargs -0</c>, <c>virCommandRunNul</c>); <c>\r</c> and <c>\n</c> are text.</summary>
    Nul,
}

/// <summary>How one output stream is cut into lines.</summary>
/// <remarks>
/// The bytes are decoded as a stream, so a character split across reads is decoded whole; bytes the
/// encoding cannot decode become what its <see cref="Encoding.DecoderFallback"/> says (U+FFFD for the
/// default UTF-8; an encoding made with <c>throwOnInvalidBytes</c> ends the listening with its
/// <see cref="DecoderFallbackException"/>). A byte-order mark is text like any other.
/// </remarks>
public sealed record LineOptions
{
    /// <summary>UTF-8, lines of up to 1 Mi characters ended by new lines.</summary>
    public static LineOptions Default { get; } = new();

    /// <summary>The encoding the child writes in. Default UTF-8, invalid bytes as U+FFFD.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public Encoding Encoding
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Encoding), "A line stream needs an encoding.");
    } = Encoding.UTF8;

    /// <summary>
    /// The most characters of one line held at once (default 1,048,576): a longer line comes as chunks of
    /// this length marked <see cref="OutputLine.IsPartial"/>, so a child that never ends a line cannot
    /// make the listener hold more. A chunk never splits a surrogate pair (it is then one shorter).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 2 (a chunk must hold a surrogate pair).</exception>
    public int MaxLineLength
    {
        get;
        init => field = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(MaxLineLength), value,
            "A line must be allowed at least 2 characters (a surrogate pair).");
    } = 1024 * 1024;

    /// <summary>What ends a line. Default <see cref="LineSeparator.NewLine"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="LineSeparator"/>.</exception>
    public LineSeparator Separator
    {
        get;
        init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Separator), value, "Unknown line separator.");
    }
}
