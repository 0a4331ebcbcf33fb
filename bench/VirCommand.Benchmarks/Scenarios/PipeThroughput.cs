using System.Diagnostics;
using VirCommand.Benchmarks.Compare;
using VirCommand.Benchmarks.Interop;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// P3: 1 GiB of a child's stdout through a pipe, read and discarded or captured, against raw C read loops;
/// and the peak memory of the captures. Every contender spawns the same fast writer
/// (<c>bench/native/writer.c</c>, one write(2) per MiB), so only the reading side differs.
/// </summary>
internal sealed class PipeThroughput : IScenario
{
    public const int Mebibytes = 1024;
    public const long Bytes = Mebibytes * 1024L * 1024;

    /// <summary>
    /// The captures' limit: room above the 1 GiB, as a caller who expects about that much would give, so that
    /// the capture is measured as it grows, not cut to an exact fit.
    /// </summary>
    public const long CaptureLimit = 4 * Bytes;

    /// <summary>The pipe size of the second raw C loop: what the POSIX backend grows a busy pipe to.</summary>
    public const int BigPipe = 1024 * 1024;
    public const string CLoopId = "P3.c-loop";
    public const string CLoopBigPipeId = "P3.c-loop-1m-pipe";
    public const string CCaptureId = "P3.c-capture";
    public const string PosixStreamId = "P3.posix-stream";
    public const string PosixCaptureId = "P3.posix-capture";
    public const string ManagedStreamId = "P3.managed-stream";
    public const string ManagedCaptureId = "P3.managed-capture";
    public const string ProcessStartId = "P3.process-start";

    /// <summary>Per capture contender, per run: peak resident memory above the level before the run, over the bytes captured.</summary>
    private readonly Dictionary<string, List<double>> _peakOverCaptured = new()
    {
        [PosixCaptureId] = [],
        [ManagedCaptureId] = [],
    };

    public PipeThroughput(Runners runners)
    {
        Contenders =
        [
            new(CLoopId, "raw C read loop (blocking read(2), 1 MiB buffer)", n => ReadLoop.TimeEachAsync(n, Mebibytes)) { RunsElsewhere = true },
            new(CLoopBigPipeId, "raw C read loop, pipe grown to 1 MiB (F_SETPIPE_SZ)", n => ReadLoop.TimeEachAsync(n, Mebibytes, pipeSize: BigPipe)) { RunsElsewhere = true },
            new(CCaptureId, "raw C capture loop (blocking read(2) into a buffer doubled by realloc)", n => ReadLoop.TimeEachAsync(n, Mebibytes, capture: true)) { RunsElsewhere = true },
            new(PosixStreamId, "POSIX `SetOutputPipe`, stream read and discarded", n => Sampler.TimeEachAsync(n, () => Expect(PipeReaders.StreamAsync(runners.Posix, Mebibytes)))),
            new(PosixCaptureId, "POSIX `SetOutputBuffer` + `RunAsync` (capture)", n => MeasureCaptureAsync(runners.Posix, PosixCaptureId, n)),
            new(ManagedStreamId, "managed `SetOutputPipe`, stream read and discarded", n => Sampler.TimeEachAsync(n, () => Expect(PipeReaders.StreamAsync(runners.Managed, Mebibytes)))),
            new(ManagedCaptureId, "managed `SetOutputBuffer` + `RunAsync` (capture)", n => MeasureCaptureAsync(runners.Managed, ManagedCaptureId, n)),
            new(ProcessStartId, "`Process.Start`, `BaseStream` read and discarded", n => Sampler.TimeEachAsync(n, () => Expect(PipeReaders.ProcessStartAsync(Mebibytes)))),
        ];
    }

    public string Id => "P3";

    public string Title => $"{Mebibytes / 1024} GiB of child stdout through a pipe";

    public string Description =>
        $"Per run: spawn `vircommand-writer {Mebibytes}` (writes {Mebibytes} × a static 1 MiB buffer to stdout), take all of its stdout, wait for it; " +
        "timed from before the spawn to after the wait. The raw C loop reads with a blocking read(2) into a 1 MiB buffer and times itself, " +
        $"with the kernel's default pipe size, and again with the pipe grown to {BigPipe / 1024} KiB as the POSIX backend grows a busy pipe; " +
        "the raw C capture loop reads into a buffer that starts at 64 KiB and doubles with realloc (mremap, no copy), freed after each run (untimed): " +
        "what faulting in 1 GiB of fresh memory costs, which bounds every capture. " +
        "The stream contenders read the returned stream with `ReadAsync` into one reused 1 MiB buffer; the captures run with " +
        $"`SetCaptureLimit({CaptureLimit / Bytes} GiB)`. " +
        "Peak memory of a capture: the process's peak resident set (VmHWM, reset through /proc/self/clear_refs before each run, " +
        "after an aggressive, decommitting GC) minus its resident set just before the run, over the bytes captured; over the runs of the rounds.";

    public IReadOnlyList<string> Requires => [];

    public string BaselineId => CLoopId;

    public IReadOnlyList<Contender> Contenders { get; }

    // Time ratios upside down (baseline / contender): each is the contender's throughput over the baseline's.
    public IReadOnlyList<Ratio> Ratios { get; } =
    [
        new("POSIX stream throughput / raw C loop's", CLoopId, PosixStreamId, Target.Min(0.80)),
        new("POSIX stream throughput / raw C loop's with a 1 MiB pipe", CLoopBigPipeId, PosixStreamId),
        new("POSIX capture throughput / raw C capture loop's", CCaptureId, PosixCaptureId, Target.Min(0.80)),
        new("POSIX capture throughput / raw C loop's (capture vs discard)", CLoopId, PosixCaptureId, Target.Min(0.80)),
        new("raw C capture throughput / raw C loop's (the kernel's price of keeping the bytes)", CLoopId, CCaptureId),
        new("managed stream throughput / raw C loop's", CLoopId, ManagedStreamId),
        new("managed capture throughput / raw C capture loop's", CCaptureId, ManagedCaptureId),
        new("Process.Start stream throughput / raw C loop's", CLoopId, ProcessStartId),
        new("POSIX stream throughput / Process.Start stream's", ProcessStartId, PosixStreamId),
    ];

    /// <summary>1 GiB per run: one run per round, five rounds, no warm-up beyond the first untimed run.</summary>
    public Plan Defaults => new(Runs: 1, Rounds: 5, Warmup: 0);

    public Rate Rate => new("MiB/s", Mebibytes);

    public IReadOnlyList<Figure> Figures()
    {
        var figures = new List<Figure>();
        foreach (var (id, name, target) in new[] { (PosixCaptureId, "POSIX", true), (ManagedCaptureId, "managed", false) })
        {
            var peaks = _peakOverCaptured[id];
            if (peaks.Count == 0)
                continue;
            figures.Add(new($"{name} capture: peak resident memory / bytes captured (median of runs)", Sampler.Median(peaks), "0.00", "×", target ? Target.Max(1.5) : null));
            figures.Add(new($"{name} capture: peak resident memory / bytes captured (worst run)", peaks.Max(), "0.00", "×", target ? Target.Max(1.5) : null));
        }
        return figures;
    }

    public void BeginRounds()
    {
        foreach (var peaks in _peakOverCaptured.Values)
            peaks.Clear();
    }

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
    private async Task<double[]> MeasureCaptureAsync(ICommandRunner runner, string id, int count)
    {
        var ns = new double[count];
        for (var i = 0; i < count; i++)
        {
            // Give the last capture's memory back to the kernel, so that this one cannot reuse pages already resident.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            ProcStatus.ResetPeak();
            var before = ProcStatus.ResidentBytes();
            var start = Stopwatch.GetTimestamp();
            await Expect(PipeReaders.CaptureAsync(runner, Mebibytes, CaptureLimit));
            ns[i] = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            _peakOverCaptured[id].Add((double)(ProcStatus.PeakResidentBytes() - before) / Bytes);
        }
        return ns;
    }
}
