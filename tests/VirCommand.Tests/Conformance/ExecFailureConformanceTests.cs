using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// SPEC §4 on every backend: a program that resolves but cannot be executed fails to start at stage
/// Exec with the kernel's errno, thrown by the start itself. The fake has no kernel: it is scripted to
/// answer each program as execve would, so of the fake these prove that a start failure reaches the
/// caller from both RunAsync and StartAsync with its stage and errno.
/// </summary>
public sealed class ExecFailureConformanceTests : IDisposable
{
    private const int ENOENT = 2;
    private const int E2BIG = 7;
    private const int ENOEXEC = 8;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // The SSH backend's wrapper checks the interpreter before the exec (its exec would be the remote shell's).
    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_script_whose_interpreter_is_missing_fails_at_Exec_with_ENOENT(string backend) =>
        await AssertExecFails(backend, Executable("missing-interpreter", "#!/nonexistent/interpreter\n"), ENOENT);

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task An_executable_in_no_format_the_kernel_knows_fails_at_Exec_with_ENOEXEC(string backend) =>
        await AssertExecFails(backend, Executable("no-format", "\u007fNOT an executable\n"), ENOEXEC);

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task An_argument_beyond_the_kernels_limit_fails_at_Exec_with_E2BIG(string backend) =>
        await AssertExecFails(backend, Probe.Path, E2BIG, new string('x', 256 * 1024)); // one argument may hold 128 KiB at most

    private string Executable(string name, string content)
    {
        var path = _dir.File(name);
        File.WriteAllText(path, content);
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("POSIX file modes");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static async Task AssertExecFails(string backend, string program, int errno, params string[] args)
    {
        var conformance = ConformanceBackend.Get(backend);
        var runner = conformance.CreateRunner();
        conformance.Script(runner, program, _ => FakeResponse.StartFailure(StartStage.Exec, errno));

        var run = await Assert.ThrowsAsync<CommandStartException>(() => runner.RunAsync(Command.NewArgList(program, args).SetOutputBuffer()).OrHang());
        var start = await Assert.ThrowsAsync<CommandStartException>(() => runner.StartAsync(Command.NewArgList(program, args)).OrHang());

        foreach (var error in (CommandStartException[])[run, start])
        {
            Assert.Equal(StartStage.Exec, error.Stage);
            Assert.Equal(errno, error.Errno);
        }
    }
}
