namespace VirCommand.Tests.Conformance;

/// <summary>
/// One row of the feature table (<see cref="FeatureCases"/>): a <see cref="CommandFeatures"/> flag, the
/// smallest setting that requires it, and the proof of its behaviour on a backend that claims it. A
/// backend that does not claim it must refuse <see cref="Require"/>'s command clearly, spawning nothing.
/// </summary>
/// <param name="Feature">The flag.</param>
/// <param name="Require">Adds the setting that requires the flag to a command.</param>
/// <param name="Prove">Proves the behaviour with the context's runner.</param>
/// <param name="RunsToCompletion">False when the setting cannot run to completion at all (a pipe to serve, a handshake to release): only a start can take it.</param>
/// <param name="NeedsRoot">True when the proof needs root.</param>
internal sealed record FeatureCase(
    CommandFeatures Feature,
    Func<Command, FeatureContext, Command> Require,
    Func<FeatureContext, Task> Prove,
    bool RunsToCompletion = true,
    bool NeedsRoot = false)
{
    /// <inheritdoc/>
    public override string ToString() => Feature.ToString();
}
