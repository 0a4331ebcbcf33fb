using System.Text;
using VirCommand.Formatting;

namespace VirCommand;

public sealed partial class Command
{
    /// <summary>
    /// The command as one shell line (<c>virCommandToString</c>): environment entries <c>NAME=value</c>,
    /// the program, the arguments, each shell-quoted and separated by single spaces; secrets redacted.
    /// </summary>
    /// <example><c>A=B C='D  E' true F 'G  H'</c></example>
    public override string ToString() => ToString(lineBreaks: false);

    /// <summary>
    /// The command as a shell line; with <paramref name="lineBreaks"/>, <c> \</c> and a newline follow
    /// each environment entry and the program, each option (an argument starting with <c>-</c>) starts a
    /// new line, and any other argument stays on its line only if an option came before it and either
    /// the previous argument is an option or a later argument is one (<c>virCommandToStringFull</c>).
    /// </summary>
    public string ToString(bool lineBreaks)
    {
        const string Break = " \\\n";
        var sb = new StringBuilder();
        foreach (var env in EnvironmentForDisplay())
            sb.Append(env.Name).Append('=').Append(ShellQuote.Quote(env.DisplayValue)).Append(lineBreaks ? Break : " ");
        sb.Append(ShellQuote.Quote(Program));

        var args = _arguments.Select(a => a.Display).ToList();
        var seenOption = false;
        for (var i = 0; i < args.Count; i++)
        {
            var isOption = args[i].StartsWith('-');
            var newLine = lineBreaks && !(!isOption && seenOption &&
                (args[i - 1].StartsWith('-') || args.Skip(i + 1).Any(a => a.StartsWith('-'))));
            sb.Append(newLine ? Break : " ").Append(ShellQuote.Quote(args[i]));
            seenOption |= isOption;
        }
        return sb.ToString();
    }

    /// <summary>Writes the environment entries, program and arguments unquoted, single spaces, one final newline (<c>virCommandWriteArgLog</c>); secrets redacted.</summary>
    public void WriteArgLog(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(ArgLog());
        writer.Flush();
    }

    /// <summary>Writes the arg log to a stream as UTF-8 (<c>virCommandWriteArgLog</c> to an fd).</summary>
    public void WriteArgLog(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = Encoding.UTF8.GetBytes(ArgLog());
        stream.Write(bytes);
        stream.Flush();
    }

    private string ArgLog() =>
        string.Join(' ', EnvironmentForDisplay().Select(e => e.ToString())
            .Append(Program)
            .Concat(_arguments.Select(a => a.Display))) + "\n";

    /// <summary>The explicit environment; an inherited environment is not part of the string forms, as in libvirt.</summary>
    private List<EnvironmentVariable> EnvironmentForDisplay() => _environment;
}
