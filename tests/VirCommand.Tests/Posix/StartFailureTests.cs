using VirCommand.Backends.Posix;
using VirCommand.Tests.Building;

namespace VirCommand.Tests.Posix;

/// <summary>
/// SPEC §4: a start failure names its stage and the child's errno, and leaves no zombie and no fd
/// behind, however often it happens.
/// </summary>
// Serial: the leak checks count the process's fds and children, which other tests would disturb.
[Collection("Serial")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StartFailureTests : IDisposable
{
    private const int ENOENT = 2;
    private const int E2BIG = 7;
    private const int ENOEXEC = 8;
    private const int EBADF = 9;
    private const int EACCES = 13;
    private const int ENOTDIR = 20;
    private const int Repeats = 50;

    private readonly PosixCommandRunner _runner = new();
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("vircommand-start-");

    public void Dispose() => _directory.Delete(recursive: true);

    public static TheoryData<string> Cases =>
    [
        "not-on-path", "missing-absolute", "not-executable", "directory-program", "no-such-cwd", "cwd-is-a-file",
        "closed-fd", "closed-remapped-fd", "exec-e2big", "exec-no-format", "exec-missing-interpreter",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_start_failure_names_its_stage_and_the_childs_errno(string failure)
    {
        await AssertStartFails(Make(failure), StageOf(failure), ErrnoOf(failure));
    }

    [Fact]
    public async Task A_non_executable_file_on_the_PATH_fails_at_Resolve_with_EACCES()
    {
        var name = Path.GetFileName(NonExecutableFile());
        using var scope = new EnvironmentScope().Set("PATH", _directory.FullName + ":" + System.Environment.GetEnvironmentVariable("PATH"));

        await AssertStartFails(Command.New(name), StartStage.Resolve, EACCES);
    }

    [Fact]
    public async Task A_program_only_on_the_childs_PATH_is_not_found()
    {
        var name = ExecutableScript();
        var command = Command.New(name).AddEnvPair("PATH", _directory.FullName);

        await AssertStartFails(command, StartStage.Resolve, ENOENT);
    }

    [Fact]
    public async Task A_failed_StartAsync_reports_through_its_task_not_by_throwing_synchronously()
    {
        // Task-based async pattern: only usage errors may throw out of the call; a failure to start is
        // not one, and belongs in the returned task. Otherwise `commands.Select(runner.StartAsync).ToList()`
        // throws half way and loses the handles of the children already started.
        Task<IRunningCommand>? start = null;
        CommandStartException? thrown = null;

        try
        {
            start = _runner.StartAsync(Command.New("vircommand-no-such-program"));
        }
        catch (CommandStartException e)
        {
            thrown = e;
        }

        Assert.True(thrown is null, "StartAsync threw synchronously instead of returning a faulted task");
        var error = await Assert.ThrowsAsync<CommandStartException>(() => start!.OrHang());
        Assert.Equal(StartStage.Resolve, error.Stage);
    }

    [Fact]
    public async Task A_failed_StartAsync_throws_and_leaves_no_child()
    {
        var children = ProcessInspector.Children();

        var error = await Assert.ThrowsAsync<CommandStartException>(() =>
            _runner.StartAsync(Probe.Command().SetInputPipe().SetOutputPipe().SetErrorPipe().SetWorkingDirectory(NonExecutableFile())).OrHang());

        Assert.Equal(StartStage.WorkingDirectory, error.Stage);
        Assert.Equal(ENOTDIR, error.Errno);
        Assert.Subset(children, ProcessInspector.Children());
    }

    [Fact]
    public async Task The_start_exception_names_the_command_and_the_errno()
    {
        var error = await Assert.ThrowsAsync<CommandStartException>(() =>
            _runner.RunAsync(Probe.Command("--secret-follows").AddSecretArg("hunter2").SetWorkingDirectory("/vircommand/missing")).OrHang());

        Assert.Contains(Probe.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("WorkingDirectory", error.Message, StringComparison.Ordinal);
        Assert.Contains("errno 2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Repeated_start_failures_leak_no_fd_and_leave_no_zombie(string failure)
    {
        await AssertStartFails(Make(failure), StageOf(failure), ErrnoOf(failure)); // warm up: the event loop, the native library
        var children = ProcessInspector.Children();
        var baseline = ProcessInspector.BaselineFdCount();
        var after = 0;

        await ProcessInspector.WithoutGarbageCollection(async () =>
        {
            for (var i = 0; i < Repeats; i++)
            {
                var error = await Assert.ThrowsAsync<CommandStartException>(() => _runner.RunAsync(Make(failure)).OrHang());
                Assert.Equal(StageOf(failure), error.Stage);
            }
            after = ProcessInspector.OpenFdCount();
        });

        Assert.True(after - baseline < 10, $"{Repeats} failed starts ({failure}) left {after - baseline} more fds open ({baseline} -> {after})");
        Assert.Subset(children, ProcessInspector.Children()); // no new child, zombie or not
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Repeated_start_failures_with_pipes_and_send_buffers_leak_no_fd(string failure)
    {
        Command MakeWithPipes()
        {
            var command = Make(failure).SetInputPipe().SetOutputPipe().SetErrorPipe();
            command.SetSendBuffer("data"u8.ToArray(), 50);
            return command;
        }
        await Assert.ThrowsAsync<CommandStartException>(() => _runner.StartAsync(MakeWithPipes()).OrHang());
        var children = ProcessInspector.Children();
        var baseline = ProcessInspector.BaselineFdCount();
        var after = 0;

        await ProcessInspector.WithoutGarbageCollection(async () =>
        {
            for (var i = 0; i < Repeats; i++)
                await Assert.ThrowsAsync<CommandStartException>(() => _runner.StartAsync(MakeWithPipes()).OrHang());
            after = ProcessInspector.OpenFdCount();
        });

        Assert.True(after - baseline < 10, $"{Repeats} failed starts ({failure}, with pipes) left {after - baseline} more fds open ({baseline} -> {after})");
        Assert.Subset(children, ProcessInspector.Children());
    }

    private Command Make(string failure) => failure switch
    {
        "not-on-path" => Command.New("vircommand-no-such-program"),
        "missing-absolute" => Command.New(Path.Combine(_directory.FullName, "missing")),
        "not-executable" => Command.New(NonExecutableFile()),
        "directory-program" => Command.New(_directory.FullName),
        "no-such-cwd" => Probe.Command().SetWorkingDirectory(Path.Combine(_directory.FullName, "missing")),
        "cwd-is-a-file" => Probe.Command().SetWorkingDirectory(NonExecutableFile()),
        "closed-fd" => Probe.Command().PassFd(ProcessInspector.UnusedFdNumber()),
        "closed-remapped-fd" => Probe.Command().PassFd(ProcessInspector.UnusedFdNumber(), 3),
        "exec-e2big" => Probe.Command(new string('a', 256 * 1024)),
        "exec-no-format" => Command.New(ExecutableFile("no-format", "this is not a program\n")),
        "exec-missing-interpreter" => Command.New(ExecutableFile("bad-interpreter", "#!/vircommand/no/such/interpreter\n")),
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, null),
    };

    private static StartStage StageOf(string failure) => failure switch
    {
        "not-on-path" or "missing-absolute" or "not-executable" or "directory-program" => StartStage.Resolve,
        "no-such-cwd" or "cwd-is-a-file" => StartStage.WorkingDirectory,
        "exec-e2big" or "exec-no-format" or "exec-missing-interpreter" => StartStage.Exec,
        _ => StartStage.PassFds,
    };

    private static int ErrnoOf(string failure) => failure switch
    {
        "not-on-path" or "missing-absolute" or "no-such-cwd" or "exec-missing-interpreter" => ENOENT,
        "not-executable" or "directory-program" => EACCES,
        "cwd-is-a-file" => ENOTDIR,
        "exec-e2big" => E2BIG,
        "exec-no-format" => ENOEXEC,
        _ => EBADF,
    };

    private async Task AssertStartFails(Command command, StartStage stage, int errno)
    {
        var children = ProcessInspector.Children();

        var error = await Assert.ThrowsAsync<CommandStartException>(() => _runner.RunAsync(command).OrHang());

        Assert.Equal((stage, errno), (error.Stage, error.Errno));
        Assert.Subset(children, ProcessInspector.Children()); // the failed child, if any, is reaped already
    }

    /// <summary>A regular file without any execute bit (so even root cannot exec it).</summary>
    private string NonExecutableFile()
    {
        var path = Path.Combine(_directory.FullName, "not-executable");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, "#!/bin/sh\nexit 0\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        return path;
    }

    /// <summary>A file with <paramref name="text"/> that only its owner may read and execute.</summary>
    private string ExecutableFile(string name, string text)
    {
        var path = Path.Combine(_directory.FullName, name);
        if (!File.Exists(path))
        {
            File.WriteAllText(path, text);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
        return path;
    }

    /// <summary>An executable script in the temp directory; returns its bare name.</summary>
    private string ExecutableScript()
    {
        const string name = "vircommand-only-on-the-childs-path";
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return name;
    }
}
