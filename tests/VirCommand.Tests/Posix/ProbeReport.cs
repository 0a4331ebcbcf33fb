using System.Globalization;

namespace VirCommand.Tests.Posix;

/// <summary>
/// The report <c>vircommand-probe</c> prints (tests/Probe/README.md), parsed: what the child saw.
/// Keys come in a fixed order; a line that does not start the next expected key continues the
/// previous value (an argument or variable holding a newline), so such values come back whole.
/// Whatever follows the last key (<c>winsize</c>) is the probe's echo, kept in <see cref="Echo"/>.
/// </summary>
internal sealed class ProbeReport
{
    private static readonly string[] TrailingKeys =
    [
        "cwd", "umask", "pid", "ppid", "sid", "pgid", "uid", "gid", "groups", "caps", "no_new_privs", "pdeathsig",
        "rlimit nofile", "rlimit nproc", "rlimit memlock", "rlimit core", "cpus", "nice", "sched_core", "cgroup", "label", "sigmask", "sigpipe",
        "tty", "ctty", "winsize",
    ];

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private ProbeReport()
    {
    }

    /// <summary>argv as the child got it, argv[0] included.</summary>
    public List<string> Argv { get; } = [];

    /// <summary>The child's environment as <c>NAME=value</c>, sorted bytewise by the probe.</summary>
    public List<string> Environment { get; } = [];

    /// <summary>The child's open fds, ascending.</summary>
    public List<int> Fds { get; } = [];

    /// <summary>What each open fd points to (readlink of /proc/self/fd/N).</summary>
    public Dictionary<int, string> FdTargets { get; } = [];

    /// <summary>Everything after the report: the echo blocks.</summary>
    public string Echo { get; private set; } = "";

    public string Cwd => this["cwd"];

    public string Umask => this["umask"];

    /// <summary>The CPUs the child may run on, from the kernel's range list (<c>0-2,5</c>).</summary>
    public IReadOnlyList<int> Cpus => CpuList(this["cpus"]);

    /// <summary>Parses the kernel's CPU range list (<c>0-2,5</c>).</summary>
    public static IReadOnlyList<int> CpuList(string list) => [.. list.Split(',').SelectMany(Range)];

    public int Nice => Number("nice");

    /// <summary>The core scheduling cookie, 16 hex digits, or "unsupported".</summary>
    public string SchedCore => this["sched_core"];

    /// <summary>The cgroup v2 path, relative to the hierarchy's mount ("/" at its root).</summary>
    public string Cgroup => this["cgroup"];

    /// <summary>The security label of the process (its LSM's attr/current), or "unsupported".</summary>
    public string Label => this["label"];

    public int Pid => Number("pid");

    public int ParentPid => Number("ppid");

    public int SessionId => Number("sid");

    public int ProcessGroupId => Number("pgid");

    public string SignalMask => this["sigmask"];

    public string SigPipe => this["sigpipe"];

    /// <summary>isatty of fds 0, 1 and 2, as <c>1 1 0</c>.</summary>
    public string Tty => this["tty"];

    /// <summary>The controlling terminal: <c>pts/N</c>, <c>dev MAJOR:MINOR</c>, or <c>none</c>.</summary>
    public string ControllingTerminal => this["ctty"];

    /// <summary>The controlling terminal's size, <c>COLSxROWS</c>, or <c>none</c>.</summary>
    public string WindowSize => this["winsize"];

    /// <summary>The raw value of any other key (<c>uid</c>, <c>caps</c>, <c>rlimit nofile</c>…).</summary>
    public string this[string key] => _values.TryGetValue(key, out var value)
        ? value
        : throw new KeyNotFoundException($"The probe report has no '{key}' line.");

    /// <exception cref="FormatException">The text is not a probe report.</exception>
    public static ProbeReport Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var report = new ProbeReport();
        var lines = new LineReader(text);

        // argv[0] … argv[n-1]; values may span lines.
        if (!lines.TryTake("argv[0]: ", out var arg))
            throw Bad(text, "it does not start with argv[0]");
        report.Argv.Add(arg);
        while (!lines.AtEnd && !lines.Peek.StartsWith("env: ", StringComparison.Ordinal) && !lines.Peek.StartsWith("fds:", StringComparison.Ordinal))
        {
            if (lines.TryTake($"argv[{report.Argv.Count}]: ", out arg))
                report.Argv.Add(arg);
            else
                report.Argv[^1] += "\n" + lines.Take();
        }

        // env: NAME=value …; values may span lines.
        while (!lines.AtEnd && !lines.Peek.StartsWith("fds:", StringComparison.Ordinal))
        {
            if (lines.TryTake("env: ", out var entry))
                report.Environment.Add(entry);
            else if (report.Environment.Count > 0)
                report.Environment[^1] += "\n" + lines.Take();
            else
                throw Bad(text, $"unexpected line '{lines.Peek}' before the env lines");
        }

        if (!lines.TryTake("fds:", out var fds))
            throw Bad(text, "there is no fds line");
        foreach (var fd in fds.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            report.Fds.Add(int.Parse(fd, NumberStyles.None, CultureInfo.InvariantCulture));
        foreach (var fd in report.Fds)
        {
            if (!lines.TryTake($"fd {fd}: ", out var target))
                throw Bad(text, $"there is no 'fd {fd}:' line");
            report.FdTargets[fd] = target;
        }

        foreach (var key in TrailingKeys)
        {
            if (lines.TryTake(key + ": ", out var value) || lines.TryTake(key + ":", out value))
                report._values[key] = value;
            else
                throw Bad(text, $"the '{key}:' line is missing or out of order");
        }
        report.Echo = lines.Rest;
        return report;
    }

    private int Number(string key) => int.Parse(this[key], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static FormatException Bad(string text, string why) =>
        new($"Not a probe report ({why}):\n{(text.Length > 4000 ? text[..4000] + "…" : text)}");

    /// <summary>Walks the text line by line without splitting it up front, so the echo after the report stays byte for byte.</summary>
    private sealed class LineReader(string text)
    {
        private int _position;

        public bool AtEnd => _position >= text.Length;

        public string Peek
        {
            get
            {
                var end = text.IndexOf('\n', _position);
                return end < 0 ? text[_position..] : text[_position..end];
            }
        }

        public string Rest => AtEnd ? "" : text[_position..];

        public string Take()
        {
            var line = Peek;
            _position = Math.Min(text.Length, _position + line.Length + 1);
            return line;
        }

        public bool TryTake(string prefix, out string value)
        {
            if (!AtEnd && string.CompareOrdinal(text, _position, prefix, 0, prefix.Length) == 0)
            {
                var line = Take();
                value = line[prefix.Length..];
                return true;
            }
            value = "";
            return false;
        }
    }

    private static IEnumerable<int> Range(string range)
    {
        var dash = range.IndexOf('-', StringComparison.Ordinal);
        var first = int.Parse(dash < 0 ? range : range[..dash], System.Globalization.CultureInfo.InvariantCulture);
        var last = dash < 0 ? first : int.Parse(range[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return Enumerable.Range(first, last - first + 1);
    }
}
