using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace VirCommand.Benchmarks.Micro;

/// <summary>
/// BenchmarkDotNet mode. The default job is short (1 launch, 3 warm-up and 3 measured iterations) and
/// runs in this process (the in-process emit toolchain), so a full run stays within a few minutes and
/// needs no generated project: BenchmarkDotNet's generated project would inherit this repository's
/// strict Directory.Build.props. Arguments are BenchmarkDotNet's own (--filter, --job, --list flat, ...);
/// without --filter every benchmark runs.
/// </summary>
internal static class BdnProgram
{
    public static int Run(string[] args)
    {
        if (!args.Any(a => a is "--filter" or "-f" or "--list" or "--allCategories" or "--anyCategories"))
            args = [.. args, "--filter", "*"];

        var job = Job.ShortRun
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithId("ShortRun-InProcess")
            .AsDefault();
        var config = DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default);

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BdnProgram).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
