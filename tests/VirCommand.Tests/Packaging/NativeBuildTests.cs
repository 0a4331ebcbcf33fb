using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace VirCommand.Tests.Packaging;

/// <summary>
/// The native library as the package ships it, per RID: built by Native.targets' VirCommandBuildNativeRids (the
/// step dotnet pack runs) into a temporary folder, then checked for its glibc baseline with readelf and exercised
/// by tests/NativeDriver/driver.c, natively for x64 and under qemu-user for arm64. A RID whose cross compiler (or
/// qemu) is not installed skips with the package to install; .ci/run installs them all.
/// </summary>
public sealed partial class NativeBuildTests(NativeBuildTests.Builds builds) : IClassFixture<NativeBuildTests.Builds>
{
    [Fact]
    public void The_tests_cover_every_packaged_RID() =>
        Assert.Equal(["linux-arm64", "linux-musl-arm64", "linux-musl-x64", "linux-x64"], NativeRidFactAttribute.Toolchains.Keys.Order(StringComparer.Ordinal));

    [NativeRidFact("linux-x64")]
    public void The_linux_x64_build_needs_no_glibc_newer_than_2_28() => AssertGlibcBaseline("linux-x64");

    [NativeRidFact("linux-arm64")]
    public void The_linux_arm64_build_needs_no_glibc_newer_than_2_28() => AssertGlibcBaseline("linux-arm64");

    [NativeRidFact("linux-x64")]
    public void The_driver_passes_against_the_linux_x64_build() => AssertDriverPasses("linux-x64");

    [NativeRidFact("linux-arm64")]
    public void The_driver_passes_against_the_linux_arm64_build_under_qemu() => AssertDriverPasses("linux-arm64");

    [NativeRidFact("linux-musl-x64")]
    public void The_driver_passes_against_the_linux_musl_x64_build() => AssertDriverPasses("linux-musl-x64");

    [NativeRidFact("linux-musl-arm64")]
    public void The_driver_passes_against_the_linux_musl_arm64_build_under_qemu() => AssertDriverPasses("linux-musl-arm64");

    private void AssertGlibcBaseline(string rid)
    {
        var library = builds.Library(rid);
        var (code, output) = Tool.Run("readelf", "-V", "--wide", library);
        Assert.True(code == 0, output);
        var versions = GlibcVersion().Matches(output).Select(m => Version.Parse(m.Groups[1].Value)).Distinct().ToList();
        Assert.NotEmpty(versions); // it does link against glibc: the check means something
        var newer = versions.Where(v => v > new Version(2, 28)).ToList();
        Assert.True(newer.Count == 0, $"{library} needs GLIBC_{string.Join(", GLIBC_", newer)}: RHEL 8 / Debian 10 hosts could not load it");
    }

    private void AssertDriverPasses(string rid)
    {
        var driver = builds.Driver(rid);
        var (code, output) = rid.EndsWith("arm64", StringComparison.Ordinal)
            ? Tool.Run("qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", driver)
            : Tool.Run(driver);
        Assert.True(code == 0, output);
        foreach (var name in new[] { "success", "enoent-at-exec", "passed-fd", "close-all-fds", "pidfd-wait", "signals-reset-vfork", "signals-reset" })
            Assert.Contains($"ok {name}\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"GLIBC_(\d+\.\d+(?:\.\d+)?)")]
    private static partial Regex GlibcVersion();

    /// <summary>Builds the libraries of every RID whose toolchain is here, once, and each driver on demand.</summary>
    public sealed class Builds : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("vircommand-rids").FullName;
        private readonly Lazy<(int Code, string Output)> _build;

        public Builds() => _build = new(() =>
        {
            var rids = NativeRidFactAttribute.Toolchains.Keys.Where(r => NativeRidFactAttribute.Missing(r) is null);
            return Tool.Run("dotnet", "msbuild", Repository.PosixProject,
                "-nologo", "-v:m", "-t:VirCommandBuildNativeRids", $"-p:VirCommandNativeRids={string.Join("%3B", rids)}",
                $"-p:VirCommandNativeOutDir={_dir}");
        });

        public string Library(string rid)
        {
            Assert.True(_build.Value.Code == 0, _build.Value.Output);
            return Path.Combine(_dir, rid, "libvircommand.so");
        }

        public string Driver(string rid)
        {
            var library = Library(rid);
            var dir = Path.GetDirectoryName(library)!;
            var driver = Path.Combine(dir, "driver");
            var (compiler, flags) = NativeRidFactAttribute.Toolchains[rid];
            var args = new List<string> { "-O2", "-Wall", "-Wextra", "-Werror", "-std=gnu11", "-D_GNU_SOURCE" };
            args.AddRange(flags);
            args.AddRange(["-I", Path.Combine(Repository.Root, "src", "Backends.Posix", "native"), "-o", driver,
                Path.Combine(Repository.Root, "tests", "NativeDriver", "driver.c"), $"-L{dir}", "-lvircommand", $"-Wl,-rpath,{dir}"]);
            var (code, output) = Tool.Run(compiler, [.. args]);
            Assert.True(code == 0, output);
            return driver;
        }

        public void Dispose() => Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>A test of one packaged RID's native build: skips, naming the Debian packages, where its toolchain is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NativeRidFactAttribute : FactAttribute
{
    /// <summary>Each packaged RID's compiler and extra flags, read from src/Backends.Posix/Native.targets (its one home).</summary>
    internal static IReadOnlyDictionary<string, (string Compiler, string[] Flags)> Toolchains => s_toolchains.Value;

    private static readonly Lazy<Dictionary<string, (string Compiler, string[] Flags)>> s_toolchains = new(() =>
    {
        var (code, output) = Tool.Run("dotnet", "msbuild", Repository.PosixProject, "-nologo", "-getItem:VirCommandNativeRid");
        if (code != 0)
            throw new InvalidOperationException(output);
        using var json = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        return json.RootElement.GetProperty("Items").GetProperty("VirCommandNativeRid").EnumerateArray().ToDictionary(
            item => item.GetProperty("Identity").GetString()!,
            item => (item.GetProperty("Compiler").GetString()!,
                item.TryGetProperty("Flags", out var flags) ? flags.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries) : []));
    });

    public NativeRidFactAttribute(string rid) => Skip = Missing(rid);

    internal static string? Missing(string rid)
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
            return "needs an x86-64 Linux host (the Debian cross toolchains and qemu-user target arm64 from there)";
        var need = new List<string>();
        if (!Toolchains.ContainsKey(rid))
            return $"{rid} is no longer a packaged RID (Native.targets)";
        if (!Tool.Exists(Toolchains[rid].Compiler))
            need.Add(Toolchains[rid].Compiler);
        if (rid.EndsWith("arm64", StringComparison.Ordinal) && !Tool.Exists("qemu-aarch64"))
            need.Add("qemu-aarch64 (qemu-user)");
        if (rid.StartsWith("linux-x64", StringComparison.Ordinal) || rid == "linux-arm64")
        {
            if (!Tool.Exists("readelf"))
                need.Add("readelf (binutils)");
        }
        return need.Count == 0 ? null : $"needs {string.Join(", ", need)}: apt-get install gcc-aarch64-linux-gnu musl-tools musl-dev:arm64 qemu-user binutils (.ci/run does)";
    }
}

internal static class Tool
{
    public static bool Exists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, name)));

    public static (int Code, string Output) Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, string.Create(CultureInfo.InvariantCulture, $"{program} {string.Join(' ', args)}: exit {process.ExitCode}\n{stdout}{stderr.Result}"));
    }
}

internal static class Repository
{
    /// <summary>The checkout the tests were built from: the folder above the test assembly that holds VirCommand.sln.</summary>
    public static string Root { get; } = Find(AppContext.BaseDirectory);

    public static string PosixProject => Path.Combine(Root, "src", "Backends.Posix", "Backends.Posix.csproj");

    private static string Find(string from)
    {
        for (var dir = new DirectoryInfo(from); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "VirCommand.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no VirCommand.sln above {from}");
    }
}
