using System.Diagnostics;
using VirCommand.Backends.Posix;
using VirCommand.Benchmarks.Compare;
using VirCommand.Benchmarks.Interop;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// P3: 1 GiB of a child's stdout through a pipe, read and discarded or captured, against a raw C read
/// loop; and the peak memory of the capture. Every contender spawns the same fast writer
/// (<c>bench/native/writer.c</c>, one write(2) per MiB), so only the reading side differs.
/// </summary>
internal sealed class PipeThroughput : IScenario
{
    public const int Mebibytes = 1024;
    public const long Bytes = Mebibytes * 1024L * 1024;

    /// <summary>
    /// The capture's limit: room above the 1 GiB, as a caller who expects about that much would give, so that
    /// the capture is measured as it grows, not cut to an exact fit.
    /// </summary>
    public const long CaptureLimit = 4 * Bytes;
    public const string CLoopId = "P3.c-loop";
    public const string CCaptureId = "P3.c-capture";
    public const string PosixStreamId = "P3.posix-stream";
    public const string PosixCaptureId = "P3.posix-capture";
    public const string ProcessStartId = "P3.process-start";

    /// <summary>Per capture: peak resident memory above the level before the run, over the bytes captured.</summary>
    private readonly List<double> _peakOverCaptured = [];

    public PipeThroughput(PosixCommandRunner runner)
    {
        Contenders =
        [
            new(CLoopId, "raw C read loop (blocking read(2), 1 MiB buffer)", n => ReadLoop.TimeEachAsync(n, Mebibytes, capture: false)) { RunsElsewhere = true },
            new(CCaptureId, "raw C capture loop (blocking read(2) into a buffer doubled by realloc)", n => ReadLoop.TimeEachAsync(n, Mebibytes, capture: true)) { RunsElsewhere = true },
            new(PosixStreamId, "POSIX `SetOutputPipe`, stream read and discarded", n => Sampler.TimeEachAsync(n, () => Expect(PipeReaders.PosixStreamAsync(runner, Mebibytes)))),
            new(PosixCaptureId, "POSIX `SetOutputBuffer` + `RunAsync` (capture)", n => MeasureCaptureAsync(runner, n)),
            new(ProcessStartId, "`Process.Start`, `BaseStream` read and discarded", n => Sampler.TimeEachAsync(n, () => Expect(PipeReaders.ProcessStartAsync(Mebibytes)))),
            // The managed backend (VirCommand.Backends.Managed) gets a stream and a capture contender here once it lands on main.
        ];
    }

    public string Id => "P3";

    public string Title => $"{Mebibytes / 1024} GiB of child stdout through a pipe";

    public string Description =>
        $"Per run: spawn `vircommand-writer {Mebibytes}` (writes {Mebibytes} × a static 1 MiB buffer to stdout), take all of its stdout, wait for it; " +
        "timed from before the spawn to after the wait. The raw C loop reads with a blocking read(2) into a 1 MiB buffer and times itself; " +
        "the stream contenders read the returned stream with `ReadAsync` into one reused 1 MiB buffer; the capture runs with " +
        $"`SetCaptureLimit({CaptureLimit / Bytes} GiB)`. Pipes keep the kernel's default size unless a contender's library changes it. " +
        "Peak memory of the capture: the process's peak resident set (VmHWM, reset through /proc/self/clear_refs before each run, " +
        "after an aggressive, decommitting GC) minus its resident set just before the run, over the bytes captured.";

    public IReadOnlyList<string> Requires => [];

    public string BaselineId => CLoopId;

    public IReadOnlyList<Contender> Contenders { get; }

    public IReadOnlyList<Ratio> Ratios { get; } =
    [
        new("POSIX stream throughput / raw C loop's", CLoopId, PosixStreamId, Target.Min(0.80)),
        new("POSIX capture throughput / raw C capture loop's", CCaptureId, PosixCaptureId, Target.Min(0.80)),
        new("POSIX capture throughput / raw C loop's (capture vs discard: bounded by page faults)", CLoopId, PosixCaptureId, Target.Min(0.80)),
        new("raw C capture throughput / raw C loop's (the kernel's price of keeping the bytes)", CLoopId, CCaptureId),
        new("Process.Start stream throughput / raw C loop's", CLoopId, ProcessStartId),
        new("POSIX stream throughput / Process.Start stream's", ProcessStartId, PosixStreamId),
    ];

    /// <summary>1 GiB per run: one run per round, five rounds, no warm-up beyond the first untimed run.</summary>
    public Plan Defaults => new(Runs: 1, Rounds: 5, Warmup: 0);

    public Rate Rate => new("MiB/s", Mebibytes);

    public IReadOnlyList<Figure> Figures() => _peakOverCaptured.Count == 0 ? [] :
    [
        new("POSIX capture: peak resident memory / bytes captured (median of runs)", Sampler.Median(_peakOverCaptured), "0.00", "×", Target.Max(1.5)),
        new("POSIX capture: peak resident memory / bytes captured (worst run)", _peakOverCaptured.Max(), "0.00", "×", Target.Max(1.5)),
    ];

    public void Dispose()
    {
    }

    private static async Task Expect(Task<long> read)
    {
        var bytes = await read;
        if (bytes != Bytes)
            throw new InvalidOperationException($"Read {bytes} bytes instead of {Bytes}.");
    }

    /// <summary>Times each capture, and records its peak memory around it (outside the timing).</summary>
    private async Task<double[]> MeasureCaptureAsync(PosixCommandRunner runner, int count)
    {
        var ns = new double[count];
        for (var i = 0; i < count; i++)
        {
            // Give the last capture's memory back to the kernel, so that this one cannot reuse pages already resident.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            ProcStatus.ResetPeak();
            var before = ProcStatus.ResidentBytes();
            var start = Stopwatch.GetTimestamp();
            await Expect(PipeReaders.PosixCaptureAsync(runner, Mebibytes, CaptureLimit));
            ns[i] = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            _peakOverCaptured.Add((double)(ProcStatus.PeakResidentBytes() - before) / Bytes);
        }
        return ns;
    }
}
