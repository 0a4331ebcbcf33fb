using VirCommand.Backends.Fake.Cassettes;
using VirCommand.Tests.Posix;
using PosixRunners = VirCommand.Tests.Posix.Posix;

namespace VirCommand.Tests.Examples;

/// <summary>
/// Record and replay: the git service runs once against a real git in a temporary repository while
/// its runs are recorded, then the same test steps replay from the cassette with no git at all.
/// </summary>
public sealed class GitRepositoryCassetteTests
{
    [GitFact]
    public async Task The_git_service_recorded_against_real_git_replays_the_same_without_it()
    {
        using var repository = new TempDir();
        using var cassettes = new TempDir();
        var path = cassettes.File("git-service.json");
        await SetUpAsync(repository);

        string[] recorded;
        using (var record = CassetteRunner.Open(path, CassetteMode.Record, PosixRunners.Runner))
            recorded = await UseTheServiceAsync(new GitRepository(record, repository.Path), repository);

        // No git from here on: the replay has no real runner and never spawns; the repository is gone.
        repository.Dispose();
        string[] replayed;
        using (var replay = CassetteRunner.Open(path, CassetteMode.Replay))
        {
            replayed = await UseTheServiceAsync(new GitRepository(replay, repository.Path), null);
            replay.Replaying!.VerifyAllPlayed();
        }

        Assert.Equal(
            ["status: ?? a file.txt", "commit refused: exit 1", "branch: trunk", "status: (clean)"],
            recorded);
        Assert.Equal(recorded, replayed);
        var file = await File.ReadAllTextAsync(path);
        Assert.Contains("\"rev-parse\"", file, StringComparison.Ordinal);
        Assert.Contains("\"trunk\\n\"", file, StringComparison.Ordinal);
    }

    /// <summary>The test's steps, the same in both runs; the setup between them (git add) runs only for real.</summary>
    private static async Task<string[]> UseTheServiceAsync(GitRepository git, TempDir? repository)
    {
        var steps = new List<string> { "status: " + Describe(await git.StatusAsync()) };
        var refused = await Assert.ThrowsAsync<GitException>(() => git.CommitAsync("nothing staged yet\n"));
        steps.Add($"commit refused: exit {Assert.IsType<CommandExitException>(refused.InnerException).ExitCode}");
        if (repository is not null)
            await GitAsync(repository, "add", "--all");
        await git.CommitAsync("first commit\n");
        steps.Add("branch: " + await git.CurrentBranchAsync());
        steps.Add("status: " + Describe(await git.StatusAsync()));
        return [.. steps];
    }

    private static string Describe(IReadOnlyList<FileChange> changes) =>
        changes.Count == 0 ? "(clean)" : string.Join(", ", changes.Select(c => $"{c.Status} {c.Path}"));

    private static async Task SetUpAsync(TempDir repository)
    {
        await GitAsync(repository, "init", "--quiet", "--initial-branch=trunk");
        await GitAsync(repository, "config", "user.name", "Test");
        await GitAsync(repository, "config", "user.email", "test@example.com");
        await File.WriteAllTextAsync(repository.File("a file.txt"), "content\n");
    }

    private static Task<CommandResult> GitAsync(TempDir repository, params string[] args) =>
        PosixRunners.Runner.RunAsync(Command.NewArgList("git", ["-C", repository.Path, .. args]).AddEnvPassCommon());
}
