using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace VirCommand;

/// <summary>
/// The names under which every runner reports its runs: one <see cref="ActivitySource"/> and one
/// <see cref="Meter"/>, both named <see cref="Name"/>, through the framework's
/// <c>System.Diagnostics</c> APIs alone (an application collects them with OpenTelemetry's
/// <c>AddSource(VirCommandTelemetry.Name)</c> and <c>AddMeter(VirCommandTelemetry.Name)</c>, or any listener).
/// </summary>
/// <remarks>
/// Every run of every backend that started a child, or failed to, is one activity and a set of
/// measurements, taken once by the run engine; the README lists the instruments, the span
/// attributes and the outcomes. A command refused before anything was spawned (invalid,
/// unsupported, already cancelled) is reported only by its exception.
/// </remarks>
public static class VirCommandTelemetry
{
    /// <summary>The name of the activity source and of the meter: <c>VirCommand</c>.</summary>
    public const string Name = "VirCommand";

    /// <summary>The activity source of runs: one activity per run, from the spawn until the child is reaped.</summary>
    internal static readonly ActivitySource Source = new(Name, Version);

    private static readonly Meter Meter = new(Name, Version);

    /// <summary><c>vircommand.run.started</c>: children spawned.</summary>
    internal static readonly Counter<long> RunsStarted = Meter.CreateCounter<long>(
        "vircommand.run.started", "{run}", "Children the runners spawned.");

    /// <summary><c>vircommand.run.failed_starts</c>: runs whose child could not be started, by stage.</summary>
    internal static readonly Counter<long> FailedStarts = Meter.CreateCounter<long>(
        "vircommand.run.failed_starts", "{run}", "Runs whose child could not be started, by the stage that failed.");

    /// <summary><c>vircommand.run.active</c>: children started and not yet reaped.</summary>
    internal static readonly UpDownCounter<long> Active = Meter.CreateUpDownCounter<long>(
        "vircommand.run.active", "{process}", "Children started and not yet reaped.");

    /// <summary><c>vircommand.run.duration</c>: from the spawn until the child was reaped, by outcome.</summary>
    internal static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "vircommand.run.duration", "s", "How long children ran, from the spawn until they were reaped, by outcome.",
        tags: null, advice: new InstrumentAdvice<double>
        {
            // Children run from milliseconds (a quick tool) to hours (a service's helper).
            HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
        });

    /// <summary><c>vircommand.run.captured</c>: bytes captured from children's output, by stream.</summary>
    internal static readonly Counter<long> Captured = Meter.CreateCounter<long>(
        "vircommand.run.captured", "By", "Bytes captured from children's stdout and stderr.");

    /// <summary>Attribute: the backend's <see cref="ICommandRunner.Name"/>.</summary>
    internal const string Backend = "vircommand.backend";

    /// <summary>Attribute: how a run ended (<see cref="Backends.RunOutcome"/>).</summary>
    internal const string Outcome = "vircommand.run.outcome";

    /// <summary>Attribute: the <see cref="StartStage"/> that failed.</summary>
    internal const string Stage = "vircommand.start.stage";

    /// <summary>Attribute: the captured stream, <c>stdout</c> or <c>stderr</c>.</summary>
    internal const string Stream = "vircommand.stream";

    /// <summary>Attribute: the number of the signal that killed the child.</summary>
    internal const string SignalNumber = "vircommand.signal";

    private static string? Version => typeof(VirCommandTelemetry).Assembly.GetName().Version?.ToString();
}
