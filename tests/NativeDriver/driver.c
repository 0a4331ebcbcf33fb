/*
 * driver.c - runs libvircommand.so on its own, for every RID the package
 * carries: linked against one build, it spawns children through the shim's
 * entry points and checks what they saw.  The test suite
 * (tests/VirCommand.Tests/Packaging/NativeBuildTests.cs) builds it with each
 * RID's compiler and runs it natively (x64, glibc and musl) or under
 * qemu-user (arm64).  The children are the host's /bin/sh, which qemu-user
 * runs natively.
 *
 * Prints "ok CASE", "skip CASE: why" or "FAIL CASE: what" per case; exits 1
 * when a case failed.  Only libc and the shim's header: no kernel headers,
 * which musl toolchains lack.
 */
#include "vircommand_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;
static char *const no_env[] = { "PATH=/usr/bin:/bin", NULL };

#define FAIL(name, ...)                                  \
    do {                                                 \
        printf("FAIL %s: ", name);                       \
        printf(__VA_ARGS__);                             \
        printf("\n");                                    \
        failures++;                                      \
        return;                                          \
    } while (0)

static vc_spawn_request shell(const char *script, char *argv[4])
{
    vc_spawn_request req;
    memset(&req, 0, sizeof req);
    argv[0] = "sh";
    argv[1] = "-c";
    argv[2] = (char *)script;
    argv[3] = NULL;
    req.path = "/bin/sh";
    req.argv = argv;
    req.envp = no_env;
    req.stdin_fd = req.stdout_fd = req.stderr_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    req.umask = -1;
    req.ngroups = -1;
    return req;
}

/* Waits through the pidfd (poll until readable, then the shim's reap): the
 * child's exit code, or -1. */
static int wait_exit(const vc_spawn_result *res)
{
    struct pollfd p = { res->pidfd, POLLIN, 0 };
    int32_t raw = 0;
    if (poll(&p, 1, 30000) != 1 || vc_try_reap(res->pidfd, &raw) != 1)
        return -1;
    close(res->pidfd);
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
}

/* Runs the script (through the fork path when there is a hook): 0 when it
 * exited with the expected code, else -1 after printing why. */
static int run_script(const char *name, const char *script, int (*hook)(void *), int expected)
{
    char *argv[4];
    vc_spawn_request req = shell(script, argv);
    vc_spawn_result res;
    int rc, code;
    req.hook = hook;
    rc = vc_spawn(&req, &res);
    close(req.stdin_fd);
    if (rc != 0) {
        printf("FAIL %s: vc_spawn failed at stage %d with %d%s\n", name, res.stage, res.error,
               res.stage == VC_STAGE_HOOK ? " (the hook's answer)" : "");
        return -1;
    }
    if ((code = wait_exit(&res)) != expected) {
        printf("FAIL %s: exit code %d, expected %d\n", name, code, expected);
        return -1;
    }
    return 0;
}

static void success(void)
{
    if (run_script("success", "exit 7", NULL, 7) != 0)
        FAIL("success", "see above");
    printf("ok success\n");
}

static void enoent_at_exec(void)
{
    char *argv[] = { "missing", NULL };
    vc_spawn_request req = shell("", (char *[4]){ 0 });
    vc_spawn_result res;
    req.path = "/nonexistent/vircommand-driver";
    req.argv = argv;
    if (vc_spawn(&req, &res) == 0)
        FAIL("enoent-at-exec", "a missing program started (pid %d)", res.pid);
    close(req.stdin_fd);
    if (res.stage != VC_STAGE_EXEC || res.error != ENOENT || res.pidfd != -1)
        FAIL("enoent-at-exec", "stage %d error %d pidfd %d, expected stage %d ENOENT", res.stage, res.error, res.pidfd, VC_STAGE_EXEC);
    printf("ok enoent-at-exec\n");
}

static void passed_fd(void)
{
    char *argv[4], buf[32] = { 0 };
    vc_spawn_request req = shell("echo passed >&5", argv);
    vc_spawn_result res;
    int pipefd[2];
    ssize_t n;
    if (pipe2(pipefd, O_CLOEXEC) != 0)
        FAIL("passed-fd", "pipe2: %s", strerror(errno));
    vc_fd_map map = { pipefd[1], 5 };
    req.fds = &map;
    req.nfds = 1;
    if (vc_spawn(&req, &res) != 0)
        FAIL("passed-fd", "vc_spawn failed at stage %d: %s", res.stage, strerror(res.error));
    close(req.stdin_fd);
    close(pipefd[1]);
    n = read(pipefd[0], buf, sizeof buf - 1);
    close(pipefd[0]);
    if (wait_exit(&res) != 0 || n != 7 || strcmp(buf, "passed\n") != 0)
        FAIL("passed-fd", "the child wrote %zd bytes \"%s\" to fd 5", n, buf);
    printf("ok passed-fd\n");
}

/* Fd 50 is open in the parent and not close-on-exec. */
#define LEAKED_FD 50

static int hook_sees_no_leaked_fd(void *opaque)
{
    (void)opaque;
    return fcntl(LEAKED_FD, F_GETFD) == -1 && errno == EBADF ? 0 : 99;
}

/* The shell exits 3 when it sees the leaked fd: on the vfork path (fds
 * marked close-on-exec) and on the fork path, where the hook checks before
 * exec that the fd is really closed, not only marked. */
static void close_all_fds(const char *name)
{
    const char *script = "[ -e /proc/self/fd/50 ] && exit 3; exit 0";
    int bad;
    if (dup2(STDERR_FILENO, LEAKED_FD) != LEAKED_FD)
        FAIL(name, "dup2: %s", strerror(errno));
    bad = run_script(name, script, NULL, 0) != 0 || run_script(name, script, hook_sees_no_leaked_fd, 0) != 0;
    close(LEAKED_FD);
    if (bad)
        FAIL(name, "fd %d crossed (hook answer 99: it was open before exec)", LEAKED_FD);
    printf("ok %s\n", name);
}

/* A seccomp filter that answers close_range with ENOSYS, as a 5.4-5.8 kernel
 * does.  Kernel ABI (linux/filter.h, linux/seccomp.h), spelled out. */
struct bpf_insn {
    unsigned short code;
    unsigned char jt, jf;
    unsigned int k;
};
struct bpf_prog {
    unsigned short len;
    struct bpf_insn *insns;
};

static int deny_close_range(void)
{
#if defined(__x86_64__)
    const unsigned int arch = 0xC000003E; /* AUDIT_ARCH_X86_64 */
#elif defined(__aarch64__)
    const unsigned int arch = 0xC00000B7; /* AUDIT_ARCH_AARCH64 */
#else
    errno = ENOTSUP;
    return -1;
#endif
    struct bpf_insn insns[] = {
        { 0x20, 0, 0, 4 },                    /* ld [arch] */
        { 0x15, 1, 0, arch },                 /* jeq arch, +1 */
        { 0x06, 0, 0, 0x7fff0000 },           /* ret ALLOW (another ABI) */
        { 0x20, 0, 0, 0 },                    /* ld [nr] */
        { 0x15, 0, 1, 436 },                  /* jeq close_range, else +1 */
        { 0x06, 0, 0, 0x00050000 | ENOSYS },  /* ret ERRNO(ENOSYS) */
        { 0x06, 0, 0, 0x7fff0000 },           /* ret ALLOW */
    };
    struct bpf_prog prog = { sizeof insns / sizeof insns[0], insns };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) != 0)
        return -1;
    return prctl(22 /* PR_SET_SECCOMP */, 2UL /* SECCOMP_MODE_FILTER */, (unsigned long)&prog, 0UL, 0UL);
}

/* The /proc/self/fd fallback, forced: in a forked copy of this driver (so the
 * filter stays there), close_range fails with ENOSYS. */
static void close_all_fds_without_close_range(void)
{
    const char *name = "close-all-fds-without-close_range";
    int status;
    pid_t pid;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        if (deny_close_range() != 0) {
            printf("skip %s: no seccomp filter here (%s; qemu-user refuses them)\n", name, strerror(errno));
            fflush(stdout);
            _exit(0);
        }
        if (syscall(436, 3, 3, 0) == 0 || errno != ENOSYS) {
            printf("FAIL %s: the filter did not take\n", name);
            fflush(stdout);
            _exit(1);
        }
        close_all_fds(name);
        fflush(stdout);
        _exit(failures != 0);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (pid < 0 || !WIFEXITED(status))
            printf("FAIL %s: the forked driver died\n", name);
        failures++;
    }
}

static void pidfd_wait(void)
{
    char *argv[4];
    vc_spawn_request req = shell("sleep 0.2; exit 42", argv);
    vc_spawn_result res;
    int32_t raw = 0;
    if (vc_spawn(&req, &res) != 0)
        FAIL("pidfd-wait", "vc_spawn failed at stage %d: %s", res.stage, strerror(res.error));
    close(req.stdin_fd);
    if (vc_try_reap(res.pidfd, &raw) != 0)
        FAIL("pidfd-wait", "reaped before the child could have exited");
    if (wait_exit(&res) != 42)
        FAIL("pidfd-wait", "the pidfd did not report exit code 42");
    printf("ok pidfd-wait\n");
}

/* The hook (fork path) runs after the child reset every disposition and
 * restored the caller's mask: it must see exactly the caller's blocked
 * signals and no handler, libc's internal ones included.  Asked through the
 * raw calls (libc hides its internal signals; /proc would show qemu's own). */
static int hook_checks_signals(void *opaque)
{
    unsigned long long blocked = 0;
    (void)opaque;
#if defined(__x86_64__) || defined(__aarch64__)
    for (int sig = 1; sig <= 64; sig++) {
        struct {
            void (*handler)(int);
            unsigned long flags;
            void (*restorer)(void);
            unsigned long long mask;
        } old;
        if (syscall(SYS_rt_sigaction, sig, NULL, &old, 8) == 0 && old.handler != SIG_DFL)
            return 98;
    }
#endif
    if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &blocked, 8) != 0)
        return 96;
    return blocked == 1ULL << (SIGUSR2 - 1) ? 0 : 97;
}

static void on_usr1(int sig)
{
    (void)sig;
}

static void signals_reset(void)
{
    struct sigaction sa;
    sigset_t usr2, old;
    char *argv[4];
    vc_spawn_request req = shell("exit 0", argv);
    vc_spawn_result res;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, &old);
    sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL);
    req.hook = hook_checks_signals;
    int rc = vc_spawn(&req, &res);
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(req.stdin_fd);
    if (rc != 0)
        FAIL("signals-reset", "stage %d value %d (98: a handler was still installed, 97: not the caller's mask)", res.stage, res.error);
    if (wait_exit(&res) != 0)
        FAIL("signals-reset", "the child failed");
    printf("ok signals-reset\n");
}

/* The vfork path: the program must start with no handler and nothing
 * ignored (SIGPIPE and a realtime signal, above bit 31, are ignored here, and
 * SIGUSR1 has a handler).  Seen by the kernel in /proc/<pid>/status of the
 * exec'd program, which is native even under qemu-user (the host's /bin/sh
 * and sleep); its blocked mask is not checked there, as qemu-user keeps the
 * host's mask to itself (signals-reset and the conformance probe check the
 * mask). */
static unsigned long long status_mask(const char *status, const char *key)
{
    const char *line = strstr(status, key);
    return line == NULL ? ~0ULL : strtoull(line + strlen(key), NULL, 16);
}

static void signals_reset_vfork(void)
{
    struct sigaction sa;
    char *argv[4], path[64], status[4096] = "";
    vc_spawn_request req = shell("exec sleep 10", argv);
    vc_spawn_result res;
    int rc, fd;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL);
    sigaction(40, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL);
    rc = vc_spawn(&req, &res);
    sigaction(40, &(struct sigaction){ .sa_handler = SIG_DFL }, NULL);
    close(req.stdin_fd);
    if (rc != 0)
        FAIL("signals-reset-vfork", "stage %d errno %d", res.stage, res.error);
    snprintf(path, sizeof path, "/proc/%d/status", res.pid);
    for (int i = 0; i < 400 && strstr(status, "Name:\tsleep") == NULL; i++) {
        ssize_t n = -1;
        usleep(5000);
        if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
            n = read(fd, status, sizeof status - 1);
            close(fd);
        }
        status[n > 0 ? n : 0] = '\0';
    }
    vc_signal(res.pidfd, SIGKILL);
    wait_exit(&res);
    if (strstr(status, "Name:\tsleep") == NULL)
        FAIL("signals-reset-vfork", "the child never reached sleep");
    if (status_mask(status, "SigIgn:\t") != 0 || status_mask(status, "SigCgt:\t") != 0)
        FAIL("signals-reset-vfork", "ignored %llx, caught %llx: not every disposition was reset",
             status_mask(status, "SigIgn:\t"), status_mask(status, "SigCgt:\t"));
    printf("ok signals-reset-vfork\n");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    success();
    enoent_at_exec();
    passed_fd();
    close_all_fds("close-all-fds");
    close_all_fds_without_close_range();
    pidfd_wait();
    signals_reset_vfork();
    signals_reset();
    return failures != 0;
}
