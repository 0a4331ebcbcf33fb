namespace VirCommand.Backends.Posix.Spawning;

/// <summary>A start failure found before the command line is at hand; the runner turns it into a <see cref="CommandStartException"/>.</summary>
internal sealed class StartFailure(StartStage stage, int errno, string? detail = null) : Exception($"{stage}: errno {errno}")
{
    public StartStage Stage { get; } = stage;

    public int Errno { get; } = errno;

    public string? Detail { get; } = detail;
}
