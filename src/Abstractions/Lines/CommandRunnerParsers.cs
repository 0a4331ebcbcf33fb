using System.Text.RegularExpressions;

namespace VirCommand;

/// <summary>
/// libvirt's output parsers on the line stream: <c>virCommandRunRegex</c> and <c>virCommandRunNul</c>
/// (<c>src/util/vircommand.c</c>). Each runs the command to completion like <see cref="ICommandRunner.RunAsync(Command, CancellationToken)"/>
/// (the exit judged by the same rules), but hands the records of stdout to the callback as they arrive
/// instead of capturing them, so the output may be any size.
/// </summary>
/// <remarks>
/// Stdout becomes a pipe on a copy of the command (the caller's is never changed; it must leave stdout
/// unset). An unset stderr is captured (<see cref="Command.SetErrorBuffer"/>), as libvirt's
/// <c>virCommandRun</c> keeps it for its error, so a failure's message carries it. An exception thrown by
/// the callback (libvirt's callback returning -1) stops the child by the stop sequence and is thrown
/// from the run. A record longer than <see cref="LineOptions.MaxLineLength"/> characters (1 Mi by
/// default) is not cut for a parser: the run stops with <see cref="InvalidDataException"/>.
/// </remarks>
public static class CommandRunnerParsers
{
    private static readonly LineOptions NulRecords = new() { Separator = LineSeparator.Nul };

    /// <summary>
    /// Runs the command and matches each line of its stdout against <paramref name="regexes"/> in order
    /// (<c>virCommandRunRegex</c>): the first regex that does not match the line skips it; when the last
    /// one matched, <paramref name="onMatch"/> gets the numbered groups of every regex, in order (each
    /// regex's groups 1…n, libvirt's <c>nvars</c>; a group that took no part in the match is empty, as
    /// GLib's <c>g_match_info_fetch</c> gives it).
    /// </summary>
    /// <param name="runner">The runner.</param>
    /// <param name="command">The command; it is copied, never changed.</param>
    /// <param name="regexes">The regexes every line must match, at least one.</param>
    /// <param name="onMatch">Called with the groups of each line that matched them all.</param>
    /// <param name="prefix">Skipped at the start of a line that begins with it before matching (libvirt's <c>prefix</c>); null for none.</param>
    /// <param name="cancellationToken">Stops the child.</param>
    /// <returns>The result, as <see cref="ICommandRunner.RunAsync(Command, CancellationToken)"/> returns it (with <see cref="Command.AllowNonZeroExit"/>, libvirt's <c>exitstatus</c>).</returns>
    /// <exception cref="ArgumentException"><paramref name="regexes"/> is empty or holds a null.</exception>
    /// <exception cref="InvalidOperationException">The command already sends stdout elsewhere.</exception>
    public static async Task<CommandResult> RunRegexAsync(this ICommandRunner runner, Command command, IReadOnlyList<Regex> regexes,
        Action<IReadOnlyList<string>> onMatch, string? prefix = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(regexes);
        ArgumentNullException.ThrowIfNull(onMatch);
        if (regexes.Count == 0)
            throw new ArgumentException("At least one regex is needed.", nameof(regexes));
        for (var i = 0; i < regexes.Count; i++)
        {
            if (regexes[i] is null)
                throw new ArgumentException($"regexes[{i}] is null.", nameof(regexes));
        }
        var groups = regexes.Select(r => r.GetGroupNumbers().Where(n => n != 0).Order().ToArray()).ToArray();
        var copy = ForParser(command, nameof(RunRegexAsync));
        return await RunRecordsAsync(runner, copy, LineOptions.Default, line =>
        {
            var text = prefix is not null && line.StartsWith(prefix, StringComparison.Ordinal) ? line[prefix.Length..] : line;
            var values = new List<string>();
            for (var i = 0; i < regexes.Count; i++)
            {
                var match = regexes[i].Match(text);
                if (!match.Success)
                    return;
                values.AddRange(groups[i].Select(n => match.Groups[n].Value));
            }
            onMatch(values);
        }, end: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the command and reads its stdout as NUL-separated fields (<c>virCommandRunNul</c>, for
    /// <c>find -print0</c> and the like), handing them to <paramref name="onRecord"/>
    /// <paramref name="fields"/> at a time. A last field without a NUL still counts; when the count is not
    /// a multiple of <paramref name="fields"/>, the last call gets fewer; no output, no call (libvirt's
    /// code; its comment promises a call with none, which its code does not make).
    /// </summary>
    /// <param name="runner">The runner.</param>
    /// <param name="command">The command; it is copied, never changed.</param>
    /// <param name="fields">The fields of one record, at least 1 (libvirt's <c>n_columns</c>).</param>
    /// <param name="onRecord">Called with each record's fields.</param>
    /// <param name="cancellationToken">Stops the child.</param>
    /// <returns>The result, as <see cref="ICommandRunner.RunAsync(Command, CancellationToken)"/> returns it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fields"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">The command already sends stdout elsewhere.</exception>
    public static async Task<CommandResult> RunNulAsync(this ICommandRunner runner, Command command, int fields,
        Action<IReadOnlyList<string>> onRecord, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(onRecord);
        ArgumentOutOfRangeException.ThrowIfLessThan(fields, 1);
        var copy = ForParser(command, nameof(RunNulAsync));
        var record = new List<string>(fields);
        return await RunRecordsAsync(runner, copy, NulRecords, field =>
        {
            record.Add(field);
            if (record.Count == fields)
                Hand();
        }, end: () =>
        {
            if (record.Count > 0)
                Hand();
        }, cancellationToken).ConfigureAwait(false);

        void Hand()
        {
            onRecord(record.ToArray());
            record.Clear();
        }
    }

    private static Command ForParser(Command command, string method)
    {
        var copy = CommandRunnerLines.WithPipes(command, error: false, method);
        if (copy.Error.Kind == StdioKind.Null)
            copy.SetErrorBuffer();
        return copy;
    }

    /// <summary>Starts the copy, hands each record of stdout to <paramref name="onRecord"/>, then <paramref name="end"/> at its end, and judges the exit.</summary>
    private static async Task<CommandResult> RunRecordsAsync(ICommandRunner runner, Command copy, LineOptions options, Action<string> onRecord,
        Action? end, CancellationToken cancellationToken)
    {
        var running = await runner.StartAsync(copy, cancellationToken).ConfigureAwait(false);
        await using (running.ConfigureAwait(false))
        {
            await foreach (var line in running.ReadLinesAsync(ChildOutput.StandardOutput, options, cancellationToken).ConfigureAwait(false))
            {
                if (line.IsPartial)
                    throw new InvalidDataException(
                        $"{running.CommandLine}: a record of stdout is longer than {options.MaxLineLength} characters, more than a parser takes; the child was stopped.");
                onRecord(line.Text);
            }
            end?.Invoke();
            return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
