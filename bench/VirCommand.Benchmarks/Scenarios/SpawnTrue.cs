using VirCommand.Benchmarks.Compare;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>P1: spawn and wait for <c>/bin/true</c>, the fixed cost of one command.</summary>
internal sealed class SpawnTrue : IScenario
{
    public const string Program = "/bin/true";
    public const string CLoopId = "P1.c-loop";
    public const string PosixAsyncId = "P1.posix-async";
    public const string PosixSyncId = "P1.posix-sync";
    public const string ProcessStartId = "P1.process-start";
    public const string ManagedAsyncId = "P1.managed-async";

    private readonly SpawnLoop _cLoop = new(Program);

    public SpawnTrue(Runners runners)
    {
        Contenders =
        [
            new(CLoopId, "raw C loop (vfork + execve + waitpid)", _cLoop.TimeEachAsync) { RunsElsewhere = true },
            new(PosixAsyncId, "POSIX `await runner.RunAsync(cmd)`", n => Sampler.TimeEachAsync(n, () => Spawners.RunAsync(runners.Posix, Program))),
            new(PosixSyncId, "POSIX `runner.Run(cmd)` (sync)", n => Sampler.TimeEach(n, () => Spawners.Run(runners.Posix, Program))),
            new(ManagedAsyncId, "managed `await runner.RunAsync(cmd)`", n => Sampler.TimeEachAsync(n, () => Spawners.RunAsync(runners.Managed, Program))),
            new(ProcessStartId, "`Process.Start` + `WaitForExit`", n => Sampler.TimeEach(n, () => Spawners.ProcessStart(Program))),
        ];
    }

    public string Id => "P1";

    public string Title => $"spawn + wait of `{Program}`";

    public string Description =>
        $"Per-spawn median time to start `{Program}` and wait for its exit. The raw C loop times vfork + execve + waitpid " +
        "inside its own long-lived helper process (starting it is outside its loop); the POSIX backend runs `Command.New(\"/bin/true\")` " +
        "with default settings (so stderr goes through a pipe for the failure message's tail), and so does the managed backend " +
        "(on `System.Diagnostics.Process`, which redirects every stdio stream); `Process.Start` uses " +
        "UseShellExecute=false and no redirection.";

    public IReadOnlyList<string> Requires => [];

    public string BaselineId => CLoopId;

    public IReadOnlyList<Contender> Contenders { get; }

    public IReadOnlyList<Ratio> Ratios { get; } =
    [
        new("POSIX RunAsync / raw C loop", PosixAsyncId, CLoopId, Target.Max(1.10)),
        new("POSIX Run / raw C loop", PosixSyncId, CLoopId, Target.Max(1.10)),
        new("Process.Start / raw C loop", ProcessStartId, CLoopId),
        new("Process.Start / POSIX RunAsync (speed-up)", ProcessStartId, PosixAsyncId, Target.Min(1.20)),
        new("Process.Start / POSIX Run (speed-up)", ProcessStartId, PosixSyncId, Target.Min(1.20)),
        new("managed RunAsync / Process.Start (the managed backend's own cost)", ManagedAsyncId, ProcessStartId),
        new("managed RunAsync / POSIX RunAsync", ManagedAsyncId, PosixAsyncId),
    ];

    public void Dispose() => _cLoop.Dispose();
}
