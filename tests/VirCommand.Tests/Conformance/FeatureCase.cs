namespace VirCommand.Tests.Conformance;

/// <summary>
/// One row of the feature table (<see cref="FeatureCases"/>): a <see cref="CommandFeatures"/> flag, the
/// smallest setting that requires it, and the proof of its behaviour on a backend that claims it. A
/// backend that does not claim it must refuse <see cref="Require"/>'s command clearly, spawning nothing.
/// </summary>
/// <remarks>
/// A guarantee flag (<see cref="CommandFeatures.CloseOtherFds"/>) is no setting: no command requires it,
/// so there is nothing to refuse. Its <see cref="Require"/> is null, and <see cref="ProveUnclaimed"/>
/// shows instead that a backend which does not claim it really lacks it (else it should claim it).
/// </remarks>
/// <param name="Feature">The flag.</param>
/// <param name="Require">Adds the setting that requires the flag to a command; null for a guarantee.</param>
/// <param name="Prove">Proves the behaviour with the context's runner.</param>
/// <param name="RunsToCompletion">False when the setting cannot run to completion at all (a pipe to serve, a handshake to release): only a start can take it.</param>
/// <param name="NeedsRoot">True when the proof needs root.</param>
/// <param name="ProveUnclaimed">For a guarantee: shows the gap on a backend that does not claim it.</param>
internal sealed record FeatureCase(
    CommandFeatures Feature,
    Func<Command, FeatureContext, Command>? Require,
    Func<FeatureContext, Task> Prove,
    bool RunsToCompletion = true,
    bool NeedsRoot = false,
    Func<FeatureContext, Task>? ProveUnclaimed = null)
{
    /// <summary>True for a guarantee of the backend rather than a setting of the command.</summary>
    public bool IsGuarantee => Require is null;

    /// <inheritdoc/>
    public override string ToString() => Feature.ToString();
}
