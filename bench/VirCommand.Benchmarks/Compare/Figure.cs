namespace VirCommand.Benchmarks.Compare;

/// <summary>
/// A measured figure other than time per operation (peak memory over the bytes captured, extra threads,
/// wall seconds), reported by its scenario after the ratios, with an optional target.
/// </summary>
/// <param name="Label">What it is.</param>
/// <param name="Value">The figure.</param>
/// <param name="Format">How to print it (a .NET numeric format, e.g. <c>0.00</c> or <c>N0</c>).</param>
/// <param name="Unit">Unit shown after the value (may be empty).</param>
/// <param name="Target">The target, or null for a figure only reported.</param>
internal sealed record Figure(string Label, double Value, string Format, string Unit, Target? Target = null);
