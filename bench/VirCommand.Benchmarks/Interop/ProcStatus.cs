using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace VirCommand.Benchmarks.Interop;

/// <summary>
/// This process's memory and thread figures from <c>/proc/self/status</c>, as the kernel counts them
/// (resident memory, whoever allocated it: managed heap, native buffers, the runtime itself).
/// </summary>
internal static class ProcStatus
{
    /// <summary>Resident set size now (VmRSS), in bytes.</summary>
    public static long ResidentBytes() => Kibibytes("VmRSS:") * 1024;

    /// <summary>Peak resident set size (VmHWM) since the process started or since <see cref="ResetPeak"/>, in bytes.</summary>
    public static long PeakResidentBytes() => Kibibytes("VmHWM:") * 1024;

    /// <summary>
    /// Resets the peak resident set size (VmHWM) to the current one: writing <c>5</c> to
    /// <c>/proc/self/clear_refs</c> (Linux 4.0 and later; a process may always write its own).
    /// </summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    /// <summary>The first number on the line starting with <paramref name="name"/> (a size in KiB).</summary>
    private static long Kibibytes(string name)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal))
                continue;
            var value = line.AsSpan(name.Length).Trim();
            var end = value.IndexOf(' ');
            return long.Parse(end < 0 ? value : value[..end], NumberStyles.None, CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"/proc/self/status has no {name} line.");
    }

    /// <summary>
    /// Reads this process's thread count (<c>Threads:</c>) without allocating: one open handle on
    /// <c>/proc/self/status</c>, read again from offset 0 (procfs regenerates it) into one buffer. For a
    /// sampler that reads it every few milliseconds and must not disturb the allocation figures.
    /// </summary>
    public sealed class ThreadCounter : IDisposable
    {
        private static readonly byte[] Name = Encoding.ASCII.GetBytes("\nThreads:");
        private readonly SafeFileHandle _status = File.OpenHandle("/proc/self/status");
        private readonly byte[] _buffer = new byte[16 * 1024];

        public int Read()
        {
            var text = _buffer.AsSpan(0, RandomAccess.Read(_status, _buffer, 0));
            var at = text.IndexOf(Name);
            if (at < 0)
                throw new InvalidOperationException("/proc/self/status has no Threads: line.");
            var value = text[(at + Name.Length)..].TrimStart("\t "u8);
            var count = 0;
            foreach (var c in value)
            {
                if (c is < (byte)'0' or > (byte)'9')
                    break;
                count = (count * 10) + (c - '0');
            }
            return count;
        }

        public void Dispose() => _status.Dispose();
    }
}
