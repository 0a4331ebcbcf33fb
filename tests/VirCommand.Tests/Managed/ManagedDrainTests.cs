using VirCommand.Backends.Managed;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Managed;

/// <summary>The end of the drain lets go of the pipe a grandchild still holds (OutputPump), so nothing leaks.</summary>
public sealed class ManagedDrainTests
{
    private static readonly ManagedCommandRunner Runner = new();

    [LinuxFact]
    public async Task AfterTheDrain_TheParentHoldsNoEndOfThePipeAGrandchildKeeps()
    {
        using var dir = new TempDir();
        using var command = Command.NewArgList("/bin/sh", "-c", $"sleep 30 & echo $! > '{dir.File("pid")}'; exit 0")
            .SetOutputBuffer().SetDrainTimeout(TimeSpan.FromMilliseconds(100));
        await Runner.RunAsync(command).OrHang();
        var grandchild = int.Parse(File.ReadAllText(dir.File("pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            var pipe = new FileInfo($"/proc/{grandchild}/fd/1").LinkTarget;
            Assert.StartsWith("pipe:", pipe, StringComparison.Ordinal);

            // Closing the parent's end may finish just after the run returned.
            Assert.True(await Task.Run(() => ProcessInspector.WaitUntil(() => !ProcessInspector.OpenFds().Any(fd => ProcessInspector.FdTarget(fd) == pipe),
                HangGuard.Limit)), $"the parent still holds {pipe}");
        }
        finally
        {
            await Processes.KillAsync(grandchild);
        }
    }
}
