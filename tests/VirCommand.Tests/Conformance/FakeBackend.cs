using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// The fake backend under the conformance suite: a strict <see cref="FakeCommandRunner"/> scripted by
/// <see cref="FakeProbe"/> to answer as <c>vircommand-probe</c> and the system would, so that the
/// very assertions the real backends meet hold for it too. What a real child would show by nature
/// (is it still running, was it spawned) is read from the fake's record of its runs.
/// </summary>
internal sealed class FakeBackend : ConformanceBackend
{
    public override string Name => "fake";

    public override bool Spawns => false;

    public override ICommandRunner CreateRunner(CommandRunnerOptions? options = null)
    {
        var fake = new FakeCommandRunner(options ?? new CommandRunnerOptions());
        FakeProbe.Install(fake);
        return fake;
    }

    public override async Task AssertStoppedAndGoneAsync(ICommandRunner runner, int pid)
    {
        var invocation = Invocation(runner, pid);
        // The fake's child ends asynchronously, as a real one: wait for its end to be recorded.
        Assert.True(await Task.Run(() => ProcessInspector.WaitUntil(() => invocation.Result is not null, HangGuard.Limit)),
            $"the fake child {pid} never ended");
        Assert.True(invocation.WasStopped, $"the fake child {pid} ended by itself: nothing stopped it");
    }

    public override bool IsRunning(ICommandRunner runner, int pid) => Invocation(runner, pid).Result is null;

    public override void KillIfRunning(int pid)
    {
        // The fake's pids are made up: they may name someone else's process.
    }

    public override string TracingProgram(TempDir dir)
    {
        ArgumentNullException.ThrowIfNull(dir);
        return dir.File("traced");
    }

    public override void AssertNeverRan(ICommandRunner runner, TempDir dir)
    {
        ArgumentNullException.ThrowIfNull(dir);
        // The fake records every start it attempts, a failed one included: none means nothing was started.
        Assert.DoesNotContain(Fake(runner).Invocations, i => i.Program == dir.File("traced"));
    }

    public override void Script(ICommandRunner runner, string program, Func<FakeInvocation, FakeResponse> answer) =>
        Fake(runner).RegisterProgram(program).Responds(answer);

    public override Task WaitUntilCatchesAsync(int pid, Signal signal) => Task.CompletedTask;

    private static FakeCommandRunner Fake(ICommandRunner runner) => Assert.IsType<FakeCommandRunner>(runner);

    private static FakeInvocation Invocation(ICommandRunner runner, int pid) => Assert.Single(Fake(runner).Invocations, i => i.Pid == pid);
}
