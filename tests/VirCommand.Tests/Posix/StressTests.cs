using System.Collections.Concurrent;
using System.Diagnostics;
using VirCommand.Backends.Posix;
using Xunit.Abstractions;

namespace VirCommand.Tests.Posix;

/// <summary>
/// SPEC §3.5 and §4 under load: many spawns from many threads at once leak no fd, and no child ever
/// inherits another child's pipe (every fd the library opens is close-on-exec from birth).
/// </summary>
// Serial: counts the process's fds, and must be the only one spawning so that the counts mean something.
[Collection("Serial")]
public sealed class StressTests(ITestOutputHelper output)
{
    private const int Runs = 2000;
    private const int Threads = 8;
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public void Two_thousand_runs_from_eight_threads_leak_no_fd_and_no_child_sees_another_childs_pipe()
    {
        CheckRun(-1); // warm up: the event loop, the native library, the probe in the page cache
        var children = ProcessInspector.Children();
        var baseline = ProcessInspector.BaselineFdCount();
        var failures = new ConcurrentQueue<string>();
        var next = -1;
        var clock = Stopwatch.StartNew();

        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Runs)
            {
                try
                {
                    CheckRun(i);
                }
#pragma warning disable CA1031 // every failure is collected and reported below
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failures.Enqueue($"run {i}: {e}");
                }
            }
        }) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        var deadline = Stopwatch.StartNew();
        foreach (var thread in threads)
            Assert.True(thread.Join(TimeSpan.FromSeconds(300) - deadline.Elapsed), "a stress thread hangs");
        clock.Stop();
        var after = ProcessInspector.OpenFdCount(); // no GC first: finalizers would hide a dropped handle

        output.WriteLine($"{Runs} runs on {Threads} threads took {clock.Elapsed.TotalSeconds:0.0} s; fds {baseline} -> {after}");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {Runs} runs failed; the first:\n{string.Join("\n", failures.Take(3))}");
        Assert.True(after - baseline <= 3, $"{Runs} runs left {after - baseline} more fds open ({baseline} -> {after})");
        Assert.Subset(children, ProcessInspector.Children());
    }

    [Fact]
    public async Task Synchronous_runs_from_eight_pool_threads_at_once_do_not_deadlock()
    {
        var clock = Stopwatch.StartNew();

        var workers = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                var text = $"sync {t}/{i}";
                var result = _runner.Run(Probe.Command("--quiet").SetInputBuffer(text).SetOutputBuffer());
                Assert.Equal(Probe.StdoutBlock(text), result.StandardOutput);
            }
        }));
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(120));

        output.WriteLine($"8 x 50 synchronous runs on pool threads took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void Synchronous_runs_from_eight_dedicated_threads_at_once_do_not_deadlock()
    {
        var failures = new ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            try
            {
                for (var i = 0; i < 50; i++)
                {
                    var text = $"sync {t}/{i}";
                    var result = _runner.Run(Probe.Command("--quiet").SetInputBuffer(text).SetOutputBuffer());
                    Assert.Equal(Probe.StdoutBlock(text), result.StandardOutput);
                }
            }
#pragma warning disable CA1031 // collected and reported below
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Enqueue(e);
            }
        }) { IsBackground = true }).ToList();

        threads.ForEach(t => t.Start());

        foreach (var thread in threads)
            Assert.True(thread.Join(TimeSpan.FromSeconds(120)), "a thread running Run hangs");
        Assert.Empty(failures);
    }

    [Fact]
    public async Task One_command_run_from_many_threads_at_once_gives_every_run_the_same_description()
    {
        var stdin = Probe.Binary(100 * 1024, seed: 70);
        var extra = Probe.Binary(100 * 1024, seed: 71);
        var command = Probe.Command("--quiet").SetInputBuffer(stdin).SetOutputBuffer().SetErrorBuffer();
        command.AddArgList("--readfd", $"{command.SetSendBuffer(extra)}");
        byte[] expected = [.. Probe.StdoutBlock(stdin), .. Probe.StdoutBlock(extra)];

        var runs = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                var result = await _runner.RunAsync(command);
                Assert.Equal(expected, result.StandardOutputBytes.ToArray());
            }
        }));

        await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(120));
    }

    /// <summary>
    /// One run: stdin, stdout, the stderr tail and, every other run, a send buffer at fd 3 — each a pipe
    /// opened while other threads spawn. The child must see exactly its own, and get its own token back.
    /// </summary>
    private void CheckRun(int i)
    {
        var token = $"token-{i}-{Guid.NewGuid():N}";
        var command = Probe.Command().AddEnvPair("TOKEN", token).SetInputBuffer(token).SetOutputBuffer();
        var extra = i % 2 == 0 ? null : "extra-" + token;
        if (extra is not null)
        {
            command.SetSendBuffer(Probe.Utf8(extra), 3);
            command.AddArgList("--readfd", "3");
        }

        var report = ProbeReport.Parse(_runner.Run(command).StandardOutput);

        List<int> expectedFds = extra is null ? [0, 1, 2] : [0, 1, 2, 3];
        if (!report.Fds.SequenceEqual(expectedFds))
            throw new InvalidOperationException($"the child saw fds [{string.Join(' ', report.Fds)}]: {string.Join(", ", report.FdTargets.Select(kv => $"{kv.Key} -> {kv.Value}"))}");
        if (report.FdTargets.Values.Distinct().Count() != expectedFds.Count || !report.FdTargets.Values.All(t => t.StartsWith("pipe:[", StringComparison.Ordinal)))
            throw new InvalidOperationException($"the child's fds are not {expectedFds.Count} distinct pipes: {string.Join(", ", report.FdTargets.Values)}");
        var echo = Probe.StdoutBlock(token) + (extra is null ? "" : Probe.StdoutBlock(extra));
        if (report.Echo != echo)
            throw new InvalidOperationException($"the child echoed '{report.Echo}', expected '{echo}'");
        if (report.Environment.Count != 1 || report.Environment[0] != "TOKEN=" + token)
            throw new InvalidOperationException($"the child's environment is [{string.Join(", ", report.Environment)}]");
    }
}
