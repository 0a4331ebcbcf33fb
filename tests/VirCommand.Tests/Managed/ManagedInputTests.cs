using VirCommand.Backends.Managed;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Managed;

/// <summary>An input buffer nobody reads never holds up a run that has a way to end.</summary>
public sealed class ManagedInputTests
{
    private static readonly ManagedCommandRunner Runner = new();

    private static readonly byte[] BigInput = new byte[16 << 20];

    [LinuxFact]
    public async Task ABigInputToAChildThatNeverReadsIt_EndsAtTheTimeout()
    {
        using var command = Command.NewArgList("/bin/sleep", "100").SetInputBuffer(BigInput).SetOutputBuffer()
            .SetTimeout(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAsync<CommandTimeoutException>(() => Runner.RunAsync(command).OrHang());
    }

    [LinuxFact]
    public async Task ABigInputAGrandchildHoldsUnread_EndsAtTheTimeoutAndTheDrain()
    {
        using var dir = new TempDir();
        // The grandchild keeps stdin (a background job would otherwise get /dev/null) and never reads it.
        using var command = Command.NewArgList("/bin/sh", "-c", $"sleep 30 0<&0 & echo $! > '{dir.File("pid")}'; exec sleep 100")
            .SetInputBuffer(BigInput).SetOutputBuffer()
            .SetTimeout(TimeSpan.FromMilliseconds(500)).SetDrainTimeout(TimeSpan.FromMilliseconds(100));
        try
        {
            await Assert.ThrowsAsync<CommandTimeoutException>(() => Runner.RunAsync(command).OrHang());
        }
        finally
        {
            if (File.Exists(dir.File("pid")) && int.TryParse(File.ReadAllText(dir.File("pid")).Trim(), out var grandchild))
                await Processes.KillAsync(grandchild);
        }
    }
}
