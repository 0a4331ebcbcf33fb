using System.Collections.Concurrent;
using System.Text;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// Output to a per-line callback (<see cref="Command.SetOutputLines"/>, <see cref="Command.SetErrorLines"/>)
/// on every backend: the run engine pumps it, so the lines are cut as the live-output streams cut them.
/// </summary>
public sealed class LineTargetConformanceTests
{
    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Each_line_of_each_stream_reaches_its_callback_in_order_before_the_run_completes(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var stdout = new List<string>();
        var stderr = new List<string>();
        // \r\n, a lone \r and an empty line each end a line.
        var command = Probe.Command("--quiet").SetInputBuffer("one\r\ntwo\n\nthree\rfour\n")
            .SetOutputLines(stdout.Add).SetErrorLines(stderr.Add);

        var result = await runner.RunAsync(command).OrHang();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["BEGIN STDOUT", "one", "two", "", "three", "four", "END STDOUT"], stdout);
        Assert.Equal(["BEGIN STDERR", "one", "two", "", "three", "four", "END STDERR"], stderr);
        Assert.False(result.HasStandardOutput, "lines to a callback are not a capture");
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_last_line_without_a_terminator_is_handed_over_when_the_output_ends(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var stderr = new List<string>();

        await runner.RunAsync(Probe.Command("--quiet", "--close-stdin", "--write-stderr", "first\nno newline").SetErrorLines(stderr.Add)).OrHang();

        Assert.Equal(["first", "no newline"], stderr);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Concurrent_runs_of_one_command_never_share_a_half_line(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var lines = new ConcurrentBag<string>();
        var input = string.Concat(Enumerable.Range(0, 2000).Select(i => $"line-{i:D5}-{new string('x', 100)}\n"));
        var command = Probe.Command("--quiet").SetInputBuffer(input).SetOutputLines(lines.Add);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => runner.RunAsync(command))).OrHang();

        Assert.Equal(4 * 2002, lines.Count);
        Assert.All(lines.Where(l => l.StartsWith("line-", StringComparison.Ordinal)), l => Assert.Equal(5 + 5 + 1 + 100, l.Length));
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_callback_that_throws_fails_the_run_with_CommandStreamException(string backend)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        var boom = new InvalidOperationException("the callback broke");
        // A real child writes its report, then sleeps: only the failure can end it. The fake writes when it ends.
        var command = conformance.Spawns ? Probe.Command("--sleep", "60000") : Probe.Command();

        var error = await Assert.ThrowsAsync<CommandStreamException>(() => runner.RunAsync(command.SetOutputLines(_ => throw boom)).OrHang());

        Assert.Equal("stdout", error.Stream);
        Assert.Same(boom, error.InnerException);
        if (conformance.Spawns)
            await conformance.AssertStoppedAndGoneAsync(runner, error.Result.Pid);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Lines_follow_the_options_encoding_and_length_bound(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var lines = new List<string>();
        var latin1 = Encoding.Latin1;
        var options = new LineOptions { Encoding = latin1, MaxLineLength = 4 };
        var command = Probe.Command("--quiet").SetInputBuffer(latin1.GetBytes("caf\u00e9 au lait\n")).SetOutputLines(lines.Add, options);

        await runner.RunAsync(command).OrHang();

        // "BEGIN STDOUT" and "café au lait" cut into chunks of at most four characters, in order.
        Assert.All(lines, l => Assert.True(l.Length <= 4, $"'{l}' is longer than the bound"));
        Assert.Contains("caf\u00e9 au lait", string.Concat(lines), StringComparison.Ordinal);
    }

    [Fact]
    public void The_builder_refuses_a_null_callback_and_a_daemon()
    {
        Assert.Throws<ArgumentNullException>(() => Command.New("x").SetOutputLines(null!));
        Assert.Throws<InvalidOperationException>(() => Command.New("x").Daemonize().SetOutputLines(_ => { }));
        Assert.Throws<InvalidOperationException>(() => Command.New("x").SetErrorLines(_ => { }).Daemonize());
        Assert.Throws<InvalidOperationException>(() => Command.New("x").SetOutputBuffer().SetOutputLines(_ => { }));
    }
}
