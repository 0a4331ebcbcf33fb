using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace VirCommand.Tests.Examples;

/// <summary>
/// The other style: a mocking library on <see cref="ICommandRunner"/>. It works because the contract
/// is one small interface, but the test must build results by hand and match commands by argv itself;
/// compare <see cref="GitRepositoryTests"/>.
/// </summary>
public class GitRepositorySubstituteTests
{
    private static CommandResult Result(string stdout) =>
        new("git", 42, CommandResult.ExitStatus(0), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, System.Text.Encoding.UTF8.GetBytes(stdout));

    [Fact]
    public async Task Reads_the_current_branch()
    {
        var runner = Substitute.For<ICommandRunner>();
        runner.RunAsync(Arg.Is<Command>(c => c.Argv.Contains("rev-parse")), Arg.Any<CancellationToken>()).Returns(Result("feature/x\n"));

        var branch = await new GitRepository(runner, "/src/app").CurrentBranchAsync();

        Assert.Equal("feature/x", branch);
        await runner.Received(1).RunAsync(Arg.Is<Command>(c => c.Argv.SequenceEqual(new[] { "git", "-C", "/src/app", "rev-parse", "--abbrev-ref", "HEAD" })), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_failing_commit_becomes_a_domain_error()
    {
        var runner = Substitute.For<ICommandRunner>();
        var failed = new CommandResult("git commit", 42, CommandResult.ExitStatus(1), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        runner.RunAsync(Arg.Any<Command>(), Arg.Any<CancellationToken>()).ThrowsAsync(new CommandExitException(failed, "nothing to commit\n"));

        var error = await Assert.ThrowsAsync<GitException>(() => new GitRepository(runner, "/src/app").CommitAsync("x"));

        Assert.Equal("git commit failed: nothing to commit", error.Message);
    }
}
