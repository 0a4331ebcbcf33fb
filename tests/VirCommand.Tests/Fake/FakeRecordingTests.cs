using System.Text;
using VirCommand.Backends.Fake;
using VirCommand.Tests.Building;

namespace VirCommand.Tests.Fake;

[Collection("Serial")]
public class FakeRecordingTests
{
    private readonly FakeCommandRunner _fake = new() { AllowUnregistered = true };

    [Fact]
    public async Task Records_argv_as_given_and_the_dry_run_transcript()
    {
        await _fake.RunAsync(Command.NewArgList("dnsmasq", "--conf-file=/etc/dnsmasq.conf", "").AddEnvPair("LC_ALL", "C"));
        await _fake.RunAsync(Command.NewArgList("echo", "a b"));

        var first = _fake.Invocations[0];
        Assert.Equal(["dnsmasq", "--conf-file=/etc/dnsmasq.conf", ""], first.Argv);
        Assert.Equal("dnsmasq", first.Program);
        Assert.Equal(["--conf-file=/etc/dnsmasq.conf", ""], first.Arguments);
        Assert.Equal(["LC_ALL=C dnsmasq --conf-file=/etc/dnsmasq.conf ''", "echo 'a b'"], _fake.Transcript);
    }

    [Fact]
    public async Task Without_an_environment_call_the_child_inherits_the_whole_environment()
    {
        using var scope = new EnvironmentScope().Set("VIRCOMMAND_INHERITED", "yes");

        await _fake.RunAsync(Command.New("env"));

        var environment = _fake.Invocations[0].Environment;
        Assert.Equal("yes", _fake.Invocations[0].GetEnvironmentVariable("VIRCOMMAND_INHERITED"));
        Assert.Equal(System.Environment.GetEnvironmentVariables().Count, environment.Count);
    }

    [Fact]
    public async Task After_an_environment_call_the_child_gets_exactly_the_explicit_list()
    {
        using var scope = new EnvironmentScope().Set("VIRCOMMAND_INHERITED", "yes");

        await _fake.RunAsync(Command.New("env").AddEnvPair("ONLY", "this"));

        Assert.Equal([new EnvironmentVariable("ONLY", "this")], _fake.Invocations[0].Environment);
    }

    [Fact]
    public async Task Passing_an_unset_variable_still_stops_inheritance()
    {
        using var scope = new EnvironmentScope().Set("VIRCOMMAND_UNSET", null);

        await _fake.RunAsync(Command.New("env").AddEnvPass("VIRCOMMAND_UNSET"));

        Assert.Empty(_fake.Invocations[0].Environment);
    }

    [Fact]
    public async Task A_later_value_replaces_the_earlier_in_place()
    {
        await _fake.RunAsync(Command.New("env").AddEnvPair("A", "1").AddEnvString("B=2").AddEnvPair("A", "3").AddEnvString("B=x=y"));

        Assert.Equal(["A=3", "B=x=y"], _fake.Invocations[0].Environment.Select(e => e.ToEnvironString()));
    }

    [Fact]
    public async Task PassCommon_sets_LC_ALL_then_passes_the_common_variables_that_are_set_in_order()
    {
        var set = new[] { "TMPDIR", "LD_PRELOAD", "HOME", "USER", "PATH" };
        using var scope = new EnvironmentScope();
        foreach (var name in Command.CommonEnvironmentNames)
            scope.Set(name, set.Contains(name) ? "value-of-" + name : null);

        await _fake.RunAsync(Command.New("env").AddEnvPair("LC_ALL", "de_DE").AddEnvPassCommon().AddEnvPair("EXTRA", "1"));

        Assert.Equal(
            ["LC_ALL=C", "LD_PRELOAD=value-of-LD_PRELOAD", "PATH=value-of-PATH", "HOME=value-of-HOME", "USER=value-of-USER", "TMPDIR=value-of-TMPDIR", "EXTRA=1"],
            _fake.Invocations[0].Environment.Select(e => e.ToEnvironString()));
    }

    [Fact]
    public async Task Records_working_directory_input_fds_and_send_buffers()
    {
        using var file = new TempFile();
        var command = Command.New("tool").SetWorkingDirectory("/srv").SetInputBuffer(new byte[] { 1, 0, 2 }).PassFd(file.Handle, 9);
        var readFd = command.SetSendBuffer("secret data"u8.ToArray());

        await _fake.RunAsync(command);

        var invocation = _fake.Invocations[0];
        Assert.Equal("/srv", invocation.WorkingDirectory);
        Assert.Equal(new byte[] { 1, 0, 2 }, invocation.Input.ToArray());
        Assert.Equal(9, Assert.Single(invocation.PassedFds).ChildFd);
        Assert.Equal(3, readFd);
        Assert.Equal("secret data", Encoding.UTF8.GetString(Assert.Single(invocation.SendBuffers).Data.Span));
    }

    [Fact]
    public async Task A_fd_passed_with_CloseParent_is_recorded_with_its_flag_and_closed_once_started()
    {
        using var file = new TempFile();
        using var command = Command.New("tool").PassFd(file.Handle, 9, PassFdOptions.CloseParent);

        await _fake.RunAsync(command);

        var passed = Assert.Single(_fake.Invocations[0].PassedFds);
        Assert.Equal(new PassedFd(file.Fd, 9, PassFdOptions.CloseParent), passed);
        Assert.True(passed.ClosesParent);
        Assert.True(file.Handle.IsClosed);
    }

    [Fact]
    public async Task A_daemon_runs_in_the_root_and_the_default_is_the_parent_directory()
    {
        await _fake.RunAsync(Command.New("daemon").Daemonize());
        await _fake.RunAsync(Command.New("tool"));

        Assert.Equal("/", _fake.Invocations[0].WorkingDirectory);
        Assert.Equal(Directory.GetCurrentDirectory(), _fake.Invocations[1].WorkingDirectory);
    }

    [Fact]
    public async Task The_recorded_command_is_a_copy_that_later_changes_do_not_touch()
    {
        var command = Command.NewArgList("tool", "one");
        await _fake.RunAsync(command);

        command.AddArg("two").SetUmask(0);

        var recorded = _fake.Invocations[0].Plan;
        Assert.Equal(["tool", "one"], recorded.Argv);
        Assert.Null(recorded.Umask);
    }

    [Fact]
    public async Task Records_every_option_the_child_would_get()
    {
        await _fake.RunAsync(Command.New("tool").SetUid(65534).SetGid(65534).ClearCaps().AllowCap(Capability.CAP_NET_ADMIN)
            .SetUmask(0).SetMaxFiles(64).NewProcessGroup().SetNoNewPrivileges());

        var recorded = _fake.Invocations[0].Plan;
        Assert.Equal(65534u, recorded.Uid);
        Assert.Equal(65534u, recorded.Gid);
        Assert.True(recorded.ClearsCapabilities);
        Assert.Equal([Capability.CAP_NET_ADMIN], recorded.AllowedCapabilities);
        Assert.Equal(0, recorded.Umask);
        Assert.Equal(64ul, recorded.ResourceLimits[ResourceLimitKind.OpenFiles]);
        Assert.True(recorded.StartsNewProcessGroup);
        Assert.True(recorded.SetsNoNewPrivileges);
    }

    [Fact]
    public async Task A_close_parent_fd_is_closed_once_the_child_started()
    {
        using var kept = new TempFile();
        using var owned = new TempFile();
        using var command = Command.New("tool").PassFd(kept.Handle).PassFd(owned.Handle, PassFdOptions.CloseParent);

        await _fake.RunAsync(command);

        Assert.True(owned.Handle.IsClosed);
        Assert.False(kept.Handle.IsClosed);
        Assert.Throws<InvalidOperationException>(() => command.ValidateForRun(runToCompletion: true));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _fake.RunAsync(command));
    }

    [Fact]
    public async Task Records_runs_from_many_threads()
    {
        var command = Command.New("tool").SetOutputBuffer();

        await Parallel.ForEachAsync(Enumerable.Range(0, 500), async (_, token) => await _fake.RunAsync(command, token));

        Assert.Equal(500, _fake.Invocations.Count);
        Assert.Equal(500, _fake.Invocations.Select(i => i.Pid).Distinct().Count());
    }
}
