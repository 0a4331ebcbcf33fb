using System.Text;

namespace VirCommand;

/// <summary>
/// Cuts one output stream's bytes into lines as they arrive, holding at most one line of
/// <see cref="LineOptions.MaxLineLength"/> characters between reads.
/// </summary>
/// <remarks>
/// Rules (documented on <see cref="LineSeparator"/> and <see cref="LineOptions"/>): a terminator ends a
/// line and is dropped; <c>\r\n</c> is one terminator even when a read ends between the two; the end of
/// the stream ends a last line that has no terminator, and adds no empty line after one that had; a
/// line that reaches the limit with more to come goes out as a partial chunk.
/// </remarks>
internal sealed class LineDecoder
{
    private readonly Encoding _encoding;
    private readonly Decoder _decoder;
    private readonly Func<string, bool, OutputLine> _line;
    private readonly int _max;
    private readonly bool _newLines;
    private char[] _chars = [];
    private char[] _text = new char[256];
    private int _length;
    private bool _afterCarriageReturn;

    /// <param name="options">How to decode and cut.</param>
    /// <param name="stream">The stream whose lines this makes.</param>
    public LineDecoder(LineOptions options, ChildOutput stream)
    {
        _encoding = options.Encoding;
        _decoder = _encoding.GetDecoder();
        _max = options.MaxLineLength;
        _newLines = options.Separator == LineSeparator.NewLine;
        Output = stream;
        _line = stream == ChildOutput.StandardOutput
            ? static (text, partial) => new StandardOutputLine(text, partial)
            : static (text, partial) => new StandardErrorLine(text, partial);
    }

    /// <summary>The stream whose lines this makes.</summary>
    public ChildOutput Output { get; }

    /// <summary>Decodes <paramref name="bytes"/> and adds the lines they complete to <paramref name="lines"/>; <paramref name="final"/> at the end of the stream.</summary>
    /// <returns>How many lines were added.</returns>
    public int Decode(ReadOnlySpan<byte> bytes, bool final, Queue<OutputLine> lines)
    {
        var before = lines.Count;
        var room = _encoding.GetMaxCharCount(bytes.Length);
        if (_chars.Length < room)
            _chars = new char[room];
        var count = _decoder.GetChars(bytes, _chars, flush: final);
        Split(_chars.AsSpan(0, count), lines);
        if (final && _length > 0)
            Emit(partial: false, lines);
        return lines.Count - before;
    }

    private void Split(ReadOnlySpan<char> chars, Queue<OutputLine> lines)
    {
        while (!chars.IsEmpty)
        {
            if (_afterCarriageReturn)
            {
                _afterCarriageReturn = false;
                if (chars[0] == '\n')
                {
                    chars = chars[1..];
                    continue;
                }
            }
            var end = _newLines ? chars.IndexOfAny('\r', '\n') : chars.IndexOf('\0');
            Append(end < 0 ? chars : chars[..end], lines);
            if (end < 0)
                return;
            Emit(partial: false, lines);
            _afterCarriageReturn = chars[end] == '\r';
            chars = chars[(end + 1)..];
        }
    }

    private void Append(ReadOnlySpan<char> text, Queue<OutputLine> lines)
    {
        while (!text.IsEmpty)
        {
            if (_length == _max)
            {
                // Full, and the line goes on: out as a chunk, but never half of a surrogate pair.
                var keep = char.IsHighSurrogate(_text[_max - 1]) ? 1 : 0;
                _length -= keep;
                Emit(partial: true, lines);
                if (keep == 1)
                    _text[_length++] = _text[_max - 1];
            }
            var take = Math.Min(_max - _length, text.Length);
            if (_text.Length < _length + take)
                Array.Resize(ref _text, (int)Math.Min(_max, Math.Max(2L * _text.Length, _length + take)));
            text[..take].CopyTo(_text.AsSpan(_length));
            _length += take;
            text = text[take..];
        }
    }

    private void Emit(bool partial, Queue<OutputLine> lines)
    {
        lines.Enqueue(_line(new string(_text, 0, _length), partial));
        _length = 0;
    }
}
