using VirCommand.Backends.Fake;

namespace VirCommand.Tests.Fake;

/// <summary>A scripted answer comes through the line and event streams as a real child's output does.</summary>
public sealed class FakeListenTests
{
    [Fact]
    public async Task A_scripted_answer_is_listened_to_as_events_and_lines()
    {
        var fake = new FakeCommandRunner();
        fake.RegisterProgram("journalctl").Returns(FakeResponse.Success("boot\r\nready\n", "warning"));

        var events = await fake.ListenAsync(Command.New("journalctl").AddArg("-f")).ToListAsync();
        var lines = await fake.ReadLinesAsync(Command.New("journalctl")).Select(l => l.Text).ToListAsync();

        Assert.Equal(
            [new CommandStarted(fake.Invocations[0].Pid, fake.Invocations[0].StartTime), new StandardOutputLine("boot"), new StandardOutputLine("ready"),
             new StandardErrorLine("warning")],
            events.Take(4).OrderBy(e => e is StandardErrorLine));
        Assert.Equal(0, Assert.IsType<CommandExited>(events[^1]).Result.ExitCode);
        Assert.Equal(["boot", "ready"], lines);
        Assert.Equal(StdioKind.Pipe, fake.Invocations[0].Plan.Output.Kind); // the run's copy got the pipes
    }
}
