using System.Diagnostics;
using System.Globalization;

namespace VirCommand.Benchmarks.Compare;

/// <summary>
/// The raw C loop (<c>bench/native/spawnloop.c</c>, built next to this program as
/// <c>vircommand-spawnloop</c>): one long-lived helper process per configuration, started on first use
/// and kept warm (a fresh process's first spawns are slower), which runs batches on request and reports
/// the time of each spawn as it measured it itself. Starting the helper is outside its measured loop.
/// </summary>
internal sealed class SpawnLoop(string program, int extraFds = 0) : IDisposable
{
    private Process? _helper;

    /// <returns>The ns of each of <paramref name="spawns"/> vfork + execve + waitpid of the program.</returns>
    public async Task<double[]> TimeEachAsync(int spawns)
    {
        var helper = _helper ??= Start();
        await helper.StandardInput.WriteLineAsync(spawns.ToString(CultureInfo.InvariantCulture));
        await helper.StandardInput.FlushAsync();
        return await NativeTools.ReadTimesAsync(helper.StandardOutput, spawns, "raw C loop helper");
    }

    public void Dispose()
    {
        if (_helper is null)
            return;
        _helper.StandardInput.Close(); // end of input: the helper exits
        if (!_helper.WaitForExit(TimeSpan.FromSeconds(10)))
            _helper.Kill();
        _helper.Dispose();
        _helper = null;
    }

    private Process Start()
    {
        var start = new ProcessStartInfo(NativeTools.SpawnLoop)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        start.ArgumentList.Add("-s");
        if (extraFds > 0)
        {
            start.ArgumentList.Add("-f");
            start.ArgumentList.Add(extraFds.ToString(CultureInfo.InvariantCulture));
        }
        start.ArgumentList.Add(program);
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the raw C loop helper.");
    }
}
