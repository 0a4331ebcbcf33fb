using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// SPEC §5.2 and §6 on every backend, for every <see cref="CommandFeatures"/> flag: a backend that claims
/// the feature proves its behaviour (<see cref="FeatureCases"/>); one that does not refuses the command
/// before spawning anything, with a <see cref="CommandNotSupportedException"/> that names the feature and
/// the backend. Nothing is skipped silently: the root-only proofs run as a root theory that says why it skips.
/// </summary>
public sealed class FeatureConformanceTests
{
    /// <summary>Every (backend, feature) pair, except the claimed features whose proof needs root, and the guarantees (<see cref="GuaranteeConformanceTests"/>).</summary>
    public static TheoryData<string, CommandFeatures> Cases => Pairs(rootProofs: false);

    /// <summary>The claimed features whose proof needs root.</summary>
    public static TheoryData<string, CommandFeatures> RootCases => Pairs(rootProofs: true);

    /// <summary>Every (backend, feature) pair but the guarantees, which no command requires.</summary>
    public static TheoryData<string, CommandFeatures> AllPairs
    {
        get
        {
            var data = new TheoryData<string, CommandFeatures>();
            foreach (var backend in ConformanceBackend.AllNames)
                foreach (var feature in FeatureCases.All.Where(c => !c.IsGuarantee))
                    data.Add(backend, feature.Feature);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_claimed_feature_behaves_as_specified_and_an_unclaimed_one_is_refused(string backend, CommandFeatures feature) =>
        await ProveOrRefuse(backend, feature);

    [RootTheory]
    [MemberData(nameof(RootCases))]
    public async Task A_claimed_privilege_feature_behaves_as_specified(string backend, CommandFeatures feature) =>
        await ProveOrRefuse(backend, feature);

    [Theory]
    [MemberData(nameof(AllPairs))]
    public async Task StartAsync_and_RunAsync_accept_or_refuse_a_feature_alike(string backend, CommandFeatures feature)
    {
        using var x = new FeatureContext(ConformanceBackend.Get(backend));
        var @case = FeatureCases.Get(feature);
        Command Build() => @case.Require!(Command.New(x.Backend.TracingProgram(x.Dir)), x);

        if (!x.Runner.Features.HasFlag(feature))
        {
            var refusals = new List<CommandNotSupportedException> { await AssertRefused(x, Build(), start: true) };
            if (@case.RunsToCompletion)
                refusals.Add(await AssertRefused(x, Build(), start: false));
            else
                await AssertRunCannotTakeIt(x, Build());
            Assert.All(refusals, r => Assert.Equal(refusals[0].Feature, r.Feature));
        }
        else
        {
            // A claimed feature passes the feature check of both: with a token cancelled already, both get
            // as far as the cancellation, and so spawn nothing either.
            var cancelled = new CancellationToken(canceled: true);
            await Assert.ThrowsAsync<CommandCanceledException>(() => x.Runner.StartAsync(Build(), cancelled).OrHang());
            if (@case.RunsToCompletion)
                await Assert.ThrowsAsync<CommandCanceledException>(() => x.Runner.RunAsync(Build(), cancelled).OrHang());
            else
                await AssertRunCannotTakeIt(x, Build());
        }
        x.Backend.AssertNeverRan(x.Runner, x.Dir);
    }

    [Fact]
    public void The_table_has_exactly_one_case_for_every_feature_and_each_case_requires_its_feature()
    {
        var flags = Enum.GetValues<CommandFeatures>().Where(f => f != CommandFeatures.None && f != CommandFeatures.All).ToList();
        Assert.All(flags, f => Assert.Equal(1, System.Numerics.BitOperations.PopCount((ulong)f)));
        Assert.Equal(CommandFeatures.All, flags.Aggregate(CommandFeatures.None, (all, f) => all | f));

        Assert.Equal(flags.Order(), FeatureCases.All.Select(c => c.Feature).Order());
        using var x = new FeatureContext(ConformanceBackend.Get("fake"));
        foreach (var c in FeatureCases.All)
        {
            if (c.Require is { } require)
                Assert.True(require(Probe.Command(), x).RequiredFeatures.HasFlag(c.Feature), $"the {c.Feature} case's setting does not require {c.Feature}");
            else
                Assert.NotNull(c.ProveUnclaimed); // a guarantee cannot be refused: its absence must be shown instead
        }
    }

    private static async Task ProveOrRefuse(string backend, CommandFeatures feature)
    {
        using var x = new FeatureContext(ConformanceBackend.Get(backend));
        var @case = FeatureCases.Get(feature);
        if (x.Runner.Features.HasFlag(feature))
        {
            await @case.Prove(x);
            return;
        }
        await AssertRefused(x, @case.Require!(Command.New(x.Backend.TracingProgram(x.Dir)), x), start: !@case.RunsToCompletion);
        x.Backend.AssertNeverRan(x.Runner, x.Dir);
    }

    /// <summary>Asserts the clear refusal: the first feature the runner lacks, the backend, and an alternative that has it, if one is named.</summary>
    private static async Task<CommandNotSupportedException> AssertRefused(FeatureContext x, Command command, bool start)
    {
        var missing = command.RequiredFeatures & ~x.Runner.Features;
        Assert.NotEqual(CommandFeatures.None, missing);
        var first = (CommandFeatures)((long)missing & -(long)missing);

        var error = await Assert.ThrowsAsync<CommandNotSupportedException>(() => start ? x.Runner.StartAsync(command).OrHang() : x.Runner.RunAsync(command).OrHang());

        Assert.Equal(first, error.Feature);
        Assert.Equal(x.Runner.Name, error.Backend);
        Assert.Contains(first.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(x.Runner.Name, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(command.ToString(), error.Message, StringComparison.Ordinal);
        if (error.Alternative is { } alternative)
        {
            Assert.Contains(alternative, error.Message, StringComparison.Ordinal);
            Assert.True(ConformanceBackend.Get(alternative).CreateRunner().Features.HasFlag(first),
                $"the refusal names {alternative} as the alternative, which lacks {first} too");
        }
        return error;
    }

    /// <summary>A pipe to serve or a handshake to release cannot run to completion on any backend: refused as invalid use, before any feature check.</summary>
    private static async Task AssertRunCannotTakeIt(FeatureContext x, Command command) =>
        await Assert.ThrowsAsync<InvalidOperationException>(() => x.Runner.RunAsync(command).OrHang());

    private static TheoryData<string, CommandFeatures> Pairs(bool rootProofs)
    {
        var data = new TheoryData<string, CommandFeatures>();
        foreach (var name in ConformanceBackend.AllNames)
        {
            var features = ConformanceBackend.Get(name).CreateRunner().Features;
            foreach (var @case in FeatureCases.All.Where(c => !c.IsGuarantee))
            {
                if (rootProofs == (@case.NeedsRoot && features.HasFlag(@case.Feature)))
                    data.Add(name, @case.Feature);
            }
        }
        return data;
    }
}
