namespace VirCommand.Tests.Building;

/// <summary>Tests that change process-wide state (environment variables, which fd number the next open gets) run alone.</summary>
[CollectionDefinition("Serial", DisableParallelization = true)]
public sealed class SerialDefinition;
