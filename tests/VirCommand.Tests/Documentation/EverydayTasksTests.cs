using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using CliWrap;
using CliWrap.Buffered;
using CliWrap.EventStream;
using VirCommand.Backends.Fake;
using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Documentation;

/// <summary>
/// The README's "Everyday tasks" table is rendered from the regions below, so its code is code that
/// runs and its line counts are counted, not claimed. Each task runs our way and CliWrap's way on the
/// same work and checks both give the same outcome; then the table checks ours is never the longer.
/// </summary>
public sealed partial class EverydayTasksTests : IDisposable
{
    private const string Begin = "<!-- everyday-tasks:begin (checked by EverydayTasksTests) -->";
    private const string End = "<!-- everyday-tasks:end -->";

    /// <summary>The tasks in the table's order, with the words the table shows, and what CliWrap offers where it has no region.</summary>
    private static readonly (string Key, string Task, string? CliWrapLacks)[] Tasks =
    [
        ("stdout", "stdout as a string", null),
        ("timeout", "timeout + cancellation", null),
        ("lines", "stream stdout lines live", null),
        ("stdin-file", "stdin from a file", null),
        ("stdout-file", "stdout to a file", null),
        ("interactive", "interactive child (write, read the reply)", null),
        ("exit-code", "exit code without throwing", null),
        ("pipeline", "pipeline of three commands (ours: kernel pipes, no byte through the parent)", null),
        ("pty", "run in a pseudo-terminal (`isatty` true, colours on)", "no pseudo-terminal (its issues #225, #154, #48)"),
        ("fake", "fake it in a test", "no fake: wrap it behind an interface of your own and mock that"),
    ];

    private readonly ICommandRunner _posix = new PosixCommandRunner();
    private readonly string _directory = Directory.CreateTempSubdirectory("everyday-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Stdout_as_a_string()
    {
        static async Task<string> Ours(ICommandRunner runner)
        {
            #region ours: stdout
            var result = await runner.RunAsync(Command.New("echo").AddArg("hello").SetOutputBuffer());
            var text = result.StandardOutput;
            #endregion
            return text;
        }

        static async Task<string> Theirs()
        {
            #region cliwrap: stdout
            var result = await Cli.Wrap("echo").WithArguments(["hello"]).ExecuteBufferedAsync();
            var text = result.StandardOutput;
            #endregion
            return text;
        }

        Assert.Equal("hello\n", await Ours(_posix));
        Assert.Equal("hello\n", await Theirs());
    }

    [Fact]
    public async Task Timeout_and_cancellation()
    {
        static async Task Ours(ICommandRunner runner, CancellationToken ct)
        {
            #region ours: timeout
            await runner.RunAsync(Command.New("sleep").AddArg("10").SetTimeout(TimeSpan.FromMilliseconds(200)), ct);
            #endregion
        }

        static async Task Theirs(CancellationToken ct)
        {
            #region cliwrap: timeout
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromMilliseconds(200));
            await Cli.Wrap("sleep").WithArguments(["10"]).ExecuteAsync(timeout.Token);
            #endregion
        }

        var timedOut = await Assert.ThrowsAsync<CommandTimeoutException>(() => Ours(_posix, CancellationToken.None));
        Assert.Contains("sleep 10", timedOut.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Theirs(CancellationToken.None));
        using var cancelled = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAsync<CommandCanceledException>(() => Ours(_posix, cancelled.Token));
    }

    [Fact]
    public async Task Stream_stdout_lines_live()
    {
        static async Task<List<string>> Ours(ICommandRunner runner)
        {
            var lines = new List<string>();
            #region ours: lines
            await foreach (var line in runner.ReadLinesAsync(Command.New("seq").AddArg("3")))
                lines.Add(line.Text);
            #endregion
            return lines;
        }

        static async Task<List<string>> Theirs()
        {
            var lines = new List<string>();
            #region cliwrap: lines
            await foreach (var e in Cli.Wrap("seq").WithArguments(["3"]).ListenAsync())
                if (e is StandardOutputCommandEvent output)
                    lines.Add(output.Text);
            #endregion
            return lines;
        }

        Assert.Equal(["1", "2", "3"], await Ours(_posix));
        Assert.Equal(["1", "2", "3"], await Theirs());
    }

    [Fact]
    public async Task Stdin_from_a_file()
    {
        static async Task<string> Ours(ICommandRunner runner, string path)
        {
            #region ours: stdin-file
            var result = await runner.RunAsync(Command.New("wc").AddArg("-l").SetInputFile(path).SetOutputBuffer());
            #endregion
            return result.StandardOutput;
        }

        static async Task<string> Theirs(string path)
        {
            #region cliwrap: stdin-file
            var result = await (PipeSource.FromFile(path) | Cli.Wrap("wc").WithArguments(["-l"])).ExecuteBufferedAsync();
            #endregion
            return result.StandardOutput;
        }

        var input = Path.Combine(_directory, "input.txt");
        await File.WriteAllTextAsync(input, "a\nb\nc\n");
        Assert.Equal("3\n", await Ours(_posix, input));
        Assert.Equal("3\n", await Theirs(input));
    }

    [Fact]
    public async Task Stdout_to_a_file()
    {
        static async Task Ours(ICommandRunner runner, string path)
        {
            #region ours: stdout-file
            await runner.RunAsync(Command.New("seq").AddArg("3").SetOutputFile(path));
            #endregion
        }

        static async Task Theirs(string path)
        {
            #region cliwrap: stdout-file
            await (Cli.Wrap("seq").WithArguments(["3"]) | PipeTarget.ToFile(path)).ExecuteAsync();
            #endregion
        }

        var ours = Path.Combine(_directory, "ours.txt");
        var theirs = Path.Combine(_directory, "theirs.txt");
        await Ours(_posix, ours);
        await Theirs(theirs);
        Assert.Equal("1\n2\n3\n", await File.ReadAllTextAsync(ours));
        Assert.Equal("1\n2\n3\n", await File.ReadAllTextAsync(theirs));
    }

    [Fact]
    public async Task Interactive_child()
    {
        static async Task<string> Ours(ICommandRunner runner)
        {
            #region ours: interactive
            await using var child = await runner.StartAsync(Command.New("cat").SetInputPipe().SetOutputPipe());
            await child.StandardInput!.WriteAsync("ping\n"u8.ToArray());
            var reply = await child.ReadLinesAsync().FirstAsync();
            await child.StandardInput.DisposeAsync();
            await child.WaitAsync();
            #endregion
            return reply.Text;
        }

        static async Task<string> Theirs()
        {
            #region cliwrap: interactive
            var input = new Pipe();
            var replies = Channel.CreateUnbounded<string>();
            var run = (PipeSource.FromStream(input.Reader.AsStream()) | Cli.Wrap("cat") | (line => replies.Writer.TryWrite(line))).ExecuteAsync();
            await input.Writer.WriteAsync("ping\n"u8.ToArray());
            var reply = await replies.Reader.ReadAsync();
            await input.Writer.CompleteAsync();
            await run;
            #endregion
            return reply;
        }

        Assert.Equal("ping", await Ours(_posix));
        Assert.Equal("ping", await Theirs());
    }

    [Fact]
    public async Task Exit_code_without_throwing()
    {
        static async Task<int?> Ours(ICommandRunner runner)
        {
            #region ours: exit-code
            var result = await runner.RunAsync(Command.New("false").AllowNonZeroExit());
            var code = result.ExitCode;
            #endregion
            return code;
        }

        static async Task<int> Theirs()
        {
            #region cliwrap: exit-code
            var result = await Cli.Wrap("false").WithValidation(CommandResultValidation.None).ExecuteAsync();
            var code = result.ExitCode;
            #endregion
            return code;
        }

        Assert.Equal(1, await Ours(_posix));
        Assert.Equal(1, await Theirs());
    }

    [Fact]
    public async Task Pipeline()
    {
        static async Task<string> Ours(ICommandRunner runner)
        {
            #region ours: pipeline
            var result = await runner.RunAsync(Command.NewArgList("seq", "100") | Command.NewArgList("grep", "7") | Command.NewArgList("wc", "-l").SetOutputBuffer());
            var count = result.StandardOutput;
            #endregion
            return count;
        }

        static async Task<string> Theirs()
        {
            #region cliwrap: pipeline
            var result = await (Cli.Wrap("seq").WithArguments(["100"]) | Cli.Wrap("grep").WithArguments(["7"]) | Cli.Wrap("wc").WithArguments(["-l"])).ExecuteBufferedAsync();
            var count = result.StandardOutput;
            #endregion
            return count;
        }

        Assert.Equal("19\n", await Ours(_posix));
        Assert.Equal("19\n", await Theirs());
    }

    [Fact]
    public async Task Run_in_a_pseudo_terminal()
    {
        static async Task<string> Ours(ICommandRunner runner)
        {
            #region ours: pty
            var result = await runner.RunAsync(Command.NewArgList("sh", "-c", "test -t 1 && echo tty").SetPseudoTerminal(80, 24, TerminalStreams.Output).SetOutputBuffer());
            var text = result.StandardOutput;
            #endregion
            return text;
        }

        Assert.Equal("tty\r\n", await Ours(_posix));
    }

    [Fact]
    public async Task Fake_it_in_a_test()
    {
        #region ours: fake
        var fake = new FakeCommandRunner();
        fake.Register("git", "rev-parse", "HEAD").Returns(FakeResponse.Success("abc123\n"));
        var result = await fake.RunAsync(Command.NewArgList("git", "rev-parse", "HEAD").SetOutputBuffer());
        #endregion

        Assert.Equal("abc123\n", result.StandardOutput);
        Assert.Single(fake.Invocations);
    }

    [Fact]
    public void ReadmeTable_IsTheCodeOfTheseTests()
    {
        var readme = File.ReadAllText(RepositoryFile("README.md"));
        var start = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"README.md lacks the markers {Begin} … {End}");
        var actual = readme[(start + Begin.Length)..end].Trim().ReplaceLineEndings("\n");

        var expected = Render(Regions(File.ReadAllText(RepositoryFile("tests/VirCommand.Tests/Documentation/EverydayTasksTests.cs"))));
        Assert.True(expected == actual, $"README.md's everyday-tasks table is out of date; replace it with:\n{expected}");
    }

    [Fact]
    public void Ours_is_never_longer()
    {
        var regions = Regions(File.ReadAllText(RepositoryFile("tests/VirCommand.Tests/Documentation/EverydayTasksTests.cs")));
        foreach (var (key, task, lacks) in Tasks)
        {
            Assert.True(regions.ContainsKey(("ours", key)), $"no 'ours' region for {task}");
            Assert.True(regions.ContainsKey(("cliwrap", key)) == (lacks is null), $"{task}: a CliWrap region, or words for its lack, not both");
            if (regions.TryGetValue(("cliwrap", key), out var theirs))
                Assert.True(regions[("ours", key)].Count <= theirs.Count, $"{task}: ours has {regions[("ours", key)].Count} lines, CliWrap's {theirs.Count}");
        }
    }

    private static string Render(Dictionary<(string Side, string Key), List<string>> regions)
    {
        var table = new StringBuilder();
        table.Append("| task | VirCommand | lines | CliWrap 3.10.5 | lines |\n");
        table.Append("|---|---|---:|---|---:|\n");
        foreach (var (key, task, lacks) in Tasks)
        {
            var ours = regions[("ours", key)];
            var theirs = regions.GetValueOrDefault(("cliwrap", key));
            table.Append("| " + task + " | " + Cell(ours) + " | " + ours.Count.ToString(CultureInfo.InvariantCulture) + " | ");
            table.Append(theirs is null ? lacks + " | – |\n" : Cell(theirs) + " | " + theirs.Count.ToString(CultureInfo.InvariantCulture) + " |\n");
        }
        return table.ToString().TrimEnd();
    }

    private static string Cell(List<string> lines) =>
        string.Join("<br>", lines.Select(line => "`" + line.Replace("|", "\\|", StringComparison.Ordinal) + "`"));

    /// <summary>The non-blank lines of each <c>#region side: key</c>, trimmed.</summary>
    private static Dictionary<(string Side, string Key), List<string>> Regions(string source)
    {
        var regions = new Dictionary<(string, string), List<string>>();
        List<string>? current = null;
        foreach (var raw in source.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.Trim();
            if (RegionStart().Match(line) is { Success: true } match)
                regions[(match.Groups[1].Value, match.Groups[2].Value)] = current = [];
            else if (line.StartsWith("#endregion", StringComparison.Ordinal))
                current = null;
            else if (current is not null && line.Length > 0)
                current.Add(line);
        }
        return regions;
    }

    [GeneratedRegex(@"^#region (ours|cliwrap): ([a-z-]+)$")]
    private static partial Regex RegionStart();

    private static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VirCommand.sln")))
                return Path.Combine(dir.FullName, relative);
        }
        throw new FileNotFoundException($"{relative} next to VirCommand.sln, above {AppContext.BaseDirectory}");
    }
}
