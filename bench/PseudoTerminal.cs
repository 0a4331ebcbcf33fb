// Pseudo-terminal throughput (issue 14): 64 MiB of `head -c` captured through a pipe and through a pty
// (SetPseudoTerminal, stdout on the terminal), interleaved in rounds, in one process.
// Run: dotnet run -c Release bench/PseudoTerminal.cs
#:project ../src/Backends.Posix/Backends.Posix.csproj
using System.Diagnostics;
using VirCommand;
using VirCommand.Backends.Posix;

var runner = new PosixCommandRunner();
const int Bytes = 64 * 1024 * 1024;
var script = $"head -c {Bytes} /dev/zero";
for (var round = 0; round < 3; round++)
{
    foreach (var pty in new[] { false, true })
    {
        var command = Command.NewArgList("/bin/sh", "-c", script).SetOutputBuffer().SetCaptureLimit(long.MaxValue);
        if (pty) command.SetPseudoTerminal(80, 24, TerminalStreams.Output);
        var sw = Stopwatch.StartNew();
        var result = await runner.RunAsync(command);
        sw.Stop();
        Console.WriteLine($"{(pty ? "pty " : "pipe")} {result.StandardOutputBytes.Length} bytes in {sw.ElapsedMilliseconds} ms: {Bytes / 1048576.0 / sw.Elapsed.TotalSeconds:F0} MiB/s");
    }
}
