using System.Runtime.InteropServices;
using VirCommand.Benchmarks.Compare;
using VirCommand.Benchmarks.Interop;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// P6: the starts that once needed a fork() (daemon, pre-exec hook, handshake), in a parent with
/// 100 MiB and with 4 GiB of resident ballast, in the same run: a fork's cost grows with the
/// parent's page tables, a vfork-style clone's does not.
/// </summary>
internal sealed class LargeParentStarts : IScenario
{
    public const long Small = 100L << 20;
    public const long Large = 4L << 30;
    private const string Program = "/bin/true";

    private readonly Runners _runners;
    private readonly PreExecHook _hook;
    private long _largeResident;

    public LargeParentStarts(Runners runners)
    {
        _runners = runners;
        // A hook that does nothing and says so: sched_yield() returns 0. Native, so that the child
        // runs no managed code and the figure is the spawn path's alone.
        var libc = NativeLibrary.Load("libc.so.6");
        _hook = PreExecHook.FromFunctionPointer(NativeLibrary.GetExport(libc, "sched_yield"));
        // Listed by size, so that the rotating order switches the ballast about twice a slice.
        Contenders =
        [
            Make("daemon", Small, Daemon), Make("hook", Small, Hook), Make("handshake", Small, HandshakeAsync),
            Make("daemon", Large, Daemon), Make("hook", Large, Hook), Make("handshake", Large, HandshakeAsync),
        ];
    }

    public string Id => "P6";

    public string Title => "daemon, hook and handshake starts in a 100 MiB and a 4 GiB parent";

    public string Description =>
        $"Per-start median time of `{Program}` with the POSIX backend: `Daemonize()` (the run returns once the daemon exec'd), " +
        "`SetPreExecHook` (a native hook returning 0) run to the exit, and `RequireHandshake()` (start, wait for the handshake, " +
        "notify, wait for the exit), each with a native ballast of 100 MiB and of 4 GiB allocated and written (set up outside the " +
        "timing, before each batch). The ratios divide the 4 GiB figure by the 100 MiB one of the same kind.";

    public IReadOnlyList<string> Requires => [];

    public string BaselineId => "P6.daemon-small";

    public IReadOnlyList<Contender> Contenders { get; }

    public IReadOnlyList<Ratio> Ratios { get; } =
    [
        new("daemon: 4 GiB / 100 MiB parent", "P6.daemon-large", "P6.daemon-small", Target.Max(1.5)),
        new("hook: 4 GiB / 100 MiB parent", "P6.hook-large", "P6.hook-small", Target.Max(1.5)),
        new("handshake: 4 GiB / 100 MiB parent", "P6.handshake-large", "P6.handshake-small", Target.Max(1.5)),
    ];

    public Plan Defaults => new(Runs: 40, Rounds: 3, Warmup: 10);

    public IReadOnlyList<Figure> Figures() => [new("resident set with the 4 GiB ballast", _largeResident / 1048576.0, "N0", "MiB")];

    public void Dispose() => Ballast.Release();

    private Contender Make(string kind, long ballast, Func<Task> operation)
    {
        string size = ballast == Large ? "large" : "small";
        return new($"P6.{kind}-{size}", $"{kind}, {(ballast == Large ? "4 GiB" : "100 MiB")} ballast", n => Sampler.TimeEachAsync(n, operation))
        {
            SetUp = () =>
            {
                Ballast.Ensure(ballast);
                if (ballast == Large)
                    _largeResident = Math.Max(_largeResident, ProcStatus.ResidentBytes());
            },
        };
    }

    private async Task Daemon()
    {
        using var command = Command.New(Program).Daemonize();
        await _runners.Posix.RunAsync(command);
    }

    private async Task Hook()
    {
        using var command = Command.New(Program).SetPreExecHook(_hook);
        await _runners.Posix.RunAsync(command);
    }

    private async Task HandshakeAsync()
    {
        using var command = Command.New(Program).RequireHandshake();
        await using var running = await _runners.Posix.StartAsync(command);
        await running.WaitForHandshakeAsync();
        await running.NotifyHandshakeAsync();
        await running.WaitAsync();
    }
}
