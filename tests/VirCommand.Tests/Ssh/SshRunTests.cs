using VirCommand.Backends.Ssh;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Ssh;

/// <summary>The SSH backend against a real sshd (<see cref="SshServer"/>): what only a remote run has to prove.</summary>
public sealed class SshRunTests : IAsyncLifetime
{
    private SshCommandRunner _runner = null!;

    public Task InitializeAsync()
    {
        if (SshServer.Missing is null)
            _runner = new SshCommandRunner(SshServer.Instance.Options());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_runner is not null)
            await _runner.DisposeAsync();
    }

    [SshFact]
    public async Task Hostile_arguments_reach_the_remote_program_byte_for_byte()
    {
        string[] args = ["", " ", "two words", "'single'", "\"double\"", "$(touch /tmp/vircommand-ssh-pwned)", "`id`", "$HOME", "a\nb", "-", "--", "-n", "--help",
            "*", "; exit 3", "a\\b", "ünïcødé ☃ 𝄞", "\t", "'\\''", "!", "%s"];

        var result = await _runner.RunAsync(Probe.Command(args).SetOutputBuffer()).OrHang();

        Assert.Equal([Probe.Path, .. args], ProbeReport.Parse(result.StandardOutput).Argv);
        Assert.False(File.Exists("/tmp/vircommand-ssh-pwned"));
    }

    [SshFact]
    public async Task An_explicit_environment_is_exactly_the_listed_variables()
    {
        var result = await _runner.RunAsync(Probe.Command().AddEnvPair("A", "x y").AddEnvPair("B", "line\nbreak").AddEnvPair("EMPTY", "").SetOutputBuffer()).OrHang();

        var env = ProbeReport.Parse(result.StandardOutput).Environment;
        Assert.Equal(["A=x y", "B=line\nbreak", "EMPTY="], env.Order(StringComparer.Ordinal));
    }

    [SshFact]
    public async Task Without_an_environment_call_the_command_gets_the_remote_login_environment_not_ours()
    {
        Environment.SetEnvironmentVariable("VIRCOMMAND_SSH_LOCAL_ONLY", "1");
        try
        {
            var result = await _runner.RunAsync(Probe.Command().SetOutputBuffer()).OrHang();

            var env = ProbeReport.Parse(result.StandardOutput).Environment;
            Assert.Contains(env, e => e.StartsWith("SSH_CONNECTION=", StringComparison.Ordinal));
            Assert.DoesNotContain(env, e => e.StartsWith("VIRCOMMAND_SSH_LOCAL_ONLY=", StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable("VIRCOMMAND_SSH_LOCAL_ONLY", null);
        }
    }

    [SshFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task What_comes_before_the_command_on_ssh_stdout_and_stderr_is_not_the_commands()
    {
        using var dir = new TempDir();
        // Where a login shell's startup files print (a ~/.bashrc's tool warning on a loaded host): on ssh's
        // stdout and stderr, ahead of the command's own. An ssh that prints first puts it there as well.
        var ssh = dir.File("noisy-ssh");
        await File.WriteAllTextAsync(ssh, "#!/bin/sh\necho 'welcome'\necho 'rm: cannot remove tmp.x' >&2\nexec ssh \"$@\"\n");
        File.SetUnixFileMode(ssh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var options = SshServer.Instance.Options();
        options.SshProgram = ssh;
        await using var runner = new SshCommandRunner(options);
        var data = Probe.Binary(4096, seed: 77);

        var result = await runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(data).SetOutputBuffer().SetErrorBuffer()).OrHang();
        var merged = await runner.RunAsync(Probe.Command("--quiet").SetInputBuffer(data).SetMergedOutputBuffer()).OrHang();

        Assert.Equal(Probe.StdoutBlock(data), result.StandardOutputBytes.ToArray());
        Assert.Equal(Probe.StderrBlock(data), result.StandardErrorBytes.ToArray());
        Assert.Equal(Probe.MergedBlock(data), merged.StandardOutputBytes.ToArray());
    }

    [SshFact]
    public async Task Runs_share_one_master_connection()
    {
        var first = await _runner.RunAsync(Command.New("sh").AddArgList("-c", "echo $SSH_CONNECTION").SetOutputBuffer()).OrHang();
        var second = await _runner.RunAsync(Command.New("sh").AddArgList("-c", "echo $SSH_CONNECTION").SetOutputBuffer()).OrHang();

        // "client-address client-port server-address server-port": the same client port is the same TCP connection.
        Assert.NotEmpty(first.StandardOutput.Trim());
        Assert.Equal(first.StandardOutput, second.StandardOutput);
    }

    [SshFact]
    public async Task Working_directory_and_umask_apply_remotely()
    {
        using var dir = new TempDir();

        var result = await _runner.RunAsync(Probe.Command().SetWorkingDirectory(dir.Path).SetUmask(Convert.ToInt32("027", 8)).SetOutputBuffer()).OrHang();

        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.Equal(dir.Path, report.Cwd);
        Assert.Equal("0027", report.Umask);
    }

    [SshFact]
    public async Task Start_failures_on_the_host_have_their_stage_and_errno()
    {
        using var dir = new TempDir();
        var notExecutable = dir.File("plain");
        File.WriteAllText(notExecutable, "data");

        var cwd = await Assert.ThrowsAsync<CommandStartException>(() => _runner.RunAsync(Probe.Command().SetWorkingDirectory(dir.File("missing"))).OrHang());
        var resolve = await Assert.ThrowsAsync<CommandStartException>(() => _runner.StartAsync(Command.New("vircommand-no-such-program")).OrHang());
        var missing = await Assert.ThrowsAsync<CommandStartException>(() => _runner.RunAsync(Command.New(dir.File("nothing"))).OrHang());
        var denied = await Assert.ThrowsAsync<CommandStartException>(() => _runner.RunAsync(Command.New(notExecutable)).OrHang());

        Assert.Equal((StartStage.WorkingDirectory, 2), (cwd.Stage, cwd.Errno));
        Assert.Equal((StartStage.Resolve, 2), (resolve.Stage, resolve.Errno));
        Assert.Equal((StartStage.Resolve, 2), (missing.Stage, missing.Errno));
        Assert.Equal((StartStage.Resolve, 13), (denied.Stage, denied.Errno));
    }

    [SshFact]
    public async Task A_remote_death_by_signal_is_told_from_an_exit_with_the_same_number()
    {
        var exited = await Assert.ThrowsAsync<CommandExitException>(() => _runner.RunAsync(Command.New("sh").AddArgList("-c", "exit 3")).OrHang());
        var exit137 = await _runner.RunAsync(Command.New("sh").AddArgList("-c", "exit 137").RawStatus()).OrHang();
        var killed = await _runner.RunAsync(Command.New("sh").AddArgList("-c", "kill -9 $$").RawStatus()).OrHang();
        await using var sleeping = await _runner.StartAsync(Command.New("sleep").AddArg("1000").RawStatus()).OrHang();
        Assert.True(await sleeping.SignalAsync(Signal.SIGTERM));
        var signalled = await sleeping.WaitAsync().OrHang();

        Assert.Equal(3, exited.Result.ExitCode);
        Assert.Equal((137, null), (exit137.ExitCode, exit137.TerminatingSignal));
        Assert.Equal((null, Signal.SIGKILL), (killed.ExitCode, killed.TerminatingSignal));
        Assert.Equal((null, Signal.SIGTERM), (signalled.ExitCode, signalled.TerminatingSignal));
    }

    [SshFact]
    public async Task A_new_process_group_is_led_by_the_command_inside_the_runs_remote_session()
    {
        var stat = Command.New("sh").AddArgList("-c", "echo $$; cut -d' ' -f5,6 /proc/$$/stat").SetOutputBuffer();

        var group = (await _runner.RunAsync(stat.Clone().NewProcessGroup()).OrHang()).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var session = (await _runner.RunAsync(stat.Clone().NewSession()).OrHang()).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // /proc/PID/stat's fields 5 and 6: the process group and the session.
        var (pid, pgid, sid) = (group[0], group[1].Split(' ')[0], group[1].Split(' ')[1]);
        Assert.Equal(pid, pgid);
        Assert.NotEqual(pid, sid);
        Assert.Equal(session[0] + " " + session[0], session[1]);
    }

    [SshFact]
    public async Task A_group_stop_reaches_the_remote_group_of_a_NewProcessGroup_command()
    {
        var command = Command.New("sh").AddArgList("-c", "sleep 1000 & echo $$ $!; wait").NewProcessGroup().SetOutputPipe().RawStatus();
        await using var running = await _runner.StartAsync(command).OrHang();
        var pids = (await ReadLineAsync(running.StandardOutput!)).Split(' ').Select(int.Parse).ToArray();

        Assert.True(await running.SignalAsync(Signal.SIGTERM, SignalTarget.ProcessGroup).OrHang());

        Assert.Equal(Signal.SIGTERM, (await running.WaitAsync().OrHang()).TerminatingSignal);
        foreach (var pid in pids)
            Assert.True(await Processes.WaitGoneAsync(pid, HangGuard.Limit), $"the remote process {pid} still runs");
    }

    [SshFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_script_whose_interpreter_cannot_run_fails_at_Exec_and_a_commands_own_127_is_an_exit()
    {
        using var dir = new TempDir();
        var missing = Script(dir, "missing", "#!/nonexistent/interpreter\n");
        var relative = Script(dir, "relative", "#! ./interpreter -x\necho unreachable\n");
        File.WriteAllText(dir.File("interpreter"), "not executable");
        var ownExit = Script(dir, "own-127", "#!/bin/sh\nexit 127\n");
        var crlf = Script(dir, "crlf", "#!/bin/sh\r\necho unreachable\n");

        var noInterpreter = await Assert.ThrowsAsync<CommandStartException>(() => _runner.RunAsync(Command.New(missing)).OrHang());
        var denied = await Assert.ThrowsAsync<CommandStartException>(() => _runner.StartAsync(Command.New(relative).SetWorkingDirectory(dir.Path)).OrHang());
        var carriageReturn = await Assert.ThrowsAsync<CommandStartException>(() => _runner.RunAsync(Command.New(crlf)).OrHang());
        var exited = await _runner.RunAsync(Command.New(ownExit).AllowNonZeroExit()).OrHang();

        Assert.Equal((StartStage.Exec, 2), (noInterpreter.Stage, noInterpreter.Errno));
        Assert.Contains("/nonexistent/interpreter", noInterpreter.Message, StringComparison.Ordinal);
        Assert.Equal((StartStage.Exec, 13), (denied.Stage, denied.Errno));
        Assert.Equal((StartStage.Exec, 2), (carriageReturn.Stage, carriageReturn.Errno)); // "/bin/sh\r" is no file, for the kernel either
        Assert.Equal(127, exited.ExitCode);
    }

    [SshFact]
    public async Task A_host_without_perl_refuses_the_raw_status_and_a_process_group_at_the_start_and_reads_a_signal_as_128_plus_N()
    {
        await using var runner = new SshCommandRunner(SshServer.Instance.NoPerlOptions());
        using var dir = new TempDir();
        var marker = dir.File("ran");

        // Its PATH has sh, not touch: the program must resolve, or the start fails before the check.
        var touch = Command.New("sh").AddArgList("-c", ": >\"$0\"", marker);
        var raw = await Assert.ThrowsAsync<CommandNotSupportedException>(() => runner.RunAsync(touch.Clone().RawStatus()).OrHang());
        var group = await Assert.ThrowsAsync<CommandNotSupportedException>(() => runner.StartAsync(touch.Clone().NewProcessGroup()).OrHang());
        var killed = await runner.RunAsync(Command.New("sh").AddArgList("-c", "kill -9 $$").AllowNonZeroExit()).OrHang();

        Assert.Equal(CommandFeatures.RawStatus, raw.Feature);
        Assert.Equal(CommandFeatures.NewProcessGroup, group.Feature);
        Assert.Contains("no perl", raw.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "a refused command ran");
        Assert.Equal((128 + 9, null), (killed.ExitCode, killed.TerminatingSignal));
    }

    [SshFact]
    public async Task Without_a_working_directory_the_command_runs_in_the_remote_login_directory()
    {
        var result = await _runner.RunAsync(Probe.Command().SetOutputBuffer()).OrHang();

        var report = ProbeReport.Parse(result.StandardOutput);
        var home = report.Environment.Single(e => e.StartsWith("HOME=", StringComparison.Ordinal))["HOME=".Length..];
        Assert.Equal(home, report.Cwd);
    }

    [SshFact]
    public async Task Stderr_reaches_the_caller_without_the_wrappers_reports()
    {
        var result = await _runner.RunAsync(Command.New("sh").AddArgList("-c", "printf 'no newline' >&2; printf out").SetOutputBuffer().SetErrorBuffer()).OrHang();

        Assert.Equal("no newline", result.StandardError);
        Assert.Equal("out", result.StandardOutput);
    }

    [SshFact]
    public async Task Cancellation_stops_the_remote_process_group_not_only_ssh()
    {
        using var cancel = new CancellationTokenSource();
        var command = Command.New("sh").AddArgList("-c", "sleep 1000 & echo $$ $!; wait").NewSession().SetOutputPipe();
        await using var running = await _runner.StartAsync(command).OrHang();
        var pids = (await ReadLineAsync(running.StandardOutput!)).Split(' ').Select(int.Parse).ToArray();
        Assert.Equal(running.Pid, pids[0]);

        var wait = running.WaitAsync(cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAsync<CommandCanceledException>(() => wait.OrHang());
        foreach (var pid in pids)
            Assert.True(await Processes.WaitGoneAsync(pid, HangGuard.Limit), $"the remote process {pid} still runs");
    }

    [SshFact]
    public async Task A_timeout_stops_the_remote_command()
    {
        var command = Command.New("sh").AddArgList("-c", "echo $$ >&2; exec sleep 1000").SetTimeout(TimeSpan.FromMilliseconds(500)).SetErrorBuffer();

        var timeout = await Assert.ThrowsAsync<CommandTimeoutException>(() => _runner.RunAsync(command).OrHang());

        var pid = int.Parse(timeout.Result!.StandardError.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await Processes.WaitGoneAsync(pid, HangGuard.Limit), $"the remote process {pid} still runs");
    }

    [SshFact]
    public async Task What_the_channel_cannot_honour_is_refused_before_connecting()
    {
        // A port nothing listens on: a refusal that connected first would be an SshConnectionException instead.
        var options = SshServer.Instance.DirectOptions();
        options.Port = ClosedPort();
        await using var runner = new SshCommandRunner(options);

        var credentials = await Assert.ThrowsAsync<CommandNotSupportedException>(() => runner.RunAsync(Command.New("true").SetUid(1)).OrHang());
        var handshake = await Assert.ThrowsAsync<CommandNotSupportedException>(() => runner.StartAsync(Command.New("true").RequireHandshake()).OrHang());
        var nice = await Assert.ThrowsAsync<CommandNotSupportedException>(() => runner.RunAsync(Command.New("true").SetNice(5)).OrHang());

        Assert.Equal(CommandFeatures.Credentials, credentials.Feature);
        Assert.Equal(CommandFeatures.Handshake, handshake.Feature);
        Assert.Equal(CommandFeatures.Priority, nice.Feature);
    }

    [SshFact]
    public async Task A_refused_connection_is_an_SshConnectionException()
    {
        var options = SshServer.Instance.DirectOptions();
        options.Port = ClosedPort();
        await using var runner = new SshCommandRunner(options);

        var run = await Assert.ThrowsAsync<SshConnectionException>(() => runner.RunAsync(Command.New("true")).OrHang());
        var start = await Assert.ThrowsAsync<SshConnectionException>(() => runner.StartAsync(Command.New("true")).OrHang());

        Assert.Contains("Connection refused", run.Message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", start.Message, StringComparison.Ordinal);
        Assert.Equal(options.Destination, run.Destination);
    }

    [SshFact]
    public async Task A_host_key_mismatch_is_an_SshConnectionException()
    {
        using var dir = new TempDir();
        var knownHosts = dir.File("known_hosts");
        // Another key for the same host: a man in the middle, as ssh sees it.
        File.WriteAllText(knownHosts, $"[127.0.0.1]:{SshServer.Instance.Port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHK4gGdDwRlg5T2sRtNBn1LVPDcqHg5Hs1eFFvC0Nn0x\n");
        var options = SshServer.Instance.DirectOptions();
        options.ExtraOptions.Clear();
        options.ExtraOptions.Add("UserKnownHostsFile=" + knownHosts);
        options.ExtraOptions.Add("IdentitiesOnly=yes");
        await using var runner = new SshCommandRunner(options);

        var error = await Assert.ThrowsAsync<SshConnectionException>(() => runner.RunAsync(Command.New("true")).OrHang());

        Assert.Contains("Host key verification failed", error.Message, StringComparison.Ordinal);
    }

    [SshFact]
    public async Task A_start_stuck_in_the_remote_login_fails_at_the_start_timeout_and_the_command_never_runs_later()
    {
        using var dir = new TempDir();
        var marker = dir.File("ran");
        var options = SshServer.Instance.SlowLoginOptions();
        // Shorter than the slow login, so the timeout, not the login, ends the start; long enough for the
        // master's handshake (which no login delays) on a loaded machine.
        options.StartTimeout = SshServer.SlowLogin / 2;
        await using var runner = new SshCommandRunner(options);
        var logins = File.Exists(SshServer.Instance.SlowLoginPids) ? File.ReadAllLines(SshServer.Instance.SlowLoginPids).Length : 0;

        var error = await Assert.ThrowsAsync<SshConnectionException>(() => runner.RunAsync(Command.New("touch").AddArg(marker)).OrHang());

        Assert.Contains("SshOptions.StartTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("remote login shell", error.Message, StringComparison.Ordinal);
        Assert.Equal(options.Destination, error.Destination);
        // The login goes on after the start was given up; once it is over, the command must not have run.
        var pid = int.Parse(File.ReadAllLines(SshServer.Instance.SlowLoginPids)[logins], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await Processes.WaitGoneAsync(pid, HangGuard.Limit), $"the slow login {pid} still runs");
        Assert.False(File.Exists(marker), "the command ran after its start timed out");
    }

    [Fact]
    public void Invalid_start_timeouts_are_refused()
    {
        foreach (var timeout in (TimeSpan[])[TimeSpan.Zero, TimeSpan.FromSeconds(-1), TimeSpan.FromDays(30)])
        {
            var error = Assert.Throws<ArgumentException>(() => new SshCommandRunner(new SshOptions { Host = "h", StartTimeout = timeout }));
            Assert.Contains("StartTimeout", error.Message, StringComparison.Ordinal);
        }
        Assert.Empty(new SshOptions { Host = "h", StartTimeout = Timeout.InfiniteTimeSpan }.Validate());
    }

    [Fact]
    public void Invalid_options_are_refused_naming_every_problem()
    {
        var options = new SshOptions { Host = "-oProxyCommand=evil", User = "a@b", Port = 0, IdentityFile = "/nonexistent/key", ControlPersist = TimeSpan.Zero };
        options.ExtraOptions.Add("ControlMaster=yes");
        options.ExtraOptions.Add("NoValue");

        var error = Assert.Throws<ArgumentException>(() => new SshCommandRunner(options));

        foreach (var part in (string[])["Host '-oProxyCommand=evil'", "User 'a@b'", "Port", "IdentityFile", "ControlPersist", "ControlMaster", "'NoValue'"])
            Assert.Contains(part, error.Message, StringComparison.Ordinal);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static string Script(TempDir dir, string name, string content)
    {
        var path = dir.File(name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    internal static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> ReadLineAsync(Stream stream)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one).AsTask().OrHang() == 1 && one[0] != (byte)'\n')
            line.Add(one[0]);
        return System.Text.Encoding.UTF8.GetString([.. line]);
    }
}
