// A worker service that drives system tools through VirCommand: the runner comes from dependency
// injection, the host's Ctrl+C (or SIGTERM) stops the long child cleanly, and the library's traces and
// metrics go to the console exporter. Run it with `dotnet run --project samples/VirCommand.WorkerSample`
// and press Ctrl+C.
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using VirCommand;
using VirCommand.Samples.Worker;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddVirCommand(options =>
{
    options.KillGracePeriod = TimeSpan.FromSeconds(3);
    options.CommandLogLevel = LogLevel.Information;
    // Children die with this service even if it is killed outright, where the backend can promise it (POSIX).
    if (BackendChoice.ForThisMachine().Backend == "posix")
        options.ParentDeathSignal = Signal.SIGTERM;
});
builder.Services.AddOpenTelemetry()
    .WithTracing(tracing => tracing.AddSource(VirCommandTelemetry.Name).AddConsoleExporter())
    .WithMetrics(metrics => metrics.AddMeter(VirCommandTelemetry.Name)
        .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 10_000));
builder.Services.AddHostedService<Worker>();

await builder.Build().RunAsync();
