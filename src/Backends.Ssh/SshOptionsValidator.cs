using Microsoft.Extensions.Options;

namespace VirCommand.Backends.Ssh;

/// <summary>Rejects every host's <see cref="SshOptions"/> that <see cref="SshOptions.Validate"/> finds fault with, naming the host's key.</summary>
internal sealed class SshOptionsValidator : IValidateOptions<SshOptions>
{
    public ValidateOptionsResult Validate(string? name, SshOptions options) =>
        options.Validate() is { Count: > 0 } errors
            ? ValidateOptionsResult.Fail(errors.Select(e => $"SSH host '{name}': {e}"))
            : ValidateOptionsResult.Success;
}
