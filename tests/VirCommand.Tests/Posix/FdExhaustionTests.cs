using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>
/// SPEC §4 "no leaked fds on every path": a start that runs out of fds part way (some pipes made, the
/// next one refused; the native report pipe or the pidfd refused) fails cleanly and gives back what it took.
/// </summary>
// Serial: lowers the process's fd limit for a moment; nothing else may open fds meanwhile.
[Collection("Serial")]
public sealed partial class FdExhaustionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int EMFILE = 24;
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public async Task Running_out_of_fds_at_every_step_of_a_start_fails_cleanly_and_leaks_nothing()
    {
        Command Make()
        {
            var command = Probe.Command("--quiet").SetInputBuffer("in").SetOutputBuffer().SetErrorBuffer();
            command.AddArgList("--readfd", $"{command.SetSendBuffer("a"u8.ToArray())}", "--readfd", $"{command.SetSendBuffer("b"u8.ToArray())}");
            return command;
        }
        await _runner.RunAsync(Make()).OrHang(); // warm up

        // The 5 pipes, then the native report pipe where the shim still makes one, and the pidfd.
        var outcomes = await StepThroughFdLimits(
            () => _runner.RunAsync(Make()), // the spawn happens before the first await
            result =>
            {
                Assert.Equal(Probe.StdoutBlock("in") + Probe.StdoutBlock("a") + Probe.StdoutBlock("b"), result.StandardOutput);
                return Task.CompletedTask;
            });

        Assert.Contains(outcomes, o => o.Contains("Pipe/24", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Running_out_of_fds_at_every_step_of_a_handshake_start_fails_cleanly_and_leaks_nothing()
    {
        // The parked handshake (vc_parked_*): its pipes, its clone's pidfd, then the run's own fds.
        Command Make() => Probe.Command("--quiet").SetInputBuffer("in").SetOutputBuffer().SetErrorBuffer().RequireHandshake();
        await (await _runner.StartAsync(Make()).OrHang()).DisposeAsync(); // warm up

        await StepThroughFdLimits(
            () => _runner.StartAsync(Make()), // the spawn, up to the child's handshake, is synchronous
            async started =>
            {
                await using var running = started;
                await running.WaitForHandshakeAsync().OrHang();
                await running.NotifyHandshakeAsync().OrHang();
                var result = await running.WaitAsync().OrHang();
                Assert.Equal(Probe.StdoutBlock("in"), result.StandardOutput);
            });
    }

    /// <summary>
    /// Calls <paramref name="start"/> under a lowered fd limit, then <paramref name="finish"/> on what it
    /// started, one fd further each time, until a start succeeds. The kernel hands out the lowest free
    /// number below the limit, so the first try has no fd at all to be had. Every failure must be EMFILE at
    /// stage Pipe or Fork, and in the end no fd and no child may be left over. Returns "limit: outcome"s.
    /// </summary>
    private async Task<List<string>> StepThroughFdLimits<T>(Func<Task<T>> start, Func<T, Task> finish)
    {
        var children = ProcessInspector.Children();
        var baseline = ProcessInspector.BaselineFdCount();
        var open = ProcessInspector.OpenFds();
        Assert.Equal(0, LibC.GetRLimit(LibC.RLIMIT_NOFILE, out var original));
        var outcomes = new List<string>();
        var after = 0;

        await ProcessInspector.WithoutGarbageCollection(async () =>
        {
            var firstFree = Enumerable.Range(0, open.Max + 2).First(n => !open.Contains(n));
            for (var limit = firstFree; limit < open.Max + 20 && !outcomes.Any(o => o.EndsWith("ok", StringComparison.Ordinal)); limit++)
            {
                Task<T> started;
                Assert.Equal(0, LibC.SetRLimit(LibC.RLIMIT_NOFILE, new LibC.RLimit { Current = (ulong)limit, Maximum = original.Maximum }));
                try
                {
                    started = start();
                }
                finally
                {
                    Assert.Equal(0, LibC.SetRLimit(LibC.RLIMIT_NOFILE, original));
                }
                try
                {
                    await finish(await started.OrHang());
                    outcomes.Add($"{limit}: ok");
                }
                catch (CommandStartException e)
                {
                    outcomes.Add($"{limit}: {e.Stage}/{e.Errno}");
                    Assert.True(e.Errno == EMFILE, $"limit {limit}: {e.Message}");
                    Assert.Contains(e.Stage, new[] { StartStage.Pipe, StartStage.Fork });
                }
            }
            after = ProcessInspector.OpenFdCount();
        });

        output.WriteLine($"outcomes by fd limit: {string.Join(", ", outcomes)}; fds {baseline} -> {after}");
        Assert.Contains(outcomes, o => o.EndsWith("ok", StringComparison.Ordinal));
        Assert.True(after - baseline < 10, $"fd exhaustion left {after - baseline} more fds open ({baseline} -> {after}); outcomes: {string.Join(", ", outcomes)}");
        Assert.Subset(children, ProcessInspector.Children());
        return outcomes;
    }
}
