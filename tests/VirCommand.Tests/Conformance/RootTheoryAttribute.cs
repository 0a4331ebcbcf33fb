using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>A conformance theory that needs root (uid/gid changes, capabilities); it says why when it skips.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "needs Linux: the proofs read the probe's report of ids and capabilities";
        else if (LibC.GetEuid() != 0)
            Skip = "needs root (euid 0): only root may change uid/gid or capabilities";
    }
}
