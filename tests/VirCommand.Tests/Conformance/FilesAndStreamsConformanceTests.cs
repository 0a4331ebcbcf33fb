using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// Issue 13 item 3 on every backend: stdout and stderr to files (truncated or appended, created with a
/// mode), to a caller's stream, and tee (captured and sent on); stdin from a file, a stream, a
/// <see cref="PipeReader"/> or an async sequence. What cannot be opened fails the start with its stage
/// and errno and spawns nothing; a source or target that throws fails the run and stops the child; a
/// child that stops reading is not an error.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FilesAndStreamsConformanceTests
{
    private const int ENOENT = 2, EACCES = 13, EISDIR = 21;

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Stdout_and_stderr_go_to_files_truncated_or_appended_in_order(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        using var dir = new TempDir();
        var output = dir.File("out");
        var log = dir.File("log");
        await File.WriteAllTextAsync(output, new string('x', 100_000));
        await File.WriteAllTextAsync(log, "earlier\n");
        var data = Probe.Binary(256 * 1024, seed: 601);
        var command = Probe.Command("--quiet").SetInputBuffer(data).SetOutputFile(output).SetErrorFile(log, append: true);

        var result = await runner.RunAsync(command).OrHang();
        await runner.RunAsync(command).OrHang();

        byte[] appended = [.. "earlier\n"u8, .. Probe.StderrBlock(data), .. Probe.StderrBlock(data)];
        Assert.Equal(Probe.StdoutBlock(data), await File.ReadAllBytesAsync(output));
        Assert.Equal(appended, await File.ReadAllBytesAsync(log));
        Assert.False(result.HasStandardOutput, "stdout went to a file, yet the result claims a capture");
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_file_the_run_creates_gets_the_mode_asked_or_0644(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        using var dir = new TempDir();

        await runner.RunAsync(Probe.Command("--quiet").SetOutputFile(dir.File("private"), createMode: UnixFileMode.UserRead | UnixFileMode.UserWrite)
            .SetErrorFile(dir.File("default"))).OrHang();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.File("private")));
        // 0644 less the umask, as for any open(2): the test process's umask removes no read bit from 0644 in practice.
        var mode = File.GetUnixFileMode(dir.File("default"));
        Assert.Equal(StdioTarget.DefaultCreateMode & mode, mode);
        Assert.True(mode.HasFlag(UnixFileMode.UserRead | UnixFileMode.UserWrite), $"mode {mode}");
    }

    public static TheoryData<string, string> UnopenableFiles
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var backend in ConformanceBackend.AllNames)
            {
                foreach (var kind in (string[])["stdout-in-missing-directory", "stdout-is-a-directory", "stderr-read-only", "stdin-missing", "stdin-is-a-directory"])
                    data.Add(backend, kind);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(UnopenableFiles))]
    public async Task A_file_that_cannot_be_opened_fails_the_start_at_Stdio_with_its_errno_and_runs_nothing(string backend, string kind)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        using var dir = new TempDir();
        var command = Command.New(conformance.TracingProgram(dir));
        var (path, stream, errno) = kind switch
        {
            "stdout-in-missing-directory" => (dir.File("missing/out"), "stdout", ENOENT),
            "stdout-is-a-directory" => (dir.Path, "stdout", EISDIR),
            "stderr-read-only" => (ReadOnlyFile(dir), "stderr", EACCES),
            "stdin-missing" => (dir.File("missing"), "stdin", ENOENT),
            _ => (dir.Path, "stdin", EISDIR),
        };
        _ = stream switch
        {
            "stdout" => command.SetOutputFile(path),
            "stderr" => command.SetErrorFile(path, append: true),
            _ => command.SetInputFile(path),
        };

        var error = await Assert.ThrowsAsync<CommandStartException>(() => runner.RunAsync(command).OrHang());

        Assert.Equal(StartStage.Stdio, error.Stage);
        Assert.Equal(errno, error.Errno);
        Assert.Contains($"cannot open '{path}' for {stream}", error.Message, StringComparison.Ordinal);
        conformance.AssertNeverRan(runner, dir);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Merged_output_goes_to_one_file_or_stream_in_write_order_where_the_backend_merges(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        using var dir = new TempDir();
        using var stream = new MemoryStream();
        var toFile = Probe.Command("--quiet").SetInputBuffer("both\n").SetMergedOutputFile(dir.File("log"));
        var toStream = Probe.Command("--quiet").SetInputBuffer("both\n").SetMergedOutputStream(stream, capture: true);

        if (!runner.Features.HasFlag(CommandFeatures.MergedOutput))
        {
            Assert.Equal(CommandFeatures.MergedOutput, (await Assert.ThrowsAsync<CommandNotSupportedException>(() => runner.RunAsync(toFile))).Feature);
            Assert.Equal(CommandFeatures.MergedOutput, (await Assert.ThrowsAsync<CommandNotSupportedException>(() => runner.RunAsync(toStream))).Feature);
            Assert.False(File.Exists(dir.File("log")));
            return;
        }
        await runner.RunAsync(toFile).OrHang();
        var result = await runner.RunAsync(toStream).OrHang();

        Assert.Equal(Probe.MergedBlock(Probe.Utf8("both\n")), await File.ReadAllBytesAsync(dir.File("log")));
        Assert.Equal(Probe.MergedBlock(Probe.Utf8("both\n")), stream.ToArray());
        Assert.Equal(Probe.MergedBlock(Probe.Utf8("both\n")), result.StandardOutputBytes.ToArray());
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Stdin_from_a_file_is_what_the_child_reads(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        using var dir = new TempDir();
        var data = Probe.Binary(1024 * 1024, seed: 602);
        await File.WriteAllBytesAsync(dir.File("in"), data);

        var result = await runner.RunAsync(Probe.Command("--quiet").SetInputFile(dir.File("in")).SetOutputBuffer()).OrHang();

        Assert.Equal(Probe.StdoutBlock(data), result.StandardOutputBytes.ToArray());
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Output_streams_get_every_byte_a_tee_captures_it_too_and_the_caller_keeps_the_streams(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var data = Probe.Binary(512 * 1024, seed: 603);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();

        var result = await runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(data).SetOutputStream(stdout, capture: true).SetErrorStream(stderr)).OrHang();

        Assert.Equal(Probe.StdoutBlock(data), stdout.ToArray());
        Assert.Equal(Probe.StdoutBlock(data), result.StandardOutputBytes.ToArray());
        Assert.Equal(Probe.StderrBlock(data), stderr.ToArray());
        Assert.False(result.HasStandardError, "stderr went to a stream without capture, yet the result claims a capture");
        Assert.True(stdout.CanWrite && stderr.CanWrite, "the library disposed a caller's stream");
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_tee_to_a_file_writes_the_file_and_captures_and_a_blocking_Run_pumps_as_well(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        using var dir = new TempDir();
        using var stream = new MemoryStream();

        var result = runner.Run(Probe.Command("--quiet").SetInputBuffer("tee me\n").SetOutputFile(dir.File("out"), capture: true).SetErrorStream(stream, capture: true));

        Assert.Equal(Probe.StdoutBlock("tee me\n"), await File.ReadAllTextAsync(dir.File("out")));
        Assert.Equal(Probe.StdoutBlock("tee me\n"), result.StandardOutput);
        Assert.Equal(Probe.StderrBlock("tee me\n"), result.StandardError);
        Assert.Equal(Probe.StderrBlock("tee me\n"), System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_detached_child_keeps_its_streams_pumped_after_its_handle_is_disposed(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        using var stdout = new MemoryStream();

        // The probe sleeps before it echoes: its output comes after the handle is gone.
        var running = await runner.StartAsync(Probe.Command("--quiet", "--sleep", "300").SetInputBuffer("later\n").SetOutputStream(stdout, capture: true)).OrHang();
        running.Detach();
        await running.DisposeAsync();
        var result = await running.WaitAsync().OrHang();

        Assert.Equal(Probe.StdoutBlock("later\n"), result.StandardOutput);
        Assert.Equal(Probe.StdoutBlock("later\n"), System.Text.Encoding.UTF8.GetString(stdout.ToArray()));
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_tee_past_the_capture_limit_stops_the_child_and_reports_it(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        using var stream = new MemoryStream();
        var data = Probe.Binary(512 * 1024, seed: 604);

        var error = await Assert.ThrowsAsync<CommandCaptureLimitException>(() =>
            runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(data).SetOutputStream(stream, capture: true).SetCaptureLimit(1000)).OrHang());

        Assert.Equal("stdout", error.Stream);
        Assert.Equal(Probe.StdoutBlock(data)[..1000], error.Result.StandardOutputBytes.ToArray());
        await conformance.AssertStoppedAndGoneAsync(runner, error.Result.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Stdin_comes_from_a_stream_a_PipeReader_or_an_async_sequence(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var data = Probe.Binary(300 * 1024, seed: 605);
        var pipe = new Pipe();
        // The writer waits for the run to read (the pipe pauses it past 64 KiB), as a real producer would.
        var writing = Task.Run(async () =>
        {
            await pipe.Writer.WriteAsync(data);
            await pipe.Writer.CompleteAsync();
        });
        using var stream = new MemoryStream(data);

        Command[] commands =
        [
            Probe.Command("--quiet").SetInputStream(stream),
            Probe.Command("--quiet").SetInputSource(pipe.Reader),
            Probe.Command("--quiet").SetInputSource(Chunked(data, 7000)),
        ];
        foreach (var command in commands)
        {
            var result = await runner.RunAsync(command.SetOutputBuffer()).OrHang();
            Assert.Equal(Probe.StdoutBlock(data), result.StandardOutputBytes.ToArray());
        }
        await writing.OrHang();

        // A second run reads the stream on from where the first left it (its end); a sequence is enumerated afresh.
        Assert.Equal(Probe.StdoutBlock(""), (await runner.RunAsync(commands[0]).OrHang()).StandardOutput);
        Assert.Equal(Probe.StdoutBlock(data), (await runner.RunAsync(commands[2]).OrHang()).StandardOutputBytes.ToArray());
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_child_that_exits_without_reading_its_source_is_not_an_error(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        using var stream = new MemoryStream(new byte[4 * 1024 * 1024]);

        var result = await runner.RunAsync(Probe.Command("--quiet", "--close-stdin").SetInputStream(stream).SetOutputBuffer()).OrHang();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.StandardOutput);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_source_that_throws_fails_the_run_with_CommandStreamException_and_stops_the_child(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        var boom = new InvalidDataException("the source broke");

        // The probe reads stdin to its end: without the failure it would wait for more forever.
        var error = await Assert.ThrowsAsync<CommandStreamException>(() =>
            runner.RunAsync(Probe.Command("--quiet").SetInputSource(ThrowsAfter(new byte[1000], boom)).SetOutputBuffer()).OrHang());

        Assert.Equal("stdin", error.Stream);
        Assert.Same(boom, error.InnerException);
        Assert.Contains("reading the source of stdin failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("the source broke", error.Message, StringComparison.Ordinal);
        await conformance.AssertStoppedAndGoneAsync(runner, error.Result.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task An_output_stream_whose_write_throws_fails_the_run_and_stops_the_child(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        using var broken = new ThrowingStream();
        // A real child writes its report, then sleeps: only the failure can end it. The fake writes when it ends.
        var command = conformance.Spawns ? Probe.Command("--sleep", "60000") : Probe.Command();

        var error = await Assert.ThrowsAsync<CommandStreamException>(() => runner.RunAsync(command.SetOutputStream(broken)).OrHang());

        Assert.Equal("stdout", error.Stream);
        Assert.IsType<IOException>(error.InnerException);
        Assert.Contains("writing stdout to its target failed", error.Message, StringComparison.Ordinal);
        if (conformance.Spawns)
            await conformance.AssertStoppedAndGoneAsync(runner, error.Result.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Cancellation_mid_pump_stops_the_child_and_ends_the_source(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        using var cts = new CancellationTokenSource();
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var error = await Assert.ThrowsAsync<CommandCanceledException>(() =>
            runner.RunAsync(Probe.Command("--quiet").SetInputSource(Endless(cts, ended)), cts.Token).OrHang());

        await ended.Task.OrHang();
        await conformance.AssertStoppedAndGoneAsync(runner, error.Result!.Pid);
    }

    /// <summary>The backends whose children really read at their own pace.</summary>
    public static TheoryData<string> SpawningNames => [.. ConformanceBackend.AllNames.Where(n => ConformanceBackend.Get(n).Spawns)];

    [Theory]
    [MemberData(nameof(SpawningNames))]
    public async Task A_child_that_does_not_read_holds_back_a_large_source_which_then_arrives_whole(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        using var dir = new TempDir();
        var gate = dir.File("gate");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", gate))
            await mkfifo.WaitForExitAsync().OrHang();
        const int chunkSize = 64 * 1024, chunks = 1024; // 64 MiB
        long produced = 0;

        async IAsyncEnumerable<ReadOnlyMemory<byte>> Source()
        {
            var chunk = new byte[chunkSize];
            for (var i = 0; i < chunks; i++)
            {
                Interlocked.Add(ref produced, chunkSize);
                yield return chunk;
                await Task.Yield();
            }
        }

        // The child reads nothing until the gate opens.
        await using var running = await runner.StartAsync(Command.NewArgList("/bin/sh", "-c", "read -r go < \"$0\"; exec wc -c", gate)
            .SetInputSource(Source()).SetOutputBuffer()).OrHang();
        await WaitUntilSteadyAsync(() => Interlocked.Read(ref produced)).OrHang();

        // What got ahead is what the pipe holds plus a chunk or two: far from the 64 MiB of the source.
        Assert.InRange(Interlocked.Read(ref produced), chunkSize, 4L * 1024 * 1024);
        await File.WriteAllTextAsync(gate, "go\n");
        var result = await running.WaitAsync().OrHang();
        Assert.Equal(((long)chunkSize * chunks).ToString(System.Globalization.CultureInfo.InvariantCulture), result.StandardOutput.Trim());
    }

    [Fact]
    public void A_stream_source_or_target_needs_a_stream_that_can_do_it()
    {
        using var readOnly = new MemoryStream([], writable: false);
        using var writeOnly = new ThrowingStream();

        Assert.Equal("stream", Assert.Throws<ArgumentException>(() => Command.New("x").SetOutputStream(readOnly)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentException>(() => Command.New("x").SetErrorStream(readOnly, capture: true)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentException>(() => Command.New("x").SetInputStream(writeOnly)).ParamName);
    }

    /// <summary>Waits until <paramref name="read"/> gives a non-zero value that no longer changes.</summary>
    private static async Task WaitUntilSteadyAsync(Func<long> read)
    {
        for (var last = -1L; ;)
        {
            await Task.Delay(300);
            var now = read();
            if (now == last && now > 0)
                return;
            last = now;
        }
    }

    /// <summary>A file the test process cannot open for writing: 0444 for a user; for root, who ignores modes, a read-only sysfs attribute.</summary>
    private static string ReadOnlyFile(TempDir dir)
    {
        if (LibC.GetEuid() == 0)
            return "/sys/kernel/uevent_seqnum";
        var path = dir.File("read-only");
        File.WriteAllText(path, "");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunked(byte[] data, int size)
    {
        for (var i = 0; i < data.Length; i += size)
        {
            await Task.Yield();
            yield return data.AsMemory(i, Math.Min(size, data.Length - i));
        }
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> ThrowsAfter(byte[] first, Exception error)
    {
        yield return first;
        await Task.Yield();
        throw error;
    }

    /// <summary>Never ends by itself; cancels <paramref name="cts"/> once the child has taken some of it, and says when it was let go.</summary>
    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Endless(CancellationTokenSource cts, TaskCompletionSource ended, [EnumeratorCancellation] CancellationToken token = default)
    {
        var chunk = new byte[16 * 1024];
        try
        {
            for (var i = 0; ; i++)
            {
                if (i == 8)
                    await cts.CancelAsync();
                await Task.Delay(1, token);
                yield return chunk;
            }
        }
        finally
        {
            ended.TrySetResult();
        }
    }

    /// <summary>A writable stream whose every write fails, as a full disk would.</summary>
    private sealed class ThrowingStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("No space left on device");
    }
}
