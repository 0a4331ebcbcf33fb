using VirCommand.Backends.Fake;

namespace VirCommand.Tests.Fake;

/// <summary>Issue 20 item 5: each registration records the runs it answered.</summary>
public sealed class FakeRegistrationRecordTests
{
    private readonly FakeCommandRunner _fake = new() { AllowUnregistered = true };

    [Fact]
    public async Task Each_run_names_the_registration_that_answered_it_and_each_registration_its_runs()
    {
        var any = _fake.RegisterProgram("git");
        var status = _fake.Register("git", "status");

        await _fake.RunAsync(Command.New("git").AddArg("status"));
        await _fake.RunAsync(Command.New("git").AddArg("log"));
        await _fake.RunAsync(Command.New("git").AddArg("status"));
        await _fake.RunAsync(Command.New("hg"));

        Assert.Equal(["git status", "git status"], status.Calls.Select(c => c.CommandLine));
        Assert.Equal(["git log"], any.Calls.Select(c => c.CommandLine));
        Assert.Equal(_fake.Invocations[0], status.FirstCall);
        Assert.Equal(_fake.Invocations[2], status.LastCall);
        Assert.Equal([status, any, status, null], _fake.Invocations.Select(i => i.Registration));
    }

    [Fact]
    public async Task ClearCalls_forgets_a_registrations_runs_and_lets_a_used_up_one_answer_again()
    {
        var once = _fake.Register("tool").Returns(FakeResponse.Success("first\n"), FakeResponse.Success("later\n")).Once();
        _fake.AllowUnregistered = false;
        await _fake.RunAsync(Command.New("tool"));
        await Assert.ThrowsAsync<FakeCommandNotRegisteredException>(() => _fake.RunAsync(Command.New("tool")));

        once.ClearCalls();

        Assert.Equal(0, once.CallCount);
        Assert.Null(once.FirstCall);
        Assert.Null(once.LastCall);
        Assert.Equal("first\n", (await _fake.RunAsync(Command.New("tool").SetOutputBuffer())).StandardOutput);
        Assert.Equal(2, _fake.Invocations.Count); // the runner keeps the runs the registration forgot
    }
}
