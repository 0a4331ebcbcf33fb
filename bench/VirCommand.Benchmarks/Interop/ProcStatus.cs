using System.Globalization;

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

    /// <summary>The number of threads of this process now.</summary>
    public static int Threads() => (int)Field("Threads:");

    /// <summary>
    /// Resets the peak resident set size (VmHWM) to the current one: writing <c>5</c> to
    /// <c>/proc/self/clear_refs</c> (Linux 4.0 and later; a process may always write its own).
    /// </summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static long Kibibytes(string name) => Field(name);

    /// <summary>The first number on the line starting with <paramref name="name"/>.</summary>
    private static long Field(string name)
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
}
