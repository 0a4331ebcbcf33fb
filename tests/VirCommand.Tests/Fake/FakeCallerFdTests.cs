using System.IO.Pipes;
using VirCommand.Backends.Fake;
using VirCommand.Tests.Building;

namespace VirCommand.Tests.Fake;

/// <summary>Issue 20 item 2: the fake writes to caller fds as a real child does, at the file's shared offset.</summary>
public sealed class FakeCallerFdTests
{
    private readonly FakeCommandRunner _fake = new();

    [Fact]
    public async Task Stdout_and_stderr_on_one_file_follow_each_other_and_so_do_several_runs()
    {
        using var file = new TempFile();
        _fake.Register("tool").Returns(FakeResponse.Success("out\n", "err\n"));

        for (var i = 0; i < 3; i++)
            await _fake.RunAsync(Command.New("tool").SetOutputFd(file.Handle).SetErrorFd(file.Handle));

        Assert.Equal("out\nerr\nout\nerr\nout\nerr\n", await File.ReadAllTextAsync(file.Path));
    }

    [Fact]
    public async Task Output_goes_after_what_the_caller_wrote_before_through_the_same_fd()
    {
        using var file = new TempFile();
        using (var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(file.Handle.DangerousGetHandle(), ownsHandle: false), FileAccess.Write, 0))
        {
            stream.Write("header\n"u8);
            _ = stream.SafeFileHandle; // the stream's position becomes the fd's offset, as a real child would find it
        }
        _fake.Register("tool").Returns(FakeResponse.Success("body\n"));

        await _fake.RunAsync(Command.New("tool").SetOutputFd(file.Handle));

        Assert.Equal("header\nbody\n", await File.ReadAllTextAsync(file.Path));
    }

    [Fact]
    public async Task A_pipe_whose_reader_is_gone_kills_the_child_by_SIGPIPE()
    {
        var server = new AnonymousPipeServerStream(PipeDirection.In);
        using var writeEnd = server.ClientSafePipeHandle; // exposed: the server leaves it open
        await server.DisposeAsync(); // the read end: the reader is gone
        _fake.Register("yes").Returns(FakeResponse.Success("y\n"));

        var error = await Assert.ThrowsAsync<CommandExitException>(() => _fake.RunAsync(Command.New("yes").SetOutputFd(writeEnd)));

        Assert.Equal(Signal.SIGPIPE, error.Result.TerminatingSignal);
    }
}
