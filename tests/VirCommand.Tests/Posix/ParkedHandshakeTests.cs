using System.Globalization;
using System.Runtime.InteropServices;
using VirCommand.Backends.Posix.Spawning;

namespace VirCommand.Tests.Posix;

/// <summary>
/// Issue 18 (P6): a handshake start without a fork. The child is a <c>CLONE_VM | CLONE_VFORK</c> clone made by a
/// parked thread (<see cref="ParkedThreads"/>), so it waits at the handshake in this process's memory; everything
/// the fork path guaranteed holds (see also <see cref="HandshakeTests"/>).
/// </summary>
[Collection("Serial")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ParkedHandshakeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task WarmUpAsync() =>
        await (await Posix.Runner.StartAsync(Probe.Command("--quiet").RequireHandshake())).DisposeAsync();

    /// <summary>Whether <paramref name="address"/> lies in one of <paramref name="pid"/>'s mappings.</summary>
    private static bool Maps(int pid, nint address)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
        {
            var range = line[..line.IndexOf(' ', StringComparison.Ordinal)].Split('-');
            var (from, to) = (ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            if ((ulong)address >= from && (ulong)address < to)
                return true;
        }
        return false;
    }

    [LinuxFact]
    public async Task The_child_waits_in_this_process_memory_and_runs_once_released()
    {
        using var command = Probe.Command().SetOutputBuffer().RequireHandshake();
        await using var running = await Posix.Runner.StartAsync(command);
        await running.WaitForHandshakeAsync();
        // Memory mapped after the start shows in the child's maps: no copy was made, the child shares ours.
        unsafe
        {
            var block = NativeMemory.Alloc(64 << 20);
            try
            {
                Assert.True(Maps(running.Pid, (nint)block), "the child waiting at the handshake has a memory of its own (a fork)");
            }
            finally
            {
                NativeMemory.Free(block);
            }
        }
        await running.NotifyHandshakeAsync();
        var result = await running.WaitAsync();
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(running.Pid, Probe.Int(result.StandardOutput, "pid"));
        Assert.Equal(Environment.ProcessId, Probe.Int(result.StandardOutput, "ppid"));
        // The program starts with the signal mask of its spawner and default dispositions, as on every path.
        Assert.Equal("0000000000000000", Probe.Value(result.StandardOutput, "sigmask"));
        Assert.Equal("default", Probe.Value(result.StandardOutput, "sigpipe"));
        // Only 0, 1 and 2 crossed exec (the pipes of the handshake did not).
        Assert.Equal([0, 1, 2], Probe.Fds(result.StandardOutput));
    }

    [LinuxFact]
    public async Task A_failure_before_the_handshake_names_its_stage_and_errno_and_leaves_nothing()
    {
        await WarmUpAsync();
        var leaks = new LeakCheck();
        var chdir = await Assert.ThrowsAsync<CommandStartException>(() =>
            Posix.Runner.StartAsync(Probe.Command("--quiet").RequireHandshake().SetWorkingDirectory(_dir.File("missing"))));
        Assert.Equal(StartStage.WorkingDirectory, chdir.Stage);
        Assert.Equal(2, chdir.Errno); // ENOENT
        var fd = await Assert.ThrowsAsync<CommandStartException>(() =>
            Posix.Runner.StartAsync(Probe.Command("--quiet").RequireHandshake().SetMaxFiles(1UL << 40)));
        Assert.Equal(StartStage.ResourceLimit, fd.Stage);
        Assert.Equal(1, fd.Errno); // EPERM: above the hard limit (and, for root, above fs.nr_open)
        await leaks.AssertCleanAsync();
    }

    [LinuxFact]
    public async Task Aborting_or_cancelling_a_child_that_waits_at_the_handshake_reaps_it_without_exec()
    {
        await WarmUpAsync();
        var leaks = new LeakCheck();
        var report = _dir.File("report");
        using (var output = File.OpenHandle(report, FileMode.Create, FileAccess.Write))
        {
            using (var command = Probe.Command().SetOutputFd(output).RequireHandshake())
            {
                var running = await Posix.Runner.StartAsync(command);
                await running.WaitForHandshakeAsync();
                await running.AbortAsync();
                var pid = running.Pid;
                await running.DisposeAsync();
                Assert.Null(ProcessInspector.State(pid));
            }
            using (var command = Probe.Command().SetOutputFd(output).RequireHandshake())
            {
                var running = await Posix.Runner.StartAsync(command);
                await running.WaitForHandshakeAsync();
                using var cancelled = new CancellationTokenSource();
                await cancelled.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.NotifyHandshakeAsync(cancelled.Token));
                var pid = running.Pid;
                await running.DisposeAsync(); // never released: the child reads EOF and exits without exec
                Assert.Null(ProcessInspector.State(pid));
            }
        }
        await leaks.AssertCleanAsync();
        Assert.Equal("", File.ReadAllText(report)); // the probe never ran
    }

    [LinuxFact]
    public async Task A_parent_death_signal_with_a_handshake_does_not_fire_while_the_process_lives()
    {
        // Started from a thread that ends, released, then the parked threads serve other handshakes: the
        // thread that made the clone never exits, so the signal can only come with the process's death.
        using var command = Probe.Command("--sleep", "60000").SetParentDeathSignal(Signal.SIGKILL).RequireHandshake();
        var report = _dir.File("report");
        using var output = File.OpenHandle(report, FileMode.Create, FileAccess.Write);
        command.SetOutputFd(output);
        IRunningCommand? running = null;
        var thread = new Thread(() => running = Posix.Runner.StartAsync(command).GetAwaiter().GetResult());
        thread.Start();
        thread.Join();
        await using (running!)
        {
            await running!.WaitForHandshakeAsync();
            await running.NotifyHandshakeAsync();
            var text = await Probe.ReadReportAsync(report);
            Assert.Equal("9", Probe.Value(text, "pdeathsig"));
            for (var i = 0; i < 4; i++)
            {
                await using var other = await Posix.Runner.StartAsync(Probe.Command("--quiet").RequireHandshake());
                await other.WaitForHandshakeAsync();
                await other.NotifyHandshakeAsync();
                await other.WaitAsync();
            }
            await Task.Delay(300);
            Assert.True(ProcessInspector.IsRunning(running.Pid), "the child died although this process lives");
        }
    }

    [LinuxFact]
    public async Task Many_concurrent_handshakes_all_start_and_the_threads_stay_bounded()
    {
        await WarmUpAsync();
        var leaks = new LeakCheck();
        const int Count = ParkedThreads.Limit + 8; // past the limit: the rest take the fork path
        var commands = Enumerable.Range(0, Count).Select(_ => Probe.Command("--quiet").RequireHandshake()).ToList();
        var running = new List<IRunningCommand>();
        try
        {
            running.AddRange(await Task.WhenAll(commands.Select(c => Task.Run(() => Posix.Runner.StartAsync(c)))));
            await Task.WhenAll(running.Select(r => r.WaitForHandshakeAsync()));
            Assert.InRange(ParkedThreads.Count, 1, ParkedThreads.Limit);
            Assert.Equal(Count, running.Select(r => r.Pid).Distinct().Count());
            await Task.WhenAll(running.Select(r => r.NotifyHandshakeAsync()));
            var results = await Task.WhenAll(running.Select(r => r.WaitAsync()));
            Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        }
        finally
        {
            foreach (var r in running)
                await r.DisposeAsync();
            foreach (var c in commands)
                c.Dispose();
        }
        await leaks.AssertCleanAsync();
    }
}
