using System.Globalization;
using System.Text.RegularExpressions;
using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// libvirt's <c>virCommandRunRegex</c> and <c>virCommandRunNul</c> counterparts on every backend: records
/// of stdout handed to a callback as they arrive, the exit judged as a run's, stderr kept for the failure,
/// and a callback's exception stopping the child.
/// </summary>
public sealed class ParserConformanceTests
{
    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task RunRegex_hands_over_the_groups_of_every_regex_for_each_line_that_matches_them_all(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var command = Probe.Command("--quiet").SetInputBuffer("vg0 10G\nvg1 20G\nnoise\nx:vg2 30G\nvgA 1G\n");
        var matches = new List<string[]>();

        var result = await runner.RunRegexAsync(command, [new Regex(@"^(\w+) (\d+)G$"), new Regex(@"^vg(\d)(x)?")],
            groups => matches.Add([.. groups]), prefix: "x:").OrHang();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal([["vg0", "10", "0", ""], ["vg1", "20", "1", ""], ["vg2", "30", "2", ""]], matches);
        Assert.Equal(StdioKind.Null, command.Output.Kind);
        Assert.Equal(Probe.StderrBlock("vg0 10G\nvg1 20G\nnoise\nx:vg2 30G\nvgA 1G\n"), result.StandardError); // kept, as libvirt does
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task RunRegex_fails_a_non_zero_exit_with_stderr_in_the_message_after_the_matches(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var matches = 0;

        var error = await Assert.ThrowsAsync<CommandExitException>(() => runner.RunRegexAsync(
            Probe.Command("--quiet", "--write-stderr", "volume group not found\n", "--exit", "5").SetInputBuffer("a\n"),
            [new Regex("^a$")], _ => matches++)).OrHang();

        Assert.Equal(1, matches);
        Assert.Equal(5, error.ExitCode);
        Assert.Contains("volume group not found", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_callback_that_throws_stops_the_child_and_its_exception_is_the_runs(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        conformance.Script(runner, "sh", i => FakeResponse.Success($"{i.Pid}\n"));
        var pid = 0;

        var error = await Assert.ThrowsAsync<FormatException>(() => runner.RunRegexAsync(Command.NewArgList("sh", "-c", "echo $$; exec sleep 60"),
            [new Regex(@"^(\d+)$")], groups =>
            {
                pid = int.Parse(groups[0], CultureInfo.InvariantCulture);
                throw new FormatException("bad record");
            })).OrHang();

        Assert.Equal("bad record", error.Message);
        // The fake writes its output as it ends, so only a real child is still there to be stopped.
        if (conformance.Spawns)
            await conformance.AssertStoppedAndGoneAsync(runner, pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task RunNul_hands_over_NUL_separated_fields_n_at_a_time_the_last_record_shorter(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        conformance.Script(runner, "sh", _ => FakeResponse.Success().WithOutput("a\0b\r\n\0c\0\0e"u8.ToArray()));
        var records = new List<string[]>();

        var result = await runner.RunNulAsync(Command.NewArgList("sh", "-c", @"printf 'a\000b\r\n\000c\000\000e'"), 2, r => records.Add([.. r])).OrHang();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal([["a", "b\r\n"], ["c", ""], ["e"]], records);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task RunNul_with_no_output_calls_nothing(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var calls = 0;

        await runner.RunNulAsync(Probe.Command("--quiet", "--close-stdin"), 3, _ => calls++).OrHang();

        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task Bad_parser_arguments_are_refused_before_anything_runs()
    {
        var fake = new FakeCommandRunner();
        var command = Command.New("lvs");

        await Assert.ThrowsAsync<ArgumentException>(() => fake.RunRegexAsync(command, [], _ => { }));
        await Assert.ThrowsAsync<ArgumentException>(() => fake.RunRegexAsync(command, [null!], _ => { }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fake.RunNulAsync(command, 0, _ => { }));
        await Assert.ThrowsAsync<InvalidOperationException>(() => fake.RunNulAsync(Command.New("find").SetOutputBuffer(), 1, _ => { }));
        Assert.Empty(fake.Invocations);
    }
}
