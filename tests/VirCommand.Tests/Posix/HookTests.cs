using System.Runtime.InteropServices;

namespace VirCommand.Tests.Posix;

/// <summary>virCommandSetPreExecHook: a native hook, the last step before ids, cwd and exec.</summary>
[Collection("Serial")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HookTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly List<nint> _strings = [];

    public void Dispose()
    {
        foreach (var s in _strings)
            Marshal.FreeCoTaskMem(s);
        _dir.Dispose();
    }

    private nint NativeString(string value)
    {
        var p = Marshal.StringToCoTaskMemUTF8(value);
        _strings.Add(p);
        return p;
    }

    private static PreExecHook Hook(string symbol, nint opaque = 0) => PreExecHook.FromLibrary(Probe.HookLibrary, symbol, opaque);

    [RootFact]
    public async Task The_hook_runs_in_the_child_before_ids_and_cwd()
    {
        var record = _dir.File("hook");
        var cwd = _dir.File("cwd");
        Directory.CreateDirectory(cwd);
        using var command = Probe.Command().SetPreExecHook(Hook("vc_test_hook_record", NativeString(record)))
            .SetUid(65534).SetGid(65534).SetWorkingDirectory(cwd).SetOutputBuffer();
        var result = await Posix.Runner.RunAsync(command);

        // The same process that then exec'd the probe, still with the parent's ids and directory.
        Assert.Equal($"pid={result.Pid} uid=0 gid=0 cwd={Environment.CurrentDirectory}", File.ReadAllText(record));
        Assert.Equal(result.Pid, Probe.Int(result.StandardOutput, "pid"));
        Assert.Equal("65534 65534 65534", Probe.Value(result.StandardOutput, "uid"));
        Assert.Equal(cwd, Probe.Value(result.StandardOutput, "cwd"));
    }

    [LinuxFact]
    public async Task The_hook_may_allocate_and_the_parent_is_untouched()
    {
        var record = _dir.File("hook");
        for (var i = 0; i < 20; i++)
        {
            using var command = Probe.Command("--quiet").SetPreExecHook(Hook("vc_test_hook_record", NativeString(record)));
            var result = await Posix.Runner.RunAsync(command);
            Assert.StartsWith($"pid={result.Pid} ", File.ReadAllText(record), StringComparison.Ordinal);
        }
        // The parent's native heap (the one the hook's malloc uses, not the GC's) still works: the
        // child's malloc traffic happened in its own copy, so malloc and free here find it intact.
        var blocks = new nint[256];
        for (var i = 0; i < blocks.Length; i++)
            Marshal.WriteByte(blocks[i] = Marshal.AllocHGlobal((i + 1) * 64), i * 64, (byte)i);
        for (var i = 0; i < blocks.Length; i++)
        {
            Assert.Equal((byte)i, Marshal.ReadByte(blocks[i], i * 64));
            Marshal.FreeHGlobal(blocks[i]);
        }
    }

    [LinuxFact]
    public async Task A_hook_that_returns_non_zero_fails_the_start_with_its_value()
    {
        await Posix.Runner.RunAsync(Probe.Command("--quiet").SetPreExecHook(Hook("vc_test_hook_return"))); // warm-up
        var leaks = new LeakCheck();
        var error = await Assert.ThrowsAsync<CommandStartException>(() =>
            Posix.Runner.RunAsync(Probe.Command("--quiet").SetPreExecHook(Hook("vc_test_hook_return", 42))));
        await leaks.AssertCleanAsync();
        Assert.Equal(StartStage.Hook, error.Stage);
        Assert.Equal(0, error.Errno);
        Assert.Contains("the pre-exec hook returned 42 (vc_test_hook_return in ", error.Message, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task A_step_after_a_successful_hook_that_fails_is_still_a_failure()
    {
        await Posix.Runner.RunAsync(Probe.Command("--quiet").SetPreExecHook(Hook("vc_test_hook_return"))); // warm-up
        var leaks = new LeakCheck();
        var error = await Assert.ThrowsAsync<CommandStartException>(() =>
            Posix.Runner.RunAsync(Probe.Command("--quiet").SetPreExecHook(Hook("vc_test_hook_return")).SetWorkingDirectory(_dir.File("missing"))));
        await leaks.AssertCleanAsync();
        Assert.Equal(StartStage.WorkingDirectory, error.Stage);
        Assert.Equal(2, error.Errno);
    }

    [LinuxFact]
    public async Task A_hook_that_kills_its_child_is_a_death_by_signal_not_a_hang()
    {
        await Posix.Runner.RunAsync(Probe.Command("--quiet").SetPreExecHook(Hook("vc_test_hook_return"))); // warm-up
        var leaks = new LeakCheck();
        var error = await Assert.ThrowsAsync<CommandExitException>(() =>
            Posix.Runner.RunAsync(Probe.Command("--quiet").SetPreExecHook(Hook("vc_test_hook_kill"))));
        await leaks.AssertCleanAsync();
        Assert.Equal(Signal.SIGKILL, error.Signal);
    }

    [LinuxFact]
    public async Task The_hook_runs_in_the_daemon()
    {
        var record = _dir.File("hook");
        var pidFile = _dir.File("d.pid");
        using var command = Probe.Command("--quiet").Daemonize().SetPidFile(pidFile).SetPreExecHook(Hook("vc_test_hook_record", NativeString(record)));
        await using var running = await Posix.Runner.StartAsync(command);
        Assert.Equal($"pid={running.DaemonPid} uid={LibC.GetEuid()} gid={LibC.GetEgid()} cwd={Environment.CurrentDirectory}", File.ReadAllText(record));
        Assert.Equal($"{running.DaemonPid}", File.ReadAllText(pidFile));
    }
}
