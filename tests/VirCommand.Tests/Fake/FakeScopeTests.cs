using VirCommand.Backends.Fake;

namespace VirCommand.Tests.Fake;

/// <summary>Issue 20 item 5: registrations scoped to a test on a fake its fixture shares.</summary>
public sealed class FakeScopeTests
{
    private readonly FakeCommandRunner _fixture = new();

    public FakeScopeTests() => _fixture.RegisterProgram("git").Returns(FakeResponse.Success("fixture\n"));

    [Fact]
    public async Task A_scopes_registrations_answer_while_it_lasts_and_go_with_it()
    {
        using (var scope = _fixture.BeginScope())
        {
            var status = scope.Register("git", "status").Returns(FakeResponse.Success("scoped\n")).Once();
            scope.RegisterProgram("hg");

            Assert.Equal("scoped\n", (await _fixture.RunAsync(Command.New("git").AddArg("status").SetOutputBuffer())).StandardOutput);
            await _fixture.RunAsync(Command.New("hg"));
            Assert.Equal([status, scope.Registrations[1]], scope.Registrations);
            scope.VerifyAllCalled();
        }

        // The scope's registrations, used up or not, are gone; the fixture's answers again.
        Assert.Equal("fixture\n", (await _fixture.RunAsync(Command.New("git").AddArg("status").SetOutputBuffer())).StandardOutput);
        await Assert.ThrowsAsync<FakeCommandNotRegisteredException>(() => _fixture.RunAsync(Command.New("hg")));
        Assert.Equal(3, _fixture.Invocations.Count);
    }

    [Fact]
    public void A_scope_verifies_its_own_registrations_only()
    {
        using var scope = _fixture.BeginScope();
        scope.Register("make").Once();

        var error = Assert.Throws<InvalidOperationException>(scope.VerifyAllCalled);

        Assert.Contains("make (called 0 times of 1 expected)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("git", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_disposed_scope_refuses_new_registrations()
    {
        var scope = _fixture.BeginScope();
        scope.Dispose();

        Assert.Throws<ObjectDisposedException>(() => scope.Register("make"));
    }
}
