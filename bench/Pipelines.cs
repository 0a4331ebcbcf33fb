// Pipeline throughput (issue 14): head -c 1G /dev/zero | cat | wc -c run by the POSIX backend (kernel pipes,
// no byte through the parent) next to sh -c 'the same' and CliWrap's | (which pumps every byte through the parent).
// Run: dotnet run -c Release bench/Pipelines.cs   (4 rounds, the first a warm-up; medians of the rest)
#:project ../src/Backends.Posix/Backends.Posix.csproj
#:package CliWrap@3.10.5
using System.Diagnostics;
using VirCommand;
using VirCommand.Backends.Posix;
var runner = new PosixCommandRunner();
const string Gib = "1073741824";
Pipeline Ours() => Command.NewArgList("head", "-c", Gib, "/dev/zero") | Command.New("cat") | Command.NewArgList("wc", "-c").SetOutputBuffer();
async Task<double> TimeAsync(Func<Task<string>> run) { var sw = Stopwatch.StartNew(); var o = await run(); sw.Stop(); if (o.Trim() != Gib) throw new Exception(o); return sw.Elapsed.TotalSeconds; }
var ours = new List<double>(); var sh = new List<double>(); var cw = new List<double>();
for (var round = 0; round < 4; round++)
{
    ours.Add(await TimeAsync(async () => (await runner.RunAsync(Ours())).StandardOutput));
    sh.Add(await TimeAsync(async () => (await runner.RunAsync(Command.NewArgList("sh", "-c", $"head -c {Gib} /dev/zero | cat | wc -c").SetOutputBuffer())).StandardOutput));
    cw.Add(await TimeAsync(async () => { var sb = new System.Text.StringBuilder();
        await (CliWrap.Cli.Wrap("head").WithArguments(["-c", Gib, "/dev/zero"]) | CliWrap.Cli.Wrap("cat") | (CliWrap.Cli.Wrap("wc").WithArguments("-c") | CliWrap.PipeTarget.ToStringBuilder(sb))).ExecuteAsync(); return sb.ToString(); }));
}
double Med(List<double> l) { var s = l.Skip(1).OrderBy(x => x).ToList(); return s[s.Count / 2]; }
Console.WriteLine($"median of rounds 2-4, seconds per GiB: ours {Med(ours):0.000}, sh -c {Med(sh):0.000}, CliWrap {Med(cw):0.000}");
Console.WriteLine($"throughput ratio ours/sh = {Med(sh) / Med(ours):0.00}x, CliWrap/sh = {Med(sh) / Med(cw):0.00}x, ours/CliWrap = {Med(cw) / Med(ours):0.00}x");
Console.WriteLine($"MiB/s: ours {1024 / Med(ours):0}, sh {1024 / Med(sh):0}, CliWrap {1024 / Med(cw):0}");
