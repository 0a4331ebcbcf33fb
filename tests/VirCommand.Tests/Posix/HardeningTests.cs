using VirCommand.Backends.Managed;
using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>
/// Issue 10: what independent tests broke. An id the kernel reads as "unchanged" never reaches it;
/// a command changed while another thread runs it never corrupts the run; running out of fds fails
/// a start before anything is spawned; a path too long says so.
/// </summary>
public sealed class HardeningTests
{
    private const int ENAMETOOLONG = 36;

    [RootFact]
    public void SetUid_uint_MaxValue_is_refused_and_a_real_id_is_what_the_child_gets_as_its_real_uid_and_gid()
    {
        Assert.Equal("uid", Assert.Throws<ArgumentOutOfRangeException>(() => Command.NewArgList("/usr/bin/id").SetUid(uint.MaxValue)).ParamName);
        Assert.Equal("gid", Assert.Throws<ArgumentOutOfRangeException>(() => Command.NewArgList("/usr/bin/id").SetGid(uint.MaxValue)).ParamName);

        var result = Posix.Runner.Run(Command.NewArgList("/bin/cat", "/proc/self/status").SetUid(65534).SetGid(65533).SetOutputBuffer());

        // Real, effective, saved (and filesystem) ids, as the kernel holds them: exactly what was asked.
        var lines = result.StandardOutput.Split('\n');
        Assert.Equal("65534 65534 65534 65534", Ids(lines, "Uid"));
        Assert.Equal("65533 65533 65533 65533", Ids(lines, "Gid"));

        static string Ids(string[] lines, string key) =>
            string.Join(' ', lines.First(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..]
                .Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void PassFd_negative_is_refused_as_negative_not_as_a_standard_stream()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Command("prog").PassFd(-1));
        Assert.Equal("parentFd", ex.ParamName);
        Assert.Contains("negative", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("0, 1 and 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal("childFd", Assert.Throws<ArgumentOutOfRangeException>(() => new Command("prog").PassFd(5, -1)).ParamName);
    }

    public static TheoryData<string> Backends => new() { "posix", "managed" };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_program_path_longer_than_PATH_MAX_fails_at_Resolve_with_ENAMETOOLONG(string backend)
    {
        ICommandRunner runner = backend == "posix" ? Posix.Runner : new ManagedCommandRunner();
        var path = "/" + string.Join('/', Enumerable.Repeat(new string('d', 200), 25)); // 5025 bytes

        var ex = await Assert.ThrowsAsync<CommandStartException>(() => runner.RunAsync(new Command(path)));

        Assert.Equal(StartStage.Resolve, ex.Stage);
        Assert.Equal(ENAMETOOLONG, ex.Errno);
    }

    [LinuxFact]
    public async Task A_bare_name_longer_than_NAME_MAX_fails_at_Resolve_with_ENAMETOOLONG()
    {
        var ex = await Assert.ThrowsAsync<CommandStartException>(() => Posix.Runner.RunAsync(new Command(new string('n', 300))));

        Assert.Equal(StartStage.Resolve, ex.Stage);
        Assert.Equal(ENAMETOOLONG, ex.Errno);
    }

    [LinuxFact]
    public async Task A_command_changed_on_one_thread_while_another_runs_it_thousands_of_times_never_corrupts_a_run()
    {
        // In a child test process: before the snapshot, this corrupted the native heap and aborted the process.
        var (exit, output) = await RunHelperAsync("mutate", "2000");

        Assert.True(exit == 0, $"the helper exited {exit}:\n{output}");
        Assert.Contains("ok 2000 rounds", output, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task A_cancellable_blocking_run_out_of_fds_fails_typed_before_the_spawn_at_every_fd_limit()
    {
        // In a child test process, which lowers its own RLIMIT_NOFILE.
        var (exit, output) = await RunHelperAsync("fdexhaust");

        Assert.True(exit == 0, $"the helper exited {exit}:\n{output}");
        Assert.Contains("Pipe/24", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    /// <summary>Runs the test assembly as a helper program (<see cref="HelperProgram"/>): its exit code and its merged output.</summary>
    internal static async Task<(int Exit, string Output)> RunHelperAsync(params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var result = await Posix.Runner.RunAsync(Command.NewArgList(dotnet, [typeof(HelperProgram).Assembly.Location, .. args])
            .AddEnvPassCommon().SetMergedOutputBuffer().AllowNonZeroExit().RawStatus());
        return (result.ExitCode ?? -1, result.StandardOutput);
    }
}
