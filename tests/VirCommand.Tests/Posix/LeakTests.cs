using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>SPEC §4: no leaked fds and no zombies on any path, success or failure (start failures: <see cref="StartFailureTests"/>).</summary>
// Serial: counts the process's fds and children.
[Collection("Serial")]
public sealed class LeakTests
{
    private const int Repeats = 30;
    private readonly PosixCommandRunner _runner = new();

    public static TheoryData<string> Paths =>
    [
        "run-with-captures-and-send-buffers", "run-merged", "run-caller-fds", "start-with-pipes", "start-and-dispose-unread",
        "abort", "dispose-running", "timeout", "cancel", "capture-limit", "exit-failure", "detach-then-wait", "drain",
    ];

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Every_path_closes_every_fd_it_opened_and_reaps_every_child(string path)
    {
        await Run(path); // warm up
        var children = ProcessInspector.Children();
        var baseline = ProcessInspector.BaselineFdCount();
        var after = 0;

        await ProcessInspector.WithoutGarbageCollection(async () =>
        {
            for (var i = 0; i < Repeats; i++)
                await Run(path).OrHang();
            after = ProcessInspector.OpenFdCount();
        });

        Assert.True(after - baseline < 10, $"{Repeats} runs ({path}) left {after - baseline} more fds open ({baseline} -> {after})");
        Assert.Subset(children, ProcessInspector.Children());
    }

    private async Task Run(string path)
    {
        switch (path)
        {
            case "run-with-captures-and-send-buffers":
            {
                var command = Probe.Command("--quiet").SetInputBuffer("in").SetOutputBuffer().SetErrorBuffer();
                command.AddArgList("--readfd", $"{command.SetSendBuffer("a"u8.ToArray())}", "--readfd", $"{command.SetSendBuffer("b"u8.ToArray())}");
                await _runner.RunAsync(command);
                break;
            }
            case "run-merged":
                await _runner.RunAsync(Probe.Command("--quiet").SetInputBuffer("in").SetMergedOutputBuffer());
                break;
            case "run-caller-fds":
            {
                using var file = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite);
                await _runner.RunAsync(Probe.Command("--quiet").SetInputFd(file).SetOutputFd(file).SetErrorFd(file).PassFd(file));
                break;
            }
            case "start-with-pipes":
            {
                await using var running = await _runner.StartAsync(Probe.Command("--quiet").SetInputPipe().SetOutputPipe().SetErrorPipe());
                await running.StandardInput!.WriteAsync("x"u8.ToArray());
                await running.StandardInput.DisposeAsync();
                await Task.WhenAll(running.StandardOutput!.CopyToAsync(Stream.Null), running.StandardError!.CopyToAsync(Stream.Null));
                await running.WaitAsync();
                break;
            }
            case "start-and-dispose-unread":
            {
                await using var running = await _runner.StartAsync(Probe.Command("--quiet").SetInputPipe().SetOutputPipe().SetErrorPipe());
                break;
            }
            case "abort":
            {
                await using var running = await _runner.StartAsync(Probe.Command("--quiet", "--sleep", "10000").SetOutputBuffer().SetInputBuffer("x"));
                await running.AbortAsync();
                break;
            }
            case "dispose-running":
            {
                await using var running = await _runner.StartAsync(Probe.Command("--quiet", "--sleep", "10000").SetOutputPipe());
                break;
            }
            case "timeout":
                await Assert.ThrowsAsync<CommandTimeoutException>(() =>
                    _runner.RunAsync(Probe.Command("--quiet", "--sleep", "10000").SetOutputBuffer().SetTimeout(TimeSpan.FromMilliseconds(5))));
                break;
            case "cancel":
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(5));
                await Assert.ThrowsAsync<CommandCanceledException>(() => _runner.RunAsync(Probe.Command("--quiet", "--sleep", "10000").SetOutputBuffer(), cts.Token));
                break;
            }
            case "capture-limit":
                await Assert.ThrowsAsync<CommandCaptureLimitException>(() =>
                    _runner.RunAsync(Command.NewArgList("cat", "/dev/zero").SetOutputBuffer().SetCaptureLimit(100)));
                break;
            case "exit-failure":
                await Assert.ThrowsAsync<CommandExitException>(() => _runner.RunAsync(Probe.Command("--quiet", "--exit", "3")));
                break;
            case "detach-then-wait":
            {
                var running = await _runner.StartAsync(Probe.Command("--quiet", "--sleep", "20").SetOutputBuffer());
                running.Detach();
                await running.DisposeAsync();
                await running.WaitAsync();
                break;
            }
            case "drain":
            {
                // The grandchild holds stdout past the child's exit; it is in the child's group, killed afterwards.
                var result = await _runner.RunAsync(Command.NewArgList("sh", "-c", "sleep 5 & echo started")
                    .NewProcessGroup().SetOutputBuffer().SetDrainTimeout(TimeSpan.FromMilliseconds(20)));
                _ = LibC.Kill(-result.Pid, (int)Signal.SIGKILL);
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(path), path, null);
        }
    }
}
