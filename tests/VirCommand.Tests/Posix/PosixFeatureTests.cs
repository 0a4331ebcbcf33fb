using VirCommand.Backends.Posix;
using VirCommand.Backends.Posix.Interop;

namespace VirCommand.Tests.Posix;

public sealed class PosixFeatureTests
{
    [Fact]
    public void The_posix_backend_honours_every_feature()
    {
        Assert.Equal(CommandFeatures.All, new PosixCommandRunner().Features);
        Assert.Equal(CommandFeatures.All, new PosixCommandRunner().Features);
    }

    [Fact]
    public unsafe void The_request_and_result_mirror_the_native_header_on_64_bit()
    {
        if (sizeof(nint) != 8)
            return; // the sizes below are the LP64 ones (offsetof in vircommand_spawn.h, x86-64 and arm64)
        Assert.Equal(136, sizeof(NativeSpawn.SpawnRequest));
        Assert.Equal(32, sizeof(NativeSpawn.SpawnResult));
        Assert.Equal(16, sizeof(NativeSpawn.RLimit));
    }
}
