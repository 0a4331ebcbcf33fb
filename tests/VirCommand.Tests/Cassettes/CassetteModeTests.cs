using NSubstitute;
using VirCommand.Backends.Fake.Cassettes;
using VirCommand.Tests.Posix;
using PosixRunners = VirCommand.Tests.Posix.Posix;

namespace VirCommand.Tests.Cassettes;

/// <summary>The four modes of a test's cassette file: record, replay, record what is missing, verify.</summary>
public sealed class CassetteModeTests
{
    private static Command Echo(string text) => Command.NewArgList("/bin/echo", text).SetOutputBuffer();

    [LinuxFact]
    public async Task Recorded_once_then_replayed_without_running_anything()
    {
        using var dir = new TempDir();
        var path = dir.File("cassette.json");
        using (var record = CassetteRunner.Open(path, CassetteMode.Record, PosixRunners.Runner))
        {
            Assert.Equal("hi\n", (await record.RunAsync(Echo("hi"))).StandardOutput);
            Assert.Equal("blocking\n", record.Run(Echo("blocking")).StandardOutput);
        }

        var real = Substitute.For<ICommandRunner>();
        using var replay = CassetteRunner.Open(path, CassetteMode.Replay, real);
        Assert.Equal("hi\n", (await replay.RunAsync(Echo("hi"))).StandardOutput);
        Assert.Equal("blocking\n", replay.Run(Echo("blocking")).StandardOutput);
        await real.DidNotReceiveWithAnyArgs().RunAsync(default(Command)!);
        real.DidNotReceiveWithAnyArgs().Run(default!);
        await real.DidNotReceiveWithAnyArgs().StartAsync(default(Command)!);
    }

    [LinuxFact]
    public async Task Record_missing_replays_what_the_file_has_and_appends_what_it_lacks()
    {
        using var dir = new TempDir();
        var path = dir.File("cassette.json");
        using (var first = CassetteRunner.Open(path, CassetteMode.RecordMissing, PosixRunners.Runner))
            await first.RunAsync(Echo("one"));
        var recorded = File.ReadAllText(path);

        using (var second = CassetteRunner.Open(path, CassetteMode.RecordMissing, PosixRunners.Runner))
        {
            await second.RunAsync(Echo("one"));
            await second.RunAsync(Echo("two"));
            Assert.Single(second.Replaying!.Invocations);
        }

        var cassette = Cassette.Load(path);
        Assert.Equal([["/bin/echo", "one"], ["/bin/echo", "two"]], cassette.Interactions.Select(i => i.Request.Argv));
        Assert.Equal(recorded, new Cassette(cassette.Interactions.Take(1)).ToJson()); // the recorded run as it was
        using (var third = CassetteRunner.Open(path, CassetteMode.RecordMissing, PosixRunners.Runner))
            await third.RunAsync(Echo("two"));
        Assert.Equal(2, Cassette.Load(path).Interactions.Count); // nothing missing: nothing appended
    }

    [LinuxFact]
    public async Task Verify_runs_for_real_and_reports_how_the_tool_changed_as_a_diff()
    {
        using var dir = new TempDir();
        var path = dir.File("cassette.json");
        var script = dir.File("tool.sh");
        File.WriteAllText(script, "#!/bin/sh\nprintf 'alpha\\nbeta\\ngamma\\n'\n");
        Command Tool() => Command.NewArgList("/bin/sh", script).SetOutputBuffer().AllowNonZeroExit();
        using (var record = CassetteRunner.Open(path, CassetteMode.Record, PosixRunners.Runner))
            await record.RunAsync(Tool());
        using (var same = CassetteRunner.Open(path, CassetteMode.Verify, PosixRunners.Runner))
        {
            await same.RunAsync(Tool());
            Assert.Empty(same.Differences());
        }

        File.WriteAllText(script, "#!/bin/sh\nprintf 'alpha\\nBETA\\ngamma\\n'\nexit 4\n");
        var changed = CassetteRunner.Open(path, CassetteMode.Verify, PosixRunners.Runner);
        await changed.RunAsync(Tool());
        await changed.RunAsync(Echo("new"));
        var error = Assert.Throws<CassetteVerificationException>(changed.Dispose);

        Assert.Equal(
            $"""
            The tools no longer behave as {path} recorded:
            Recorded run #1 behaves differently now: /bin/sh {script}
              end: recorded exit status 0, now exit status 4
              stdout (- recorded, + now):
                - beta
                + BETA
            Ran, but not in the cassette: /bin/echo new
            """.ReplaceLineEndings(), error.Message);
        Assert.Contains("\"alpha\\nbeta\\ngamma\\n\"", File.ReadAllText(path), StringComparison.Ordinal); // the file is left as it was
    }

    [Fact]
    public void The_modes_that_run_commands_need_the_real_runner_and_replay_needs_the_file()
    {
        using var dir = new TempDir();

        Assert.Equal("realRunner", Assert.Throws<ArgumentException>(() => CassetteRunner.Open(dir.File("c.json"), CassetteMode.Record)).ParamName);
        Assert.Throws<FileNotFoundException>(() => CassetteRunner.Open(dir.File("c.json"), CassetteMode.Replay));
        Assert.Throws<ArgumentOutOfRangeException>(() => CassetteRunner.Open(dir.File("c.json"), (CassetteMode)9));
    }

    [LinuxFact]
    public async Task Pipelines_are_refused_in_every_mode_as_a_cassette_holds_single_runs()
    {
        using var dir = new TempDir();
        var path = dir.File("cassette.json");
        using (var record = CassetteRunner.Open(path, CassetteMode.Record, PosixRunners.Runner))
        {
            Assert.False(record.Features.HasFlag(CommandFeatures.Pipelines));
            var error = await Assert.ThrowsAsync<CommandNotSupportedException>(() => ((ICommandRunner)record).RunAsync(Command.New("echo") | Command.New("cat")));
            Assert.Equal(CommandFeatures.Pipelines, error.Feature);
        }
        using var replay = CassetteRunner.Open(path, CassetteMode.Replay);
        Assert.False(replay.Features.HasFlag(CommandFeatures.Pipelines));
        await Assert.ThrowsAsync<CommandNotSupportedException>(() => ((ICommandRunner)replay).RunAsync(Command.New("echo") | Command.New("cat")));
    }
}
