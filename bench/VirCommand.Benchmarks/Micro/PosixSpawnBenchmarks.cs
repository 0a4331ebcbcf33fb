using BenchmarkDotNet.Attributes;
using VirCommand.Backends.Posix;

namespace VirCommand.Benchmarks.Micro;

/// <summary>
/// The POSIX backend spawning <c>/bin/true</c>: time per spawn, and above all the managed memory
/// allocated per spawn (every thread counts, so the event loop's share is included).
/// </summary>
[MemoryDiagnoser]
public class PosixSpawnBenchmarks
{
    private readonly PosixCommandRunner _runner = new();
    private Command _command = null!;

    [GlobalSetup]
    public void SetUp() => _command = Command.New("/bin/true");

    [GlobalCleanup]
    public void CleanUp() => _command.Dispose();

    /// <summary><c>await runner.RunAsync(Command.New("/bin/true"))</c>, the command built for each run.</summary>
    [Benchmark(Baseline = true)]
    public async Task<CommandResult> RunAsyncNewCommand()
    {
        using var command = Command.New("/bin/true");
        return await _runner.RunAsync(command);
    }

    /// <summary>The same, reusing one command: the backend's own share.</summary>
    [Benchmark]
    public Task<CommandResult> RunAsyncReusedCommand() => _runner.RunAsync(_command);

    /// <summary>The blocking <c>Run</c>.</summary>
    [Benchmark]
    public CommandResult RunSync() => _runner.Run(_command);
}
