using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VirCommand.Backends.Ssh;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Ssh;

/// <summary>Many hosts at once (<see cref="SshCommandRunner.RunOnHostsAsync"/>) and a runner per host through dependency injection.</summary>
public sealed class SshHostsTests
{
    [SshFact]
    public async Task Each_host_gets_its_own_outcome_in_the_order_given()
    {
        var unreachable = SshServer.Instance.DirectOptions();
        unreachable.Port = SshRunTests.ClosedPort();
        await using var first = new SshCommandRunner(SshServer.Instance.Options());
        await using var down = new SshCommandRunner(unreachable);
        await using var second = new SshCommandRunner(SshServer.Instance.DirectOptions());

        var results = await SshCommandRunner.RunOnHostsAsync(Command.New("echo").AddArg("hello").SetOutputBuffer(), [first, down, second], maxParallel: 2).OrHang();

        Assert.Equal([first.Ssh.Destination, unreachable.Destination, second.Ssh.Destination], results.Select(r => r.Destination));
        Assert.Equal("hello\n", results[0].Result!.StandardOutput);
        Assert.IsType<SshConnectionException>(results[1].Error);
        Assert.False(results[1].Succeeded);
        Assert.Equal("hello\n", results[2].Result!.StandardOutput);
    }

    [SshFact]
    public async Task A_failing_command_is_that_hosts_typed_failure()
    {
        await using var host = new SshCommandRunner(SshServer.Instance.Options());

        var results = await SshCommandRunner.RunOnHostsAsync(Command.New("sh").AddArgList("-c", "exit 4"), [host], maxParallel: 1).OrHang();

        Assert.Equal(4, Assert.IsType<CommandExitException>(results[0].Error).Result.ExitCode);
    }

    [SshFact]
    public async Task Cancelling_stops_the_runs_under_way_and_starts_no_more()
    {
        var hosts = Enumerable.Range(0, 3).Select(_ => new SshCommandRunner(SshServer.Instance.Options())).ToArray();
        using var cancel = new CancellationTokenSource();
        using var dir = new TempDir();
        var started = dir.File("started");
        try
        {
            // One at a time: the first runs, the others wait for its slot.
            var all = SshCommandRunner.RunOnHostsAsync(Command.New("sh").AddArgList("-c", "touch \"$0\"; exec sleep 1000", started), hosts, 1, cancel.Token);
            await WaitUntilAsync(() => File.Exists(started) || all.IsCompleted);
            await cancel.CancelAsync();

            var results = await all.OrHang();

            Assert.All(results, r => Assert.IsType<CommandCanceledException>(r.Error));
        }
        finally
        {
            foreach (var host in hosts)
                await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Bad_arguments_are_refused_naming_them()
    {
        await using var host = new SshCommandRunner(new SshOptions { Host = "example.invalid" });

        Assert.Equal("maxParallel", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SshCommandRunner.RunOnHostsAsync(Command.New("true"), [host], 0))).ParamName);
        Assert.Equal("hosts", (await Assert.ThrowsAsync<ArgumentException>(() => SshCommandRunner.RunOnHostsAsync(Command.New("true"), [], 1))).ParamName);
    }

    [SshFact]
    public async Task Dependency_injection_registers_one_keyed_runner_per_host()
    {
        var services = new ServiceCollection()
            .AddVirCommandSsh("web", o => Copy(SshServer.Instance.Options(), o))
            .AddVirCommandSsh("db", o => Copy(SshServer.Instance.DirectOptions(), o));
        await using var provider = services.BuildServiceProvider();

        var web = provider.GetRequiredKeyedService<ICommandRunner>("web");
        var db = provider.GetRequiredKeyedService<SshCommandRunner>("db");

        Assert.Equal("vircommand-test", Assert.IsType<SshCommandRunner>(web).Ssh.Host);
        Assert.Equal("127.0.0.1", db.Ssh.Host);
        Assert.Same(db, provider.GetRequiredKeyedService<ICommandRunner>("db"));
        Assert.Equal("ok\n", (await web.RunAsync(Command.New("echo").AddArg("ok").SetOutputBuffer()).OrHang()).StandardOutput);
    }

    [Fact]
    public async Task Invalid_host_options_fail_the_host_start_naming_the_host_and_the_option()
    {
        using var host = new HostBuilder()
            .ConfigureServices(s => s.AddVirCommandSsh("broken", o => o.Port = 70000))
            .Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("SSH host 'broken'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Host is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("Port must be between 1 and 65535", error.Message, StringComparison.Ordinal);
    }

    private static void Copy(SshOptions from, SshOptions to)
    {
        to.Host = from.Host;
        to.Port = from.Port;
        to.User = from.User;
        to.IdentityFile = from.IdentityFile;
        to.ConfigFile = from.ConfigFile;
        foreach (var option in from.ExtraOptions)
            to.ExtraOptions.Add(option);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && waited.Elapsed < HangGuard.Limit)
            await Task.Delay(20);
    }
}
