using System.Globalization;
using VirCommand.Backends.Fake;
using VirCommand.Backends.Managed;
using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>
/// What <see cref="HelperProgram"/> runs in a child test process, where a crash (heap corruption,
/// SIGABRT) or a lowered fd limit fails the test that started it instead of killing the test runner.
/// Each mode prints one line per failure and a last <c>ok ...</c> or <c>FAILED ...</c> line, and
/// exits 0 only if every outcome was the expected one.
/// </summary>
internal static partial class HelperModes
{

    /// <summary>
    /// Runs <paramref name="rounds"/> fresh commands, each while another thread keeps adding
    /// arguments, environment entries and send buffers to it, on every backend (POSIX blocking and
    /// async, managed every 50th round, the fake). Every run must succeed and see one consistent
    /// snapshot: the child's argument count (printed by <c>sh</c>) matches an argv the command held.
    /// </summary>
    public static async Task<int> MutateWhileRunningAsync(int rounds)
    {
        var posix = new PosixCommandRunner();
        var managed = new ManagedCommandRunner();
        var fake = new FakeCommandRunner { AllowUnregistered = true };
        var failures = 0;
        for (var round = 0; round < rounds; round++)
        {
            using var command = Command.NewArgList("/bin/sh", "-c", "echo $#", "sh").SetOutputBuffer();
            using var stop = new CancellationTokenSource();
            var managedRound = round % 50 == 2; // the managed backend refuses send buffers

            var mutator = Task.Factory.StartNew(() =>
            {
                for (var i = 0; !stop.IsCancellationRequested && i < 2000; i++)
                {
                    command.AddArg("x");
                    if (i % 16 == 0)
                        command.AddEnvPair("V" + i.ToString(CultureInfo.InvariantCulture), "v");
                    if (i % 256 == 0 && !managedRound)
                        command.SetSendBuffer("data"u8.ToArray());
                }
            }, TaskCreationOptions.LongRunning);
            try
            {
                var (result, spawned) = (round % 4) switch
                {
                    0 => (posix.Run(command), true),
                    1 => (await posix.RunAsync(command), true),
                    2 when managedRound => (await managed.RunAsync(command), true),
                    _ => (await fake.RunAsync(command), false),
                };
                if (spawned && !int.TryParse(result.StandardOutput.Trim(), CultureInfo.InvariantCulture, out _))
                {
                    failures++;
                    await Console.Out.WriteLineAsync($"round {round}: the child printed '{result.StandardOutput}'");
                }
            }
#pragma warning disable CA1031 // every failure is reported
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures++;
                await Console.Out.WriteLineAsync($"round {round}: {e.GetType().Name}: {e.Message[^Math.Min(200, e.Message.Length)..]}");
            }
            stop.Cancel();
            await mutator;
        }
        foreach (var invocation in fake.Invocations)
        {
            // The fake's record is the snapshot: its string form and its argv were read from one state.
            if (invocation.CommandLine.Split(' ').Count(a => a == "x") != invocation.Arguments.Count(a => a == "x"))
            {
                failures++;
                await Console.Out.WriteLineAsync($"pid {invocation.Pid}: the recorded argv and command line disagree");
            }
        }
        await Console.Out.WriteLineAsync(failures == 0 ? $"ok {rounds} rounds" : $"FAILED {failures} of {rounds} rounds");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// Blocking runs with a cancellable token, under every fd limit from "no fd to be had" up to one
    /// that lets the run through: each must either succeed or fail with a
    /// <see cref="CommandStartException"/> (nothing spawned); any other exception is a failure.
    /// </summary>
    public static int BlockingRunsOutOfFds()
    {
        var runner = new PosixCommandRunner();
        using var cts = new CancellationTokenSource();
        // No capture: the stderr tail's pipe is all the run opens, and its write end stays open after the spawn, so no fd comes free for what a run needs after it.
        Command Make() => Command.NewArgList("/bin/sh", "-c", "echo err >&2");
        runner.Run(Make(), cts.Token); // warm up: the native library, the event loop, /dev/null
        var open = Directory.GetFileSystemEntries("/proc/self/fd").Select(f => int.Parse(Path.GetFileName(f), CultureInfo.InvariantCulture)).ToHashSet();
        var firstFree = Enumerable.Range(0, open.Max() + 2).First(n => !open.Contains(n));
        if (LibC.GetRLimit(LibC.RLIMIT_NOFILE, out var original) != 0)
            return 2;
        var outcomes = new List<string>();
        var untyped = 0;
        for (var limit = firstFree; limit < open.Max() + 20 && !outcomes.Any(o => o.EndsWith("ok", StringComparison.Ordinal)); limit++)
        {
            LibC.SetRLimit(LibC.RLIMIT_NOFILE, new LibC.RLimit { Current = (ulong)limit, Maximum = original.Maximum });
            try
            {
                var result = runner.Run(Make(), cts.Token);
                outcomes.Add(result.ExitCode == 0 ? $"{limit}: ok" : $"{limit}: exit {result.ExitCode}");
            }
            catch (CommandStartException e)
            {
                outcomes.Add($"{limit}: {e.Stage}/{e.Errno}");
            }
#pragma warning disable CA1031 // the point: no other exception may come out
            catch (Exception e)
#pragma warning restore CA1031
            {
                untyped++;
                outcomes.Add($"{limit}: {e.GetType().Name}: {e.Message}");
            }
            finally
            {
                LibC.SetRLimit(LibC.RLIMIT_NOFILE, original);
            }
        }
        var ok = untyped == 0 && outcomes.Any(o => o.EndsWith("ok", StringComparison.Ordinal));
        Console.WriteLine(string.Join(Environment.NewLine, outcomes));
        Console.WriteLine(ok ? "ok" : "FAILED");
        return ok ? 0 : 1;
    }
}
