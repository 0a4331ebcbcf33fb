using System.Text;

namespace VirCommand.Tests.Conformance;

/// <summary>Orders strings as the probe's strcmp orders its environment: by their UTF-8 bytes.</summary>
internal sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Instance = new();

    public int Compare(string? x, string? y) =>
        Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));

    /// <summary><paramref name="entries"/> in the probe's order.</summary>
    public static List<string> Sorted(IEnumerable<string> entries) => [.. entries.Order(Instance)];
}
