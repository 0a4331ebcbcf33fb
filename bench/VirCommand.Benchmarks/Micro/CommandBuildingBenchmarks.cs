using BenchmarkDotNet.Attributes;

namespace VirCommand.Benchmarks.Micro;

/// <summary>
/// The cost of describing a command: building a typical libvirt-like command (arguments, option pairs,
/// environment, a secret) and formatting it, as every run does for its messages and logs.
/// </summary>
[MemoryDiagnoser]
public class CommandBuildingBenchmarks
{
    private Command _command = null!;

    [GlobalSetup]
    public void SetUp() => _command = Build();

    [GlobalCleanup]
    public void CleanUp() => _command.Dispose();

    /// <summary>Builds the command and disposes it.</summary>
    [Benchmark]
    public Command BuildOnly()
    {
        using var command = Build();
        return command;
    }

    /// <summary>Builds the command and formats it once, as a run's log line.</summary>
    [Benchmark(Baseline = true)]
    public string BuildAndToString()
    {
        using var command = Build();
        return command.ToString();
    }

    /// <summary>Formats a prebuilt command on one line (<c>virCommandToString</c>).</summary>
    [Benchmark]
    public string ToStringOneLine() => _command.ToString();

    /// <summary>Formats a prebuilt command with line breaks (<c>virCommandToStringFull</c>).</summary>
    [Benchmark]
    public string ToStringLineBreaks() => _command.ToString(lineBreaks: true);

    /// <summary>A QEMU-like command line: 12 arguments (an <c>AddArgPair</c> is one <c>name=value</c> argument), 3 environment entries, one secret.</summary>
    private static Command Build() =>
        Command.New("/usr/bin/qemu-system-x86_64")
            .AddEnvPair("LC_ALL", "C")
            .AddEnvPair("HOME", "/var/lib/libvirt/qemu/domain-1-guest")
            .AddEnvPair("XDG_CACHE_HOME", "/var/lib/libvirt/qemu/domain-1-guest/.cache")
            .AddArgPair("-name", "guest=guest,debug-threads=on")
            .AddArg("-S")
            .AddArgPair("-machine", "pc-q35-8.2,usb=off,dump-guest-core=off")
            .AddArgPair("-accel", "kvm")
            .AddArgPair("-m", "4096")
            .AddArgPair("-smp", "2,sockets=2,cores=1,threads=1")
            .AddArgPair("-uuid", "c7a5fdbd-cdaf-9455-926a-d65c16db1809")
            .AddArg("-no-user-config")
            .AddArg("-nodefaults")
            .AddArgPair("-drive", "file=/var/lib/libvirt/images/guest disk.qcow2,format=qcow2,if=none,id=drive0")
            .AddSecretArgPair("-object", "secret,id=sec0,data=c2VjcmV0")
            .AddArgFormat("-vnc=127.0.0.1:{0}", 5);
}
