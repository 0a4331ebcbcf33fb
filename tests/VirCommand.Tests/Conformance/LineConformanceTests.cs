using System.Globalization;
using System.Text;
using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// SPEC §4 "Live output" on every backend: the event and line streams (order, line ends, encodings, long
/// lines, back-pressure, the drain, cancellation, timeouts and the exit). The fake's scripted output
/// comes through the same listener as a real child's pipes; where a case needs a shell, the fake is
/// scripted to answer as the shell does, and what only a real process shows (a write blocked on a full
/// pipe) is checked on the real backends.
/// </summary>
public sealed class LineConformanceTests
{
    private static Command Sleeper() => Probe.Command("--quiet", "--sleep", "60000");

    private static async Task<List<CommandEvent>> CollectAsync(IAsyncEnumerable<CommandEvent> events)
    {
        var seen = new List<CommandEvent>();
        await foreach (var e in events)
            seen.Add(e);
        return seen;
    }

    private static string[] Texts<T>(IEnumerable<CommandEvent> events) where T : OutputLine => [.. events.OfType<T>().Select(l => l.Text)];

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Listening_gives_the_start_every_line_of_each_stream_in_order_and_the_exit(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        // \r\n, a lone \r, an empty line: each ends one line, and no terminator is kept.
        var command = Probe.Command("--quiet").SetInputBuffer("one\r\ntwo\n\nthree\rfour\n");

        var events = await CollectAsync(runner.ListenAsync(command)).OrHang();

        var started = Assert.IsType<CommandStarted>(events[0]);
        var exited = Assert.IsType<CommandExited>(events[^1]);
        Assert.Equal(exited.Result.Pid, started.Pid);
        Assert.Equal(0, exited.Result.ExitCode);
        Assert.Equal(["BEGIN STDOUT", "one", "two", "", "three", "four", "END STDOUT"], Texts<StandardOutputLine>(events));
        Assert.Equal(["BEGIN STDERR", "one", "two", "", "three", "four", "END STDERR"], Texts<StandardErrorLine>(events));
        Assert.All(events.OfType<OutputLine>(), l => Assert.False(l.IsPartial));
        Assert.Equal(StdioKind.Null, command.Output.Kind); // the caller's command is never changed
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_hundred_thousand_lines_per_stream_keep_each_streams_order(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var input = string.Concat(Enumerable.Range(0, 100_000).Select(i => $"{i}\n"));

        var events = await CollectAsync(runner.ListenAsync(Probe.Command("--quiet").SetInputBuffer(input))).OrHang();

        string[] expected = [.. Enumerable.Range(0, 100_000).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        Assert.Equal(["BEGIN STDOUT", .. expected, "END STDOUT"], Texts<StandardOutputLine>(events));
        Assert.Equal(["BEGIN STDERR", .. expected, "END STDERR"], Texts<StandardErrorLine>(events));
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_last_line_without_a_newline_still_comes(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        var events = await CollectAsync(runner.ListenAsync(Probe.Command("--quiet", "--close-stdin", "--write-stderr", "first\nno newline"))).OrHang();

        Assert.Empty(Texts<StandardOutputLine>(events));
        Assert.Equal(["first", "no newline"], Texts<StandardErrorLine>(events));
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Each_stream_decodes_with_its_own_encoding_and_invalid_bytes_follow_the_encodings_fallback(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        byte[] data = [(byte)'h', 0xC3, 0xA9, 0xFF, (byte)'\n'];

        var events = await CollectAsync(runner.ListenAsync(Probe.Command("--quiet").SetInputBuffer(data),
            output: null, error: new LineOptions { Encoding = Encoding.Latin1 })).OrHang();

        Assert.Equal("hé\uFFFD", Texts<StandardOutputLine>(events)[1]);
        Assert.Equal("h\u00C3\u00A9\u00FF", Texts<StandardErrorLine>(events)[1]);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_line_longer_than_the_limit_comes_as_marked_chunks_and_characters_split_across_reads_decode_whole(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        // 30,000 bytes of three-byte characters: reads end inside characters.
        var line = new string('€', 10_000);

        var lines = await runner.ReadLinesAsync(Probe.Command("--quiet").SetInputBuffer(line + "\n"), new LineOptions { MaxLineLength = 4096 })
            .ToListAsync().OrHang();

        Assert.Equal(["BEGIN STDOUT", line[..4096], line[4096..8192], line[8192..], "END STDOUT"], lines.Select(l => l.Text));
        Assert.Equal([false, true, true, false, false], lines.Select(l => l.IsPartial));
        Assert.All(lines, l => Assert.IsType<StandardOutputLine>(l));
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_slow_consumer_blocks_the_child_on_the_full_pipe_and_gets_every_line(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        const int count = 2_000_000;
        var input = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, count).Select(i => $"{i:D15}\n"))); // 32 MB

        await using var running = await runner.StartAsync(Probe.Command("--quiet").SetInputBuffer(input).SetOutputPipe()).OrHang();
        await using var lines = running.ReadLinesAsync().GetAsyncEnumerator();
        Assert.True(await lines.MoveNextAsync().OrHang());
        Assert.Equal("BEGIN STDOUT", lines.Current.Text);

        // The consumer takes nothing more: the child must stop in a write to the full pipe, having
        // written a small part of its output (what the pipe and one read hold), never all of it.
        if (conformance.Spawns)
        {
            Assert.True(ProcessInspector.WaitUntil(() => WaitChannel(running.Pid).Contains("pipe_write", StringComparison.Ordinal), HangGuard.Limit),
                $"the child never blocked on the pipe ({WaitChannel(running.Pid)})");
            var written = BytesWritten(running.Pid);
            Assert.True(written < 4 * 1024 * 1024, $"the child wrote {written} bytes of {input.Length} while nothing was taken");
        }
        else
        {
            await Task.Delay(200);
            Assert.True(conformance.IsRunning(runner, running.Pid), "the fake child finished although nothing took its output");
        }

        var next = 0;
        while (await lines.MoveNextAsync().OrHang() && lines.Current.Text != "END STDOUT")
            Assert.Equal(next++.ToString("D15", CultureInfo.InvariantCulture), lines.Current.Text);
        Assert.Equal(count, next);
        Assert.Equal(0, (await running.WaitAsync().OrHang()).ExitCode);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Cancelling_the_enumeration_stops_the_child_and_throws_cancelled(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        using var cts = new CancellationTokenSource();
        var pid = 0;

        var error = await Assert.ThrowsAsync<CommandCanceledException>(async () =>
        {
            await foreach (var e in runner.ListenAsync(Sleeper(), cts.Token))
            {
                if (e is CommandStarted started)
                {
                    pid = started.Pid;
                    await cts.CancelAsync();
                }
            }
        }).OrHang();

        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.Equal(pid, error.Result!.Pid);
        await conformance.AssertStoppedAndGoneAsync(runner, pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Cancelling_the_listening_of_a_detached_child_leaves_it_running(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        using var cts = new CancellationTokenSource();
        await using var running = await runner.StartAsync(Sleeper().SetOutputPipe()).OrHang();
        running.Detach();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in running.ListenAsync(cts.Token))
            {
                if (e is CommandStarted)
                    await cts.CancelAsync();
            }
        }).OrHang();

        Assert.IsNotType<CommandCanceledException>(error);
        Assert.True(conformance.IsRunning(runner, running.Pid), "the detached child was stopped");
        await running.AbortAsync().OrHang();
        await conformance.AssertStoppedAndGoneAsync(runner, running.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Leaving_the_runners_loop_early_stops_the_child(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();

        var pid = await Task.Run(async () =>
        {
            await foreach (var e in runner.ListenAsync(Sleeper()))
                return Assert.IsType<CommandStarted>(e).Pid;
            return 0;
        }).OrHang();

        await conformance.AssertStoppedAndGoneAsync(runner, pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_child_killed_by_its_timeout_mid_stream_gives_its_lines_then_the_timeout(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        conformance.Script(runner, "sh", _ => FakeResponse.Success("one\n", "two\n").WithDelay(TimeSpan.FromSeconds(60)));
        var seen = new List<CommandEvent>();

        var error = await Assert.ThrowsAsync<CommandTimeoutException>(async () =>
        {
            await foreach (var e in runner.ListenAsync(Command.NewArgList("sh", "-c", "echo one; echo two >&2; exec sleep 60").SetTimeout(TimeSpan.FromSeconds(3))))
                seen.Add(e);
        }).OrHang();

        Assert.IsType<CommandStarted>(seen[0]);
        Assert.DoesNotContain(seen, e => e is CommandExited);
        // A real child wrote its lines before it slept; the fake writes its scripted output at its end, which the timeout pre-empts.
        Assert.Equal(conformance.Spawns ? ["one"] : [], Texts<StandardOutputLine>(seen));
        Assert.Equal(conformance.Spawns ? ["two"] : [], Texts<StandardErrorLine>(seen));
        await conformance.AssertStoppedAndGoneAsync(runner, error.Result!.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_grandchild_holding_the_pipes_does_not_hold_up_the_listening(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        conformance.Script(runner, "sh", _ => FakeResponse.Success("done\n", "0\n"));
        var command = Command.NewArgList("sh", "-c", "sleep 120 & echo $! >&2; echo done").SetDrainTimeout(TimeSpan.FromMilliseconds(300));

        var events = await CollectAsync(runner.ListenAsync(command)).OrHang();

        var grandchild = int.Parse(Assert.Single(Texts<StandardErrorLine>(events)), CultureInfo.InvariantCulture);
        if (grandchild > 0)
            conformance.KillIfRunning(grandchild);
        Assert.Equal(["done"], Texts<StandardOutputLine>(events));
        Assert.Equal(0, Assert.IsType<CommandExited>(events[^1]).Result.ExitCode);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_child_that_closes_stdout_early_goes_on_with_stderr(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        conformance.Script(runner, "sh", _ => FakeResponse.Success("", "late\n"));

        var events = await CollectAsync(runner.ListenAsync(Command.NewArgList("sh", "-c", "exec >&-; sleep 0.2; echo late >&2"))).OrHang();

        Assert.Empty(Texts<StandardOutputLine>(events));
        Assert.Equal(["late"], Texts<StandardErrorLine>(events));
        Assert.IsType<CommandExited>(events[^1]);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_failing_exit_ends_the_listening_with_its_exception_after_the_lines_unless_allowed(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        Command Failing() => Probe.Command("--quiet", "--close-stdin", "--write-stderr", "bad input\n", "--exit", "3");
        var seen = new List<CommandEvent>();

        var error = await Assert.ThrowsAsync<CommandExitException>(async () =>
        {
            await foreach (var e in runner.ListenAsync(Failing()))
                seen.Add(e);
        }).OrHang();
        var allowed = await CollectAsync(runner.ListenAsync(Failing().AllowNonZeroExit())).OrHang();

        Assert.Equal(3, error.ExitCode);
        Assert.Equal(["bad input"], Texts<StandardErrorLine>(seen));
        Assert.Equal(3, Assert.IsType<CommandExited>(allowed[^1]).Result.ExitCode);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task The_handle_methods_need_the_pipes_and_name_the_setter(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        await using var running = await runner.StartAsync(Probe.Command("--quiet")).OrHang();

        var listen = Assert.Throws<InvalidOperationException>(() => running.ListenAsync());
        var stderr = Assert.Throws<InvalidOperationException>(() => running.ReadLinesAsync(ChildOutput.StandardError));

        Assert.Contains("SetOutputPipe()", listen.Message, StringComparison.Ordinal);
        Assert.Contains("SetErrorPipe()", stderr.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => runner.ReadLinesAsync(Probe.Command().SetOutputBuffer()));
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task The_runners_line_reader_judges_the_exit_after_the_last_line(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var seen = new List<string>();

        var error = await Assert.ThrowsAsync<CommandExitException>(async () =>
        {
            await foreach (var line in runner.ReadLinesAsync(Probe.Command("--quiet", "--exit", "4").SetInputBuffer("a\nb\n")))
                seen.Add(line.Text);
        }).OrHang();

        Assert.Equal(["BEGIN STDOUT", "a", "b", "END STDOUT"], seen);
        Assert.Equal(4, error.ExitCode);
    }

    private static string WaitChannel(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/wchan");
        }
        catch (IOException)
        {
            return "(gone)";
        }
    }

    private static long BytesWritten(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/io").First(l => l.StartsWith("wchar:", StringComparison.Ordinal))["wchar:".Length..].Trim(), CultureInfo.InvariantCulture);
}
