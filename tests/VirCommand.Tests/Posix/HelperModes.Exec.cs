using System.Globalization;
using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

internal static partial class HelperModes
{
    /// <summary>
    /// Issue 16 item 1, in a child test process: replaces this process with the probe
    /// (<see cref="PosixCommandRunner.Exec"/>). <c>ok</c>: prints <c>pid=N</c>, then exec's the probe with an
    /// explicit environment, a working directory, a umask, a file limit and fd 7 (a file in
    /// <paramref name="dir"/>) on its stdout: the probe's report follows. <c>fail-early</c>: a missing working
    /// directory, which the exec finds before changing anything: prints the exception's stage and errno, then
    /// shows that the process still works (prints, and runs a child). <c>fail-late</c>: a CPU set the kernel
    /// refuses only once the steps have begun: the process ends with 127 and the shim's line.
    /// </summary>
    public static int Exec(string mode, string probe, string dir)
    {
        var runner = new PosixCommandRunner();
        using var passed = File.OpenHandle(Path.Combine(dir, "passed"), FileMode.Create, FileAccess.ReadWrite);
        using var command = Command.NewArgList(probe).AddEnvPair("A", "1").SetOutputFd(1).SetErrorFd(2).PassFd(passed, 7);
        _ = mode switch
        {
            "ok" => command.SetWorkingDirectory(dir).SetUmask(0x17).SetMaxFiles(64),
            "fail-early" => command.SetWorkingDirectory(Path.Combine(dir, "missing")),
            _ => command.SetCpuAffinity(Command.MaxCpu),
        };
        Console.WriteLine($"pid={Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");
        Console.Out.Flush(); // the exec'd program starts with none of this process's buffers
        try
        {
            runner.Exec(command);
        }
        catch (CommandStartException e)
        {
            Console.WriteLine($"caught {e.Stage}/{e.Errno.ToString(CultureInfo.InvariantCulture)}: {e.Message}");
            var result = runner.Run(Command.NewArgList("/bin/sh", "-c", "echo child ran").SetOutputBuffer());
            Console.WriteLine($"still running: {result.StandardOutput.Trim()}");
        }
        return 3;
    }
}
