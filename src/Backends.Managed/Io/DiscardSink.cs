namespace VirCommand.Backends.Managed.Io;

/// <summary>
/// An output the command sends to the null device. <see cref="System.Diagnostics.Process"/> cannot open
/// one for the child, so the output comes through a pipe that is read and dropped: the child sees a
/// pipe where the POSIX backend gives it /dev/null, but never blocks on it and never reaches the
/// parent's own stdout.
/// </summary>
internal sealed class DiscardSink : OutputSink
{
    protected override void Append(ReadOnlySpan<byte> data)
    {
    }
}
