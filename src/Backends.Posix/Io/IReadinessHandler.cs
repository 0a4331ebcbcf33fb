namespace VirCommand.Backends.Posix.Io;

/// <summary>
/// Something the event loop wakes when its fd is ready. It runs on the loop thread, so it must not
/// block: it does non-blocking reads and writes and completes tasks whose continuations run elsewhere.
/// </summary>
internal interface IReadinessHandler
{
    void OnReady(uint events);
}
