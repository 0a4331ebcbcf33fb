using System.Globalization;

namespace VirCommand.Tests.Posix;

/// <summary>
/// Issue 14 item 1 on POSIX: the stages of a pipeline are joined by kernel pipes (no byte passes
/// through the parent), share one new process group that a stop signals at once, keep their own
/// settings, and leave no fd, child or zombie behind on any path, a stage that cannot start included.
/// </summary>
// Serial: counts the process's fds and children.
[Collection("Serial")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Command Sleeper() => Probe.Command("--quiet", "--sleep", "60000");

    [LinuxFact]
    public async Task The_stages_share_one_kernel_pipe_and_one_new_group_and_keep_their_own_settings()
    {
        // Stage 1 prints its own report, then echoes stage 0's report, which it read from the pipe.
        var pipeline = Probe.Command().AddEnvPair("STAGE", "0").SetUmask(Convert.ToInt32("027", 8))
            | Probe.Command().AddEnvPair("STAGE", "1").SetOutputBuffer();

        await using var running = await Posix.Runner.StartAsync(pipeline);
        var result = await running.WaitAsync();

        var output = result.StandardOutput;
        var split = output.IndexOf("BEGIN STDOUT\n", StringComparison.Ordinal);
        var second = output[..split];
        var first = output[(split + "BEGIN STDOUT\n".Length)..];
        // The very same pipe, not two pipes that the parent pumps between.
        Assert.StartsWith("pipe:", Probe.Value(first, "fd 1"), StringComparison.Ordinal);
        Assert.Equal(Probe.Value(first, "fd 1"), Probe.Value(second, "fd 0"));
        // One new group, led by the first stage.
        var leader = Probe.Int(first, "pid");
        Assert.Equal(running.Stages[0].Pid, leader);
        Assert.Equal(leader, running.ProcessGroupId);
        Assert.Equal(leader, Probe.Int(first, "pgid"));
        Assert.Equal(leader, Probe.Int(second, "pgid"));
        Assert.NotEqual(ProcessInspector.ProcessGroupId, leader);
        // Each stage its own settings, and no fd but its own three.
        Assert.Equal("STAGE=0", Probe.Value(first, "env"));
        Assert.Equal("STAGE=1", Probe.Value(second, "env"));
        Assert.Equal("0027", Probe.Value(first, "umask"));
        Assert.NotEqual("0027", Probe.Value(second, "umask"));
        Assert.Equal([0, 1, 2], Probe.Fds(first));
        Assert.Equal([0, 1, 2], Probe.Fds(second));
    }

    [LinuxFact]
    public async Task A_stop_reaches_what_the_stages_started_too_through_the_group()
    {
        var pids = _dir.File("pids");
        var pipeline = Command.NewArgList("sh", "-c", $"sleep 1000 & echo $! > {pids}.tmp; mv {pids}.tmp {pids}; wait") | Sleeper();

        var running = await Posix.Runner.StartAsync(pipeline);
        await using (running)
        {
            while (!File.Exists(pids))
                await Task.Delay(20).OrHang();
            var grandchild = int.Parse(File.ReadAllText(pids).Trim(), CultureInfo.InvariantCulture);
            try
            {
                await running.AbortAsync().OrHang();

                // Only the group's signal reaches the shell's own child: the shell's death leaves it running.
                Assert.True(ProcessInspector.WaitUntil(() => !ProcessInspector.IsRunning(grandchild), HangGuard.Limit), $"grandchild {grandchild} survived the stop");
            }
            finally
            {
                ProcessInspector.KillIfRunning(grandchild);
            }
        }
    }

    [LinuxFact]
    public async Task A_gigabyte_class_stream_flows_between_the_children()
    {
        var result = await Posix.Runner.RunAsync(
            Command.NewArgList("head", "-c", "67108864", "/dev/zero") | Command.New("cat") | Command.NewArgList("wc", "-c").SetOutputBuffer());

        Assert.Equal("67108864", result.StandardOutput.Trim());
    }

    public static TheoryData<string> Paths => ["success", "stage-fails", "broken-pipe", "abort", "timeout", "start-fails-at-stage-2", "refused"];

    [LinuxTheory]
    [MemberData(nameof(Paths))]
    public async Task Every_path_closes_every_fd_it_opened_and_reaps_every_stage(string path)
    {
        await Run(path); // warm up
        var children = ProcessInspector.Children();
        var baseline = ProcessInspector.BaselineFdCount();
        var after = 0;

        await ProcessInspector.WithoutGarbageCollection(async () =>
        {
            for (var i = 0; i < 10; i++)
                await Run(path).OrHang();
            after = ProcessInspector.OpenFdCount();
        });

        Assert.True(after - baseline < 10, $"10 pipelines ({path}) left {after - baseline} more fds open ({baseline} -> {after})");
        Assert.True(ProcessInspector.WaitUntil(() => ProcessInspector.Children().IsSubsetOf(children), HangGuard.Limit),
            $"a stage was left unreaped: children {string.Join(' ', ProcessInspector.Children().Except(children))}");
        Assert.Empty(Processes.OurZombies().Except(children));
    }

    private static async Task Run(string path)
    {
        switch (path)
        {
            case "success":
                await Posix.Runner.RunAsync(Probe.Command("--quiet").SetInputBuffer("x") | Probe.Command("--quiet") | Probe.Command("--quiet").SetOutputBuffer());
                break;
            case "stage-fails":
                await Assert.ThrowsAsync<PipelineStageException>(() => Posix.Runner.RunAsync(Probe.Command("--quiet", "--exit", "2") | Probe.Command("--quiet")));
                break;
            case "broken-pipe":
                await Posix.Runner.RunAsync(Command.New("yes") | Command.NewArgList("head", "-n1"));
                break;
            case "abort":
            {
                await using var running = await Posix.Runner.StartAsync(Sleeper() | Sleeper());
                await running.AbortAsync();
                break;
            }
            case "timeout":
                await Assert.ThrowsAsync<CommandTimeoutException>(() => Posix.Runner.RunAsync((Sleeper() | Sleeper()).WithTimeout(TimeSpan.FromMilliseconds(50))));
                break;
            case "start-fails-at-stage-2":
            {
                var error = await Assert.ThrowsAsync<PipelineStageException>(() =>
                    Posix.Runner.RunAsync(Sleeper() | Sleeper() | Command.New("/nonexistent/vircommand-stage")));
                Assert.Equal(2, error.StageIndex);
                Assert.IsType<CommandStartException>(error.InnerException);
                break;
            }
            default:
                await Assert.ThrowsAsync<InvalidOperationException>(() => Posix.Runner.RunAsync(Sleeper() | Sleeper().SetInputBuffer("x")));
                break;
        }
    }
}
