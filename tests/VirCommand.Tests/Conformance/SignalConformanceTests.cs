using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// Issue 13 item 4 on every backend: <see cref="IRunningCommand.SignalAsync"/> delivers a signal to a
/// running child, which reacts as it was written to (dies by the default action, or handles it and
/// runs on); after the exit it sends nothing; a process group is signalled only where the command has
/// one, and a backend that cannot make one refuses the command, as the feature suite says.
/// </summary>
public sealed class SignalConformanceTests
{
    private static Command Sleeper() => Probe.Command("--quiet", "--sleep", "60000");

    /// <summary>A shell that reports each SIGHUP and exits 128 + 15 on SIGTERM, as a service's reload and shutdown do.</summary>
    private static Command Service() => Command.New("/bin/sh").AddArgList("-c",
        "trap 'echo reloaded' HUP; trap 'echo bye; exit 143' TERM; while :; do sleep 0.05; done").SetOutputBuffer();

    /// <summary>The fake's script of <see cref="Service"/>: the same reactions, through its signal handlers.</summary>
    private static FakeResponse ServiceScript(FakeInvocation invocation)
    {
        var reloads = 0;
        return FakeResponse.Success().WithDelay(TimeSpan.FromMinutes(5))
            .OnSignal(Signal.SIGHUP, _ => { reloads++; return null; })
            .OnSignal(Signal.SIGTERM, _ => FakeResponse.Exit(143, string.Concat(Enumerable.Repeat("reloaded\n", reloads)) + "bye\n"));
    }

    private static void AssertDiedBy(ICommandRunner runner, CommandResult result, Signal signal)
    {
        if (runner.Features.HasFlag(CommandFeatures.RawStatus))
            Assert.Equal(signal, result.TerminatingSignal);
        else
            Assert.Equal(128 + (int)signal, result.ExitCode); // as the backend documents: a death by signal N reads as 128 + N
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_signal_the_child_does_not_handle_ends_it_by_its_default_action(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();

        await using var running = await runner.StartAsync(Sleeper()).OrHang();
        Assert.True(await running.SignalAsync(Signal.SIGHUP).OrHang());
        var error = await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync().OrHang());

        AssertDiedBy(runner, error.Result, Signal.SIGHUP);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_child_that_handles_signals_reloads_on_SIGHUP_and_runs_on_then_exits_on_SIGTERM(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        conformance.Script(runner, "/bin/sh", ServiceScript);

        await using var running = await runner.StartAsync(Service().AllowNonZeroExit()).OrHang();
        await conformance.WaitUntilCatchesAsync(running.Pid, Signal.SIGTERM);
        Assert.True(await running.SignalAsync(Signal.SIGHUP).OrHang()); // one: a second sent at once may merge with it, as pending signals do
        await Task.Delay(200);
        Assert.True(conformance.IsRunning(runner, running.Pid), "the child did not survive a signal it handles");
        Assert.True(await running.SignalAsync(Signal.SIGTERM).OrHang());
        var result = await running.WaitAsync().OrHang();

        Assert.Equal(143, result.ExitCode);
        Assert.Equal("reloaded\nbye\n", result.StandardOutput);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task After_the_exit_SignalAsync_sends_nothing_and_returns_false(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        await using var running = await runner.StartAsync(Probe.Command("--quiet")).OrHang();
        var result = await running.WaitAsync().OrHang();

        Assert.False(await running.SignalAsync(Signal.SIGTERM).OrHang());
        Assert.Same(result, await running.WaitAsync().OrHang());
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_detached_handle_signals_its_child_after_its_disposal(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();

        var running = await runner.StartAsync(Sleeper()).OrHang();
        try
        {
            running.Detach();
            await running.DisposeAsync().AsTask().OrHang();
            Assert.True(await running.SignalAsync(Signal.SIGUSR1).OrHang());
            var error = await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync().OrHang());
            AssertDiedBy(runner, error.Result, Signal.SIGUSR1);
        }
        finally
        {
            conformance.KillIfRunning(running.Pid);
        }
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task The_process_group_is_refused_for_a_command_without_one_and_nothing_is_sent(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();

        await using var running = await runner.StartAsync(Sleeper()).OrHang();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => running.SignalAsync(Signal.SIGTERM, SignalTarget.ProcessGroup));

        Assert.Contains("NewProcessGroup()", error.Message, StringComparison.Ordinal);
        Assert.True(conformance.IsRunning(runner, running.Pid));
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task The_process_group_of_a_command_that_leads_one_is_signalled(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var command = Sleeper().NewProcessGroup();
        if (!runner.Features.HasFlag(CommandFeatures.NewProcessGroup))
        {
            var refusal = await Assert.ThrowsAsync<CommandNotSupportedException>(() => runner.StartAsync(command).OrHang());
            Assert.Equal(CommandFeatures.NewProcessGroup, refusal.Feature);
            return;
        }

        await using var running = await runner.StartAsync(command).OrHang();
        Assert.True(await running.SignalAsync(Signal.SIGTERM, SignalTarget.ProcessGroup).OrHang());
        var error = await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync().OrHang());

        AssertDiedBy(runner, error.Result, Signal.SIGTERM);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_signal_or_target_that_is_not_defined_is_refused_by_name(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        await using var running = await runner.StartAsync(Sleeper()).OrHang();

        Assert.Equal("signal", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => running.SignalAsync((Signal)64))).ParamName);
        Assert.Equal("target", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => running.SignalAsync(Signal.SIGTERM, (SignalTarget)7))).ParamName);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_daemons_handle_refuses_to_signal(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        using var dir = new TempDir();
        var command = Sleeper().Daemonize().SetPidFile(dir.File("pid"));
        if (!runner.Features.HasFlag(CommandFeatures.Daemonize))
        {
            var refusal = await Assert.ThrowsAsync<CommandNotSupportedException>(() => runner.StartAsync(command).OrHang());
            Assert.Equal(CommandFeatures.Daemonize, refusal.Feature);
            return;
        }

        await using var running = await runner.StartAsync(command).OrHang();
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => running.SignalAsync(Signal.SIGTERM));
            Assert.Contains("daemon", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (running.DaemonPid is { } daemon)
                conformance.KillIfRunning(daemon);
        }
    }
}
