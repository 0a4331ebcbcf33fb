namespace VirCommand;

/// <summary>A terminal's window size in character cells, as <c>TIOCGWINSZ</c> reports it to the child.</summary>
/// <param name="Columns">The width, 1 to <see cref="Max"/>.</param>
/// <param name="Rows">The height, 1 to <see cref="Max"/>.</param>
public readonly record struct TerminalSize(int Columns, int Rows)
{
    /// <summary>The largest width or height: the kernel keeps each in 16 bits.</summary>
    public const int Max = ushort.MaxValue;

    /// <summary>The size, checked: the one rule for <see cref="Command.SetPseudoTerminal"/> and <see cref="PseudoTerminal.ResizeAsync"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is below 1 or above <see cref="Max"/> (0 would tell the child "size unknown").</exception>
    internal static TerminalSize Checked(int columns, int rows)
    {
        if (columns is < 1 or > Max)
            throw new ArgumentOutOfRangeException(nameof(columns), columns, $"A terminal is 1 to {Max} columns wide.");
        if (rows is < 1 or > Max)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"A terminal is 1 to {Max} rows high.");
        return new TerminalSize(columns, rows);
    }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"{Columns}x{Rows}");
}
