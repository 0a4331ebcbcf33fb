using VirCommand.Benchmarks.Compare;
using VirCommand.Benchmarks.Interop;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// P2: P1 with 10,000 extra open fds in the parent. The child must not inherit them; what this costs
/// compared with P1 shows whether closing them scales with their number.
/// </summary>
internal sealed class SpawnTrueManyFds : IScenario
{
    public const int ExtraFds = 10_000;

    /// <summary>
    /// The extra fds take the numbers from here up, as in the raw C loop (EXTRA_FDS_BASE): the numbers
    /// below stay free, so whatever the runtime opens meanwhile (an assembly it loads lazily, say) does not
    /// land above them and stay open, which would make every later fork, P1's too, copy a 10,000-slot table.
    /// </summary>
    public const int ExtraFdsBase = 1024;
    public const string CLoopId = "P2.c-loop";
    public const string PosixAsyncId = "P2.posix-async";
    public const string ProcessStartId = "P2.process-start";
    public const string ManagedAsyncId = "P2.managed-async";

    private readonly List<int> _fds = [];
    private readonly SpawnLoop _cLoop = new(SpawnTrue.Program, ExtraFds);

    public SpawnTrueManyFds(Runners runners)
    {
        FdLimit.EnsureRoomFor(ExtraFds, ExtraFdsBase);
        Contenders =
        [
            new(CLoopId, $"raw C loop, {ExtraFds:N0} fds", _cLoop.TimeEachAsync) { RunsElsewhere = true },
            new(PosixAsyncId, $"POSIX `await runner.RunAsync(cmd)`, {ExtraFds:N0} fds",
                n => Sampler.TimeEachAsync(n, () => Spawners.RunAsync(runners.Posix, SpawnTrue.Program)))
            {
                SetUp = OpenFds, TearDown = CloseFds,
            },
            new(ManagedAsyncId, $"managed `await runner.RunAsync(cmd)`, {ExtraFds:N0} fds",
                n => Sampler.TimeEachAsync(n, () => Spawners.RunAsync(runners.Managed, SpawnTrue.Program)))
            {
                SetUp = OpenFds, TearDown = CloseFds,
            },
            new(ProcessStartId, $"`Process.Start` + `WaitForExit`, {ExtraFds:N0} fds",
                n => Sampler.TimeEach(n, () => Spawners.ProcessStart(SpawnTrue.Program)))
            {
                SetUp = OpenFds, TearDown = CloseFds,
            },
        ];
    }

    public string Id => "P2";

    public string Title => $"spawn + wait of `{SpawnTrue.Program}` with {ExtraFds:N0} extra open fds";

    public string Description =>
        $"P1 with {ExtraFds:N0} more fds open (`/dev/null` opened with open(2), close-on-exec as .NET opens files): the .NET contenders' " +
        "process opens them before each batch and closes them after it (untimed); the raw C loop opens them in its own process. " +
        "Compared with P1's figures from the same run.";

    public IReadOnlyList<string> Requires => ["P1"];

    public string BaselineId => CLoopId;

    public IReadOnlyList<Contender> Contenders { get; }

    public IReadOnlyList<Ratio> Ratios { get; } =
    [
        new($"POSIX RunAsync: {ExtraFds:N0} fds / none (P2/P1)", PosixAsyncId, SpawnTrue.PosixAsyncId, Target.Max(1.10)),
        new($"raw C loop: {ExtraFds:N0} fds / none (the kernel's share)", CLoopId, SpawnTrue.CLoopId),
        new($"POSIX RunAsync / raw C loop, both with {ExtraFds:N0} fds", PosixAsyncId, CLoopId),
        new($"Process.Start: {ExtraFds:N0} fds / none", ProcessStartId, SpawnTrue.ProcessStartId),
        new($"Process.Start / POSIX RunAsync, both with {ExtraFds:N0} fds", ProcessStartId, PosixAsyncId),
        new($"managed RunAsync: {ExtraFds:N0} fds / none", ManagedAsyncId, SpawnTrue.ManagedAsyncId),
        new($"managed RunAsync / POSIX RunAsync, both with {ExtraFds:N0} fds", ManagedAsyncId, PosixAsyncId),
    ];

    public void Dispose()
    {
        CloseFds();
        _cLoop.Dispose();
    }

    private void OpenFds()
    {
        for (var i = 0; i < ExtraFds; i++)
            _fds.Add(FdLimit.OpenReadOnlyFrom("/dev/null", ExtraFdsBase));
    }

    private void CloseFds()
    {
        foreach (var fd in _fds)
            FdLimit.Close(fd);
        _fds.Clear();
    }
}
