using Microsoft.Extensions.Logging;

namespace VirCommand.Tests.DependencyInjection;

/// <summary>Collects log entries, for tests that check what was logged.</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    public List<(LogLevel Level, string Message)> Entries { get; } = [];

    public ILogger CreateLogger(string categoryName) => new ListLogger(this);

    public void Dispose()
    {
    }

    private sealed class ListLogger(ListLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (provider.Entries)
                provider.Entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
