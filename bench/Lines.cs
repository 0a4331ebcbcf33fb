// Live output measured (issue 13): line throughput on both spawning backends next to Process + StreamReader,
// memory for one line that never ends, and how far a child gets ahead of a consumer that stops taking lines.
// Run: dotnet run -c Release bench/Lines.cs [MiB, default 256]
#:project ../src/Backends.Posix/Backends.Posix.csproj
#:project ../src/Backends.Managed/Backends.Managed.csproj
using System.Diagnostics;
using System.Globalization;
using VirCommand;

var mib = int.Parse(args.Length > 0 ? args[0] : "256", CultureInfo.InvariantCulture);
var lines = $"yes 'a line of child output, 0123456789 abcdefghijklmnopqrstuvwxyz' | head -c {mib}M";
(string Name, ICommandRunner Runner)[] backends =
    [("posix", new VirCommand.Backends.Posix.PosixCommandRunner()), ("managed", new VirCommand.Backends.Managed.ManagedCommandRunner())];

foreach (var (name, runner) in backends)
{
    for (var round = 0; round < 3; round++)
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        long count = 0;
        await foreach (var line in runner.ReadLinesAsync(Command.NewArgList("sh", "-c", lines)))
            count++;
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name} ReadLinesAsync: {count} lines, {mib / seconds:F0} MiB/s, {count / seconds / 1e6:F2} M lines/s, {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)count:F0} B allocated a line"));
    }
}
for (var round = 0; round < 3; round++)
{
    var clock = Stopwatch.StartNew();
    var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, ArgumentList = { "-c", "exec 2>/dev/null; " + lines } };
    using var process = Process.Start(start)!;
    long count = 0;
    while (await process.StandardOutput.ReadLineAsync() is not null)
        count++;
    await process.WaitForExitAsync();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Process + StreamReader.ReadLineAsync: {count} lines, {mib / clock.Elapsed.TotalSeconds:F0} MiB/s"));
}

{
    long chunks = 0, peak = 0;
    var clock = Stopwatch.StartNew();
    await foreach (var line in backends[0].Runner.ReadLinesAsync(Command.NewArgList("sh", "-c", "head -c 512M /dev/zero | tr '\\0' x")))
    {
        if ((++chunks & 63) == 0)
            peak = Math.Max(peak, Process.GetCurrentProcess().WorkingSet64);
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"one 512 MiB line, no newline: {chunks} chunks in {clock.Elapsed.TotalSeconds:F2} s, peak working set {peak >> 20} MiB, GC heap after {GC.GetTotalMemory(false) >> 20} MiB"));
}

foreach (var (name, runner) in backends)
{
    await using var running = await runner.StartAsync(Command.NewArgList("yes", "a line of child output").SetOutputPipe());
    await using var reader = running.ReadLinesAsync().GetAsyncEnumerator();
    const long taken = 100_000;
    for (var i = 0; i < taken; i++)
        await reader.MoveNextAsync();
    var wchan = "";
    for (var i = 0; i < 500 && !wchan.Contains("pipe_write", StringComparison.Ordinal); i++)
    {
        await Task.Delay(10);
        wchan = File.ReadAllText($"/proc/{running.Pid}/wchan");
    }
    long Written() => long.Parse(File.ReadLines($"/proc/{running.Pid}/io").First(l => l.StartsWith("wchar:", StringComparison.Ordinal))[6..], CultureInfo.InvariantCulture);
    var before = Written();
    await Task.Delay(1000);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: consumer stopped after {taken} lines; the child blocks in {wchan}, {before - taken * 23} bytes ahead of the consumer, {Written() - before} more written in the next second"));
}
