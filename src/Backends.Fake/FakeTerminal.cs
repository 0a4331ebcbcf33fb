using System.IO.Pipelines;

namespace VirCommand.Backends.Fake;

/// <summary>
/// A fake child's pseudo-terminal: a script, not a line discipline. What is typed into it until
/// <see cref="SendEndOfFileAsync"/> is the child's stdin (<see cref="FakeInvocation.Input"/>); its output is
/// the response's stdout (when the terminal takes stdout) then stderr (when it takes stderr), with no echo and
/// no <c>\r\n</c>. <see cref="InterruptAsync"/> sends SIGINT and <see cref="PseudoTerminal.ResizeAsync"/> SIGWINCH to
/// the child's process group, which the response's signal handlers see, as the kernel would.
/// </summary>
internal sealed class FakeTerminal : PseudoTerminal
{
    private readonly IChildProcess _child;
    private readonly FakeInvocation _invocation;
    private readonly PipeWriter? _input;

    /// <summary>The terminal of a fake child, over its stdin pipe (null when stdin is elsewhere) and its screen (null when stdout's target reads it).</summary>
    public FakeTerminal(TerminalSettings settings, IChildProcess child, FakeInvocation invocation, Pipe? input, Pipe? output)
        : base(settings, output?.Reader.AsStream(), input?.Writer.AsStream() ?? Stream.Null)
    {
        _child = child;
        _invocation = invocation;
        _input = input?.Writer;
    }

    public override async Task SendEndOfFileAsync(CancellationToken cancellationToken = default)
    {
        if (_input is not null)
            await _input.CompleteAsync().ConfigureAwait(false);
    }

    public override Task InterruptAsync(CancellationToken cancellationToken = default)
    {
        _child.Signal(Signal.SIGINT, toProcessGroup: true);
        return Task.CompletedTask;
    }

    protected override void Resize(TerminalSize size)
    {
        _invocation.TerminalSize = size;
        _child.Signal(Signal.SIGWINCH, toProcessGroup: true);
    }
}
