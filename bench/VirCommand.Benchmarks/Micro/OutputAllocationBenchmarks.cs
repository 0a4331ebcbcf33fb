using BenchmarkDotNet.Attributes;
using VirCommand.Backends.Posix;
using VirCommand.Benchmarks.Compare;
using VirCommand.Benchmarks.Scenarios;

namespace VirCommand.Benchmarks.Micro;

/// <summary>
/// Managed allocations of the POSIX backend as the child's output grows from 1 MiB to 64 MiB: reading a
/// stream and keeping the stderr tail must cost the same whatever the size (nothing grows with the output
/// except a capture itself, which is here for contrast). The child is the benchmarks' writer
/// (<c>vircommand-writer</c>), the same as in compare P3.
/// </summary>
[MemoryDiagnoser]
public class OutputAllocationBenchmarks
{
    private readonly PosixCommandRunner _runner = new();

    /// <summary>MiB the child writes.</summary>
    [Params(1, 64)]
    public int Mebibytes { get; set; }

    [GlobalSetup]
    public void SetUp() => NativeTools.EnsureBuilt();

    /// <summary><c>SetOutputPipe</c> + <c>StartAsync</c>, the stream read to its end into a reused buffer and discarded.</summary>
    [Benchmark(Baseline = true)]
    public Task<long> StreamDiscarded() => PipeReaders.StreamAsync(_runner, Mebibytes);

    /// <summary><c>RunAsync</c> of a child that writes to stderr, which the backend reads into its bounded tail.</summary>
    [Benchmark]
    public async Task<CommandResult> StderrTail()
    {
        using var command = Command.New(NativeTools.Writer).AddArgList("-e", Mebibytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return await _runner.RunAsync(command);
    }

    /// <summary><c>SetOutputBuffer</c> + <c>RunAsync</c>: the capture itself, which does grow with the output.</summary>
    [Benchmark]
    public Task<long> Captured() => PipeReaders.CaptureAsync(_runner, Mebibytes, captureLimit: 2L * Mebibytes * 1024 * 1024);
}
