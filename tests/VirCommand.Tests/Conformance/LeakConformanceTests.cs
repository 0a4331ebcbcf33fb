using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// SPEC §4 on every backend: no zombie and no leaked fd, on every path, success or failure. The fake
/// holds no OS resource by design; the same check holds it to that (a caller fd it wrote to, say).
/// </summary>
[Collection("Serial")] // counts the process's fds and children, which other tests would disturb
public sealed class LeakConformanceTests
{
    private const int Repeats = 5;

    public static TheoryData<string, string> Paths
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var backend in ConformanceBackend.AllNames)
            {
                foreach (var path in (string[])["run-captured", "start-with-pipes-disposed-unread", "abort", "timeout", "cancel", "exit-failure",
                    "capture-limit", "start-failure", "detach-then-wait",
                    "files-streams-and-tee", "file-open-failure", "source-failure"])
                    data.Add(backend, path);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Every_path_reaps_the_child_and_closes_every_fd_it_opened(string backend, string path)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        await Run(runner, path).OrHang(); // warm-up: the runtime and the backend open some fds once, lazily
        var check = new LeakCheck();

        for (var i = 0; i < Repeats; i++)
            await Run(runner, path).OrHang();

        await check.AssertCleanAsync();
    }

    private static async Task Run(ICommandRunner runner, string path)
    {
        var sleeper = Probe.Command("--quiet", "--sleep", "60000");
        switch (path)
        {
            case "run-captured":
                await runner.RunAsync(Probe.Command().SetInputBuffer("in").SetOutputBuffer().SetErrorBuffer());
                break;
            case "start-with-pipes-disposed-unread":
            {
                await using var running = await runner.StartAsync(sleeper.SetInputPipe().SetOutputPipe().SetErrorPipe());
                break;
            }
            case "abort":
            {
                await using var running = await runner.StartAsync(sleeper.SetInputBuffer("x").SetOutputBuffer());
                await running.AbortAsync();
                break;
            }
            case "timeout":
                await Assert.ThrowsAsync<CommandTimeoutException>(() => runner.RunAsync(sleeper.SetOutputBuffer().SetTimeout(TimeSpan.FromMilliseconds(20))));
                break;
            case "cancel":
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
                await Assert.ThrowsAsync<CommandCanceledException>(() => runner.RunAsync(sleeper.SetErrorBuffer(), cts.Token));
                break;
            }
            case "exit-failure":
                await Assert.ThrowsAsync<CommandExitException>(() => runner.RunAsync(Probe.Command("--quiet", "--exit", "3", "--write-stderr", "why")));
                break;
            case "capture-limit":
                await Assert.ThrowsAsync<CommandCaptureLimitException>(() =>
                    runner.RunAsync(Probe.Command().SetInputBuffer(new byte[100_000]).SetOutputBuffer().SetCaptureLimit(100)));
                break;
            case "start-failure":
                await Assert.ThrowsAsync<CommandStartException>(() => runner.RunAsync(Command.New("/nonexistent/vircommand-program").SetOutputBuffer()));
                break;
            case "detach-then-wait":
            {
                var running = await runner.StartAsync(Probe.Command("--quiet", "--sleep", "20").SetOutputBuffer());
                running.Detach();
                await running.DisposeAsync();
                await running.WaitAsync();
                break;
            }
            case "files-streams-and-tee":
            {
                using var dir = new TempDir();
                await File.WriteAllTextAsync(dir.File("in"), "input");
                using var stream = new MemoryStream();
                await runner.RunAsync(Probe.Command().SetInputFile(dir.File("in")).SetOutputFile(dir.File("out"), capture: true).SetErrorStream(stream));
                await runner.RunAsync(Probe.Command().SetInputStream(stream).SetOutputFile(dir.File("out"), append: true).SetErrorFile(dir.File("err")));
                break;
            }
            case "file-open-failure":
                await Assert.ThrowsAsync<CommandStartException>(() => runner.RunAsync(Probe.Command().SetOutputStream(Stream.Null).SetInputFile("/nonexistent/vircommand-input")));
                break;
            case "source-failure":
                await Assert.ThrowsAsync<CommandStreamException>(() => runner.RunAsync(Probe.Command().SetInputSource(Failing()).SetOutputStream(Stream.Null, capture: true)));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(path), path, null);
        }
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Failing()
    {
        yield return new byte[100];
        await Task.Yield();
        throw new InvalidDataException("the source broke");
    }
}
