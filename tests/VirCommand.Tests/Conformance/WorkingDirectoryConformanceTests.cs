using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>SPEC §3.3 on every backend: the child runs in the parent's directory unless told; a missing one fails the start at stage WorkingDirectory.</summary>
public sealed class WorkingDirectoryConformanceTests : IDisposable
{
    private const int ENOENT = 2;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task The_child_runs_in_the_working_directory_it_was_given(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var directory = Directory.CreateDirectory(_dir.File("with space ü")).FullName;

        var result = await runner.RunAsync(Probe.Command().SetWorkingDirectory(directory).SetOutputBuffer()).OrHang();

        Assert.Equal(directory, ProbeReport.Parse(result.StandardOutput).Cwd);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task Without_one_the_child_runs_in_the_parents_directory(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        var result = await runner.RunAsync(Probe.Command().SetOutputBuffer()).OrHang();

        Assert.Equal(Directory.GetCurrentDirectory(), ProbeReport.Parse(result.StandardOutput).Cwd);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_missing_working_directory_fails_the_start_at_stage_WorkingDirectory_with_ENOENT(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        var error = await Assert.ThrowsAsync<CommandStartException>(() =>
            runner.RunAsync(Probe.Command().SetWorkingDirectory(_dir.File("missing"))).OrHang());

        Assert.Equal(StartStage.WorkingDirectory, error.Stage);
        Assert.Equal(ENOENT, error.Errno);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_file_as_the_working_directory_fails_the_start_at_stage_WorkingDirectory_with_ENOTDIR(string backend)
    {
        const int ENOTDIR = 20;
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        File.WriteAllText(_dir.File("file"), "");

        var error = await Assert.ThrowsAsync<CommandStartException>(() =>
            runner.StartAsync(Probe.Command().SetWorkingDirectory(_dir.File("file"))).OrHang());

        Assert.Equal(StartStage.WorkingDirectory, error.Stage);
        Assert.Equal(ENOTDIR, error.Errno);
    }
}
