using Microsoft.Extensions.Logging;

namespace VirCommand.Tests.Telemetry;

/// <summary>
/// Keeps each entry's structured fields as the logger got them (FakeLogger keeps them formatted as
/// strings), so that a test can check a field is a number.
/// </summary>
internal sealed class StateLoggerProvider : ILoggerProvider
{
    private readonly List<(string? EventName, IReadOnlyList<KeyValuePair<string, object?>> Fields)> _entries = [];

    /// <summary>The value of <paramref name="field"/> in the only entry named <paramref name="eventName"/>.</summary>
    public object? Field(string eventName, string field)
    {
        lock (_entries)
            return Assert.Single(_entries, e => e.EventName == eventName).Fields.Single(p => p.Key == field).Value;
    }

    public ILogger CreateLogger(string categoryName) => new StateLogger(this);

    public void Dispose()
    {
    }

    private sealed class StateLogger(StateLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                lock (provider._entries)
                    provider._entries.Add((eventId.Name, [.. fields]));
            }
        }
    }
}
