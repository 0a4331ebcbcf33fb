using Microsoft.Extensions.DependencyInjection;
using VirCommand.Tests.Examples;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Managed;

/// <summary>
/// The realistic service of Examples/ (a git wrapper) on a real repository, through the managed
/// backend forced by DI on Linux: what an application on a host without the native library gets.
/// </summary>
public sealed class ManagedGitServiceTests : IDisposable
{
    private readonly TempDir _repository = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddVirCommandManaged().BuildServiceProvider();

    private ICommandRunner Runner => _services.GetRequiredService<ICommandRunner>();

    public void Dispose()
    {
        _services.Dispose();
        _repository.Dispose();
    }

    [GitFact]
    public async Task Branch_status_commit_and_a_failing_commit_work_through_the_managed_backend()
    {
        await GitAsync("init", "--quiet", "--initial-branch=trunk");
        await GitAsync("config", "user.name", "Test");
        await GitAsync("config", "user.email", "test@example.com");
        var git = new GitRepository(Runner, _repository.Path);
        await File.WriteAllTextAsync(_repository.File("a file.txt"), "content\n");

        Assert.Equal([new FileChange("??", "a file.txt")], await git.StatusAsync());

        await GitAsync("add", "--all");
        await git.CommitAsync("first commit\n\nwith a body\n");
        Assert.Empty(await git.StatusAsync());
        Assert.Equal("trunk", await git.CurrentBranchAsync());
        Assert.Equal("first commit\n\nwith a body\n", await GitAsync("log", "-1", "--format=%B"));

        var error = await Assert.ThrowsAsync<GitException>(() => git.CommitAsync("nothing to commit"));
        // git says "nothing to commit" on stdout; the service maps the exit status 1.
        Assert.Equal(1, Assert.IsType<CommandExitException>(error.InnerException).ExitCode);
        Assert.Equal("managed", Runner.Name);
    }

    private async Task<string> GitAsync(params string[] args)
    {
        using var command = Command.NewArgList("git", ["-C", _repository.Path, .. args]).AddEnvPassCommon().SetOutputBuffer();
        return (await Runner.RunAsync(command)).StandardOutput.TrimEnd('\n') + (args[0] == "log" ? "\n" : "");
    }
}
