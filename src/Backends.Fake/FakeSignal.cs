namespace VirCommand.Backends.Fake;

/// <summary>A signal a fake child got (<see cref="FakeInvocation.Signals"/>).</summary>
/// <param name="Signal">The signal.</param>
/// <param name="Target">The child alone, or its process group.</param>
/// <param name="Time">When it was sent, by the fake's clock.</param>
public sealed record FakeSignal(Signal Signal, SignalTarget Target, DateTimeOffset Time);
