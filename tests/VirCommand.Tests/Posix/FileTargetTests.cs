namespace VirCommand.Tests.Posix;

/// <summary>
/// Issue 13 item 3 on the POSIX backend: a file target or source is the child's own fd 0, 1 or 2, opened
/// by the parent and handed over, with no pumping; a tee goes through a pipe the run engine reads.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FileTargetTests
{
    [Fact]
    public async Task The_child_reads_and_writes_the_files_themselves()
    {
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.File("in"), "input\n");
        await File.WriteAllTextAsync(dir.File("out"), "kept\n");

        var result = await Posix.Runner.RunAsync(Probe.Command()
            .SetInputFile(dir.File("in")).SetOutputFile(dir.File("out"), append: true).SetErrorFile(dir.File("err"))).OrHang();

        var written = await File.ReadAllTextAsync(dir.File("out"));
        Assert.StartsWith("kept\n", written, StringComparison.Ordinal);
        var report = ProbeReport.Parse(written["kept\n".Length..]);
        Assert.Equal([0, 1, 2], report.Fds);
        Assert.Equal(dir.File("in"), report.FdTargets[0]);
        Assert.Equal(dir.File("out"), report.FdTargets[1]);
        Assert.Equal(dir.File("err"), report.FdTargets[2]);
        Assert.Equal(Probe.StdoutBlock("input\n"), report.Echo);
        Assert.False(result.HasStandardOutput, "stdout went to a file, yet the result claims a capture");
    }

    [Fact]
    public async Task A_tee_is_a_pipe_the_engine_reads_and_a_blocking_Run_works_through_it()
    {
        using var dir = new TempDir();

        var result = Posix.Runner.Run(Probe.Command().SetOutputFile(dir.File("out"), capture: true));

        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.StartsWith("pipe:[", report.FdTargets[1], StringComparison.Ordinal);
        Assert.Equal(result.StandardOutput, await File.ReadAllTextAsync(dir.File("out")));
    }

    [Fact]
    public async Task The_parent_keeps_no_copy_of_a_file_it_handed_to_the_child()
    {
        using var dir = new TempDir();

        await using var running = await Posix.Runner.StartAsync(Probe.Command("--quiet", "--sleep", "60000").SetOutputFile(dir.File("out"))).OrHang();

        Assert.DoesNotContain(dir.File("out"), LeakCheck.OpenFds().Values);
    }
}
