using System.Buffers;
using System.Diagnostics;

namespace VirCommand.Backends.Fake.Cassettes;

/// <summary>
/// One run as it is being recorded: its request from the start, then the output the caller read,
/// the input it wrote, the signals it sent, and its end. <see cref="Interaction"/> is what it holds
/// so far, so a cassette saved after the caller finished reading has everything. Thread-safe.
/// </summary>
internal sealed class InteractionRecorder(CassetteRequest request)
{
    private readonly Lock _lock = new();
    private long _started = Stopwatch.GetTimestamp();
    private readonly List<CassetteOutput> _output = [];
    private readonly List<CassetteSignal> _signals = [];
    private readonly ArrayBufferWriter<byte> _input = new();
    private bool _readsInput;
    private CassetteOutcome? _end;

    /// <summary>Milliseconds since the child started (since the run began, until it is known to have started), as the cassette's times are.</summary>
    public double Elapsed => Stopwatch.GetElapsedTime(Volatile.Read(ref _started)).TotalMilliseconds;

    /// <summary>The child runs: times count from now, as the recorded duration does from the child's start.</summary>
    public void Started() => Volatile.Write(ref _started, Stopwatch.GetTimestamp());

    /// <summary>The caller read <paramref name="bytes"/> from one of the child's output pipes.</summary>
    public void Read(ChildOutput stream, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return;
        var at = Elapsed;
        byte[] copy = bytes.ToArray();
        lock (_lock)
            _output.Add(stream == ChildOutput.StandardOutput ? new CassetteOutput(at, Stdout: copy) : new CassetteOutput(at, Stderr: copy));
    }

    /// <summary>The caller wrote <paramref name="bytes"/> to the child's stdin pipe.</summary>
    public void Wrote(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            _readsInput = true;
            _input.Write(bytes);
        }
    }

    /// <summary>The caller sent a signal, <paramref name="at"/> milliseconds after the start, that reached the child.</summary>
    public void Signaled(double at, Signal signal, SignalTarget target)
    {
        lock (_lock)
            _signals.Add(new CassetteSignal(at, signal, target));
    }

    /// <summary>The run ended with <paramref name="result"/>; <paramref name="errorTail"/> is the stderr of a failure message when stderr went nowhere.</summary>
    public void Ended(CommandResult result, StopReason? stoppedBy = null, string? errorTail = null)
    {
        var duration = result.RunTime.TotalMilliseconds;
        List<CassetteOutput> captures = [];
        if (result.HasStandardOutput && !result.StandardOutputBytes.IsEmpty)
            captures.Add(new CassetteOutput(duration, Stdout: result.StandardOutputBytes.ToArray()));
        if (result.HasStandardError && !result.StandardErrorBytes.IsEmpty)
            captures.Add(new CassetteOutput(duration, Stderr: result.StandardErrorBytes.ToArray()));
        if (!string.IsNullOrEmpty(errorTail) && !result.HasStandardError)
            captures.Add(new CassetteOutput(duration, Stderr: System.Text.Encoding.UTF8.GetBytes(errorTail)));
        End(new CassetteOutcome
        {
            ExitCode = result.ExitCode,
            Signal = result.TerminatingSignal,
            CoreDumped = result.CoreDumped,
            StoppedBy = stoppedBy,
            DurationMs = duration,
            Output = captures,
        });
    }

    /// <summary>The child did not start.</summary>
    public void StartFailed(CommandStartException failure) =>
        End(new CassetteOutcome { StartFailure = new CassetteStartFailure(failure.Stage, failure.Errno), DurationMs = Elapsed });

    /// <summary>
    /// The run ended with <paramref name="exception"/>: what it tells of the child's end is recorded;
    /// false when it tells nothing (the run was refused before anything started: nothing to record).
    /// </summary>
    public bool Failed(Exception exception)
    {
        switch (exception)
        {
            case CommandStartException start:
                StartFailed(start);
                return true;
            case CommandExitException exit:
                Ended(exit.Result, errorTail: exit.StandardErrorTail);
                return true;
            case CommandTimeoutException { Result: { } result }:
                Ended(result, StopReason.Timeout);
                return true;
            case CommandCanceledException { Result: { } result }:
                Ended(result, StopReason.Canceled);
                return true;
            case CommandCaptureLimitException limit:
                Ended(limit.Result, StopReason.CaptureLimit);
                return true;
            case CommandStreamException stream:
                Ended(stream.Result, StopReason.StreamFailed);
                return true;
            default:
                return false;
        }
    }

    /// <summary>What was recorded so far; a run not yet ended is recorded as still running (no status).</summary>
    public CassetteInteraction Interaction
    {
        get
        {
            lock (_lock)
            {
                var outcome = _end ?? new CassetteOutcome { DurationMs = Elapsed };
                return new CassetteInteraction
                {
                    Request = _readsInput ? request with { Input = _input.WrittenSpan.ToArray() } : request,
                    Outcome = outcome with
                    {
                        // What the caller read from pipes as it came, then the captures of the end.
                        Output = [.. _output, .. outcome.Output],
                        Signals = [.. _signals],
                    },
                };
            }
        }
    }

    private void End(CassetteOutcome outcome)
    {
        lock (_lock)
            _end ??= outcome;
    }
}
