using VirCommand.Backends.Fake;
using VirCommand.Backends.Managed;
using VirCommand.Backends.Posix;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Fake;

/// <summary>Issue 20 item 5: pass-through runs a command on a real backend, recorded like the fake's own.</summary>
public sealed class FakePassThroughTests
{
    private readonly FakeCommandRunner _fake = new();

    [LinuxFact]
    public async Task Unregistered_commands_really_run_and_are_recorded()
    {
        _fake.PassThrough(new PosixCommandRunner());
        _fake.Register("git", "status").Returns(FakeResponse.Success("scripted\n"));

        var real = await _fake.RunAsync(Command.NewArgList("/bin/sh", "-c", "echo real $$").SetOutputBuffer()).OrHang();
        var scripted = await _fake.RunAsync(Command.New("git").AddArg("status").SetOutputBuffer()).OrHang();

        Assert.Equal($"real {real.Pid}\n", real.StandardOutput);
        Assert.Equal("scripted\n", scripted.StandardOutput);
        var recorded = _fake.Invocations[0];
        Assert.Equal(["/bin/sh", "-c", "echo real $$"], recorded.Argv);
        Assert.Null(recorded.Registration);
        Assert.Equal(real.Pid, recorded.Pid);
        Assert.Equal(real.StandardOutput, recorded.Result!.StandardOutput);
    }

    [LinuxFact]
    public async Task Chosen_registrations_pass_through_and_the_rest_stays_strict()
    {
        _fake.PassThrough(new PosixCommandRunner(), unregistered: false);
        var printf = _fake.RegisterProgram("printf").PassesThrough();

        var result = await _fake.RunAsync(Command.NewArgList("printf", "%s", "x").SetOutputBuffer()).OrHang();

        Assert.Equal("x", result.StandardOutput);
        Assert.Same(printf, Assert.Single(printf.Calls).Registration);
        await Assert.ThrowsAsync<FakeCommandNotRegisteredException>(() => _fake.RunAsync(Command.New("ls")));
    }

    [LinuxFact]
    public async Task A_passed_through_child_is_signalled_stopped_and_recorded_like_a_fake_one()
    {
        _fake.PassThrough(new PosixCommandRunner());

        await using var running = await _fake.StartAsync(Probe.Command("--quiet", "--sleep", "60000")).OrHang();
        Assert.True(await running.SignalAsync(Signal.SIGUSR2));
        var error = await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync().OrHang());

        Assert.Equal(Signal.SIGUSR2, error.Result.TerminatingSignal);
        var recorded = _fake.Invocations[0];
        Assert.Equal([Signal.SIGUSR2], recorded.Signals.Select(s => s.Signal));
        Assert.False(recorded.WasStopped);
        Assert.Equal(Signal.SIGUSR2, recorded.Result!.TerminatingSignal);
    }

    [Fact]
    public void A_runner_that_lacks_what_the_fake_promises_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => _fake.PassThrough(new ManagedCommandRunner()));

        Assert.Contains("MergedOutput", error.Message, StringComparison.Ordinal);
        new FakeCommandRunner(ManagedCommandRunner.PlatformFeatures).PassThrough(new ManagedCommandRunner());
        Assert.Throws<ArgumentException>(() => _fake.PassThrough(new FakeCommandRunner()));
    }

    [Fact]
    public async Task A_registration_that_passes_through_without_a_real_runner_fails_the_start_clearly()
    {
        _fake.RegisterProgram("tool").PassesThrough();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _fake.StartAsync(Command.New("tool")));

        Assert.Contains("PassThrough(runner)", error.Message, StringComparison.Ordinal);
    }
}
