using System.Diagnostics;
using System.Globalization;
using VirCommand.Backends.Ssh;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Ssh;

/// <summary>
/// A run the SSH backend gives up on (a kill that cannot be delivered, a start timeout, a grandchild that
/// keeps the channel open) must end, and leave no fd, pump or ssh client behind: the fd snapshots need the
/// serial collection, where no other test opens fds or starts children meanwhile.
/// </summary>
[Collection("Serial")]
public sealed class SshGiveUpTests
{
    /// <summary>Long enough for a normal start (handshake, root's slow ~/.bashrc) on the loaded machine; the hung logins last far longer.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    [SshFact]
    public async Task A_timeout_whose_kill_sessions_hang_ends_within_the_kill_bound_with_an_SshConnectionException()
    {
        var options = SshServer.Instance.SlowKillOptions();
        options.StartTimeout = StartTimeout;
        await using var runner = new SshCommandRunner(options);
        // Warm: the master, and whatever the runtime and the library open once, lazily.
        await runner.RunAsync(Command.New("true")).WaitAsync(TimeSpan.FromMinutes(2));
        var leaks = new LeakCheck();
        var elapsed = Stopwatch.StartNew();

        var running = await runner.StartAsync(Command.New("sleep").AddArg("1000").SetTimeout(TimeSpan.FromMilliseconds(500))).WaitAsync(TimeSpan.FromMinutes(2));
        var pid = running.Pid;
        try
        {
            // The SIGTERM's session hangs and is stopped at the bound, then the SIGKILL's: a few bounds at most, never the 120 s hang.
            var error = await Assert.ThrowsAsync<SshConnectionException>(() => running.WaitAsync().WaitAsync(TimeSpan.FromMinutes(2)));
            var took = elapsed.Elapsed;
            await running.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1));

            Assert.True(took < 5 * StartTimeout, $"the run took {took}, more than 5 × the kill bound ({StartTimeout})");
            Assert.Contains("SIGKILL", error.Message, StringComparison.Ordinal);
            Assert.Contains("SshOptions.StartTimeout", error.Message, StringComparison.Ordinal);
            Assert.Contains(pid.ToString(CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
            Assert.Equal(options.Destination, error.Destination);
            // No kill reached it: the message says it may still run, and it does.
            Assert.True(ProcessInspector.IsRunning(pid), $"the remote command {pid} is gone, yet no kill was delivered");
            // Nothing of the run left here: its pipes closed, its client and both kill clients stopped and reaped.
            await leaks.AssertCleanAsync();
        }
        finally
        {
            // Also what lets the run end (and the runner's disposal) should it not have given up.
            await Processes.KillAsync(pid);
        }
    }

    [SshFact]
    public async Task A_start_timeout_leaves_no_fd_pump_or_client_behind_while_the_login_still_hangs()
    {
        // Warm the runtime and the library on the normal port first.
        await using (var warm = new SshCommandRunner(SshServer.Instance.Options()))
            await warm.RunAsync(Command.New("true")).WaitAsync(TimeSpan.FromMinutes(2));
        var leaks = new LeakCheck();
        var options = SshServer.Instance.SlowLoginOptions();
        options.StartTimeout = StartTimeout;
        var logins = File.Exists(SshServer.Instance.SlowLoginPids) ? File.ReadAllLines(SshServer.Instance.SlowLoginPids).Length : 0;

        await using (var runner = new SshCommandRunner(options))
        {
            var error = await Assert.ThrowsAsync<SshConnectionException>(() => runner.RunAsync(Command.New("true")).WaitAsync(TimeSpan.FromMinutes(2)));
            Assert.Contains("SshOptions.StartTimeout", error.Message, StringComparison.Ordinal);

            // The session's stdio is closed here (AssertCleanAsync waits 5 s at most) while its login still sleeps on the host.
            var login = int.Parse(File.ReadAllLines(SshServer.Instance.SlowLoginPids)[logins], CultureInfo.InvariantCulture);
            await leaks.AssertCleanAsync();
            Assert.True(ProcessInspector.IsRunning(login), $"the slow login {login} ended before the check: the check proved nothing");
        }
        await leaks.AssertCleanAsync();
    }

    [SshFact]
    public async Task A_remote_grandchild_that_keeps_the_channel_open_is_let_go_after_the_drain_time()
    {
        await using var runner = new SshCommandRunner(SshServer.Instance.Options());
        await runner.RunAsync(Command.New("true")).WaitAsync(TimeSpan.FromMinutes(2));
        var leaks = new LeakCheck();

        var result = await runner.RunAsync(Command.New("sh").AddArgList("-c", "sleep 1000 & echo $!").SetOutputBuffer()).WaitAsync(TimeSpan.FromMinutes(2));

        var grandchild = int.Parse(result.StandardOutput.Trim(), CultureInfo.InvariantCulture);
        try
        {
            Assert.True(ProcessInspector.IsRunning(grandchild), $"the grandchild {grandchild} ended: the check proved nothing");
            await leaks.AssertCleanAsync();
        }
        finally
        {
            await Processes.KillAsync(grandchild);
        }
    }
}
