using System.Globalization;
using System.Text;
using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// Scripts a <see cref="FakeCommandRunner"/> to answer as <c>vircommand-probe</c> (tests/Probe/README.md)
/// would for each invocation, so the conformance cases assert the same things of the fake as of the
/// real backends: the report (from what the fake recorded: argv, resolved environment, cwd, fds, and
/// each option the command set; the parent's own values for what it left alone), the echo of stdin and
/// of each <c>--readfd</c> send buffer, <c>--write-stderr</c>, <c>--sleep</c> as a delay,
/// <c>--exit</c> and <c>--signal</c>; and the start failures the system would report (a program
/// that does not resolve, a missing working directory, the test hook <c>vc_test_hook_return</c>
/// returning non-zero).
/// </summary>
internal static class FakeProbe
{
    /// <summary>SIGCHLD, SIGCONT, SIGURG, SIGWINCH: signals whose default action is to ignore them.</summary>
    private static readonly int[] IgnoredByDefault = [17, 18, 23, 28];

    public static void Install(FakeCommandRunner fake)
    {
        ArgumentNullException.ThrowIfNull(fake);
        // Registered first, so matched last: any program that is neither scripted nor resolvable.
        fake.Register(i => FakeProgramResolution.Resolve(i.Program).Path is null, "a program the parent's PATH does not resolve")
            .Responds(i => FakeResponse.StartFailure(StartStage.Resolve, FakeProgramResolution.Resolve(i.Program).Errno));
        fake.Register(i => FakeProgramResolution.Resolve(i.Program).Path is { } path && IsProbe(path), "vircommand-probe, by any path or link")
            .Responds(Answer);
    }

    /// <summary>What the probe would do for <paramref name="invocation"/>.</summary>
    public static FakeResponse Answer(FakeInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var command = invocation.Plan;
        if (!Directory.Exists(invocation.WorkingDirectory))
            return FakeResponse.StartFailure(StartStage.WorkingDirectory, File.Exists(invocation.WorkingDirectory) ? FakeProgramResolution.ENOTDIR : FakeProgramResolution.ENOENT);
        if (command.Hook is { } hook && hook.Description.StartsWith("vc_test_hook_return ", StringComparison.Ordinal) && hook.Opaque != 0)
            return FakeResponse.StartFailure(StartStage.Hook, 0);

        var options = ProbeOptions.Parse(invocation.Arguments);
        var stdout = new List<byte>();
        var stderr = new List<byte>();
        // A shared stdout/stderr sees the pieces in the probe's write order; else each stream its own.
        var toError = command.MergesOutput ? stdout : stderr;
        toError.AddRange(Encoding.UTF8.GetBytes(options.WriteStderr ?? ""));
        if (!options.Quiet)
            stdout.AddRange(Encoding.UTF8.GetBytes(FakeProbeReport.For(invocation)));
        var inputs = new List<ReadOnlyMemory<byte>>();
        if (!options.CloseStdin)
            inputs.Add(invocation.Input);
        foreach (var fd in options.ReadFds)
            inputs.Add(invocation.SendBuffers.FirstOrDefault(b => b.ChildFd == fd)?.Data ?? default);
        foreach (var input in inputs)
        {
            stdout.AddRange(Probe.StdoutBlock(input.Span));
            toError.AddRange(Probe.StderrBlock(input.Span));
        }

        // A signal whose default action is to ignore it leaves the probe alive, to exit as it would have.
        var response = options.Signal is { } signal && !IgnoredByDefault.Contains(signal)
            ? FakeResponse.Killed((Signal)signal)
            : FakeResponse.Exit(options.Exit);
        return response.WithOutput(stdout.ToArray()).WithError(stderr.ToArray()).WithDelay(TimeSpan.FromMilliseconds(options.SleepMilliseconds));
    }

    private static bool IsProbe(string path) => (new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path) == Probe.Path;

    /// <summary>The probe's options, parsed as probe.c does: anywhere in argv, unknown ones ignored.</summary>
    private sealed record ProbeOptions(bool Quiet, bool CloseStdin, int Exit, int? Signal, int SleepMilliseconds, string? WriteStderr, List<int> ReadFds)
    {
        public static ProbeOptions Parse(IReadOnlyList<string> args)
        {
            var options = new ProbeOptions(false, false, 0, null, 0, null, []);
            for (var i = 0; i < args.Count; i++)
            {
                var next = i + 1 < args.Count ? args[i + 1] : null;
                options = args[i] switch
                {
                    "--quiet" => options with { Quiet = true },
                    "--close-stdin" => options with { CloseStdin = true },
                    "--readfd" => options.With(() => options.ReadFds.Add(Number(next, ref i))),
                    "--exit" => options with { Exit = Number(next, ref i) },
                    "--signal" => options with { Signal = Number(next, ref i) },
                    "--sleep" => options with { SleepMilliseconds = Number(next, ref i) },
                    "--write-stderr" when next is not null => options with { WriteStderr = args[++i] },
                    _ => options,
                };
            }
            return options;
        }

        private ProbeOptions With(Action change)
        {
            change();
            return this;
        }

        private static int Number(string? text, ref int i)
        {
            i++;
            return int.Parse(text ?? throw new FormatException("a probe option lacks its value"), NumberStyles.None, CultureInfo.InvariantCulture);
        }
    }
}
