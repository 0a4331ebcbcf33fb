namespace VirCommand.Tests.Building;

internal sealed class EnvironmentScope : IDisposable
{
    private readonly Dictionary<string, string?> _originals = new(StringComparer.Ordinal);

    public EnvironmentScope Set(string name, string? value)
    {
        _originals.TryAdd(name, System.Environment.GetEnvironmentVariable(name));
        System.Environment.SetEnvironmentVariable(name, value);
        return this;
    }

    public void Dispose()
    {
        foreach (var (name, value) in _originals)
            System.Environment.SetEnvironmentVariable(name, value);
    }
}
