using VirCommand.Backends.Managed;
using VirCommand.Backends.Posix;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>The backends the scenarios compare, one runner each with default options, shared by every scenario of a comparison.</summary>
internal sealed record Runners(PosixCommandRunner Posix, ManagedCommandRunner Managed)
{
    public static Runners CreateDefault() => new(new PosixCommandRunner(), new ManagedCommandRunner());
}
