namespace VirCommand;

/// <summary>One argument as the child receives it, and whether string forms must hide it.</summary>
/// <param name="Value">The exact bytes (as UTF-8) the child receives.</param>
/// <param name="IsSecret">When true, every string form and log shows <see cref="Display"/> instead of the value.</param>
/// <param name="VisiblePrefix">The part of a secret that may be shown (for example <c>--password=</c>).</param>
public sealed record CommandArgument(string Value, bool IsSecret = false, string VisiblePrefix = "")
{
    /// <summary>What string forms show: the value, or the visible prefix and <see cref="Redacted"/> for a secret.</summary>
    public string Display => IsSecret ? VisiblePrefix + Redacted : Value;

    /// <summary>The text that stands in for a secret.</summary>
    public const string Redacted = "***";

    /// <inheritdoc/>
    public override string ToString() => Display;
}
