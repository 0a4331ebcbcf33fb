using VirCommand.Backends.Fake;

namespace VirCommand.Tests.Building;

/// <summary>The builder's side of files, streams, tee and input sources: bad values refused at the call, daemons refused, what a backend is asked for.</summary>
public sealed class FilesAndStreamsTests
{
    [Fact]
    public void A_file_path_that_cannot_name_a_file_is_refused_at_the_call()
    {
        // Not theory data: xunit's serialization would turn the lone surrogate into U+FFFD.
        foreach (var path in (string[])["", "a\0b", "lone \ud800"])
        {
            Assert.Equal("path", Assert.Throws<ArgumentException>(() => Command.New("x").SetOutputFile(path)).ParamName);
            Assert.Equal("path", Assert.Throws<ArgumentException>(() => Command.New("x").SetErrorFile(path)).ParamName);
            Assert.Equal("path", Assert.Throws<ArgumentException>(() => Command.New("x").SetInputFile(path)).ParamName);
        }
    }

    [Fact]
    public void A_create_mode_beyond_the_permission_bits_is_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Command.New("x").SetOutputFile("/out", createMode: UnixFileMode.SetUser | UnixFileMode.UserWrite));

        Assert.Equal("createMode", error.ParamName);
    }

    [Fact]
    public void The_target_records_what_was_asked()
    {
        var command = Command.New("x").SetOutputFile("out", append: true, capture: true, createMode: UnixFileMode.UserWrite).SetErrorStream(Stream.Null);

        Assert.Equal(new StdioTarget(StdioKind.File) { Path = "out", Append = true, Captures = true, CreateMode = UnixFileMode.UserWrite }, command.Output);
        Assert.Equal(StdioKind.Stream, command.Error.Kind);
        Assert.Same(Stream.Null, command.Error.Stream);
        Assert.False(command.Error.Captures);
        Assert.Equal(StdioTarget.DefaultCreateMode, Command.New("x").SetErrorFile("err").Error.CreateMode);
    }

    [Fact]
    public void A_daemon_refuses_what_only_its_run_could_pump_in_either_order_but_takes_files()
    {
        Assert.Throws<InvalidOperationException>(() => Command.New("x").Daemonize().SetOutputStream(Stream.Null));
        Assert.Throws<InvalidOperationException>(() => Command.New("x").Daemonize().SetErrorFile("/log", capture: true));
        Assert.Throws<InvalidOperationException>(() => Command.New("x").Daemonize().SetInputStream(Stream.Null));
        Assert.Throws<InvalidOperationException>(() => Command.New("x").SetErrorStream(Stream.Null).Daemonize());
        Assert.Throws<InvalidOperationException>(() => Command.New("x").SetOutputFile("/log", capture: true).Daemonize());
        Assert.Throws<InvalidOperationException>(() => Command.New("x").SetInputSource(AsyncEnumerable.Empty<ReadOnlyMemory<byte>>()).Daemonize());

        var daemon = Command.New("x").Daemonize().SetInputFile("/in").SetOutputFile("/log", append: true).SetErrorFile("/log", append: true);
        Assert.True(daemon.IsDaemon);
    }

    [Fact]
    public void Files_and_streams_need_stdio_pipes_and_a_run_to_completion_takes_them()
    {
        Assert.Equal(CommandFeatures.StdioPipes, Command.New("x").SetInputFile("/in").RequiredFeatures);
        Assert.Equal(CommandFeatures.StdioPipes, Command.New("x").SetOutputStream(Stream.Null).RequiredFeatures);
    }

    [Fact]
    public async Task A_backend_that_does_not_connect_files_gets_pipes_the_engine_pumps()
    {
        using var dir = new Tests.Posix.TempDir();
        var fake = new FakeCommandRunner();
        fake.Register("x").Returns(FakeResponse.Success("out").WithError("err"));
        await File.WriteAllTextAsync(dir.File("in"), "from the file");

        await fake.RunAsync(Command.New("x").SetInputFile(dir.File("in")).SetOutputFile(dir.File("out")).SetErrorStream(Stream.Null));

        var invocation = fake.Invocations[0];
        Assert.Equal("from the file", invocation.InputText);
        Assert.Equal((StdioKind.Pipe, StdioKind.Pipe, StdioKind.Pipe), (invocation.Plan.Input.Kind, invocation.Plan.Output.Kind, invocation.Plan.Error.Kind));
        Assert.Equal(dir.File("in"), invocation.Plan.PumpedInput?.Path);
        Assert.Equal(dir.File("out"), invocation.Plan.PumpedOutput?.Path);
        Assert.Same(Stream.Null, invocation.Plan.PumpedError?.Stream);
        Assert.Equal("out", await File.ReadAllTextAsync(dir.File("out")));
    }

    [Fact]
    public async Task A_started_command_hands_out_no_pipe_the_engine_pumps()
    {
        var fake = new FakeCommandRunner();
        fake.Register("x").Returns(FakeResponse.Success("out"));

        await using var running = await fake.StartAsync(Command.New("x").SetInputStream(Stream.Null).SetOutputStream(Stream.Null).SetErrorPipe());

        Assert.Null(running.StandardInput);
        Assert.Null(running.StandardOutput);
        Assert.NotNull(running.StandardError);
        await running.WaitAsync();
    }
}
