namespace VirCommand;

/// <summary>Which backend <c>AddVirCommand</c> chose, and why (also logged when the runner is created).</summary>
/// <param name="Backend">"posix" or "managed".</param>
/// <param name="Reason">Why, in one sentence.</param>
public sealed record BackendChoice(string Backend, string Reason)
{
    /// <summary>POSIX where it can run, managed otherwise.</summary>
    public static BackendChoice ForThisMachine() => Choose(Backends.Posix.PosixSupport.IsAvailable, Backends.Posix.PosixSupport.Reason);

    internal static BackendChoice Choose(bool posixAvailable, string posixReason) => posixAvailable
        ? new BackendChoice("posix", $"the POSIX backend can run here: {posixReason}")
        : new BackendChoice("managed", $"the POSIX backend cannot run here: {posixReason}; the managed backend refuses what it cannot honour");
}
