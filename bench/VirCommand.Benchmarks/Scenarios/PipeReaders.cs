using System.Diagnostics;
using System.Globalization;
using VirCommand.Benchmarks.Compare;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// The operations of the throughput scenario (P3), one per contender kind: spawn the writer
/// (<c>vircommand-writer MIB</c>), take all of its stdout, wait for it. Each returns the bytes it got,
/// and fails if the writer failed.
/// </summary>
internal static class PipeReaders
{
    /// <summary>The callers' read buffer: 1 MiB, like the raw C loop's, and reused, so the loop allocates nothing per read.</summary>
    private static readonly byte[] ReadBuffer = new byte[1024 * 1024];

    /// <summary>A backend (POSIX, managed): stdout to a pipe handed back as a stream, read to end-of-file and discarded.</summary>
    public static async Task<long> StreamAsync(ICommandRunner runner, int mebibytes)
    {
        using var command = Command.New(NativeTools.Writer).AddArg(Arg(mebibytes)).SetOutputPipe();
        await using var running = await runner.StartAsync(command);
        var output = running.StandardOutput ?? throw new InvalidOperationException("SetOutputPipe gave no stream.");
        var total = await DiscardAsync(output);
        await running.WaitAsync();
        return total;
    }

    /// <summary>A backend: stdout captured (<c>SetOutputBuffer</c>) by <c>RunAsync</c>, under <paramref name="captureLimit"/>.</summary>
    public static async Task<long> CaptureAsync(ICommandRunner runner, int mebibytes, long captureLimit)
    {
        using var command = Command.New(NativeTools.Writer).AddArg(Arg(mebibytes)).SetOutputBuffer().SetCaptureLimit(captureLimit);
        var result = await runner.RunAsync(command);
        return result.StandardOutputBytes.Length;
    }

    /// <summary><see cref="Process.Start(ProcessStartInfo)"/> with stdout redirected, its <c>BaseStream</c> read to end-of-file and discarded.</summary>
    public static async Task<long> ProcessStartAsync(int mebibytes)
    {
        var start = new ProcessStartInfo(NativeTools.Writer) { UseShellExecute = false, RedirectStandardOutput = true };
        start.ArgumentList.Add(Arg(mebibytes));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start started nothing.");
        var total = await DiscardAsync(process.StandardOutput.BaseStream);
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? total : throw new InvalidOperationException($"The writer exited with {process.ExitCode}.");
    }

    /// <summary>Reads <paramref name="stream"/> to its end into the one reused buffer; returns the byte count.</summary>
    private static async Task<long> DiscardAsync(Stream stream)
    {
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(ReadBuffer)) > 0)
            total += n;
        return total;
    }

    private static string Arg(int mebibytes) => mebibytes.ToString(CultureInfo.InvariantCulture);
}
