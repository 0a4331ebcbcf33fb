using VirCommand.Backends.Posix;
using VirCommand.Backends.Posix.Interop;

namespace VirCommand.Tests.Posix;

public sealed class PosixFeatureTests
{
    [Fact]
    public void The_posix_backend_honours_every_feature()
    {
        Assert.Equal(CommandFeatures.All, new PosixCommandRunner().Features);
    }

    // The sizes below are the LP64 ones (offsetof in vircommand_spawn.h, x86-64 and arm64).
    [Lp64Fact]
    public unsafe void The_request_and_result_mirror_the_native_header_on_64_bit()
    {
        Assert.Equal(160, sizeof(NativeSpawn.SpawnRequest));
        Assert.Equal(32, sizeof(NativeSpawn.SpawnResult));
        Assert.Equal(16, sizeof(NativeSpawn.RLimit));
    }
}

/// <summary>A test of 64-bit struct layouts; it says why when it skips.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class Lp64FactAttribute : FactAttribute
{
    public Lp64FactAttribute()
    {
        if (IntPtr.Size != 8)
            Skip = "the native header's sizes checked here are the LP64 ones; this process is not 64-bit";
    }
}
