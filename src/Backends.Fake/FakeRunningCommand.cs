using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Win32.SafeHandles;
using VirCommand.Backends;

namespace VirCommand.Backends.Fake;

/// <summary>
/// A fake child's life: it waits for the handshake if asked, reads stdin to end-of-file if stdin is a
/// pipe, runs for the response's delay, writes its output where the command sends it, and ends as the
/// response says, unless it is stopped first by timeout, cancellation, abort or the capture limit.
/// </summary>
internal sealed class FakeRunningCommand : IRunningCommand
{
    private readonly RunPlan _command;
    private readonly FakeInvocation _invocation;
    private readonly Func<FakeInvocation, FakeResponse> _respond;
    private readonly RunSettings _settings;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly StopRecord _stopRecord = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<CommandResult> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _handshakeReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _execDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Pipe? _stdin;
    private readonly Pipe? _stdout;
    private readonly Pipe? _stderr;
    private readonly ITimer? _timeout;
    private bool _handshakeWaited;
    private bool _handshakeNotified;
    private string _errorTail = "";

    public FakeRunningCommand(RunPlan snapshot, FakeInvocation invocation, Func<FakeInvocation, FakeResponse> respond, TimeProvider time)
    {
        var settings = snapshot.Settings;
        _command = snapshot;
        _invocation = invocation;
        _respond = respond;
        _settings = settings;
        _time = time;
        if (snapshot.Input.Kind == StdioKind.Pipe)
            _stdin = new Pipe();
        if (snapshot.Output.Kind == StdioKind.Pipe)
            _stdout = new Pipe();
        if (snapshot.Error.Kind == StdioKind.Pipe && !snapshot.MergesOutput)
            _stderr = new Pipe();
        StandardInput = _stdin?.Writer.AsStream();
        StandardOutput = _stdout?.Reader.AsStream();
        StandardError = _stderr?.Reader.AsStream();
        if (settings.Timeout is { } timeout)
            _timeout = time.CreateTimer(_ => Stop(StopReason.Timeout, default), null, timeout, Timeout.InfiniteTimeSpan);
        _ = LiveAsync();
    }

    public int Pid => _invocation.Pid;

    public string CommandLine => _invocation.CommandLine;

    public DateTimeOffset StartTime => _invocation.StartTime;

    public Stream? StandardInput { get; }

    public Stream? StandardOutput { get; }

    public Stream? StandardError { get; }

    public bool IsDetached { get; private set; }

    public async Task<CommandResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        CommandResult result;
        using (cancellationToken.Register(() => Stop(StopReason.Canceled, cancellationToken)))
            result = await _exited.Task.ConfigureAwait(false);
        return Judge(result);
    }

    public async Task AbortAsync()
    {
        Stop(StopReason.Aborted, default);
        // A child that failed (to exec, or in the test's own callback) has nothing left to abort; WaitAsync reports why.
        await ((Task)_exited.Task).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Detach() => IsDetached = true;

    public Task WaitForHandshakeAsync(CancellationToken cancellationToken = default)
    {
        if (!_command.RequiresHandshake)
            throw new InvalidOperationException("This command did not call RequireHandshake: there is no handshake to wait for.");
        lock (_lock)
            _handshakeWaited = true;
        return Task.CompletedTask;
    }

    public async Task NotifyHandshakeAsync(CancellationToken cancellationToken = default)
    {
        if (!_command.RequiresHandshake)
            throw new InvalidOperationException("This command did not call RequireHandshake: there is no handshake to release.");
        lock (_lock)
        {
            if (!_handshakeWaited)
                throw new InvalidOperationException("Wait for the handshake (WaitForHandshakeAsync) before releasing the child.");
            if (_handshakeNotified)
                throw new InvalidOperationException("The handshake was already released.");
            _handshakeNotified = true;
        }
        _handshakeReleased.TrySetResult();
        await _execDone.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!IsDetached)
            await AbortAsync().ConfigureAwait(false);
        if (StandardInput is not null)
            await StandardInput.DisposeAsync().ConfigureAwait(false);
        if (StandardOutput is not null)
            await StandardOutput.DisposeAsync().ConfigureAwait(false);
        if (StandardError is not null)
            await StandardError.DisposeAsync().ConfigureAwait(false);
    }

    private void Stop(StopReason reason, CancellationToken cancelledBy)
    {
        lock (_lock)
        {
            if (!_stopRecord.TryStop(reason, exited: _exited.Task.IsCompleted, cancelledBy))
                return;
        }
        _stop.Cancel();
    }

    private async Task LiveAsync()
    {
        var token = _stop.Token;
        try
        {
            if (_command.RequiresHandshake)
                await _handshakeReleased.Task.WaitAsync(token).ConfigureAwait(false);
            if (_stdin is not null)
                _invocation.SetInput(await ReadToEndAsync(_stdin.Reader, token).ConfigureAwait(false));
            var response = _respond(_invocation);
            if (response.StartFailureStage is { } stage)
            {
                var failure = new CommandStartException(CommandLine, stage, response.StartFailureErrno);
                _execDone.TrySetException(failure);
                _exited.TrySetException(failure);
                return;
            }
            _execDone.TrySetResult();
            if (response.Delay > TimeSpan.Zero)
                await Task.Delay(response.Delay, _time, token).ConfigureAwait(false);
            Exit(await EndAsync(response, token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            _execDone.TrySetResult();
            Exit(Result(CommandResult.SignalStatus(_settings.GracefulSignal), default, default));
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
        }
    }

    private void Exit(CommandResult result)
    {
        _timeout?.Dispose();
        _invocation.Result = result;
        _invocation.WasStopped = _stopRecord.Reason != StopReason.None;
        _exited.TrySetResult(result);
    }

    private async Task<CommandResult> EndAsync(FakeResponse response, CancellationToken token)
    {
        var output = response.StandardOutput;
        var error = response.StandardError;
        var merged = _command.MergesOutput;

        if (_stdout is not null)
        {
            await _stdout.Writer.WriteAsync(output, token).ConfigureAwait(false);
            if (merged)
                await _stdout.Writer.WriteAsync(error, token).ConfigureAwait(false);
        }
        if (_stderr is not null)
            await _stderr.Writer.WriteAsync(error, token).ConfigureAwait(false);
        if (_command.Output.Kind == StdioKind.Fd)
            WriteToCallerFd(_command.Output.Fd, merged ? Concat(output, error) : output);
        if (_command.Error.Kind == StdioKind.Fd && !merged)
            WriteToCallerFd(_command.Error.Fd, error);
        if (_settings.KeepsErrorTail)
            _errorTail = Encoding.UTF8.GetString(error.Span[Math.Max(0, error.Length - _settings.StandardErrorTailBytes)..]);

        var capturedOutput = _command.Output.Kind == StdioKind.Buffer ? (merged ? Concat(output, error) : output) : default;
        var capturedError = _command.Error.Kind == StdioKind.Buffer && !merged ? error : default;
        var status = response.RawStatus;
        if (Overflows(ref capturedOutput, "stdout") | Overflows(ref capturedError, "stderr"))
        {
            lock (_lock)
                _stopRecord.TryStop(StopReason.CaptureLimit, exited: false, default);
            status = CommandResult.SignalStatus(_settings.GracefulSignal);
        }
        return Result(status, capturedOutput, capturedError);
    }

    private bool Overflows(ref ReadOnlyMemory<byte> captured, string stream)
    {
        if (captured.Length <= _settings.CaptureLimit)
            return false;
        captured = captured[..(int)_settings.CaptureLimit];
        lock (_lock)
            _stopRecord.NoteOverflow(stream);
        return true;
    }

    private CommandResult Result(int status, ReadOnlyMemory<byte> output, ReadOnlyMemory<byte> error) =>
        new(CommandLine, Pid, status, StartTime, _time.GetUtcNow(), output, error);

    private CommandResult Judge(CommandResult result) =>
        _stopRecord.Judge(result, _settings, _command.AllowsNonZeroExit, _command.ReturnsRawStatus,
            _settings.KeepsErrorTail ? _errorTail : null);

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

    private static void WriteToCallerFd(int fd, ReadOnlyMemory<byte> bytes)
    {
        if (bytes.IsEmpty)
            return;
        using var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        stream.Write(bytes.Span);
    }

    private static ReadOnlyMemory<byte> Concat(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second) =>
        second.IsEmpty ? first : first.IsEmpty ? second : (byte[])[.. first.Span, .. second.Span];
}
