namespace VirCommand.Backends.Posix.Io;

/// <summary>Where a <see cref="ReadChannel"/> puts what it reads: the channel reads straight into the sink's memory.</summary>
internal interface IOutputSink
{
    /// <summary>Free space to read into; never empty.</summary>
    Span<byte> GetSpan();

    /// <summary>Takes <paramref name="count"/> bytes just read into the last span.</summary>
    void Advance(int count);
}
