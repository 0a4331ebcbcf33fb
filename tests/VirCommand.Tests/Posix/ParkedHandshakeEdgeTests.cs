using System.Diagnostics;
using System.Globalization;
using VirCommand.Backends.Posix.Spawning;

namespace VirCommand.Tests.Posix;

/// <summary>
/// The parked handshake (<see cref="ParkedHandshakeTests"/>) combined with the rest of a start: stdio, captures,
/// input buffers, passed fds, the working directory, the environment, sessions and groups, timeouts,
/// cancellation, outside kills, and many starts in a row.
/// </summary>
[Collection("Serial")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ParkedHandshakeEdgeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task WarmUpAsync() =>
        await (await Posix.Runner.StartAsync(Probe.Command("--quiet").RequireHandshake())).DisposeAsync();

    [LinuxFact]
    public async Task Stdio_captures_input_passed_fds_cwd_env_and_group_all_reach_the_program()
    {
        await WarmUpAsync();
        var leaks = new LeakCheck();
        var passed = _dir.File("passed");
        await File.WriteAllTextAsync(passed, "through fd 7\n");
        using (var file = File.OpenHandle(passed, FileMode.Open, FileAccess.Read))
        using (var command = Probe.Command("--readfd", "7").SetInputBuffer("from the buffer\n").SetOutputBuffer().SetErrorBuffer()
            .PassFd(file, 7).SetWorkingDirectory(_dir.Path).AddEnvPair("PARKED", "yes").NewProcessGroup().RequireHandshake())
        {
            await using var running = await Posix.Runner.StartAsync(command).OrHang();
            await running.WaitForHandshakeAsync().OrHang();
            await running.NotifyHandshakeAsync().OrHang();
            var result = await running.WaitAsync().OrHang();
            var output = result.StandardOutput;
            Assert.Equal([0, 1, 2, 7], Probe.Fds(output));
            Assert.Equal(_dir.Path, Probe.Value(output, "cwd"));
            Assert.Contains("env: PARKED=yes\n", output, StringComparison.Ordinal);
            Assert.Equal(running.Pid, Probe.Int(output, "pgid"));
            Assert.EndsWith(Probe.StdoutBlock("from the buffer\n") + Probe.StdoutBlock("through fd 7\n"), output, StringComparison.Ordinal);
            Assert.Equal(Probe.StderrBlock("from the buffer\n") + Probe.StderrBlock("through fd 7\n"), result.StandardError);
        }
        await leaks.AssertCleanAsync();
    }

    [LinuxFact]
    public async Task Merged_output_a_new_session_and_a_caller_fed_stdin_pipe()
    {
        await WarmUpAsync();
        var leaks = new LeakCheck();
        using (var command = Probe.Command().SetInputPipe().SetMergedOutputBuffer().NewSession().RequireHandshake())
        {
            await using var running = await Posix.Runner.StartAsync(command).OrHang();
            // Another handshake child waits meanwhile: it must hold no copy of the first one's stdin pipe.
            await using var other = await Posix.Runner.StartAsync(Probe.Command("--quiet").RequireHandshake()).OrHang();
            await running.WaitForHandshakeAsync().OrHang();
            await running.StandardInput!.WriteAsync("abc"u8.ToArray());
            await running.StandardInput.DisposeAsync();
            await running.NotifyHandshakeAsync().OrHang();
            var result = await running.WaitAsync().OrHang();
            Assert.Equal(running.Pid, Probe.Int(result.StandardOutput, "sid"));
            Assert.EndsWith(Probe.StdoutBlock("abc") + Probe.StderrBlock("abc"), result.StandardOutput, StringComparison.Ordinal);
        }
        await leaks.AssertCleanAsync();
    }

    [LinuxFact]
    public async Task A_timeout_while_the_child_waits_at_the_handshake_stops_it_without_exec()
    {
        await WarmUpAsync();
        var leaks = new LeakCheck();
        var report = _dir.File("report");
        using (var output = File.OpenHandle(report, FileMode.Create, FileAccess.Write))
        using (var command = Probe.Command().SetOutputFd(output).SetTimeout(TimeSpan.FromMilliseconds(200)).RequireHandshake())
        {
            await using var running = await Posix.Runner.StartAsync(command).OrHang();
            await running.WaitForHandshakeAsync().OrHang();
            await Assert.ThrowsAsync<CommandTimeoutException>(() => running.WaitAsync().OrHang());
            await Assert.ThrowsAnyAsync<Exception>(() => running.NotifyHandshakeAsync().OrHang());
        }
        await leaks.AssertCleanAsync();
        Assert.Equal("", File.ReadAllText(report));
    }

    [LinuxFact]
    public async Task A_timeout_after_the_release_stops_the_program()
    {
        await WarmUpAsync();
        var leaks = new LeakCheck();
        using (var command = Probe.Command("--quiet", "--sleep", "10000").SetTimeout(TimeSpan.FromMilliseconds(300)).RequireHandshake())
        {
            await using var running = await Posix.Runner.StartAsync(command).OrHang();
            await running.WaitForHandshakeAsync().OrHang();
            await running.NotifyHandshakeAsync().OrHang();
            await Assert.ThrowsAsync<CommandTimeoutException>(() => running.WaitAsync().OrHang());
        }
        await leaks.AssertCleanAsync();
    }

    [LinuxFact]
    public async Task Cancelling_the_wait_while_the_child_waits_at_the_handshake_stops_it()
    {
        await WarmUpAsync();
        var leaks = new LeakCheck();
        using (var command = Probe.Command("--quiet").RequireHandshake())
        {
            await using var running = await Posix.Runner.StartAsync(command).OrHang();
            await running.WaitForHandshakeAsync().OrHang();
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(cancel.Token).OrHang());
        }
        await leaks.AssertCleanAsync();
    }

    [LinuxFact]
    public async Task A_child_killed_from_outside_while_it_waits_fails_the_release_and_nothing_is_left()
    {
        await WarmUpAsync();
        var leaks = new LeakCheck();
        using (var command = Probe.Command("--quiet").RequireHandshake())
        {
            await using var running = await Posix.Runner.StartAsync(command).OrHang();
            await running.WaitForHandshakeAsync().OrHang();
            Assert.Equal(0, LibC.Kill(running.Pid, 9));
            // Wait until it is gone (a zombie, or reaped already) before releasing it.
            for (var i = 0; i < 250 && ProcessInspector.IsRunning(running.Pid); i++)
                await Task.Delay(20);
            var failure = await Assert.ThrowsAsync<CommandStartException>(() => running.NotifyHandshakeAsync().OrHang());
            Assert.Equal(StartStage.Handshake, failure.Stage);
            await Assert.ThrowsAnyAsync<CommandException>(() => running.WaitAsync().OrHang());
        }
        await leaks.AssertCleanAsync();
        // The parked thread is free again: the next handshake start works.
        await using var next = await Posix.Runner.StartAsync(Probe.Command("--quiet").RequireHandshake()).OrHang();
        await next.WaitForHandshakeAsync().OrHang();
        await next.NotifyHandshakeAsync().OrHang();
        Assert.Equal(0, (await next.WaitAsync().OrHang()).ExitCode);
    }

    [LinuxFact]
    public async Task Many_handshakes_disposed_unreleased_leak_no_fd_thread_or_zombie()
    {
        await WarmUpAsync();
        var leaks = new LeakCheck();
        var fds = ProcessInspector.OpenFdCount();
        var threads = Process.GetCurrentProcess().Threads.Count;
        var parked = ParkedThreads.Count; // other tests may have made up to the limit already
        for (var i = 0; i < 200; i++)
        {
            using var command = Probe.Command("--quiet").SetOutputBuffer().SetInputPipe().RequireHandshake();
            var running = await Posix.Runner.StartAsync(command).OrHang();
            await running.WaitForHandshakeAsync().OrHang();
            if (i % 2 == 0)
                await running.DisposeAsync();
            else
                await running.AbortAsync().OrHang();
            await running.DisposeAsync();
        }
        await leaks.AssertCleanAsync();
        Assert.InRange(ProcessInspector.OpenFdCount(), 0, fds + 4);
        // One at a time: the idle threads are reused (a few more at most, while a run's thread is not yet idle again).
        Assert.InRange(ParkedThreads.Count, 1, Math.Min(parked + 4, ParkedThreads.Limit));
        Assert.InRange(Process.GetCurrentProcess().Threads.Count, 0, threads + 8);
    }

    [LinuxFact]
    public async Task A_cancelled_start_token_spawns_nothing_and_a_later_one_does_not_touch_the_child()
    {
        await WarmUpAsync();
        var leaks = new LeakCheck();
        using (var cancel = new CancellationTokenSource())
        using (var command = Probe.Command("--quiet").RequireHandshake())
        {
            await cancel.CancelAsync();
            await Assert.ThrowsAsync<CommandCanceledException>(() => Posix.Runner.StartAsync(command, cancel.Token).OrHang());
        }
        using (var cancel = new CancellationTokenSource())
        using (var command = Probe.Command("--quiet").RequireHandshake())
        {
            // The start's token governs the start alone (ICommandRunner.StartAsync).
            await using var running = await Posix.Runner.StartAsync(command, cancel.Token).OrHang();
            await running.WaitForHandshakeAsync().OrHang();
            await cancel.CancelAsync();
            await running.NotifyHandshakeAsync().OrHang();
            Assert.Equal(0, (await running.WaitAsync().OrHang()).ExitCode);
        }
        await leaks.AssertCleanAsync();
    }

    [LinuxFact]
    public async Task Disposing_the_runner_stops_a_child_that_waits_at_the_handshake()
    {
        await WarmUpAsync();
        var leaks = new LeakCheck();
        using (var command = Probe.Command("--quiet").RequireHandshake())
        {
            var runner = new VirCommand.Backends.Posix.PosixCommandRunner();
            var running = await runner.StartAsync(command).OrHang();
            await running.WaitForHandshakeAsync().OrHang();
            await runner.DisposeAsync().AsTask().OrHang();
            await Assert.ThrowsAnyAsync<Exception>(() => running.WaitAsync().OrHang());
            Assert.False(ProcessInspector.IsRunning(running.Pid));
            await running.DisposeAsync();
        }
        await leaks.AssertCleanAsync();
    }

    [LinuxFact]
    public async Task A_pseudo_terminal_with_a_handshake_becomes_the_controlling_terminal()
    {
        await WarmUpAsync();
        using var command = Probe.Command().SetPseudoTerminal(80, 24, TerminalStreams.Output | TerminalStreams.Error).SetOutputBuffer().RequireHandshake();
        await using var running = await Posix.Runner.StartAsync(command).OrHang();
        await running.WaitForHandshakeAsync().OrHang();
        await running.NotifyHandshakeAsync().OrHang();
        var result = await running.WaitAsync().OrHang();
        var text = result.StandardOutput.Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.StartsWith("pts/", Probe.Value(text, "ctty"), StringComparison.Ordinal);
        Assert.Equal(running.Pid, Probe.Int(text, "sid"));
    }

    [RootFact]
    public async Task Ids_with_a_handshake_change_the_child_alone()
    {
        await WarmUpAsync();
        using var command = Probe.Command().SetUid(65534).SetGid(65534).SetOutputBuffer().RequireHandshake();
        await using var running = await Posix.Runner.StartAsync(command).OrHang();
        await running.WaitForHandshakeAsync().OrHang();
        await running.NotifyHandshakeAsync().OrHang();
        var result = await running.WaitAsync().OrHang();
        Assert.Equal("65534 65534 65534", Probe.Value(result.StandardOutput, "uid"));
        Assert.Equal("65534 65534 65534", Probe.Value(result.StandardOutput, "gid"));
        Assert.Equal("0", File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1]);
    }
}
