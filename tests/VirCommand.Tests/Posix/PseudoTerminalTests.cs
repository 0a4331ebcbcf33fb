using System.Text;
using VirCommand.Backends.Fake;
using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>
/// Issue 14 item 2: a pseudo-terminal as the child's controlling terminal and chosen std streams, its master
/// side handed back (stream, resize, end-of-file, interrupt), its output without loss, no fd left behind.
/// </summary>
/// <remarks>Serial: they count the process's terminal fds, which another test's terminal would change.</remarks>
[Collection("Serial")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PseudoTerminalTests
{
    private readonly PosixCommandRunner _runner = new();

    [LinuxFact]
    public async Task The_child_runs_on_the_terminal_as_its_controlling_terminal_with_its_size_and_holds_no_master()
    {
        var before = TerminalFds();
        using var command = Probe.Command().SetPseudoTerminal(100, 30);
        await using var running = await _runner.StartAsync(command);
        var terminal = running.Terminal!;
        Assert.Equal(new TerminalSize(100, 30), terminal.Size);
        Assert.Equal(TerminalStreams.All, terminal.Streams);
        Assert.Null(running.StandardInput);
        Assert.Null(running.StandardOutput);

        // The probe reports, then reads stdin: the parent holds the master now, never the slave.
        var screen = new StringBuilder();
        await ReadUntilAsync(terminal.Stream, screen, "winsize: ");
        Assert.DoesNotContain(TerminalFds().Except(before), link => link.StartsWith("/dev/pts/", StringComparison.Ordinal));

        await terminal.SendEndOfFileAsync().OrHang();
        await running.WaitAsync().OrHang();
        await ReadToEndAsync(terminal.Stream, screen);
        var report = ProbeReport.Parse(screen.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));

        Assert.Equal("1 1 1", report.Tty);
        Assert.Equal("100x30", report.WindowSize);
        Assert.StartsWith("pts/", report.ControllingTerminal, StringComparison.Ordinal);
        Assert.Equal([0, 1, 2], report.Fds);
        Assert.All(report.Fds, fd => Assert.Equal("/dev/" + report.ControllingTerminal, report.FdTargets[fd]));
        Assert.Equal(report.Pid, report.SessionId);
        Assert.Equal(report.Pid, report.ProcessGroupId);
        // The end-of-file key ended its stdin: an empty echo.
        Assert.Contains(Probe.StdoutBlock(""), report.Echo.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);

        await running.DisposeAsync();
        Assert.Equal(before, TerminalFds());
    }

    [LinuxFact]
    public async Task Chosen_streams_only_and_the_output_captured_in_a_run_to_completion_blocking_or_not()
    {
        using var command = Probe.Command().SetPseudoTerminal(80, 24, TerminalStreams.Output | TerminalStreams.Error).SetOutputBuffer();
        foreach (var result in new[] { await _runner.RunAsync(command).OrHang(), _runner.Run(command) })
        {
            var report = ProbeReport.Parse(result.StandardOutput.Replace("\r\n", "\n", StringComparison.Ordinal));
            Assert.Equal("0 1 1", report.Tty);
            Assert.Equal("/dev/null", report.FdTargets[0]);
            Assert.Equal("/dev/" + report.ControllingTerminal, report.FdTargets[1]);
            Assert.Equal("80x24", report.WindowSize);
            Assert.Equal(report.Pid, report.SessionId);
            // stdout's echo block, then stderr's, on the one terminal in the probe's write order.
            Assert.EndsWith("BEGIN STDOUT\r\nEND STDOUT\r\nBEGIN STDERR\r\nEND STDERR\r\n", result.StandardOutput, StringComparison.Ordinal);
        }
    }

    [LinuxFact]
    public async Task Stdin_alone_on_the_terminal_reads_what_is_typed_and_its_echo_is_the_terminal_output()
    {
        using var command = Probe.Command("--quiet").SetPseudoTerminal(80, 24, TerminalStreams.Input).SetOutputBuffer();
        await using var running = await _runner.StartAsync(command);
        await running.Terminal!.Stream.WriteAsync("typed\n"u8.ToArray()).OrHang();
        await running.Terminal.SendEndOfFileAsync().OrHang();
        var result = await running.WaitAsync().OrHang();
        Assert.Equal(Probe.StdoutBlock("typed\n"), result.StandardOutput);
        var echo = new StringBuilder();
        await ReadUntilAsync(running.Terminal.Stream, echo, "typed\r\n");
    }

    [LinuxFact]
    public async Task A_resize_reaches_the_child_as_SIGWINCH_with_the_new_size()
    {
        using var command = Probe.Command("--quiet", "--wait-winch").SetPseudoTerminal(80, 24);
        await using var running = await _runner.StartAsync(command);
        var terminal = running.Terminal!;
        var screen = new StringBuilder();
        await ReadUntilAsync(terminal.Stream, screen, "winch: ready\r\n");

        await terminal.ResizeAsync(132, 43).OrHang();
        Assert.Equal(new TerminalSize(132, 43), terminal.Size);
        await ReadUntilAsync(terminal.Stream, screen, "winch: 132x43\r\n");

        await terminal.SendEndOfFileAsync().OrHang();
        await running.WaitAsync().OrHang();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => terminal.ResizeAsync(0, 24));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => terminal.ResizeAsync(80, 65536));
        await running.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => terminal.ResizeAsync(80, 24));
    }

    [LinuxFact]
    public async Task An_interactive_shell_is_driven_through_the_master()
    {
        using var command = Command.NewArgList("/bin/sh", "-i").AddEnvPair("PATH", "/usr/bin:/bin").AddEnvPair("PS1", "prompt> ")
            .SetPseudoTerminal(80, 24).SetTimeout(TimeSpan.FromSeconds(60));
        await using var running = await _runner.StartAsync(command);
        var terminal = running.Terminal!;
        var screen = new StringBuilder();
        await ReadUntilAsync(terminal.Stream, screen, "prompt> ");

        await terminal.Stream.WriteAsync("echo $((6 * 7)); test -t 0 && test -t 1 && echo on-a-tty\n"u8.ToArray()).OrHang();
        await ReadUntilAsync(terminal.Stream, screen, "42\r\non-a-tty\r\n");

        await terminal.Stream.WriteAsync("exit 3\n"u8.ToArray()).OrHang();
        var error = await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync().OrHang());
        Assert.Equal(3, error.Result.ExitCode);
        await ReadToEndAsync(terminal.Stream, screen);
    }

    [LinuxFact]
    public async Task Cat_echoes_a_line_ends_at_the_end_of_file_key_and_dies_of_the_interrupt_key()
    {
        using var command = Command.NewArgList("/bin/cat").SetPseudoTerminal(80, 24);
        await using (var running = await _runner.StartAsync(command))
        {
            var terminal = running.Terminal!;
            var screen = new StringBuilder();
            await terminal.Stream.WriteAsync("hello\n"u8.ToArray()).OrHang();
            // The terminal's echo, then cat's copy.
            await ReadUntilAsync(terminal.Stream, screen, "hello\r\nhello\r\n");
            await terminal.SendEndOfFileAsync().OrHang();
            Assert.Equal(0, (await running.WaitAsync().OrHang()).ExitCode);
            await ReadToEndAsync(terminal.Stream, screen);
        }

        await using (var running = await _runner.StartAsync(command))
        {
            await running.Terminal!.Stream.WriteAsync("partial"u8.ToArray()).OrHang();
            await running.Terminal.InterruptAsync().OrHang();
            var error = await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync().OrHang());
            Assert.Equal(Signal.SIGINT, error.Result.TerminatingSignal);
        }
    }

    [LinuxFact]
    public async Task Output_the_child_wrote_before_it_exited_is_read_whole_then_the_end()
    {
        // Fits in the terminal's buffer: the child exits before anything is read.
        const string small = "head -c 3000 /dev/zero | tr '\\0' x; echo END";
        using (var command = Command.NewArgList("/bin/sh", "-c", small).SetPseudoTerminal(80, 24, TerminalStreams.Output))
        await using (var running = await _runner.StartAsync(command))
        {
            await running.WaitAsync().OrHang();
            var screen = new StringBuilder();
            await ReadToEndAsync(running.Terminal!.Stream, screen);
            Assert.Equal(new string('x', 3000) + "END\r\n", screen.ToString());
            Assert.Equal(0, await running.Terminal.Stream.ReadAsync(new byte[16]).OrHang());
        }

        // Far more than the buffer, the child exiting right after its last write: captured, and streamed.
        const string large = "head -c 4000000 /dev/zero | tr '\\0' x; echo END";
        using var capture = Command.NewArgList("/bin/sh", "-c", large).SetPseudoTerminal(80, 24, TerminalStreams.Output).SetOutputBuffer();
        Assert.Equal(new string('x', 4_000_000) + "END\r\n", (await _runner.RunAsync(capture).OrHang()).StandardOutput);

        using var streamed = Command.NewArgList("/bin/sh", "-c", large).SetPseudoTerminal(80, 24, TerminalStreams.Output);
        await using var started = await _runner.StartAsync(streamed);
        var all = new StringBuilder();
        await ReadToEndAsync(started.Terminal!.Stream, all);
        Assert.Equal(4_000_000 + 5, all.Length);
        Assert.EndsWith("xEND\r\n", all.ToString(), StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Lines_of_the_terminal_output_through_the_line_listeners_and_a_stdout_pipe()
    {
        using var command = Command.NewArgList("/bin/sh", "-c", "echo one; echo two >&2; echo three").SetPseudoTerminal(80, 24);
        var lines = new List<string>();
        await foreach (var line in _runner.ReadLinesAsync(command).WithCancellation(default))
            lines.Add(line.Text);
        Assert.Equal(["one", "two", "three"], lines);
        var events = new List<CommandEvent>();
        await foreach (var e in _runner.ListenAsync(command).WithCancellation(default))
            events.Add(e);
        Assert.Equal(["one", "two", "three"], events.OfType<StandardOutputLine>().Select(l => l.Text));
        Assert.Empty(events.OfType<StandardErrorLine>());

        using var piped = Command.NewArgList("/bin/sh", "-c", "echo four").SetPseudoTerminal(80, 24).SetOutputPipe();
        await using var running = await _runner.StartAsync(piped);
        Assert.NotNull(running.StandardOutput);
        Assert.False(running.Terminal!.Stream.CanRead);
        Assert.Throws<NotSupportedException>(() => running.Terminal.Stream.ReadByte());
        var texts = new List<string>();
        await foreach (var line in running.ReadLinesAsync().WithCancellation(default))
            texts.Add(line.Text);
        Assert.Equal(["four"], texts);
    }

    [LinuxFact]
    public async Task A_file_target_gets_the_terminal_output_which_the_engine_writes()
    {
        using var dir = new TempDir();
        var path = dir.File("screen.txt");
        using var command = Command.NewArgList("/bin/sh", "-c", "test -t 1 && echo on-a-tty").SetPseudoTerminal(80, 24, TerminalStreams.Output).SetOutputFile(path);
        await _runner.RunAsync(command).OrHang();
        Assert.Equal("on-a-tty\r\n", await File.ReadAllTextAsync(path));
    }

    [LinuxFact]
    public async Task The_fakes_pass_through_hands_out_the_real_terminal()
    {
        var fake = new FakeCommandRunner(new PosixCommandRunner().Features);
        fake.PassThrough(_runner);
        using var command = Command.NewArgList("/bin/cat").SetPseudoTerminal(80, 24);
        await using var running = await fake.StartAsync(command);
        var screen = new StringBuilder();
        await running.Terminal!.Stream.WriteAsync("through\n"u8.ToArray()).OrHang();
        await ReadUntilAsync(running.Terminal.Stream, screen, "through\r\nthrough\r\n");
        await running.Terminal.SendEndOfFileAsync().OrHang();
        Assert.Equal(0, (await running.WaitAsync().OrHang()).ExitCode);
        Assert.Equal(new TerminalSize(80, 24), Assert.Single(fake.Invocations).TerminalSize);
    }

    [LinuxFact]
    public async Task A_start_failure_or_an_abandoned_handshake_leaves_no_terminal_open()
    {
        var before = TerminalFds();
        // The child fails after it took the terminal (its working directory is the last step before exec).
        using var failing = Probe.Command().SetPseudoTerminal(80, 24).SetWorkingDirectory("/nonexistent/directory");
        var error = await Assert.ThrowsAsync<CommandStartException>(() => _runner.StartAsync(failing));
        Assert.Equal(StartStage.WorkingDirectory, error.Stage);
        using var hooked = Probe.Command().SetPseudoTerminal(80, 24).RequireHandshake();
        await using (var running = await _runner.StartAsync(hooked))
            await running.WaitForHandshakeAsync().OrHang();
        Assert.Equal(before, TerminalFds());
    }

    [LinuxFact]
    public async Task The_child_leads_its_own_group_so_stops_reach_its_children()
    {
        using var command = Command.NewArgList("/bin/sh", "-c", "sleep 1000 & echo $!; wait").SetPseudoTerminal(80, 24, TerminalStreams.Output);
        await using var running = await _runner.StartAsync(command);
        var screen = new StringBuilder();
        await ReadUntilAsync(running.Terminal!.Stream, screen, "\r\n");
        var sleeper = int.Parse(screen.ToString().Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await running.SignalAsync(Signal.SIGTERM, SignalTarget.ProcessGroup));
        await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync().OrHang());
        Assert.True(await Processes.WaitGoneAsync(sleeper, HangGuard.Limit), "the group signal missed the shell's child");
    }

    /// <summary>The process's fds on terminals: the masters (/dev/ptmx) and slaves (/dev/pts/N) it holds.</summary>
    private static List<string> TerminalFds() =>
        [.. Directory.GetFiles("/proc/self/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .Where(link => link is not null && (link == "/dev/ptmx" || link.StartsWith("/dev/pts/", StringComparison.Ordinal)))
            .Select(link => link!)
            .Order(StringComparer.Ordinal)];

    private static async Task ReadUntilAsync(Stream stream, StringBuilder screen, string expected)
    {
        var buffer = new byte[4096];
        while (!screen.ToString().Contains(expected, StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer).OrHang();
            Assert.True(read > 0, $"The terminal ended before '{expected}'; it showed:\n{screen}");
            screen.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
    }

    private static async Task ReadToEndAsync(Stream stream, StringBuilder screen)
    {
        var buffer = new byte[65536];
        int read;
        while ((read = await stream.ReadAsync(buffer).OrHang()) > 0)
            screen.Append(Encoding.UTF8.GetString(buffer, 0, read));
    }
}
