using VirCommand.Tests.Building;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// SPEC §3.1 and §4 on every backend: a bare name is resolved on the parent's PATH when the command runs,
/// never on a PATH given to the child; a program that cannot be resolved fails to start at stage
/// Resolve with the errno (ENOENT: not there; EACCES: not executable).
/// </summary>
[Collection("Serial")] // changes the parent's PATH
public sealed class ProgramResolutionConformanceTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task A_bare_name_is_resolved_on_the_parents_PATH_and_stays_argv_0_as_given(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        // A name of its own: the probe's own name is also in the test's working directory, where the
        // managed backend must give .NET the resolved path (ProgramResolver.FileNameFor).
        const string name = "vircommand-conformance-probe";
        File.CreateSymbolicLink(_dir.File(name), Probe.Path);
        using var scope = new EnvironmentScope().Set("PATH", _dir.Path + ":" + Environment.GetEnvironmentVariable("PATH"));
        // The child's own PATH leads nowhere: resolving on it would fail.
        var command = Command.New(name).AddEnvPair("PATH", _dir.File("nowhere")).SetOutputBuffer();

        var report = ProbeReport.Parse((await runner.RunAsync(command).OrHang()).StandardOutput);

        Assert.Equal([name], report.Argv);
        Assert.Equal(["PATH=" + _dir.File("nowhere")], report.Environment);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_name_the_parents_PATH_does_not_hold_fails_at_Resolve_with_ENOENT(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var name = "vircommand-no-such-program-" + Guid.NewGuid().ToString("N");
        // On the child's PATH it would be found: that must not matter.
        File.CreateSymbolicLink(_dir.File(name), Probe.Path);

        await AssertStartFails(runner, () => Command.New(name).AddEnvPair("PATH", _dir.Path), StartStage.Resolve, FakeProgramResolution.ENOENT);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_missing_absolute_program_fails_at_Resolve_with_ENOENT(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        await AssertStartFails(runner, () => Command.New(_dir.File("missing")), StartStage.Resolve, FakeProgramResolution.ENOENT);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_missing_absolute_program_fails_at_Resolve_before_any_later_stage_fails(string backend)
    {
        // Resolve comes first (StartStage): a working directory that is missing too must not be reported instead.
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        Command Missing() => Command.New(_dir.File("missing")).SetWorkingDirectory(_dir.File("no-directory"));

        await AssertStartFails(runner, Missing, StartStage.Resolve, FakeProgramResolution.ENOENT);
        var blocking = await Assert.ThrowsAsync<CommandStartException>(() => Task.Run(() => runner.Run(Missing())).OrHang());
        Assert.Equal((StartStage.Resolve, FakeProgramResolution.ENOENT), (blocking.Stage, blocking.Errno));
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_program_that_is_not_executable_fails_at_Resolve_with_EACCES(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var path = _dir.File("not-executable");
        File.WriteAllText(path, "#!/bin/sh\nexit 0\n");
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("POSIX file modes");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await AssertStartFails(runner, () => Command.New(path), StartStage.Resolve, FakeProgramResolution.EACCES);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_directory_as_the_program_fails_at_Resolve_with_EACCES(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        await AssertStartFails(runner, () => Command.New(_dir.Path), StartStage.Resolve, FakeProgramResolution.EACCES);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task A_relative_path_is_resolved_against_the_parents_directory_not_the_childs(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        // "./": a path, not a bare name. From the child's working directory it would name nothing.
        var relative = "./" + Path.GetRelativePath(Directory.GetCurrentDirectory(), Probe.Path);

        var result = await runner.RunAsync(Command.New(relative).SetWorkingDirectory(_dir.Path).SetOutputBuffer()).OrHang();

        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.Equal([relative], report.Argv);
        Assert.Equal(_dir.Path, report.Cwd);
    }

    /// <summary>Both a run and a start fail, before the caller gets a handle, with the stage and errno.</summary>
    private static async Task AssertStartFails(ICommandRunner runner, Func<Command> command, StartStage stage, int errno)
    {
        var run = await Assert.ThrowsAsync<CommandStartException>(() => runner.RunAsync(command()).OrHang());
        var start = await Assert.ThrowsAsync<CommandStartException>(() => runner.StartAsync(command()).OrHang());

        foreach (var error in (CommandStartException[])[run, start])
        {
            Assert.Equal(stage, error.Stage);
            Assert.Equal(errno, error.Errno);
            Assert.Contains(stage.ToString(), error.Message, StringComparison.Ordinal);
        }
    }
}
