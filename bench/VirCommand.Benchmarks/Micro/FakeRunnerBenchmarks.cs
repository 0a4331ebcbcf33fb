using BenchmarkDotNet.Attributes;
using VirCommand.Backends.Fake;

namespace VirCommand.Benchmarks.Micro;

/// <summary>Throughput of the fake backend (P5's in-process figure): one scripted run, recorded as tests see it.</summary>
[MemoryDiagnoser]
public class FakeRunnerBenchmarks
{
    /// <summary>The fake records every run; forget them this often so that the record does not grow without end.</summary>
    private const int ResetEvery = 4096;

    private FakeCommandRunner _fake = null!;
    private Command _command = null!;
    private int _runs;

    [GlobalSetup]
    public void SetUp()
    {
        _fake = new FakeCommandRunner();
        Register();
        _command = Command.New("git").AddArgList("status", "--porcelain").SetOutputBuffer();
    }

    [GlobalCleanup]
    public void CleanUp() => _command.Dispose();

    /// <summary>One <c>RunAsync</c> answered from a registration, with captured output.</summary>
    [Benchmark]
    public async Task<CommandResult> RunAsync()
    {
        if (++_runs % ResetEvery == 0)
        {
            _fake.Reset();
            Register();
        }
        return await _fake.RunAsync(_command);
    }

    private void Register() => _fake.Register("git", "status", "--porcelain").Returns(FakeResponse.Success(" M README.md\n"));
}
