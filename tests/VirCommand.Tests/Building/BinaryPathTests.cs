using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Building;

/// <summary><see cref="Command.GetBinaryPath"/> resolves as a run would, and fails as a run would.</summary>
[Collection("Serial")] // changes the parent's PATH
public sealed class BinaryPathTests : IDisposable
{
    private const int ENOENT = 2;
    private const int EACCES = 13;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_bare_name_resolves_on_the_parents_PATH_not_the_childs()
    {
        var name = "vircommand-binary-path-" + Guid.NewGuid().ToString("N");
        File.CreateSymbolicLink(_dir.File(name), Probe.Path);
        using var scope = new EnvironmentScope().Set("PATH", "/nonexistent-dir:" + _dir.Path);
        var command = Command.New(name).AddEnvPair("PATH", "/elsewhere");

        Assert.Equal(_dir.File(name), command.GetBinaryPath());
        Assert.Equal(name, command.Program);
    }

    [Fact]
    public void A_relative_path_resolves_against_the_working_directory()
    {
        var command = Command.New("./" + Path.GetRelativePath(Environment.CurrentDirectory, Probe.Path));

        Assert.Equal(Path.GetFullPath(Probe.Path), command.GetBinaryPath());
    }

    [Fact]
    public void A_name_not_on_the_PATH_fails_at_Resolve_with_ENOENT_naming_the_command()
    {
        var name = "vircommand-no-such-program-" + Guid.NewGuid().ToString("N");
        using var scope = new EnvironmentScope().Set("PATH", _dir.Path);

        var error = Assert.Throws<CommandStartException>(() => Command.New(name).AddArg("x").GetBinaryPath());

        Assert.Equal(StartStage.Resolve, error.Stage);
        Assert.Equal(ENOENT, error.Errno);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_executable_fails_at_Resolve_with_EACCES()
    {
        var path = _dir.File("plain");
        File.WriteAllText(path, "not a program");

        var error = Assert.Throws<CommandStartException>(() => Command.New(path).GetBinaryPath());

        Assert.Equal(StartStage.Resolve, error.Stage);
        Assert.Equal(EACCES, error.Errno);
    }

    [Fact]
    public async Task GetBinaryPath_fails_exactly_where_a_run_fails()
    {
        var command = Command.New(_dir.File("missing"));
        var run = await Assert.ThrowsAsync<CommandStartException>(() => new Backends.Posix.PosixCommandRunner().RunAsync(command));

        var resolve = Assert.Throws<CommandStartException>(command.GetBinaryPath);

        Assert.Equal((run.Stage, run.Errno), (resolve.Stage, resolve.Errno));
    }
}
