using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>AddVirCommandPosix where the backend cannot run: the host's start fails with PosixSupport's reason.</summary>
public sealed class PosixRegistrationTests : IDisposable
{
    private readonly string _copy = Directory.CreateTempSubdirectory("vircommand-nolib").FullName;

    [LinuxFact]
    public void Without_its_native_library_the_host_start_fails_with_the_reason()
    {
        var (code, output) = RunHelperWithoutNativeLibrary("posix");

        Assert.True(code == 3, output);
        Assert.Contains("AddVirCommandPosix: the POSIX backend cannot run here: its native library libvircommand.so did not load", output, StringComparison.Ordinal);
    }

    [LinuxFact]
    public void A_backend_registered_later_lifts_the_check()
    {
        var (code, output) = RunHelperWithoutNativeLibrary("posix-then-fake");

        Assert.True(code == 0, output);
        Assert.Equal("started", output.Trim());
    }

    [LinuxFact]
    public void Where_it_can_run_the_host_starts()
    {
        Assert.True(PosixSupport.IsAvailable, PosixSupport.Reason);
        using var provider = new ServiceCollection().AddVirCommandPosix().BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    /// <summary>The test assembly as a helper (HelperProgram), from a copy of its output without libvircommand.so.</summary>
    private (int Code, string Output) RunHelperWithoutNativeLibrary(string registration)
    {
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
            if (Path.GetFileName(file) != "libvircommand.so")
                File.Copy(file, Path.Combine(_copy, Path.GetFileName(file)));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(_copy, "VirCommand.Tests.dll"), "host-start", registration })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd() + stderr.Result;
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    public void Dispose() => Directory.Delete(_copy, recursive: true);
}
