using System.Text;
using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>SPEC §3.5: stdin, stdout and stderr as pipes the running command hands back as streams.</summary>
public sealed class PipeStreamTests
{
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public async Task Cat_through_pipes_asynchronously()
    {
        var data = Probe.Binary(512 * 1024, seed: 60);
        await using var running = await _runner.StartAsync(Command.New("cat").SetInputPipe().SetOutputPipe());
        Assert.NotNull(running.StandardInput);
        Assert.NotNull(running.StandardOutput);
        Assert.Null(running.StandardError);

        var reading = ReadAllAsync(running.StandardOutput!);
        await running.StandardInput!.WriteAsync(data).AsTask().OrHang();
        await running.StandardInput.DisposeAsync();

        Assert.Equal(data, await reading.OrHang());
        Assert.Equal(0, (await running.WaitAsync().OrHang()).ExitCode);
    }

    [Fact]
    public async Task Cat_through_pipes_synchronously()
    {
        var data = Probe.Binary(512 * 1024, seed: 61);
        await using var running = await _runner.StartAsync(Command.New("cat").SetInputPipe().SetOutputPipe());

        var reading = Task.Run(() => ReadAllSync(running.StandardOutput!));
        var writing = Task.Run(() =>
        {
            for (var offset = 0; offset < data.Length; offset += 10_000)
                running.StandardInput!.Write(data, offset, Math.Min(10_000, data.Length - offset));
            running.StandardInput!.Flush();
            running.StandardInput.Dispose();
        });
        await writing.OrHang();

        Assert.Equal(data, await reading.OrHang());
        await running.WaitAsync().OrHang();
    }

    [Fact]
    public async Task Line_by_line_conversation_with_a_child()
    {
        await using var running = await _runner.StartAsync(Command.NewArgList("sh", "-c", "while read line; do echo \"got $line\"; done").SetInputPipe().SetOutputPipe());
        using var writer = new StreamWriter(running.StandardInput!, new UTF8Encoding(false)) { AutoFlush = true };
        using var reader = new StreamReader(running.StandardOutput!);

        await writer.WriteLineAsync("one").OrHang();
        Assert.Equal("got one", await reader.ReadLineAsync().OrHang());
        await writer.WriteLineAsync("two").OrHang();
        Assert.Equal("got two", await reader.ReadLineAsync().OrHang());
        writer.Close();

        Assert.Null(await reader.ReadLineAsync().OrHang());
        Assert.Equal(0, (await running.WaitAsync().OrHang()).ExitCode);
    }

    [Fact]
    public async Task The_probe_through_three_pipes()
    {
        var data = Probe.Binary(300 * 1024, seed: 62);
        await using var running = await _runner.StartAsync(Probe.Command("--quiet").SetInputPipe().SetOutputPipe().SetErrorPipe());

        var output = ReadAllAsync(running.StandardOutput!);
        var error = ReadAllAsync(running.StandardError!);
        await running.StandardInput!.WriteAsync(data).AsTask().OrHang();
        await running.StandardInput.DisposeAsync();

        Assert.Equal(Probe.StdoutBlock(data), await output.OrHang());
        Assert.Equal(Probe.StderrBlock(data), await error.OrHang());
        await running.WaitAsync().OrHang();
    }

    [Fact]
    public async Task The_child_sees_pipes_at_0_1_2_and_nothing_else()
    {
        await using var running = await _runner.StartAsync(Probe.Command().SetInputPipe().SetOutputPipe().SetErrorPipe());
        await running.StandardInput!.DisposeAsync();
        var error = ReadAllAsync(running.StandardError!);

        var report = ProbeReport.Parse(Encoding.UTF8.GetString(await ReadAllAsync(running.StandardOutput!).OrHang()));

        Assert.Equal([0, 1, 2], report.Fds);
        Assert.All(report.FdTargets.Values, t => Assert.StartsWith("pipe:[", t, StringComparison.Ordinal));
        Assert.Equal(3, report.FdTargets.Values.Distinct().Count());
        await error.OrHang();
    }

    [Fact]
    public async Task A_merged_output_pipe_interleaves_in_write_order()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet", "--write-stderr", "first ").SetInputPipe().SetMergedOutputPipe());
        Assert.Null(running.StandardError);

        var output = ReadAllAsync(running.StandardOutput!);
        await running.StandardInput!.WriteAsync("merged"u8.ToArray()).AsTask().OrHang();
        await running.StandardInput.DisposeAsync();

        Assert.Equal("first " + Probe.StdoutBlock("merged") + Probe.StderrBlock("merged"), Encoding.UTF8.GetString(await output.OrHang()));
        await running.WaitAsync().OrHang();
    }

    [Fact]
    public async Task An_output_pipe_with_an_input_buffer()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet").SetInputBuffer("buffered").SetOutputPipe());

        Assert.Null(running.StandardInput);
        Assert.Equal(Probe.StdoutBlock("buffered"), Encoding.UTF8.GetString(await ReadAllAsync(running.StandardOutput!).OrHang()));
        await running.WaitAsync().OrHang();
    }

    [Fact]
    public async Task Writing_to_a_child_that_closed_stdin_fails_with_an_IOException_not_a_signal()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet", "--close-stdin", "--sleep", "10000").SetInputPipe());
        await Task.Delay(100);

        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            for (var i = 0; i < 1000; i++)
                await running.StandardInput!.WriteAsync(new byte[65536]).AsTask().OrHang();
        });
    }

    [Fact]
    public async Task A_cancelled_read_leaves_the_stream_usable()
    {
        await using var running = await _runner.StartAsync(Command.New("cat").SetInputPipe().SetOutputPipe());
        var buffer = new byte[100];
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.StandardOutput!.ReadAsync(buffer, cts.Token).AsTask().OrHang());

        await running.StandardInput!.WriteAsync("after"u8.ToArray()).AsTask().OrHang();
        var n = await running.StandardOutput!.ReadAsync(buffer).AsTask().OrHang();

        Assert.Equal("after", Encoding.UTF8.GetString(buffer, 0, n));
        await running.StandardInput.DisposeAsync();
        await running.WaitAsync().OrHang();
    }

    [Fact]
    public async Task Pipes_work_the_same_with_NonblockingFds()
    {
        var data = Probe.Binary(200 * 1024, seed: 63);
        await using var running = await _runner.StartAsync(Command.New("cat").SetInputPipe().SetOutputPipe().NonblockingFds());

        var reading = Task.Run(() => ReadAllSync(running.StandardOutput!));
        running.StandardInput!.Write(data);
        running.StandardInput.Dispose();

        Assert.Equal(data, await reading.OrHang());
        await running.WaitAsync().OrHang();
    }

    [Fact]
    public async Task The_child_reads_end_of_file_only_when_the_caller_disposes_stdin()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet").SetInputPipe().SetOutputPipe());
        await running.StandardInput!.WriteAsync("part"u8.ToArray()).AsTask().OrHang();
        var output = ReadAllAsync(running.StandardOutput!);

        await Task.Delay(200);
        Assert.False(output.IsCompleted);
        await running.StandardInput.DisposeAsync();

        Assert.Equal(Probe.StdoutBlock("part"), Encoding.UTF8.GetString(await output.OrHang()));
    }

    [Fact]
    public async Task Streams_are_null_when_no_pipe_was_asked_for()
    {
        await using var running = await _runner.StartAsync(Probe.Command("--quiet").SetOutputBuffer());

        Assert.Null(running.StandardInput);
        Assert.Null(running.StandardOutput);
        Assert.Null(running.StandardError);
        await running.WaitAsync().OrHang();
    }

    [Fact]
    public async Task Pipe_streams_say_what_they_can_do()
    {
        await using var running = await _runner.StartAsync(Command.New("cat").SetInputPipe().SetOutputPipe());

        Assert.True(running.StandardInput!.CanWrite);
        Assert.False(running.StandardInput.CanRead);
        Assert.False(running.StandardInput.CanSeek);
        Assert.True(running.StandardOutput!.CanRead);
        Assert.False(running.StandardOutput.CanWrite);
        Assert.Throws<NotSupportedException>(() => running.StandardOutput.Write([1], 0, 1));
        Assert.Throws<NotSupportedException>(() => running.StandardInput.Read(new byte[1], 0, 1));
        running.StandardInput.Dispose();
        await running.WaitAsync().OrHang();
    }

    [Fact]
    public async Task Disposing_the_handle_closes_the_streams_and_stops_the_child()
    {
        var running = await _runner.StartAsync(Command.New("cat").SetInputPipe().SetOutputPipe());
        var (input, output, pid) = (running.StandardInput!, running.StandardOutput!, running.Pid);

        await running.DisposeAsync().AsTask().OrHang();

        Assert.False(input.CanWrite);
        Assert.False(output.CanRead);
        LifecycleTests.AssertReaped(pid);
    }

    [Fact]
    public async Task A_run_to_completion_with_a_pipe_is_refused_before_anything_starts()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => _runner.RunAsync(Command.New("cat").SetInputPipe()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _runner.RunAsync(Command.New("cat").SetOutputPipe()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _runner.RunAsync(Command.New("cat").SetErrorPipe()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _runner.RunAsync(Command.New("cat").SetMergedOutputPipe()));
        Assert.Throws<InvalidOperationException>(() => _runner.Run(Command.New("cat").SetInputPipe()));

        var evidence = Path.Combine(Path.GetTempPath(), "vircommand-refused-" + Guid.NewGuid().ToString("N"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _runner.RunAsync(Command.NewArgList("sh", "-c", "touch \"$0\"", evidence).SetOutputPipe()));
        await Task.Delay(200);
        Assert.False(File.Exists(evidence), "the refused command ran anyway");
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static byte[] ReadAllSync(Stream stream)
    {
        using var copy = new MemoryStream();
        var buffer = new byte[7000];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            copy.Write(buffer, 0, n);
        return copy.ToArray();
    }
}
