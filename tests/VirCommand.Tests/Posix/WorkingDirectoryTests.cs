using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>SPEC §3.3: the child's working directory, the parent's by default.</summary>
public sealed class WorkingDirectoryTests : IDisposable
{
    private readonly PosixCommandRunner _runner = new();
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("vircommand-cwd-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task The_child_runs_in_the_working_directory_set()
    {
        var report = await RunProbe(Probe.Command().SetWorkingDirectory(_directory.FullName));

        Assert.Equal(RealPath(_directory.FullName), report.Cwd);
    }

    [Fact]
    public async Task By_default_the_child_runs_in_the_parents_working_directory()
    {
        var report = await RunProbe(Probe.Command());

        Assert.Equal(System.Environment.CurrentDirectory, report.Cwd);
        Assert.NotEqual(RealPath(_directory.FullName), report.Cwd);
    }

    [Fact]
    public async Task A_relative_program_path_is_resolved_against_the_parents_directory_not_the_childs()
    {
        var relative = Probe.RelativePath;

        var report = await RunProbe(Command.New(relative).SetWorkingDirectory(_directory.FullName));

        Assert.Equal(RealPath(_directory.FullName), report.Cwd);
    }

    [Fact]
    public async Task The_working_directory_does_not_leak_into_the_parent()
    {
        var before = System.Environment.CurrentDirectory;

        await RunProbe(Probe.Command().SetWorkingDirectory(_directory.FullName));

        Assert.Equal(before, System.Environment.CurrentDirectory);
    }

    private async Task<ProbeReport> RunProbe(Command command) =>
        ProbeReport.Parse((await _runner.RunAsync(command.SetOutputBuffer()).OrHang()).StandardOutput);

    /// <summary>The directory as getcwd spells it: every symlink on the way resolved.</summary>
    private static string RealPath(string path)
    {
        var parts = Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var real = "/";
        foreach (var part in parts)
        {
            var next = Path.Combine(real, part);
            real = new DirectoryInfo(next).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? next;
        }
        return real;
    }
}
