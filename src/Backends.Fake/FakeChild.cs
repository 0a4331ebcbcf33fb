using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Win32.SafeHandles;
using VirCommand.Backends;

namespace VirCommand.Backends.Fake;

/// <summary>
/// A fake child's life: it waits for the handshake if asked, reads stdin to end-of-file if stdin is a
/// pipe, runs for the response's delay, writes its output where the plan sends it, and ends as the
/// response says, unless a signal ends it first (it then dies by the run's graceful signal). The run
/// engine drives it like any backend's child.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Close, the child's end of life, disposes it once nothing can signal any more.")]
internal sealed class FakeChild : IChildProcess
{
    private readonly RunPlan _plan;
    private readonly FakeInvocation _invocation;
    private readonly Func<FakeInvocation, FakeResponse> _respond;
    private readonly RunSettings _settings;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _signalled = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _handshakeReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _execDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Pipe? _stdin;
    private readonly Pipe? _stdout;
    private readonly Pipe? _stderr;
    private StopSequence? _stops;
    private string _errorTail = "";

    public FakeChild(RunPlan plan, FakeInvocation invocation, Func<FakeInvocation, FakeResponse> respond, TimeProvider time)
    {
        _plan = plan;
        _invocation = invocation;
        _respond = respond;
        _settings = plan.Settings;
        _time = time;
        if (plan.Input.Kind == StdioKind.Pipe)
            _stdin = new Pipe();
        if (plan.Output.Kind == StdioKind.Pipe)
            _stdout = new Pipe();
        if (plan.Error.Kind == StdioKind.Pipe && !plan.MergesOutput)
            _stderr = new Pipe();
        StandardInput = _stdin?.Writer.AsStream();
        StandardOutput = _stdout?.Reader.AsStream();
        StandardError = _stderr?.Reader.AsStream();
    }

    public int Pid => _invocation.Pid;

    public DateTimeOffset StartTime => _invocation.StartTime;

    private string CommandLine => _invocation.CommandLine;

    public Stream? StandardInput { get; }

    public Stream? StandardOutput { get; }

    public Stream? StandardError { get; }

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

    public void Signal(Signal signal, bool toProcessGroup)
    {
        if (HasExited)
            return;
        _invocation.WasStopped = true;
        _signalled.Cancel();
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
        if (!detached)
            _signalled.Dispose();
    }

    private async Task LiveAsync()
    {
        var token = _signalled.Token;
        try
        {
            if (_plan.RequiresHandshake)
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
            Exit(CommandResult.SignalStatus(_settings.GracefulSignal));
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

    private void Exit(int status)
    {
        _invocation.Result = new CommandResult(CommandLine, Pid, status, StartTime, _time.GetUtcNow(), CapturedOutput, CapturedError);
        _exited.TrySetResult(status);
    }

    private async Task<int> EndAsync(FakeResponse response, CancellationToken token)
    {
        var output = response.StandardOutput;
        var error = response.StandardError;
        var merged = _plan.MergesOutput;

        if (_stdout is not null)
        {
            await _stdout.Writer.WriteAsync(output, token).ConfigureAwait(false);
            if (merged)
                await _stdout.Writer.WriteAsync(error, token).ConfigureAwait(false);
        }
        if (_stderr is not null)
            await _stderr.Writer.WriteAsync(error, token).ConfigureAwait(false);
        if (_plan.Output.Kind == StdioKind.Fd)
            WriteToCallerFd(_plan.Output.Fd, merged ? Concat(output, error) : output);
        if (_plan.Error.Kind == StdioKind.Fd && !merged)
            WriteToCallerFd(_plan.Error.Fd, error);
        if (_settings.KeepsErrorTail)
            _errorTail = Encoding.UTF8.GetString(error.Span[Math.Max(0, error.Length - _settings.StandardErrorTailBytes)..]);

        var capturedOutput = _plan.Output.Kind == StdioKind.Buffer ? (merged ? Concat(output, error) : output) : default;
        var capturedError = _plan.Error.Kind == StdioKind.Buffer && !merged ? error : default;
        var overflowed = Overflows(ref capturedOutput, "stdout") | Overflows(ref capturedError, "stderr");
        (CapturedOutput, CapturedError) = (capturedOutput, capturedError);
        // A real child is killed by the graceful signal once a capture overflows, as this one then dies.
        return overflowed ? CommandResult.SignalStatus(_settings.GracefulSignal) : response.RawStatus;
    }

    /// <summary>Cuts a capture at the limit and reports it to the stop rules, as a real backend's capture does.</summary>
    private bool Overflows(ref ReadOnlyMemory<byte> captured, string stream)
    {
        if (captured.Length <= _settings.CaptureLimit)
            return false;
        captured = captured[..(int)_settings.CaptureLimit];
        _stops!.CaptureOverflowed(stream);
        return true;
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
