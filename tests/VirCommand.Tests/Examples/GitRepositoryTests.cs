using Microsoft.Extensions.DependencyInjection;
using VirCommand.Backends.Fake;

namespace VirCommand.Tests.Examples;

/// <summary>The recommended style: swap the fake into the container and script it; no hand-written mock.</summary>
public sealed class GitRepositoryTests : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly FakeCommandRunner _git;
    private readonly GitRepository _repository;

    public GitRepositoryTests()
    {
        _services = new ServiceCollection()
            .AddVirCommandFake()
            .AddSingleton(sp => new GitRepository(sp.GetRequiredService<ICommandRunner>(), "/src/app"))
            .BuildServiceProvider();
        _git = _services.GetRequiredService<FakeCommandRunner>();
        _repository = _services.GetRequiredService<GitRepository>();
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Reads_the_current_branch()
    {
        _git.Register("git", "-C", "/src/app", "rev-parse", "--abbrev-ref", "HEAD").Returns(FakeResponse.Success("main\n"));

        Assert.Equal("main", await _repository.CurrentBranchAsync());
        Assert.Equal("C", _git.Invocations[0].GetEnvironmentVariable("LC_ALL"));
    }

    [Fact]
    public async Task Parses_porcelain_status()
    {
        _git.RegisterPattern("git", "-C", "*", "status", "**").Returns(FakeResponse.Success(" M src/a.cs\0?? notes.txt\0"));

        var changes = await _repository.StatusAsync();

        Assert.Equal([new FileChange("M", "src/a.cs"), new FileChange("??", "notes.txt")], changes);
    }

    [Fact]
    public async Task Sends_the_commit_message_on_stdin()
    {
        _git.Register("git", "-C", "/src/app", "commit", "--file=-").Once();

        await _repository.CommitAsync("Fix the frobnicator\n");

        Assert.Equal("Fix the frobnicator\n", _git.Invocations.Single().InputText);
        _git.VerifyAllCalled();
    }

    [Fact]
    public async Task A_failing_commit_becomes_a_domain_error_with_gits_message()
    {
        _git.RegisterPattern("git", "**", "commit", "**").Returns(FakeResponse.Exit(1, standardError: "nothing to commit, working tree clean\n"));

        var error = await Assert.ThrowsAsync<GitException>(() => _repository.CommitAsync("empty"));

        Assert.Equal("git commit failed: nothing to commit, working tree clean", error.Message);
    }

    [Fact]
    public async Task A_hanging_commit_times_out_after_the_services_timeout()
    {
        var clock = new ManualClock();
        var fake = new FakeCommandRunner(new CommandRunnerOptions(), clock);
        fake.RegisterPattern("git", "**", "commit", "**").Returns(FakeResponse.Success().WithDelay(TimeSpan.FromMinutes(5)));
        var repository = new GitRepository(fake, "/src/app");

        var commit = repository.CommitAsync("slow");
        clock.Advance(GitRepository.Timeout);

        var error = await Assert.ThrowsAsync<GitException>(() => commit);
        Assert.IsType<CommandTimeoutException>(error.InnerException);
        Assert.True(fake.Invocations[0].WasStopped);
    }

    [Fact]
    public async Task Git_missing_from_PATH_surfaces_as_a_start_failure()
    {
        _git.RegisterProgram("git").Returns(FakeResponse.NotFound());

        var error = await Assert.ThrowsAsync<CommandStartException>(() => _repository.CurrentBranchAsync());

        Assert.Equal(StartStage.Resolve, error.Stage);
    }
}
