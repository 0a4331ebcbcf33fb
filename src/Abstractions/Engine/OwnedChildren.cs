namespace VirCommand.Backends;

/// <summary>
/// The runs of one runner whose children it still owns: started, not yet reaped, not detached, not
/// daemons. Closing the set (the runner's shutdown) hands them over to be stopped and refuses every
/// later run. Thread-safe.
/// </summary>
internal sealed class OwnedChildren
{
    private readonly Lock _lock = new();
    private readonly HashSet<RunObserver> _runs = [];
    private bool _closed;

    /// <summary>True once the runner was shut down.</summary>
    public bool IsClosed
    {
        get { lock (_lock) return _closed; }
    }

    /// <summary>Takes <paramref name="run"/> in; false when the runner was shut down meanwhile (the caller stops it).</summary>
    public bool Add(RunObserver run)
    {
        lock (_lock)
            return !_closed && _runs.Add(run);
    }

    /// <summary>Lets go of <paramref name="run"/>: its child was reaped or detached.</summary>
    public void Remove(RunObserver run)
    {
        lock (_lock)
            _runs.Remove(run);
    }

    /// <summary>Closes the set and returns the runs it held; the second call returns none.</summary>
    public RunObserver[] Close()
    {
        lock (_lock)
        {
            _closed = true;
            RunObserver[] runs = [.. _runs];
            _runs.Clear();
            return runs;
        }
    }
}
