using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>What one feature case works with: the backend, a fresh runner of it, a temporary directory, and the handles to close afterwards.</summary>
internal sealed class FeatureContext : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public FeatureContext(ConformanceBackend backend)
    {
        Backend = backend;
        Runner = backend.CreateRunner();
    }

    public ConformanceBackend Backend { get; }

    public ICommandRunner Runner { get; }

    public TempDir Dir { get; } = new();

    /// <summary>Keeps <paramref name="disposable"/> until the case ends.</summary>
    public T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>A file in <see cref="Dir"/> opened for reading and writing, closed when the case ends.</summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle OpenFile(string name) =>
        Own(File.OpenHandle(Dir.File(name), FileMode.Create, FileAccess.ReadWrite));

    /// <summary>Runs the probe with its stdout captured and parses the report.</summary>
    public async Task<ProbeReport> ReportAsync(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return ProbeReport.Parse((await Runner.RunAsync(command.SetOutputBuffer()).OrHang()).StandardOutput);
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
            owned.Dispose();
        Dir.Dispose();
    }
}
