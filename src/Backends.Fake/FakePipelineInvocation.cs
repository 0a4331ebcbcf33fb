namespace VirCommand.Backends.Fake;

/// <summary>
/// A pipeline the fake ran, recorded as a whole: its string form (<c>a | b</c>, secrets redacted) and
/// each stage's own <see cref="FakeInvocation"/>, which <see cref="FakeCommandRunner.Invocations"/>
/// holds too, since each stage was matched and recorded on its own.
/// </summary>
/// <param name="CommandLine">The pipeline's string form, as <see cref="IRunningPipeline.CommandLine"/> has it.</param>
/// <param name="Stages">Each stage's invocation, first to last.</param>
public sealed record FakePipelineInvocation(string CommandLine, IReadOnlyList<FakeInvocation> Stages);
