using System.Globalization;
using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Posix;
using VirCommand.Tests.Building;

namespace VirCommand.Tests.Posix;

/// <summary>SPEC §3.5: exactly 0, 1, 2 by default, on /dev/null; passed, remapped and send-buffer fds at their numbers; CloseParent.</summary>
// Serial: one test makes an inheritable fd in the parent, which a concurrent spawn elsewhere must not meet,
// and the CloseParent checks look at fd numbers that another thread's open could reuse.
[Collection("Serial")]
public sealed class FdTests
{
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public async Task By_default_the_child_has_exactly_fds_0_1_2_even_when_the_parent_has_inheritable_ones()
    {
        using var file = new TempFile();
        using var cloexec1 = File.OpenHandle(file.Path, FileMode.Open, FileAccess.Read);
        using var cloexec2 = File.OpenHandle("/dev/zero", FileMode.Open, FileAccess.Read);
        using var inheritable = File.OpenHandle(file.Path, FileMode.Open, FileAccess.Read);
        var raw = checked((int)inheritable.DangerousGetHandle());
        Assert.Equal(0, LibC.Fcntl(raw, LibC.F_SETFD, 0));
        Assert.Equal(0, LibC.Fcntl(raw, LibC.F_GETFD, 0) & LibC.FD_CLOEXEC); // really inheritable now

        await using var running = await _runner.StartAsync(Probe.Command().SetOutputBuffer());
        var result = await running.WaitAsync().OrHang();

        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.Equal([0, 1, 2], report.Fds);
        Assert.Equal("/dev/null", report.FdTargets[0]);
        Assert.StartsWith("pipe:[", report.FdTargets[1], StringComparison.Ordinal);
        Assert.Equal("/dev/null", report.FdTargets[2]);
    }

    [Fact]
    public async Task StartAsync_without_capture_connects_all_three_streams_to_dev_null()
    {
        // stdout is /dev/null here, so the parent reads the running child's fd table itself. The start
        // returns as soon as execve has replaced the child's memory, which is before the kernel has
        // dropped the close-on-exec fds (the shim marks the parent's fds instead of closing them): the
        // table settles before the program runs, so wait for that; a real leak never settles.
        await using var running = await _runner.StartAsync(Probe.Command("--quiet", "--sleep", "10000"));
        int[] ChildFds() => [.. Directory.GetFileSystemEntries($"/proc/{running.Pid}/fd").Select(p => int.Parse(Path.GetFileName(p), CultureInfo.InvariantCulture)).Order()];

        ProcessInspector.WaitUntil(() => ChildFds().Length == 3, TimeSpan.FromSeconds(5));

        Assert.Equal([0, 1, 2], ChildFds());
        foreach (var fd in new[] { 0, 1, 2 })
            Assert.Equal("/dev/null", new FileInfo($"/proc/{running.Pid}/fd/{fd}").LinkTarget);
        await running.AbortAsync().OrHang();
    }

    [Fact]
    public async Task A_run_to_completion_without_error_capture_gives_stderr_a_pipe_for_the_failure_message()
    {
        var result = await _runner.RunAsync(Probe.Command().SetOutputBuffer()).OrHang();

        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.Equal([0, 1, 2], report.Fds);
        Assert.Equal("/dev/null", report.FdTargets[0]);
        Assert.StartsWith("pipe:[", report.FdTargets[2], StringComparison.Ordinal);
        Assert.False(result.HasStandardError); // read for the failure message only
    }

    [Fact]
    public async Task A_passed_fd_keeps_its_number_and_the_parent_keeps_its_copy()
    {
        using var file = new TempFile();

        var result = await _runner.RunAsync(Probe.Command().SetOutputBuffer().PassFd(file.Fd)).OrHang();

        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.Equal([0, 1, 2, file.Fd], report.Fds);
        Assert.Equal(file.Path, report.FdTargets[file.Fd]);
        Assert.True(file.FdStillRefersToFile(file.Fd));
    }

    [Fact]
    public async Task A_passed_handle_keeps_its_number()
    {
        using var file = new TempFile();

        var result = await _runner.RunAsync(Probe.Command().SetOutputBuffer().PassFd(file.Handle)).OrHang();

        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.Equal([0, 1, 2, file.Fd], report.Fds);
        Assert.Equal(file.Path, report.FdTargets[file.Fd]);
        Assert.False(file.Handle.IsClosed);
        Assert.True(file.FdStillRefersToFile(file.Fd));
    }

    [Fact]
    public async Task A_remapped_fd_appears_at_the_child_number_only()
    {
        using var file = new TempFile();
        var childFd = ProcessInspector.UnusedFdNumber();

        var result = await _runner.RunAsync(Probe.Command().SetOutputBuffer().PassFd(file.Fd, childFd)).OrHang();

        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.Equal([0, 1, 2, childFd], report.Fds);
        Assert.Equal(file.Path, report.FdTargets[childFd]);
        Assert.True(file.FdStillRefersToFile(file.Fd));
    }

    [Fact]
    public async Task Two_passed_fds_that_swap_numbers_land_at_their_targets()
    {
        using var a = new TempFile();
        using var b = new TempFile();

        var result = await _runner.RunAsync(Probe.Command().SetOutputBuffer().PassFd(a.Fd, b.Fd).PassFd(b.Fd, a.Fd)).OrHang();

        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.Equal(b.Path, report.FdTargets[a.Fd]);
        Assert.Equal(a.Path, report.FdTargets[b.Fd]);
        Assert.Equal(5, report.Fds.Count);
    }

    [Fact]
    public async Task Child_fd_numbers_that_collide_with_the_runs_own_pipe_fds_are_honoured()
    {
        // The run opens its pipes at the lowest free fd numbers. Asking for exactly those numbers in the
        // child makes the sources of the stdio moves sit on the targets of the passed fds.
        using var a = new TempFile();
        using var b = new TempFile();
        using var c = new TempFile();
        var free = LowestFreeFds(4);
        var command = Probe.Command().SetInputBuffer("stdin data").SetOutputBuffer()
            .PassFd(a.Fd, free[0]).PassFd(b.Fd, free[1]).PassFd(c.Fd, free[2]);
        var extra = command.SetSendBuffer("extra data"u8.ToArray(), free[3]);
        command.AddArgList("--readfd", $"{extra}");

        var result = await _runner.RunAsync(command).OrHang();

        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.Equal([0, 1, 2, .. free], report.Fds);
        Assert.Equal(a.Path, report.FdTargets[free[0]]);
        Assert.Equal(b.Path, report.FdTargets[free[1]]);
        Assert.Equal(c.Path, report.FdTargets[free[2]]);
        Assert.Equal(Probe.StdoutBlock("stdin data") + Probe.StdoutBlock("extra data"), report.Echo);
    }

    [Fact]
    public async Task A_passed_fd_remapped_onto_the_number_of_the_stdout_fd_does_not_clobber_stdout()
    {
        using var output = new TempFile();
        using var passed = new TempFile();

        await _runner.RunAsync(Probe.Command().SetOutputFd(output.Handle).PassFd(passed.Fd, output.Fd)).OrHang();

        var report = ProbeReport.Parse(File.ReadAllText(output.Path));
        Assert.Equal(output.Path, report.FdTargets[1]);
        Assert.Equal(passed.Path, report.FdTargets[output.Fd]);
    }

    [Fact]
    public async Task Two_passed_fds_swapped_with_a_send_buffer_on_a_parent_number()
    {
        using var a = new TempFile();
        using var b = new TempFile();
        var target = ProcessInspector.UnusedFdNumber();
        var command = Probe.Command().SetOutputBuffer().PassFd(a.Fd, target).PassFd(b.Fd, a.Fd);
        var extra = command.SetSendBuffer("on b's number"u8.ToArray(), b.Fd);
        command.AddArgList("--readfd", $"{extra}");

        var result = await _runner.RunAsync(command).OrHang();

        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.Equal(a.Path, report.FdTargets[target]);
        Assert.Equal(b.Path, report.FdTargets[a.Fd]);
        Assert.StartsWith("pipe:[", report.FdTargets[b.Fd], StringComparison.Ordinal);
        Assert.EndsWith(Probe.StdoutBlock("on b's number"), report.Echo, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CloseParent_closes_a_raw_fd_in_the_parent_once_the_child_started()
    {
        using var file = new TempFile();
        var raw = OpenRawFd(file.Path);
        try
        {
            await using var running = await _runner.StartAsync(Probe.Command().SetOutputBuffer().PassFd(raw, PassFdOptions.CloseParent));

            Assert.False(file.FdStillRefersToFile(raw), $"fd {raw} is still open in the parent after the start");
            var report = ProbeReport.Parse((await running.WaitAsync().OrHang()).StandardOutput);
            Assert.Equal(file.Path, report.FdTargets[raw]);
        }
        finally
        {
            if (file.FdStillRefersToFile(raw))
                new SafeFileHandle(raw, ownsHandle: true).Dispose();
        }
    }

    [Fact]
    public async Task CloseParent_disposes_a_passed_handle_once_the_child_started_even_when_remapped()
    {
        using var file = new TempFile();
        var handle = File.OpenHandle(file.Path, FileMode.Open, FileAccess.Read);
        var fd = checked((int)handle.DangerousGetHandle());
        var childFd = ProcessInspector.UnusedFdNumber();

        await using var running = await _runner.StartAsync(Probe.Command().SetOutputBuffer().PassFd(handle, childFd, PassFdOptions.CloseParent));

        Assert.True(handle.IsClosed);
        Assert.False(file.FdStillRefersToFile(fd));
        var report = ProbeReport.Parse((await running.WaitAsync().OrHang()).StandardOutput);
        Assert.Equal(file.Path, report.FdTargets[childFd]);
    }

    [Fact]
    public async Task Send_buffers_appear_at_their_child_fds_and_the_probe_echoes_their_data()
    {
        byte[] first = [1, 0, 2, 0, 255, .. "first\n"u8];
        var second = "second, no newline"u8.ToArray();
        var command = Probe.Command().SetOutputBuffer().SetErrorBuffer();
        var fd1 = command.SetSendBuffer(first);
        var fd2 = command.SetSendBuffer(second);
        command.AddArgList("--readfd", $"{fd1}", "--readfd", $"{fd2}");

        var result = await _runner.RunAsync(command).OrHang();

        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.Equal([0, 1, 2, fd1, fd2], report.Fds);
        Assert.StartsWith("pipe:[", report.FdTargets[fd1], StringComparison.Ordinal);
        Assert.StartsWith("pipe:[", report.FdTargets[fd2], StringComparison.Ordinal);
        var echo = result.StandardOutputBytes.ToArray()[^(Probe.StdoutBlock([]).Length + Probe.StdoutBlock(first).Length + Probe.StdoutBlock(second).Length)..];
        Assert.Equal([.. Probe.StdoutBlock([]), .. Probe.StdoutBlock(first), .. Probe.StdoutBlock(second)], echo);
        Assert.Equal([.. Probe.StderrBlock([]), .. Probe.StderrBlock(first), .. Probe.StderrBlock(second)], result.StandardErrorBytes.ToArray());
    }

    [Fact]
    public async Task A_send_buffer_at_a_chosen_child_fd_is_read_there()
    {
        var command = Probe.Command("--quiet").SetOutputBuffer();
        Assert.Equal(40, command.SetSendBuffer("at forty"u8.ToArray(), 40));
        command.AddArgList("--readfd", "40");

        var result = await _runner.RunAsync(command).OrHang();

        Assert.Equal(Probe.StdoutBlock("") + Probe.StdoutBlock("at forty"), result.StandardOutput);
    }

    [Fact]
    public async Task A_rerun_feeds_the_send_buffers_again()
    {
        var command = Probe.Command("--quiet").SetOutputBuffer();
        var fd = command.SetSendBuffer("again"u8.ToArray());
        command.AddArgList("--readfd", $"{fd}");

        var first = await _runner.RunAsync(command).OrHang();
        var second = await _runner.RunAsync(command).OrHang();

        Assert.Equal(Probe.StdoutBlock("") + Probe.StdoutBlock("again"), first.StandardOutput);
        Assert.Equal(first.StandardOutput, second.StandardOutput);
    }

    [Fact]
    public async Task Stdout_to_a_caller_fd_writes_there_and_the_library_never_closes_it()
    {
        using var file = new TempFile();

        var result = await _runner.RunAsync(Probe.Command("--quiet").SetInputBuffer("to the file").SetOutputFd(file.Handle)).OrHang();

        Assert.False(result.HasStandardOutput);
        Assert.False(file.Handle.IsClosed);
        Assert.True(file.FdStillRefersToFile(file.Fd));
        Assert.Equal(Probe.StdoutBlock("to the file"), File.ReadAllText(file.Path));
    }

    [Fact]
    public async Task Stdin_from_a_caller_fd_is_read_and_the_library_never_closes_it()
    {
        using var file = new TempFile();
        File.WriteAllText(file.Path, "from the file");
        using var input = File.OpenHandle(file.Path, FileMode.Open, FileAccess.Read);

        var result = await _runner.RunAsync(Probe.Command("--quiet").SetInputFd(input).SetOutputBuffer()).OrHang();

        Assert.Equal(Probe.StdoutBlock("from the file"), result.StandardOutput);
        Assert.False(input.IsClosed);
        Assert.Equal(file.Path, ProcessInspector.FdTarget(checked((int)input.DangerousGetHandle())));
    }

    [Fact]
    public async Task The_same_caller_fd_for_stdout_and_stderr_interleaves_in_write_order()
    {
        using var file = new TempFile();

        await _runner.RunAsync(Probe.Command("--quiet").SetInputBuffer("x").SetOutputFd(file.Handle).SetErrorFd(file.Handle)).OrHang();

        Assert.Equal(Probe.StdoutBlock("x") + Probe.StderrBlock("x"), File.ReadAllText(file.Path));
    }

    /// <summary>The <paramref name="count"/> lowest fd numbers from 3 up that are free now: the next opens take them.</summary>
    private static int[] LowestFreeFds(int count)
    {
        var open = ProcessInspector.OpenFds();
        return [.. Enumerable.Range(3, open.Max + count).Where(fd => !open.Contains(fd)).Take(count)];
    }

    /// <summary>Opens <paramref name="path"/> as a bare fd that no SafeHandle owns.</summary>
    private static int OpenRawFd(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var fd = checked((int)handle.DangerousGetHandle());
        handle.SetHandleAsInvalid(); // the fd stays open; nobody owns it but the command
        return fd;
    }
}
