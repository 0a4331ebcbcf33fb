namespace VirCommand.Tests.Telemetry;

/// <summary>
/// An exporter's collection that other tests' runs may add to from other threads while a test reads
/// it: every access takes one lock, and <see cref="Snapshot"/> copies.
/// </summary>
internal sealed class LockedList<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    public int Count
    {
        get { lock (_items) return _items.Count; }
    }

    public bool IsReadOnly => false;

    public T[] Snapshot()
    {
        lock (_items) return [.. _items];
    }

    public void Add(T item)
    {
        lock (_items) _items.Add(item);
    }

    public void Clear()
    {
        lock (_items) _items.Clear();
    }

    public bool Contains(T item)
    {
        lock (_items) return _items.Contains(item);
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_items) _items.CopyTo(array, arrayIndex);
    }

    public bool Remove(T item)
    {
        lock (_items) return _items.Remove(item);
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Snapshot()).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
