// The SSH backend measured (issue 17), side by side in one run: per-run latency of `true` over the warm
// master connection vs a fresh `ssh host true` (a new connection and handshake each), and the throughput of
// MiB of stdout read through SshCommandRunner vs read from a plain `ssh host head -c` by Process.
// Run through bench/ssh.sh, which starts a temporary sshd: bench/ssh.sh [RUNS, default 200] [MIB, default 256]
#:project ../src/Backends.Ssh/Backends.Ssh.csproj
using System.Diagnostics;
using System.Globalization;
using VirCommand;
using VirCommand.Backends.Ssh;

var config = args[0];
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
var mib = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 256;
await using var runner = new SshCommandRunner(new SshOptions { Host = "vircommand-bench", ConfigFile = config });
await runner.RunAsync(Command.New("true")); // opens the master

double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
async Task<int> Fresh(string remote, Stream? sink)
{
    using var ssh = Process.Start(new ProcessStartInfo("ssh", ["-F", config, "-o", "ControlPath=none", "vircommand-bench", remote]) { RedirectStandardOutput = true })!;
    if (sink is not null)
        await ssh.StandardOutput.BaseStream.CopyToAsync(sink);
    await ssh.WaitForExitAsync();
    return ssh.ExitCode;
}

// Interleaved, so that the machine's load weighs on both alike.
List<double> warm = [], fresh = [];
for (var i = 0; i < runs; i++)
{
    var clock = Stopwatch.StartNew();
    await runner.RunAsync(Command.New("true"));
    warm.Add(clock.Elapsed.TotalMilliseconds);
    clock.Restart();
    if (await Fresh("true", null) != 0)
        throw new InvalidOperationException("ssh failed");
    fresh.Add(clock.Elapsed.TotalMilliseconds);
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"latency of `true`, median of {runs}: SshCommandRunner (warm master) {Median(warm):F1} ms, fresh `ssh host true` {Median(fresh):F1} ms, ratio {Median(fresh) / Median(warm):F1}x"));

for (var round = 0; round < 3; round++)
{
    var clock = Stopwatch.StartNew();
    await using (var running = await runner.StartAsync(Command.NewArgList("head", "-c", $"{mib}M", "/dev/zero").SetOutputPipe()))
    {
        await running.StandardOutput!.CopyToAsync(Stream.Null);
        await running.WaitAsync();
    }
    var ours = clock.Elapsed.TotalSeconds;
    clock.Restart();
    await Fresh($"head -c {mib}M /dev/zero", Stream.Null);
    var plain = clock.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{mib} MiB of stdout: SshCommandRunner {mib / ours:F0} MiB/s, plain ssh {mib / plain:F0} MiB/s, ratio {ours / plain:F2}"));
}
