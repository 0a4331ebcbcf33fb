using Microsoft.Win32.SafeHandles;

namespace VirCommand.Tests.Building;

internal sealed class TempFile : IDisposable
{
    public TempFile()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vircommand-tests-" + Guid.NewGuid().ToString("N"));
        Handle = File.OpenHandle(Path, FileMode.CreateNew, FileAccess.ReadWrite);
    }

    public string Path { get; }

    public SafeFileHandle Handle { get; }

    public int Fd => checked((int)Handle.DangerousGetHandle());

    public bool FdStillRefersToFile(int fd) => string.Equals(FdTarget(fd), Path, StringComparison.Ordinal);

    public static string? FdTarget(int fd)
    {
        Assert.True(OperatingSystem.IsLinux(), "This check inspects /proc/self/fd.");
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        Handle.Dispose();
        File.Delete(Path);
    }
}
