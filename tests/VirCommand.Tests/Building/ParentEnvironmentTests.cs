namespace VirCommand.Tests.Building;

[Collection("Serial")]
public sealed class ParentEnvironmentTests
{
    private static readonly string[] CommonNames =
    [
        "LD_PRELOAD", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES", "DYLD_FORCE_FLAT_NAMESPACE",
        "PATH", "HOME", "USER", "LOGNAME", "TMPDIR",
    ];

    [Fact]
    public void CommonEnvironmentNames_AreTheSpecifiedNamesInOrder()
    {
        Assert.Equal(CommonNames, Command.CommonEnvironmentNames);
    }

    [Fact]
    public void AddEnvPassCommon_SomeSet_GivesLcAllFirstThenOnlyTheSetOnesInOrder()
    {
        using var scope = new EnvironmentScope()
            .Set("LC_ALL", "en_US.UTF-8")
            .Set("LD_PRELOAD", null)
            .Set("LD_LIBRARY_PATH", "/test/lib")
            .Set("DYLD_INSERT_LIBRARIES", null)
            .Set("DYLD_FORCE_FLAT_NAMESPACE", "1")
            .Set("PATH", "/test/bin")
            .Set("HOME", null)
            .Set("USER", "tester")
            .Set("LOGNAME", null)
            .Set("TMPDIR", "/test/tmp");

        var command = new Command("prog").AddEnvPassCommon();

        Assert.Equal(
            ["LC_ALL=C", "LD_LIBRARY_PATH=/test/lib", "DYLD_FORCE_FLAT_NAMESPACE=1", "PATH=/test/bin", "USER=tester", "TMPDIR=/test/tmp"],
            command.Environment.Select(e => e.ToEnvironString()));
        Assert.False(command.InheritsEnvironment);
    }

    [Fact]
    public void AddEnvPassCommon_AllSet_GivesAllTenInOrder()
    {
        using var scope = new EnvironmentScope();
        foreach (var name in CommonNames)
            scope.Set(name, "v-" + name);

        var command = new Command("prog").AddEnvPassCommon();

        Assert.Equal(
            ["LC_ALL=C", .. CommonNames.Select(n => $"{n}=v-{n}")],
            command.Environment.Select(e => e.ToEnvironString()));
    }

    [Fact]
    public void AddEnvPassCommon_NoneSet_GivesOnlyLcAll()
    {
        using var scope = new EnvironmentScope().Set("LC_ALL", null);
        foreach (var name in CommonNames)
            scope.Set(name, null);

        var command = new Command("prog").AddEnvPassCommon();

        Assert.Equal([new EnvironmentVariable("LC_ALL", "C")], command.Environment);
    }

    [Fact]
    public void AddEnvPassCommon_AfterExplicitEntries_ReplacesInPlaceAndAppendsTheRest()
    {
        using var scope = new EnvironmentScope().Set("PATH", "/parent/bin").Set("HOME", "/parent/home");
        foreach (var name in CommonNames.Except(["PATH", "HOME"]))
            scope.Set(name, null);

        var command = new Command("prog")
            .AddEnvPair("PATH", "/mine")
            .AddEnvPair("LC_ALL", "fr_FR")
            .AddEnvPair("KEEP", "1")
            .AddEnvPassCommon();

        Assert.Equal(
            ["PATH=/parent/bin", "LC_ALL=C", "KEEP=1", "HOME=/parent/home"],
            command.Environment.Select(e => e.ToEnvironString()));
    }

    [Fact]
    public void AddEnvPass_SetVariable_CopiesParentValue()
    {
        var name = "VIRCOMMAND_TEST_" + Guid.NewGuid().ToString("N");
        using var scope = new EnvironmentScope().Set(name, "parent value");

        var command = new Command("prog").AddEnvPass(name);

        Assert.Equal([new EnvironmentVariable(name, "parent value")], command.Environment);
    }

    [Fact]
    public void AddEnvPass_ParentChangesAfterwards_CommandKeepsValueReadAtCallTime()
    {
        var name = "VIRCOMMAND_TEST_" + Guid.NewGuid().ToString("N");
        using var scope = new EnvironmentScope().Set(name, "before");
        var command = new Command("prog").AddEnvPass(name);

        System.Environment.SetEnvironmentVariable(name, "after");

        Assert.Equal("before", Assert.Single(command.Environment).Value);
        Assert.Equal("before", Assert.Single(command.ResolveEnvironment()).Value);
    }

    [Fact]
    public void AddEnvPass_ParentUnsetsAfterwards_CommandKeepsValue()
    {
        var name = "VIRCOMMAND_TEST_" + Guid.NewGuid().ToString("N");
        using var scope = new EnvironmentScope().Set(name, "kept");
        var command = new Command("prog").AddEnvPass(name);

        System.Environment.SetEnvironmentVariable(name, null);

        Assert.Equal([new EnvironmentVariable(name, "kept")], command.Environment);
    }

    [Fact]
    public void ResolveEnvironment_WhileInheriting_IsTheParentsWholeEnvironmentSortedByName()
    {
        var name = "VIRCOMMAND_TEST_" + Guid.NewGuid().ToString("N");
        using var scope = new EnvironmentScope().Set(name, "live");
        var command = new Command("prog");

        var resolved = command.ResolveEnvironment();

        var parent = System.Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .Select(e => new EnvironmentVariable((string)e.Key, (string?)e.Value ?? ""))
            .OrderBy(e => e.Name, StringComparer.Ordinal);
        Assert.Equal(parent, resolved);
        Assert.Contains(new EnvironmentVariable(name, "live"), resolved);
        Assert.Empty(command.Environment);
    }

    [Fact]
    public void ResolveEnvironment_WhileInheriting_SeesParentChangesMadeAfterBuilding()
    {
        var name = "VIRCOMMAND_TEST_" + Guid.NewGuid().ToString("N");
        using var scope = new EnvironmentScope();
        var command = new Command("prog");

        scope.Set(name, "added later");

        Assert.Contains(new EnvironmentVariable(name, "added later"), command.ResolveEnvironment());
    }

    [Fact]
    public void ResolveEnvironment_AfterEnvironmentCall_IgnoresTheParent()
    {
        var name = "VIRCOMMAND_TEST_" + Guid.NewGuid().ToString("N");
        using var scope = new EnvironmentScope().Set(name, "parent");

        var command = new Command("prog").AddEnvPair("ONLY", "this");

        Assert.Equal([new EnvironmentVariable("ONLY", "this")], command.ResolveEnvironment());
    }
}
