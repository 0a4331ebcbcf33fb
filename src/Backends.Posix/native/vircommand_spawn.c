/*
 * vircommand_spawn.c - fork/exec for VirCommand's POSIX backend; API in
 * vircommand_spawn.h.  Modelled on dotnet/runtime's pal_process.c and glibc's
 * posix_spawn.
 *
 * Parent: validate the request, plan the fd moves, create a close-on-exec
 * error pipe and take a child stack, block every signal, then
 * clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD).  The kernel hands back the
 * pidfd atomically with the child, so no pid-reuse race is possible.  With
 * CLONE_VFORK the calling thread sleeps until the child has exec'd or exited.
 *
 * Child: runs on its own stack but in the parent's memory (CLONE_VM), with a
 * copy of the parent's fd table.  It may therefore only make async-signal-safe
 * calls (no malloc, no stdio, no locks: another parent thread may hold them
 * forever from the child's point of view), writes only its slots of the plan,
 * and leaves by execve or _exit(127) after reporting {stage, errno}.
 *
 * The report travels two ways.  Through the shared memory: when clone returns
 * the child has either exec'd or exited, so the record in child_args is final
 * and the parent needs no further wait (waiting for EOF on the pipe instead
 * costs a second wake-up, ~40 us per spawn here, and with many open fds lasts
 * until execve has closed every fd below the pipe: ~1 ms at 10,000 fds).
 * And through the close-on-exec pipe, read to EOF, for platforms that emulate
 * vfork with a plain fork (qemu-user, valgrind), where the child's stores land
 * in its own copy of memory; the child's first store tells the two apart.
 *
 * Build with -Wl,-z,now (Native.targets does): the child then never runs the
 * dynamic linker's lazy PLT resolver, which is neither async-signal-safe nor
 * frugal with stack.
 */
#include "vircommand_spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Older glibc/kernel headers lack these; the values are kernel ABI (the
 * syscall numbers are the unified ones, identical on every architecture
 * but alpha). */
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
/* P_PIDFD is an enumerator (not a macro) in glibc >= 2.36 and absent before. */
#define VC_P_PIDFD ((idtype_t)3)

/* Measured: the child uses ~0.5 KiB of stack, 4.5 KiB on the /proc walk
 * (its 4 KiB getdents buffer).  Generous, since untouched pages cost nothing. */
#define CHILD_STACK_SIZE (64 * 1024)

struct error_record {
    int32_t stage;
    int32_t error;
};

/* Everything the child reads, prepared by the parent.  The child writes only
 * src[] (lifted fds, never read back), `shared` and `rec`. */
struct child_args {
    const vc_spawn_request *req;
    int *src;            /* [nmap] parent fds: stdin, stdout, stderr, then req->fds */
    const int *dst;      /* [nmap] 0, 1, 2, then the child_fds */
    int nmap;
    const int *keep;     /* [nkeep] ascending: 0, 1, 2, child_fds, err_fd */
    int nkeep;
    int max_target;      /* highest dst */
    int err_fd;          /* write end of the error pipe, always > max_target */
    pid_t parent_pid;
    sigset_t old_mask;   /* the calling thread's mask before we blocked all */
    /* Written by the child, read by the parent once clone has returned: the
     * kernel's vfork completion orders the accesses, and &args escaping into
     * clone() keeps the compiler from caching them. */
    int shared;          /* the child's first store: 1 if memory really is shared */
    struct error_record rec;
};

/* ---------------------------------------------------------------- child -- */

static __attribute__((noreturn)) void child_fail(struct child_args *a, int stage, int err)
{
    ssize_t n;
    a->rec.stage = stage;
    a->rec.error = err;
    /* For the fork-emulated case (see the top).  A pipe write of <= PIPE_BUF
     * bytes is atomic; if it fails anyway, that parent sees EOF and the
     * caller later reaps an exit status of 127. */
    n = write(a->err_fd, &a->rec, sizeof a->rec);
    (void)n;
    _exit(127);
}

static int is_kept(const struct child_args *a, int fd)
{
    int lo = 0, hi = a->nkeep - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (a->keep[mid] == fd)
            return 1;
        if (a->keep[mid] < fd)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0;
}

/* Fallback for kernels without close_range (< 5.9) or CLOSE_RANGE_CLOEXEC
 * (< 5.11).  opendir would malloc, so list /proc/self/fd with getdents64 into
 * a stack buffer.  Only FD_CLOEXEC changes, so the fd table is never reshaped
 * under the directory iterator. */
static int walk_mark_cloexec(const struct child_args *a)
{
    char buf[4096] __attribute__((aligned(8)));
    int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    for (;;) {
        ssize_t n = getdents64(dfd, buf, sizeof buf);
        if (n <= 0) {
            int err = errno;
            close(dfd);
            errno = err;
            return n == 0 ? 0 : -1;
        }
        for (ssize_t off = 0; off < n;) {
            const struct dirent64 *d = (const struct dirent64 *)(buf + off);
            int fd = 0;
            off += d->d_reclen;
            if (d->d_name[0] < '0' || d->d_name[0] > '9')
                continue; /* "." and ".." */
            for (const char *p = d->d_name; *p; p++)
                fd = fd * 10 + (*p - '0');
            if (fd != dfd && !is_kept(a, fd) && fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
                int err = errno;
                close(dfd);
                errno = err;
                return -1;
            }
        }
    }
}

/* Every fd outside keep[] becomes close-on-exec.  Marking instead of closing:
 * the result at exec is identical, but execve drops marked fds in
 * do_close_on_exec(), after it has already woken the vfork-suspended parent,
 * so the parent does not wait for thousands of fput()s; and if a later step
 * fails, _exit drops them anyway. */
static int mark_cloexec(const struct child_args *a)
{
    unsigned int lo = 0;
    for (int i = 0; i < a->nkeep; i++) {
        unsigned int k = (unsigned int)a->keep[i];
        if (k > lo && syscall(SYS_close_range, lo, k - 1, CLOSE_RANGE_CLOEXEC) != 0)
            goto fallback;
        lo = k + 1;
    }
    if (syscall(SYS_close_range, lo, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return 0;
fallback:
    /* ENOSYS: no close_range; EINVAL: no CLOSE_RANGE_CLOEXEC flag. */
    return errno == ENOSYS || errno == EINVAL ? walk_mark_cloexec(a) : -1;
}

/* Runs between clone and execve; every call below is a plain system call
 * wrapper, async-signal-safe.  errno lives in the parent thread's TLS (shared
 * memory): harmless, as the parent sleeps until we exec or exit. */
static __attribute__((noreturn)) int child_main(void *arg)
{
    struct child_args *a = arg;
    const vc_spawn_request *req = a->req;
    struct sigaction dfl = { .sa_handler = SIG_DFL };

    a->shared = 1;

    /* 1. Signals.  All are blocked (the parent did it before clone), so no
     * parent handler can run here and scribble on the parent's memory.  Reset
     * every disposition before unblocking: handlers for that reason, SIG_IGN
     * because it survives execve (.NET ignores SIGPIPE; the new program must
     * not).  sigaction refuses SIGKILL, SIGSTOP and glibc's internal 32/33
     * with EINVAL, which is fine: execve resets caught signals anyway, and
     * nobody else knows this new tid to send glibc's signals to. */
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            (void)sigaction(sig, &dfl, NULL);
    if (sigprocmask(SIG_SETMASK, &a->old_mask, NULL) != 0)
        child_fail(a, VC_STAGE_SIGNALS, errno);

    /* 2. Session or process group.  setsid also starts a new group, and a
     * session leader may not setpgid, hence the else. */
    if (req->flags & VC_FLAG_NEW_SESSION) {
        if (setsid() < 0)
            child_fail(a, VC_STAGE_SESSION, errno);
    } else if (req->flags & VC_FLAG_NEW_PROCESS_GROUP) {
        if (setpgid(0, 0) < 0)
            child_fail(a, VC_STAGE_SESSION, errno);
    }

    /* 3. Parent-death signal.  Checking getppid() after prctl closes the race:
     * a parent that died before prctl has already reparented us, one that
     * dies after triggers the signal. */
    if (req->parent_death_signal != 0) {
        if (prctl(PR_SET_PDEATHSIG, (unsigned long)req->parent_death_signal, 0, 0, 0) != 0)
            child_fail(a, VC_STAGE_PDEATHSIG, errno);
        if (getppid() != a->parent_pid)
            child_fail(a, VC_STAGE_PDEATHSIG, ESRCH);
    }

    /* 4. stdio and 5. passed fds, as one list of moves src[i] -> dst[i].
     * A source may sit on another move's target (stdin_fd == 1; 5->6 with
     * 6->5), so first lift every source <= max_target above all targets.
     * Afterwards src != dst in every dup2, which therefore always clears
     * FD_CLOEXEC on the target (dup2 onto itself would be a no-op and leave
     * the flag set).  The lifted copies are close-on-exec and go at exec. */
    for (int i = 0; i < a->nmap; i++) {
        if (a->src[i] <= a->max_target) {
            int fd = fcntl(a->src[i], F_DUPFD_CLOEXEC, a->max_target + 1);
            if (fd < 0)
                child_fail(a, i < 3 ? VC_STAGE_STDIO : VC_STAGE_PASS_FDS, errno);
            a->src[i] = fd;
        }
    }
    for (int i = 0; i < a->nmap; i++)
        if (dup2(a->src[i], a->dst[i]) < 0)
            child_fail(a, i < 3 ? VC_STAGE_STDIO : VC_STAGE_PASS_FDS, errno);

    /* 6. Nothing else crosses exec, whatever the parent forgot to mark. */
    if (mark_cloexec(a) != 0)
        child_fail(a, VC_STAGE_CLOSE_FDS, errno);

    /* 7. umask never fails. */
    if (req->umask >= 0)
        umask((mode_t)req->umask);

    /* 8. Working directory, last before exec so that relative paths in the
     * request (there should be none: path is absolute) cannot be affected. */
    if (req->cwd != NULL && chdir(req->cwd) != 0)
        child_fail(a, VC_STAGE_CHDIR, errno);

    execve(req->path, req->argv, req->envp);
    child_fail(a, VC_STAGE_EXEC, errno);
}

/* The fallback when clone() rejects CLONE_PIDFD (EINVAL/ENOSYS from seccomp
 * profiles or emulators that do not know the flag).  vfork has the contract
 * our clone relies on: the parent thread is suspended until the child execs
 * or exits, and the child, running on the parent's stack below this frame,
 * only touches its own frames and the plan.  Kept in its own small function
 * so that vfork's returns-twice semantics cannot clobber vc_spawn's locals. */
static __attribute__((noinline)) pid_t spawn_vfork(struct child_args *a)
{
    pid_t pid = vfork();
    if (pid == 0)
        child_main(a);
    return pid;
}

/* --------------------------------------------------------------- parent -- */

/* pidfds are this shim's floor.  Probe once: a pre-5.2 kernel silently ignores
 * CLONE_PIDFD, and we would only find out once the child is running.  Racing
 * probes compute the same answer. */
static int pidfd_supported(void)
{
    static int state; /* 0 unknown, 1 yes, -1 no */
    int s = __atomic_load_n(&state, __ATOMIC_RELAXED);
    if (s == 0) {
        int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
        if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOMEM))
            return 1; /* inconclusive; the spawn itself will report the shortage */
        if (fd >= 0)
            close(fd);
        s = fd >= 0 ? 1 : -1;
        __atomic_store_n(&state, s, __ATOMIC_RELAXED);
    }
    return s > 0;
}

/* Child stacks: CHILD_STACK_SIZE above one PROT_NONE guard page, so that an
 * overflow faults instead of silently corrupting a neighbouring mapping.  One
 * spare is kept for the next call, shared by all threads without a lock: a
 * caller takes it with an atomic exchange (or maps a fresh one while another
 * thread holds it) and gives it back with a compare-exchange (or unmaps it if
 * the slot was refilled meanwhile).  This saves mmap + mprotect + munmap and
 * the child's page faults, about 9 us per spawn here.  Reuse is safe as soon
 * as clone returns: CLONE_VFORK wakes us only after the child has left this
 * memory (execve switched its mm, or it exited). */
static void *spare_stack;

static void *stack_get(size_t page)
{
    void *s = __atomic_exchange_n(&spare_stack, NULL, __ATOMIC_ACQUIRE);
    if (s != NULL)
        return s;
    s = mmap(NULL, page + CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (s == MAP_FAILED)
        return NULL;
    if (mprotect(s, page, PROT_NONE) != 0) {
        int err = errno;
        munmap(s, page + CHILD_STACK_SIZE);
        errno = err;
        return NULL;
    }
    return s;
}

static void stack_put(void *s, size_t page)
{
    void *empty = NULL;
    if (!__atomic_compare_exchange_n(&spare_stack, &empty, s, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        munmap(s, page + CHILD_STACK_SIZE);
}

static int cmp_int(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

static int fail(vc_spawn_result *res, int stage, int err)
{
    res->pid = -1;
    res->pidfd = -1;
    res->stage = stage;
    res->error = err;
    errno = err;
    return -1;
}

/* Reaps a child that has exited or is about to (it wrote its error record). */
static void reap(pid_t pid, int pidfd)
{
    siginfo_t si;
    if (pidfd >= 0) {
        while (waitid(VC_P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0 && errno == EINTR)
            ;
        close(pidfd);
    } else {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
}

static int check_request(const vc_spawn_request *r)
{
    if (r->path == NULL || r->argv == NULL || r->envp == NULL)
        return VC_STAGE_EXEC;
    if (r->nfds < 0 || (r->nfds > 0 && r->fds == NULL))
        return VC_STAGE_PASS_FDS;
    for (int i = 0; i < r->nfds; i++)
        /* INT32_MAX is above the kernel's fd ceiling and would overflow max_target + 1. */
        if (r->fds[i].child_fd < 3 || r->fds[i].child_fd == INT32_MAX)
            return VC_STAGE_PASS_FDS;
    if (r->umask < -1 || r->umask > 0777)
        return VC_STAGE_UMASK;
    if (r->flags & ~(uint32_t)(VC_FLAG_NEW_SESSION | VC_FLAG_NEW_PROCESS_GROUP))
        return VC_STAGE_SESSION;
    if (r->parent_death_signal < 0 || r->parent_death_signal >= NSIG)
        return VC_STAGE_PDEATHSIG;
    return VC_STAGE_NONE;
}

int vc_spawn(const vc_spawn_request *req, vc_spawn_result *res)
{
    struct child_args a = { .req = req, .shared = 0, .rec = { VC_STAGE_NONE, 0 } };
    int pipefd[2] = { -1, -1 }, pidfd = -1, stage, err, *plan = NULL;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void *stack = NULL;
    struct error_record rec;
    sigset_t all;
    ssize_t n;
    pid_t pid;

    if ((stage = check_request(req)) != VC_STAGE_NONE)
        return fail(res, stage, EINVAL);
    if (!pidfd_supported())
        return fail(res, VC_STAGE_FORK, ENOSYS);

    /* The plan: moves src -> dst and the sorted keep list; the child cannot
     * allocate, so the parent does it for both. */
    a.nmap = 3 + req->nfds;
    a.nkeep = a.nmap + 1;
    plan = malloc(sizeof(int) * ((size_t)a.nmap * 3 + 1));
    if (plan == NULL)
        return fail(res, VC_STAGE_FORK, ENOMEM);
    a.src = plan;
    a.dst = plan + a.nmap;
    a.keep = plan + 2 * a.nmap;
    a.src[0] = req->stdin_fd;
    a.src[1] = req->stdout_fd;
    a.src[2] = req->stderr_fd;
    for (int i = 0; i < 3; i++)
        plan[a.nmap + i] = plan[2 * a.nmap + i] = i;
    for (int i = 0; i < req->nfds; i++) {
        a.src[3 + i] = req->fds[i].parent_fd;
        plan[a.nmap + 3 + i] = plan[2 * a.nmap + 3 + i] = req->fds[i].child_fd;
    }
    qsort(plan + 2 * a.nmap + 3, (size_t)req->nfds, sizeof(int), cmp_int);
    for (int i = 3; i < a.nmap - 1; i++)
        if (a.keep[i] == a.keep[i + 1]) {
            stage = VC_STAGE_PASS_FDS, err = EINVAL;
            goto out;
        }
    a.max_target = a.keep[a.nmap - 1];

    /* The error pipe.  Its write end must survive the fd moves, so it has to
     * live above every target: it is the last entry of keep[]. */
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        stage = VC_STAGE_PIPE, err = errno;
        goto out;
    }
    if (pipefd[1] <= a.max_target) {
        int fd = fcntl(pipefd[1], F_DUPFD_CLOEXEC, a.max_target + 1);
        if (fd < 0) {
            stage = VC_STAGE_PIPE, err = errno;
            goto out;
        }
        close(pipefd[1]);
        pipefd[1] = fd;
    }
    a.err_fd = pipefd[1];
    plan[3 * a.nmap] = pipefd[1];

    if ((stack = stack_get(page)) == NULL) {
        stage = VC_STAGE_FORK, err = errno;
        goto out;
    }

    /* Captured before the child exists, for its parent-death race check. */
    a.parent_pid = getpid();

    /* Block everything in this thread so that the child starts with every
     * signal blocked (see child step 1).  glibc quietly keeps its two internal
     * signals unblocked; they target tids of this process, never the child. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &a.old_mask);
    pid = clone(child_main, (char *)stack + page + CHILD_STACK_SIZE,
                CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &a, &pidfd, NULL, NULL);
    if (pid < 0 && (errno == EINVAL || errno == ENOSYS))
        pid = spawn_vfork(&a);
    err = errno;
    pthread_sigmask(SIG_SETMASK, &a.old_mask, NULL);

    if (pid < 0) {
        stage = VC_STAGE_FORK;
        goto out;
    }

    /* After vfork (or a kernel that ignored CLONE_PIDFD) the child is our
     * unreaped child, so its pid cannot have been recycled yet - unless
     * SIGCHLD is SIG_IGN or someone calls waitpid(-1) (see the header). */
    if (pidfd < 0) {
        pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        err = errno;
    }

    /* The child's report (see the top of this file).  A child killed by a
     * signal before exec reports nothing: it counts as started, and the
     * caller reaps its signal status like any other. */
    close(pipefd[1]);
    pipefd[1] = -1; /* ours must be closed, or EOF would never come */
    if (a.shared) {
        rec = a.rec;
    } else {
        do
            n = read(pipefd[0], &rec, sizeof rec);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t)sizeof rec)
            rec.stage = VC_STAGE_NONE; /* EOF: execve succeeded */
    }
    if (rec.stage != VC_STAGE_NONE) {
        reap(pid, pidfd);
        stage = rec.stage, err = rec.error;
        goto out;
    }
    if (pidfd < 0) {
        /* Only on the vfork path when pidfd_open failed (e.g. EMFILE): the
         * program runs but we cannot hand out a pidfd for it. */
        kill(pid, SIGKILL);
        reap(pid, -1);
        stage = VC_STAGE_FORK;
        goto out;
    }
    res->pid = pid;
    res->pidfd = pidfd;
    res->stage = VC_STAGE_NONE;
    res->error = 0;
    stage = VC_STAGE_NONE;

out:
    if (stack != NULL)
        stack_put(stack, page);
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    free(plan);
    return stage == VC_STAGE_NONE ? 0 : fail(res, stage, err);
}

int vc_try_reap(int pidfd, int32_t *raw_status)
{
    siginfo_t si = { 0 };
    if (waitid(VC_P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG) != 0)
        return -1;
    if (si.si_pid == 0)
        return 0; /* WNOHANG and still running */
    if (si.si_code == CLD_EXITED)
        *raw_status = (si.si_status & 0xff) << 8;
    else /* CLD_KILLED or CLD_DUMPED */
        *raw_status = si.si_status | (si.si_code == CLD_DUMPED ? 0x80 : 0);
    return 1;
}

int vc_signal(int pidfd, int sig)
{
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}
