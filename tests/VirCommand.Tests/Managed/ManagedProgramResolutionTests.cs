using VirCommand.Backends.Managed;
using VirCommand.Tests.Building;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Managed;

/// <summary>
/// Program resolution where <see cref="System.Diagnostics.Process"/>'s own lookup of a bare name differs
/// from the contract's: the file the backend resolved is the one that runs.
/// </summary>
[Collection("Serial")] // changes the parent's PATH
public sealed class ManagedProgramResolutionTests
{
    private static readonly ManagedCommandRunner Runner = new();

    [LinuxFact]
    public Task BareName_RunsFromTheDefaultPath_WhenTheParentsPathIsUnset() => RunsFromTheDefaultPath(null);

    [LinuxFact]
    public Task BareName_RunsFromTheDefaultPath_WhenTheParentsPathIsEmpty() => RunsFromTheDefaultPath("");

    private static async Task RunsFromTheDefaultPath(string? path)
    {
        using var scope = new EnvironmentScope().Set("PATH", path);
        // The resolver falls back on /usr/local/bin:/usr/bin:/bin, where .NET looks nowhere.
        using var command = Command.New("cat").AddArg("/proc/self/cmdline").SetOutputBuffer();

        var result = await Runner.RunAsync(command).OrHang();

        Assert.EndsWith("cat\0/proc/self/cmdline\0", result.StandardOutput, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task BareName_FoundOnARelativePathEntry_RunsDespiteAnotherWorkingDirectory_WithItsPathAsArgvZero()
    {
        using var bin = new TempDir();
        using var elsewhere = new TempDir();
        const string name = "vircommand-relative-path-probe";
        File.CreateSymbolicLink(bin.File(name), Probe.Path);
        // Relative to the parent's directory, where the contract resolves it; from the child's, it names nothing.
        var entry = Path.GetRelativePath(Directory.GetCurrentDirectory(), bin.Path);
        using var scope = new EnvironmentScope().Set("PATH", entry + ":" + Environment.GetEnvironmentVariable("PATH"));
        using var command = Command.New(name).SetWorkingDirectory(elsewhere.Path).SetOutputBuffer();

        var result = await Runner.RunAsync(command).OrHang();

        // .NET would exec the relative file after the child's chdir: the backend gives it the resolved path instead.
        var report = ProbeReport.Parse(result.StandardOutput);
        Assert.Equal([bin.File(name)], report.Argv);
        Assert.Equal(elsewhere.Path, report.Cwd);
    }
}
