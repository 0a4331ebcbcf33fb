using VirCommand.Benchmarks.Compare;
using VirCommand.Benchmarks.Micro;

namespace VirCommand.Benchmarks;

/// <summary>Entry point: <c>compare</c> (side-by-side spawn comparison) or <c>bdn</c> (BenchmarkDotNet micro-benchmarks).</summary>
internal static class Program
{
    private const string Usage = """
        usage:
          VirCommand.Benchmarks compare [--runs N] [--rounds R] [--slices S] [--warmup W] [--scenarios P1,P2,P3,P4,P5] [--verbose]
              side-by-side comparison in one process, interleaved in rounds; prints Markdown tables
              (runs, rounds and warm-up default per scenario; given, they apply to every selected scenario)
          VirCommand.Benchmarks bdn [BenchmarkDotNet args, e.g. --filter *Posix*]
              BenchmarkDotNet micro-benchmarks (in-process, short job, memory diagnoser)
        run with: dotnet run -c Release --project bench/VirCommand.Benchmarks -- <mode> ...
        """;

    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "compare":
                return await CompareProgram.RunAsync(args[1..]);
            case "bdn":
                return BdnProgram.Run(args[1..]);
            case "-h" or "--help" or "help":
                Console.WriteLine(Usage);
                return 0;
            default:
                await Console.Error.WriteLineAsync(Usage);
                return 2;
        }
    }
}
