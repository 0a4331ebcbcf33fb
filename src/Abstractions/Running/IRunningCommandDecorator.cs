namespace VirCommand.Backends;

/// <summary>
/// A handle that wraps another run's handle (the cassette recorder's): what the engine knows of a run
/// (its drain time, its clock) is read through it from the handle it wraps, so wrapping changes nothing.
/// </summary>
internal interface IRunningCommandDecorator
{
    /// <summary>The wrapped handle.</summary>
    IRunningCommand Inner { get; }
}
