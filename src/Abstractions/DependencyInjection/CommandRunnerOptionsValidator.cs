using Microsoft.Extensions.Options;

namespace VirCommand;

/// <summary>Rejects option values no run could honour, when the options are first used.</summary>
internal sealed class CommandRunnerOptionsValidator : IValidateOptions<CommandRunnerOptions>
{
    public ValidateOptionsResult Validate(string? name, CommandRunnerOptions options)
    {
        var errors = new List<string>();
        if (options.DefaultTimeout is { } t && t <= TimeSpan.Zero && t != Timeout.InfiniteTimeSpan)
            errors.Add($"{nameof(options.DefaultTimeout)} must be positive, Timeout.InfiniteTimeSpan or null; it is {t}.");
        if (!Enum.IsDefined(options.GracefulSignal))
            errors.Add($"{nameof(options.GracefulSignal)} {(int)options.GracefulSignal} is not a known signal.");
        if (options.ParentDeathSignal is { } death && !Enum.IsDefined(death))
            errors.Add($"{nameof(options.ParentDeathSignal)} {(int)death} is not a known signal.");
        if (options.KillGracePeriod < TimeSpan.Zero)
            errors.Add($"{nameof(options.KillGracePeriod)} must not be negative; it is {options.KillGracePeriod}.");
        if (options.DrainTimeout < TimeSpan.Zero)
            errors.Add($"{nameof(options.DrainTimeout)} must not be negative; it is {options.DrainTimeout}.");
        if (options.CaptureLimit <= 0)
            errors.Add($"{nameof(options.CaptureLimit)} must be positive; it is {options.CaptureLimit}.");
        if (options.StandardErrorTailBytes < 0)
            errors.Add($"{nameof(options.StandardErrorTailBytes)} must not be negative; it is {options.StandardErrorTailBytes}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
