using System.Globalization;

namespace VirCommand.Benchmarks.Compare;

/// <summary>A target for a ratio: at most or at least <see cref="Value"/>.</summary>
internal sealed record Target(double Value, bool AtMost)
{
    public static Target Max(double value) => new(value, AtMost: true);

    public static Target Min(double value) => new(value, AtMost: false);

    public bool IsMet(double ratio) => AtMost ? ratio <= Value : ratio >= Value;

    public override string ToString() => ToString("0.00");

    public string ToString(string format) => (AtMost ? "≤ " : "≥ ") + Value.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>
/// <c>numerator / denominator</c> of two contenders' medians (per-operation times), measured in the same run.
/// A ratio above 1 means the numerator is slower.
/// </summary>
internal sealed record Ratio(string Label, string NumeratorId, string DenominatorId, Target? Target = null);
