using OpenTelemetry;
using OpenTelemetry.Metrics;
using VirCommand.Tests.Examples;
using VirCommand.Tests.Running;

namespace VirCommand.Tests.Telemetry;

/// <summary>The meter's instruments, through the OpenTelemetry SDK and its in-memory exporter.</summary>
public sealed class MetricsTests : IDisposable
{
    private readonly LockedList<MetricSnapshot> _exported = new();
    private readonly MeterProvider _metrics;
    private readonly ManualClock _clock = new();
    private readonly ScriptedRunner _runner;

    public MetricsTests()
    {
        _metrics = Sdk.CreateMeterProviderBuilder().AddMeter(VirCommandTelemetry.Name).AddInMemoryExporter(_exported).Build();
        _runner = new ScriptedRunner(_clock);
    }

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public async Task Runs_started_failed_starts_children_running_durations_and_captured_bytes_are_measured_by_backend()
    {
        await _runner.RunAsync(Command.NewArgList("exit", "0", "hello").SetOutputBuffer());
        await Record.ExceptionAsync(() => _runner.RunAsync(Command.NewArgList("exit", "3")));
        await Record.ExceptionAsync(() => _runner.RunAsync(Command.NewArgList("die", "SIGSEGV")));
        await Record.ExceptionAsync(() => _runner.RunAsync(Command.New("missing")));
        var sleeper = await _runner.StartAsync(Command.New("sleeper"));

        Assert.Equal(4, Sum("vircommand.run.started", "{run}"));
        Assert.Equal(1, Sum("vircommand.run.failed_starts", "{run}", ("vircommand.start.stage", "Exec")));
        Assert.Equal(1, Sum("vircommand.run.active", "{process}"));
        Assert.Equal(5, Sum("vircommand.run.captured", "By", ("vircommand.stream", "stdout")));
        Assert.Equal(0, Sum("vircommand.run.captured", "By", ("vircommand.stream", "stderr")));
        foreach (var outcome in new[] { "success", "exit_code", "signal" })
            Assert.Equal((1, 0.0), Histogram(outcome));

        _clock.Advance(TimeSpan.FromSeconds(3));
        await sleeper.DisposeAsync();

        Assert.Equal(0, Sum("vircommand.run.active", "{process}"));
        Assert.Equal((1, 3.0), Histogram("aborted"));
    }

    /// <summary>The sum of <paramref name="name"/>'s points of this test's backend that carry <paramref name="tag"/>, if given.</summary>
    private long Sum(string name, string unit, (string Key, string Value)? tag = null) =>
        Points(name, unit, tag).Sum(p => p.GetSumLong());

    /// <summary>The count and sum of this backend's run durations with <paramref name="outcome"/>.</summary>
    private (long Count, double Sum) Histogram(string outcome)
    {
        var points = Points("vircommand.run.duration", "s", ("vircommand.run.outcome", outcome));
        return (points.Sum(p => p.GetHistogramCount()), points.Sum(p => p.GetHistogramSum()));
    }

    private List<MetricPoint> Points(string name, string unit, (string Key, string Value)? tag)
    {
        _exported.Clear();
        _metrics.ForceFlush();
        var metric = _exported.Snapshot().LastOrDefault(m => m.Name == name);
        if (metric is null)
            return [];
        Assert.Equal(unit, metric.Unit);
        return [.. metric.MetricPoints.Where(p => Tag(p, "vircommand.backend") == _runner.Backend && (tag is not { } t || Tag(p, t.Key) == t.Value))];
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
                return tag.Value?.ToString();
        }
        return null;
    }
}
