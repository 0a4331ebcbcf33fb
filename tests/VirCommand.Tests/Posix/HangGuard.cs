namespace VirCommand.Tests.Posix;

/// <summary>Turns a hang into a failure: every await on the backend gets a generous bound, never a performance assertion.</summary>
internal static class HangGuard
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static Task<T> OrHang<T>(this Task<T> task) => task.WaitAsync(Limit);

    public static Task OrHang(this Task task) => task.WaitAsync(Limit);

    public static Task<T> OrHang<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Limit);

    public static Task OrHang(this ValueTask task) => task.AsTask().WaitAsync(Limit);
}
