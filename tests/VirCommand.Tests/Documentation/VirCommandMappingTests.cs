using System.Text.RegularExpressions;

namespace VirCommand.Tests.Documentation;

/// <summary>The README's virCommand table accounts for every public function of libvirt 11's src/util/vircommand.h.</summary>
public sealed partial class VirCommandMappingTests
{
    /// <summary>Every <c>virCommand*</c> function vircommand.h declares (libvirt 11), in its order: 63.</summary>
    private static readonly string[] LibvirtFunctions =
    [
        "New", "NewArgs", "NewArgList", "NewVAList", "PassFD", "SetPidFile", "GetGID", "GetUID", "SetGID", "SetUID",
        "SetMaxMemLock", "SetMaxProcesses", "SetMaxFiles", "SetMaxCoreSize", "SetUmask", "ClearCaps", "AllowCap",
        "SetSELinuxLabel", "SetAppArmorProfile", "Daemonize", "NonblockingFDs", "RawStatus", "AddEnvFormat",
        "AddEnvPair", "AddEnvString", "AddEnvPass", "AddEnvPassCommon", "AddEnvXDG", "AddArg", "AddArgBuffer",
        "AddArgFormat", "AddArgPair", "AddArgSet", "AddArgList", "SetWorkingDirectory", "SetSendBuffer",
        "SetInputBuffer", "SetOutputBuffer", "SetErrorBuffer", "SetInputFD", "SetOutputFD", "SetErrorFD",
        "SetPreExecHook", "WriteArgLog", "ToString", "ToStringFull", "ToStringBuf", "GetBinaryPath", "GetArgList",
        "Exec", "Run", "RunAsync", "Wait", "RequireHandshake", "HandshakeWait", "HandshakeNotify", "Abort", "Free",
        "DoAsyncIO", "RunRegex", "RunNul", "SetRunAlone", "SetRunAmong",
    ];

    [Fact]
    public void Every_public_virCommand_function_has_a_row_in_the_mapping_table()
    {
        Assert.Equal(63, LibvirtFunctions.Distinct().Count());
        var readme = File.ReadAllText(CapabilityTableTests.ReadmePath());
        var start = readme.IndexOf("## `virCommand` → C#", StringComparison.Ordinal);
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md lacks the virCommand mapping section");
        var firstColumns = readme[start..end].Split('\n')
            .Where(line => line.StartsWith("| `virCommand", StringComparison.Ordinal))
            .Select(line => line.Split('|')[1]);
        var named = firstColumns.SelectMany(cell => FunctionName().Matches(cell).Select(m => m.Groups[1].Value)).ToHashSet();

        var missing = LibvirtFunctions.Where(f => !named.Contains(f)).ToList();
        Assert.True(missing.Count == 0, "README's virCommand table lacks: " + string.Join(", ", missing));
    }

    [GeneratedRegex(@"`virCommand(\w+)")]
    private static partial Regex FunctionName();
}
