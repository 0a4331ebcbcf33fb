namespace VirCommand.Tests.Conformance;

/// <summary>
/// The guarantee rows of the feature table (<see cref="FeatureCase.IsGuarantee"/>) on every backend: proven
/// where claimed; where not, there is no setting to refuse, so the proof shows the gap is real instead
/// (else the backend should claim the flag).
/// </summary>
[Collection("Serial")] // the CloseOtherFds proofs hold an inheritable fd, which children of other tests would get
public sealed class GuaranteeConformanceTests
{
    public static TheoryData<string, CommandFeatures> Cases
    {
        get
        {
            var data = new TheoryData<string, CommandFeatures>();
            foreach (var backend in ConformanceBackend.AllNames)
                foreach (var guarantee in FeatureCases.All.Where(c => c.IsGuarantee))
                    data.Add(backend, guarantee.Feature);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_claimed_guarantee_holds_and_an_unclaimed_one_is_truly_absent(string backend, CommandFeatures feature)
    {
        using var x = new FeatureContext(ConformanceBackend.Get(backend));
        var @case = FeatureCases.Get(feature);

        await (x.Runner.Features.HasFlag(feature) ? @case.Prove(x) : @case.ProveUnclaimed!(x));
    }
}
