using System.Diagnostics;
using System.Text;
using CliWrap;
using CliWrap.EventStream;


namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// The operations of P3W and P3L: spawn a <see cref="Writer"/>, take all of its stdout through a stream read with a
/// given buffer size, or line by line, wait for it. Each returns the bytes it got (lines count their newline), and
/// fails if the writer failed.
/// </summary>
internal static class WriterReaders
{
    /// <summary>A backend's stream (<c>SetOutputPipe</c>), read with <paramref name="buffer"/> to end-of-file.</summary>
    public static async Task<long> StreamAsync(ICommandRunner runner, Writer writer, byte[] buffer)
    {
        using var command = Command.New(writer.Program).AddArgSet(writer.Arguments).SetOutputPipe();
        await using var running = await runner.StartAsync(command);
        var output = running.StandardOutput ?? throw new InvalidOperationException("SetOutputPipe gave no stream.");
        var total = await DiscardAsync(output, buffer);
        await running.WaitAsync();
        return total;
    }

    /// <summary>CliWrap: its stdout pipe target is a delegate that reads the stream it is given with <paramref name="buffer"/>.</summary>
    public static async Task<long> CliWrapStreamAsync(Writer writer, byte[] buffer)
    {
        long total = 0;
        var target = PipeTarget.Create(async (origin, cancellationToken) => total = await DiscardAsync(origin, buffer, cancellationToken));
        await Cli.Wrap(writer.Program).WithArguments(writer.Arguments).WithStandardOutputPipe(target).ExecuteAsync();
        return total;
    }

    /// <summary><see cref="Process.Start(ProcessStartInfo)"/>, its stdout's <c>BaseStream</c> read with <paramref name="buffer"/>.</summary>
    public static async Task<long> ProcessStreamAsync(Writer writer, byte[] buffer)
    {
        using var process = Process.Start(StartInfo(writer)) ?? throw new InvalidOperationException("Process.Start started nothing.");
        var total = await DiscardAsync(process.StandardOutput.BaseStream, buffer);
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? total : throw new InvalidOperationException($"The writer exited with {process.ExitCode}.");
    }

    /// <summary>A backend's <c>runner.ListenAsync(command)</c>: every stdout line event.</summary>
    public static async Task<long> ListenAsync(ICommandRunner runner, Writer writer)
    {
        using var command = Command.New(writer.Program).AddArgSet(writer.Arguments);
        long total = 0;
        await foreach (var e in runner.ListenAsync(command))
        {
            switch (e)
            {
                case StandardOutputLine line:
                    total += line.Text.Length + (line.IsPartial ? 0 : 1);
                    break;
                case CommandExited exited when exited.Result.ExitCode != 0:
                    throw new InvalidOperationException($"The writer exited with {exited.Result.ExitCode}.");
            }
        }
        return total;
    }

    /// <summary>CliWrap's <c>ListenAsync</c>: every stdout line event.</summary>
    public static async Task<long> CliWrapListenAsync(Writer writer)
    {
        long total = 0;
        await foreach (var e in Cli.Wrap(writer.Program).WithArguments(writer.Arguments).ListenAsync())
        {
            if (e is StandardOutputCommandEvent line)
                total += line.Text.Length + 1;
        }
        return total;
    }

    /// <summary><see cref="Process.Start(ProcessStartInfo)"/>, <c>StandardOutput.ReadLineAsync</c> to the end.</summary>
    public static async Task<long> ProcessLinesAsync(Writer writer)
    {
        using var process = Process.Start(StartInfo(writer)) ?? throw new InvalidOperationException("Process.Start started nothing.");
        long total = 0;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
            total += line.Length + 1;
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? total : throw new InvalidOperationException($"The writer exited with {process.ExitCode}.");
    }

    private static ProcessStartInfo StartInfo(Writer writer)
    {
        var start = new ProcessStartInfo(writer.Program) { UseShellExecute = false, RedirectStandardOutput = true, StandardOutputEncoding = Encoding.UTF8 };
        foreach (var argument in writer.Arguments)
            start.ArgumentList.Add(argument);
        return start;
    }

    private static async Task<long> DiscardAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken = default)
    {
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            total += n;
        return total;
    }
}
