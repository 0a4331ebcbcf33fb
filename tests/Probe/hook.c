/*
 * hook.c - libvircommand-testhook.so, pre-exec hooks for VirCommand's tests.
 * Each is an `int hook(void *opaque)` that the child calls after fork, as the
 * last step before ids, cwd and exec (see PreExecHook in the C# contract).
 *
 *   vc_test_hook_record   opaque: a NUL-terminated path.  Writes
 *                         "pid=P uid=U gid=G cwd=C" there (after some malloc
 *                         traffic, which the fork path makes safe); returns 0.
 *   vc_test_hook_return   returns (int)(intptr_t)opaque.
 *   vc_test_hook_drop_setuid  removes CAP_SETUID from the effective and
 *                         permitted sets, so that the later setuid fails.
 *   vc_test_hook_kill     raises SIGKILL: a child that dies without a word.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int vc_test_hook_record(void *opaque);
int vc_test_hook_return(void *opaque);
int vc_test_hook_drop_setuid(void *opaque);
int vc_test_hook_kill(void *opaque);

int vc_test_hook_record(void *opaque)
{
    char cwd[4096], *line;
    void *blocks[256];
    int fd, len;
    /* Heap traffic: fine in a forked child, and it must not disturb the parent. */
    for (int i = 0; i < 256; i++)
        if ((blocks[i] = malloc((size_t)(i + 1) * 64)) == NULL)
            return ENOMEM;
    for (int i = 0; i < 256; i++)
        free(blocks[i]);
    if (getcwd(cwd, sizeof cwd) == NULL)
        return errno;
    line = malloc(sizeof cwd + 128);
    if (line == NULL)
        return ENOMEM;
    len = snprintf(line, sizeof cwd + 128, "pid=%d uid=%d gid=%d cwd=%s",
                   (int)getpid(), (int)getuid(), (int)getgid(), cwd);
    fd = open((const char *)opaque, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, line, (size_t)len) != len) {
        free(line);
        return errno ? errno : EIO;
    }
    close(fd);
    free(line);
    return 0;
}

int vc_test_hook_return(void *opaque)
{
    return (int)(intptr_t)opaque;
}

int vc_test_hook_drop_setuid(void *opaque)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    (void)opaque;
    if (syscall(SYS_capget, &hdr, d) != 0)
        return errno;
    d[0].effective &= ~(1u << CAP_SETUID);
    d[0].permitted &= ~(1u << CAP_SETUID);
    return syscall(SYS_capset, &hdr, d) != 0 ? errno : 0;
}

int vc_test_hook_kill(void *opaque)
{
    (void)opaque;
    raise(SIGKILL);
    return 0;
}
