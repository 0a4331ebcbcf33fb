using System.Diagnostics;
using System.Globalization;

namespace VirCommand.Benchmarks.Compare;

/// <summary>
/// The raw C read loop (<c>bench/native/readloop.c</c>, built next to this program as
/// <c>vircommand-readloop</c>): per batch, one run of the helper that spawns the writer that many times,
/// reads each run's output to end-of-file in a blocking read(2) loop and reports the time of each run as
/// it measured it itself; with <c>capture</c>, it keeps what it reads in a buffer that doubles with realloc
/// instead (<c>-c</c>); with <c>pipeSize</c>, it sets its pipes' size with F_SETPIPE_SZ (<c>-p</c>). Starting the helper is outside its measured runs; at a second or more per 1 GiB run,
/// it needs no long-lived server like the spawn loop.
/// </summary>
internal static class ReadLoop
{
    /// <returns>The ns of each of <paramref name="runs"/> spawn + read of <paramref name="mebibytes"/> MiB + waitpid.</returns>
    public static async Task<double[]> TimeEachAsync(int runs, int mebibytes, bool capture = false, int pipeSize = 0)
    {
        var start = new ProcessStartInfo(NativeTools.ReadLoop)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
        };
        if (capture)
            start.ArgumentList.Add("-c");
        if (pipeSize > 0)
        {
            start.ArgumentList.Add("-p");
            start.ArgumentList.Add(pipeSize.ToString(CultureInfo.InvariantCulture));
        }
        foreach (var arg in new[] { "-n", runs.ToString(CultureInfo.InvariantCulture), NativeTools.Writer, mebibytes.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        using var helper = Process.Start(start) ?? throw new InvalidOperationException("Could not start the raw C read loop.");

        var ns = await NativeTools.ReadTimesAsync(helper.StandardOutput, runs, "raw C read loop");
        await helper.WaitForExitAsync();
        return helper.ExitCode == 0 ? ns : throw new InvalidOperationException($"The raw C read loop exited with {helper.ExitCode}.");
    }
}
