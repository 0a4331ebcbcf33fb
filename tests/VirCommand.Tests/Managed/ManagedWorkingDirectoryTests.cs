using VirCommand.Backends.Managed;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Managed;

/// <summary>
/// The managed backend checks the working directory before the spawn (.NET reports a failed chdir
/// as an exec failure): the check must give the errno the child's chdir would.
/// </summary>
public sealed class ManagedWorkingDirectoryTests
{
    private const int ENOTDIR = 20;

    private static readonly ManagedCommandRunner Runner = new();

    [LinuxFact]
    public async Task ADirectoryUnderAFile_FailsAtWorkingDirectory_WithENOTDIR_AsChdirWould()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("file"), "");
        using var command = Probe.Command().SetWorkingDirectory(Path.Combine(dir.File("file"), "sub"));

        var error = await Assert.ThrowsAsync<CommandStartException>(() => Runner.StartAsync(command).OrHang());

        Assert.Equal(StartStage.WorkingDirectory, error.Stage);
        Assert.Equal(ENOTDIR, error.Errno);
    }
}
