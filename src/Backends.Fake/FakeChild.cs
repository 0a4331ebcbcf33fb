using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using System.Text;
using VirCommand.Backends;
using VirCommand.Backends.Fake.Interop;

namespace VirCommand.Backends.Fake;

/// <summary>
/// A fake child's life: it waits for the handshake if asked, reads stdin to end-of-file if stdin is a
/// pipe, runs for the response's delay, writes its output where the plan sends it, and ends as the
/// response says. A signal interrupts it: before the response is known, or without a handler in it,
/// with the signal's default action (<see cref="FakeResponse.OnSignal(VirCommand.Signal, Func{FakeInvocation, FakeResponse?})"/>);
/// otherwise as the handler says, which may be a new response to end with. The run engine drives it
/// like any backend's child.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Close, the child's end of life, disposes it once nothing can signal any more.")]
internal sealed class FakeChild : IChildProcess
{
    private readonly RunPlan _plan;
    private readonly FakeInvocation _invocation;
    private readonly Func<FakeInvocation, FakeResponse> _respond;
    private readonly RunSettings _settings;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _handshakeReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _execDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Pipe? _stdin;
    private readonly Pipe? _stdout;
    private readonly Pipe? _stderr;
    private readonly Pipe? _screen;
    private StopSequence? _stops;
    private string _errorTail = "";
    private CancellationTokenSource _interrupt = new();
    private FakeResponse? _running;
    private FakeResponse? _handled;
    private Signal? _killedBy;
    private Exception? _handlerFailure;

    public FakeChild(RunPlan plan, FakeInvocation invocation, Func<FakeInvocation, FakeResponse> respond, TimeProvider time)
    {
        _plan = plan;
        _invocation = invocation;
        _respond = respond;
        _settings = plan.Settings;
        _time = time;
        var terminal = plan.PseudoTerminal;
        if (FakeInvocation.CallerWritesStdin(plan))
            _stdin = new Pipe();
        if (plan.Output.Kind == StdioKind.Pipe)
            _stdout = new Pipe();
        if (plan.Error.Kind == StdioKind.Pipe && !plan.MergesOutput)
            _stderr = new Pipe();
        if (terminal is not null)
        {
            if (!plan.TerminalOutputHasTarget)
                _screen = new Pipe();
            Terminal = new FakeTerminal(terminal, this, invocation, terminal.Takes(TerminalStreams.Input) ? _stdin : null, _screen);
        }
        StandardInput = plan.Input.Kind == StdioKind.Pipe ? _stdin?.Writer.AsStream() : null;
        StandardOutput = _stdout?.Reader.AsStream();
        StandardError = _stderr?.Reader.AsStream();
    }

    public int Pid => _invocation.Pid;

    public DateTimeOffset StartTime => _invocation.StartTime;

    private string CommandLine => _invocation.CommandLine;

    public Stream? StandardInput { get; }

    public Stream? StandardOutput { get; }

    public Stream? StandardError { get; }

    public PseudoTerminal? Terminal { get; }

    public Task<int> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    public Task OutputsDone => Task.CompletedTask;

    public ReadOnlyMemory<byte> CapturedOutput { get; private set; }

    public ReadOnlyMemory<byte> CapturedError { get; private set; }

    public string? ErrorTail => _settings.KeepsErrorTail ? _errorTail : null;

    public bool ReachedHandshake => true;

    public void Start(StopSequence stops)
    {
        _stops = stops;
        _ = LiveAsync();
    }

    public bool Signal(Signal signal, bool toProcessGroup)
    {
        CancellationTokenSource interrupt;
        lock (_lock)
        {
            if (HasExited)
                return false;
            _invocation.Record(new FakeSignal(signal, toProcessGroup ? SignalTarget.ProcessGroup : SignalTarget.Process, _time.GetUtcNow()));
            // The stop sequence records its reason before it signals: a signal sent meanwhile is a stop.
            if (_stops?.IsStopping == true)
                _invocation.WasStopped = true;
            if (_running?.SignalHandlers.GetValueOrDefault(signal) is { } handle)
            {
                try
                {
                    if (handle(_invocation) is not { } end)
                        return true;
                    _handled ??= end;
                }
                catch (Exception e)
                {
                    // Never into the caller, which may be a timer thread: the run ends with it instead.
                    _handlerFailure ??= e;
                }
            }
            else if (signal is VirCommand.Signal.SIGCHLD or VirCommand.Signal.SIGCONT or VirCommand.Signal.SIGWINCH
                     or VirCommand.Signal.SIGSTOP or VirCommand.Signal.SIGTSTP)
                return true;
            else
                _killedBy ??= signal;
            interrupt = _interrupt;
        }
        // Outside the lock: the child's life may go on inline, on this thread.
        interrupt.Cancel();
        return true;
    }

    public void StopReading()
    {
    }

    public async Task ReleaseHandshakeAsync()
    {
        _handshakeReleased.TrySetResult();
        await _execDone.Task.ConfigureAwait(false);
    }

    public void AbandonHandshake()
    {
        // A fake child at the handshake goes when it is stopped, as the dispose that follows does.
    }

    public void Close(bool detached)
    {
        StandardInput?.Dispose();
        StandardOutput?.Dispose();
        StandardError?.Dispose();
        _screen?.Reader.Complete();
        if (_plan.PseudoTerminal?.Takes(TerminalStreams.Input) == true)
            _stdin?.Writer.Complete();
        if (!detached)
        {
            lock (_lock)
                _interrupt.Dispose();
        }
    }

    private async Task LiveAsync()
    {
        var token = Interruption();
        try
        {
            if (_plan.RequiresHandshake)
                await _handshakeReleased.Task.WaitAsync(token).ConfigureAwait(false);
            if (_stdin is not null)
            {
                try
                {
                    _invocation.SetInput(await ReadToEndAsync(_stdin.Reader, token).ConfigureAwait(false));
                }
                finally
                {
                    _invocation.InputEnded();
                }
            }
            var response = _respond(_invocation);
            if (response.StartFailureStage is { } stage)
            {
                var failure = new CommandStartException(CommandLine, stage, response.StartFailureErrno);
                _execDone.TrySetException(failure);
                _exited.TrySetException(failure);
                return;
            }
            _execDone.TrySetResult();
            while (true)
            {
                // From here the response's handlers catch the signals.
                lock (_lock)
                    _running = response;
                try
                {
                    if (response.Delay > TimeSpan.Zero)
                        await Task.Delay(response.Delay, _time, token).ConfigureAwait(false);
                    var status = await EndAsync(response, token).ConfigureAwait(false);
                    if (!token.IsCancellationRequested)
                    {
                        Exit(status);
                        return;
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                }
                // A signal interrupted it: it dies of it, or a handler's response takes over.
                if (Interrupted() is not { } next)
                    return;
                (response, token) = next;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Before it ran (handshake, stdin), only a signal's default action can interrupt it.
            _execDone.TrySetResult();
            Interrupted();
        }
        catch (Exception e)
        {
            // Whatever failed, a test's Responds callback included, ends the run with that failure: never a run that hangs.
            _execDone.TrySetException(e);
            _exited.TrySetException(e);
        }
        finally
        {
            _stdin?.Reader.Complete();
            _stdout?.Writer.Complete();
            _stderr?.Writer.Complete();
            _screen?.Writer.Complete();
        }
    }

    private CancellationToken Interruption()
    {
        lock (_lock)
            return _interrupt.Token;
    }

    /// <summary>
    /// After a signal interrupted the child: the response a handler ended it with, and the next
    /// interruption's token; or null when the signal killed it, which this records as its end.
    /// </summary>
    /// <exception cref="Exception">The handler threw: the run ends with that failure.</exception>
    private (FakeResponse Response, CancellationToken Token)? Interrupted()
    {
        lock (_lock)
        {
            // A signal that kills wins over a handler that ran before it was done.
            if (_killedBy is { } signal)
            {
                Exit(CommandResult.SignalStatus(signal));
                return null;
            }
            if (_handlerFailure is { } failure)
                ExceptionDispatchInfo.Throw(failure);
            var next = _handled!;
            _handled = null;
            _interrupt.Dispose();
            _interrupt = new CancellationTokenSource();
            return (next, _interrupt.Token);
        }
    }

    private void Exit(int status)
    {
        _invocation.Result = _plan.Result(Pid, status, StartTime, _time.GetUtcNow(), CapturedOutput, CapturedError);
        _exited.TrySetResult(status);
    }

    private async Task<int> EndAsync(FakeResponse response, CancellationToken token)
    {
        var merged = _plan.MergesOutput;
        var readerGone = false;
        ReadOnlyMemory<byte> output = default, error = default, errorWritten = default;
        // In the response's order, each write at its time; a reader gone from a caller's fd kills the child, as SIGPIPE would.
        foreach (var write in response.Writes)
        {
            var wait = write.At - (_time.GetUtcNow() - StartTime);
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, _time, token).ConfigureAwait(false);
            if (write.Bytes.IsEmpty)
                continue;
            // What the child writes to the terminal goes to stdout's target, or the caller reads it on the master.
            var onTerminal = _plan.PseudoTerminal?.Takes(write.Stream == ChildOutput.StandardOutput ? TerminalStreams.Output : TerminalStreams.Error) == true;
            if (onTerminal && !_plan.TerminalOutputHasTarget)
            {
                await _screen!.Writer.WriteAsync(write.Bytes, token).ConfigureAwait(false);
                continue;
            }
            var toOutput = onTerminal || write.Stream == ChildOutput.StandardOutput || merged;
            if ((toOutput ? _stdout : _stderr) is { } pipe)
                await pipe.Writer.WriteAsync(write.Bytes, token).ConfigureAwait(false);
            var target = toOutput ? _plan.Output : _plan.Error;
            readerGone = readerGone || (target.Kind == StdioKind.Fd && !CallerFd.Write(target.Fd, write.Bytes.Span));
            if (toOutput)
                output = Concat(output, write.Bytes);
            else
                error = Concat(error, write.Bytes);
            if (write.Stream == ChildOutput.StandardError)
                errorWritten = Concat(errorWritten, write.Bytes);
        }
        if (_settings.KeepsErrorTail)
            _errorTail = Encoding.UTF8.GetString(errorWritten.Span[Math.Max(0, errorWritten.Length - _settings.StandardErrorTailBytes)..]);

        // After a handled signal, the child's last words follow what it wrote before.
        var capturedOutput = _plan.Output.Kind == StdioKind.Buffer ? Concat(CapturedOutput, output) : default;
        var capturedError = _plan.Error.Kind == StdioKind.Buffer && !merged ? Concat(CapturedError, error) : default;
        (CapturedOutput, CapturedError) = (Limited(capturedOutput, "stdout"), Limited(capturedError, "stderr"));
        if (response.TimesOut)
            _stops!.Stop(StopReason.Timeout, default);
        if (response.RunsUntilStopped || response.TimesOut)
            await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
        return readerGone ? CommandResult.SignalStatus(VirCommand.Signal.SIGPIPE) : response.RawStatus;
    }

    /// <summary>
    /// Cuts a capture at the limit and reports it to the stop rules, as a real backend's capture does:
    /// they signal this child, which then ends as that signal says.
    /// </summary>
    private ReadOnlyMemory<byte> Limited(ReadOnlyMemory<byte> captured, string stream)
    {
        if (captured.Length <= _settings.CaptureLimit)
            return captured;
        _stops!.CaptureOverflowed(stream);
        return captured[..(int)_settings.CaptureLimit];
    }

    private static async Task<byte[]> ReadToEndAsync(PipeReader reader, CancellationToken token)
    {
        while (true)
        {
            var read = await reader.ReadAsync(token).ConfigureAwait(false);
            if (read.IsCompleted)
            {
                var bytes = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return bytes;
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private static ReadOnlyMemory<byte> Concat(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second) =>
        second.IsEmpty ? first : first.IsEmpty ? second : (byte[])[.. first.Span, .. second.Span];
}
