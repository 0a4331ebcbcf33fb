/*
 * probe.c - vircommand-probe, the program VirCommand's tests spawn to observe
 * what a child sees.  See README.md next to this file for the output format.
 *
 *   1. --close-stdin, then --write-stderr TEXT (raw write to fd 2);
 *   2. unless --quiet, the report on stdout (stdio, flushed before step 3);
 *   3. --wait-winch: prints "winch: ready", waits for SIGWINCH, prints
 *      "winch: COLSxROWS" (the controlling terminal's new size); then --sleep MS;
 *   4. for stdin (unless closed), then each --readfd N in order: read the input
 *      to EOF into memory, then echo it as
 *        stdout: "BEGIN STDOUT\n" data "END STDOUT\n"
 *        stderr: "BEGIN STDERR\n" data "END STDERR\n"
 *      with raw write(2)s in exactly that order, so a shared stdout/stderr pipe
 *      sees the six pieces in sequence;
 *   5. --signal N (disposition reset to default and unblocked first), else
 *      exit with --exit N (default 0).
 * Options may appear anywhere; every argument, known or not, is reported.
 * The probe's own failures (bad option value, read or write error) exit 125.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_READFDS 64

static __attribute__((noreturn)) void die(const char *what)
{
    fprintf(stderr, "vircommand-probe: %s: %s\n", what, strerror(errno));
    exit(125);
}

static long number(const char *opt, const char *s)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s ? s : "", &end, 10);
    if (s == NULL || *s == '\0' || *end != '\0' || errno != 0 || v < 0 || v > INT_MAX) {
        errno = EINVAL;
        die(opt);
    }
    return v;
}

static void write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("write");
        }
        p += n;
        len -= (size_t)n;
    }
}

static char *read_all(int fd, size_t *len)
{
    size_t cap = 64 * 1024;
    char *buf = malloc(cap);
    *len = 0;
    for (;;) {
        ssize_t n;
        if (buf == NULL)
            die("malloc");
        n = read(fd, buf + *len, cap - *len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("read");
        }
        if (n == 0)
            return buf;
        *len += (size_t)n;
        if (*len == cap)
            buf = realloc(buf, cap *= 2);
    }
}

static void echo(int fd)
{
    size_t len;
    char *data = read_all(fd, &len);
    write_all(1, "BEGIN STDOUT\n", 13);
    write_all(1, data, len);
    write_all(1, "END STDOUT\n", 11);
    write_all(2, "BEGIN STDERR\n", 13);
    write_all(2, data, len);
    write_all(2, "END STDERR\n", 11);
    free(data);
}

/* The controlling terminal's size, "COLSxROWS", or "none" without one. */
static void print_winsize(const char *key)
{
    struct winsize ws;
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd >= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0)
        printf("%s: %ux%u\n", key, (unsigned)ws.ws_col, (unsigned)ws.ws_row);
    else
        printf("%s: none\n", key);
    if (fd >= 0)
        close(fd);
}

/* The terminal as the child sees it: isatty of 0, 1 and 2; its controlling
 * terminal, from field 7 of /proc/self/stat (tty_nr) when /dev/tty opens, as
 * "pts/N" for a pseudo-terminal (majors 136 to 143); and its window size. */
static void report_terminal(void)
{
    char buf[1024], *p;
    unsigned long tty_nr = 0;
    unsigned major, minor;
    FILE *f;
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    printf("tty: %d %d %d\n", isatty(0), isatty(1), isatty(2));
    if (fd < 0) {
        printf("ctty: none\n");
    } else {
        close(fd);
        f = fopen("/proc/self/stat", "r");
        if (f == NULL || fgets(buf, sizeof buf, f) == NULL || (p = strrchr(buf, ')')) == NULL ||
            sscanf(p + 1, " %*c %*d %*d %*d %lu", &tty_nr) != 1)
            die("/proc/self/stat");
        fclose(f);
        major = (unsigned)((tty_nr >> 8) & 0xfff);
        minor = (unsigned)((tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00));
        if (major >= 136 && major <= 143)
            printf("ctty: pts/%u\n", (major - 136) * 256 + minor);
        else
            printf("ctty: dev %u:%u\n", major, minor);
    }
    print_winsize("winsize");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b); /* compares as unsigned char: bytewise */
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_gid(const void *a, const void *b)
{
    gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;
    return (x > y) - (x < y);
}

static void report_fds(void)
{
    int *fds = NULL, n = 0, cap = 0;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    if (d == NULL)
        die("/proc/self/fd");
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == dirfd(d))
            continue; /* ".", ".." and the fd reading the directory */
        if (n == cap && (fds = realloc(fds, (size_t)(cap = cap ? 2 * cap : 64) * sizeof *fds)) == NULL)
            die("realloc");
        fds[n++] = fd;
    }
    closedir(d);
    qsort(fds, (size_t)n, sizeof fds[0], cmp_int);
    printf("fds:");
    for (int i = 0; i < n; i++)
        printf(" %d", fds[i]);
    printf("\n");
    for (int i = 0; i < n; i++) {
        char link[64], target[PATH_MAX];
        ssize_t len;
        snprintf(link, sizeof link, "/proc/self/fd/%d", fds[i]);
        len = readlink(link, target, sizeof target - 1);
        target[len < 0 ? 0 : len] = '\0';
        printf("fd %d: %s\n", fds[i], target);
    }
    free(fds);
}

static void report_caps(void)
{
    static const char *const keys[] = { "CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:" };
    unsigned long long v[5] = { 0 };
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        die("/proc/self/status");
    while (fgets(line, sizeof line, f) != NULL)
        for (int i = 0; i < 5; i++)
            if (strncmp(line, keys[i], strlen(keys[i])) == 0)
                v[i] = strtoull(line + strlen(keys[i]), NULL, 16);
    fclose(f);
    printf("caps: inh=%016llx prm=%016llx eff=%016llx bnd=%016llx amb=%016llx\n",
           v[0], v[1], v[2], v[3], v[4]);
}

static void report_rlimit(const char *name, int resource)
{
    struct rlimit rl;
    char soft[32] = "unlimited", hard[32] = "unlimited";
    if (getrlimit(resource, &rl) != 0)
        die("getrlimit");
    if (rl.rlim_cur != RLIM_INFINITY)
        snprintf(soft, sizeof soft, "%llu", (unsigned long long)rl.rlim_cur);
    if (rl.rlim_max != RLIM_INFINITY)
        snprintf(hard, sizeof hard, "%llu", (unsigned long long)rl.rlim_max);
    printf("rlimit %s: %s %s\n", name, soft, hard);
}

/* The CPUs and nice value as the kernel shows them to anyone: the
 * Cpus_allowed_list line of /proc/self/status and field 19 of /proc/self/stat
 * (after the parenthesised comm, which may hold spaces). */
static void report_placement(void)
{
    char line[4096], *p;
    long nice = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        die("/proc/self/status");
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "Cpus_allowed_list:", 18) == 0) {
            for (p = line + 18; *p == ' ' || *p == '\t'; p++)
                ;
            printf("cpus: %s", p);
        }
    fclose(f);
    f = fopen("/proc/self/stat", "r");
    if (f == NULL || fgets(line, sizeof line, f) == NULL || (p = strrchr(line, ')')) == NULL)
        die("/proc/self/stat");
    fclose(f);
    /* p: ") state ppid ..." ; state is field 3, nice field 19 */
    for (int field = 2; field < 19 && p != NULL; field++)
        p = strchr(p + 1, ' ');
    if (p == NULL)
        die("/proc/self/stat");
    nice = strtol(p + 1, NULL, 10);
    printf("nice: %ld\n", nice);
}

/* Core scheduling, cgroup and security label, as the kernel tells the process
 * itself: its core scheduling cookie (PR_SCHED_CORE_GET, 62/0, on this
 * thread; "unsupported" without CONFIG_SCHED_CORE), the cgroup v2 line ("0::")
 * of /proc/self/cgroup (empty without a v2 hierarchy), and /proc/self/attr/current
 * up to its first NUL or newline ("unsupported" where no LSM answers). */
static void report_isolation(void)
{
    char line[4096];
    unsigned long cookie = 0;
    const char *cgroup = "";
    FILE *f;
    ssize_t n;
    int fd;
    if (prctl(62, 0, 0, 0, &cookie) == 0)
        printf("sched_core: %016lx\n", cookie);
    else
        printf("sched_core: unsupported\n");
    f = fopen("/proc/self/cgroup", "r");
    if (f == NULL)
        die("/proc/self/cgroup");
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "0::", 3) == 0) {
            line[strcspn(line, "\n")] = '\0';
            cgroup = line + 3;
            break;
        }
    printf("cgroup:%s%s\n", *cgroup ? " " : "", cgroup);
    fclose(f);
    fd = open("/proc/self/attr/current", O_RDONLY | O_CLOEXEC);
    n = fd < 0 ? -1 : read(fd, line, sizeof line - 1);
    if (fd >= 0)
        close(fd);
    if (n < 0) {
        printf("label: unsupported\n");
    } else {
        line[n] = '\0';
        line[strcspn(line, "\n")] = '\0';
        printf("label: %s\n", line);
    }
}

static void report(int argc, char **argv)
{
    size_t nenv = 0;
    char **env;
    char cwd[PATH_MAX];
    mode_t mask;
    uid_t ru, eu, su;
    gid_t rg, eg, sg, *groups;
    int ngroups, pdeathsig = 0;
    sigset_t blocked;
    unsigned long long bits = 0;
    struct sigaction sa;

    for (int i = 0; i < argc; i++)
        printf("argv[%d]: %s\n", i, argv[i]);

    while (environ[nenv] != NULL)
        nenv++;
    env = malloc((nenv + 1) * sizeof *env);
    if (env == NULL)
        die("malloc");
    memcpy(env, environ, nenv * sizeof *env);
    qsort(env, nenv, sizeof *env, cmp_str);
    for (size_t i = 0; i < nenv; i++)
        printf("env: %s\n", env[i]);
    free(env);

    report_fds(); /* before anything below opens an fd of its own */

    printf("cwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : "");
    mask = umask(0);
    umask(mask);
    printf("umask: %04o\n", (unsigned)mask);
    printf("pid: %d\nppid: %d\nsid: %d\npgid: %d\n",
           (int)getpid(), (int)getppid(), (int)getsid(0), (int)getpgid(0));
    getresuid(&ru, &eu, &su);
    getresgid(&rg, &eg, &sg);
    printf("uid: %u %u %u\ngid: %u %u %u\n",
           (unsigned)ru, (unsigned)eu, (unsigned)su, (unsigned)rg, (unsigned)eg, (unsigned)sg);

    ngroups = getgroups(0, NULL);
    groups = malloc(((size_t)ngroups + 1) * sizeof *groups);
    if (groups == NULL || (ngroups = getgroups(ngroups, groups)) < 0)
        die("getgroups");
    qsort(groups, (size_t)ngroups, sizeof *groups, cmp_gid);
    printf("groups:");
    for (int i = 0; i < ngroups; i++)
        printf(" %u", (unsigned)groups[i]);
    printf("\n");
    free(groups);

    report_caps();
    printf("no_new_privs: %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    prctl(PR_GET_PDEATHSIG, &pdeathsig, 0, 0, 0);
    printf("pdeathsig: %d\n", pdeathsig);
    report_rlimit("nofile", RLIMIT_NOFILE);
    report_rlimit("nproc", RLIMIT_NPROC);
    report_rlimit("memlock", RLIMIT_MEMLOCK);
    report_rlimit("core", RLIMIT_CORE);
    report_placement();
    report_isolation();

    sigprocmask(SIG_BLOCK, NULL, &blocked);
    for (int sig = 1; sig <= 64; sig++)
        if (sigismember(&blocked, sig) == 1)
            bits |= 1ULL << (sig - 1);
    printf("sigmask: %016llx\n", bits);
    sigaction(SIGPIPE, NULL, &sa);
    printf("sigpipe: %s\n", sa.sa_handler == SIG_DFL ? "default"
                            : sa.sa_handler == SIG_IGN ? "ignore" : "handler");
    report_terminal();
    if (fflush(stdout) != 0)
        die("stdout");
}

int main(int argc, char **argv)
{
    int quiet = 0, wait_winch = 0, close_stdin = 0, exit_code = 0, signo = 0, nreadfds = 0;
    int readfds[MAX_READFDS];
    long sleep_ms = 0;
    const char *to_stderr = NULL;

    for (int i = 1; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--quiet") == 0)
            quiet = 1;
        else if (strcmp(argv[i], "--wait-winch") == 0)
            wait_winch = 1;
        else if (strcmp(argv[i], "--close-stdin") == 0)
            close_stdin = 1;
        else if (strcmp(argv[i], "--readfd") == 0) {
            if (nreadfds == MAX_READFDS) {
                errno = E2BIG;
                die("--readfd");
            }
            readfds[nreadfds++] = (int)number(argv[i], next), i++;
        }
        else if (strcmp(argv[i], "--exit") == 0)
            exit_code = (int)number(argv[i], next), i++;
        else if (strcmp(argv[i], "--signal") == 0)
            signo = (int)number(argv[i], next), i++;
        else if (strcmp(argv[i], "--sleep") == 0)
            sleep_ms = number(argv[i], next), i++;
        else if (strcmp(argv[i], "--write-stderr") == 0 && next != NULL)
            to_stderr = next, i++;
    }

    if (close_stdin)
        close(0);
    if (to_stderr != NULL)
        write_all(2, to_stderr, strlen(to_stderr));
    if (!quiet)
        report(argc, argv);
    if (wait_winch) {
        /* Blocked before "ready", so that a resize after it is never missed. */
        sigset_t winch;
        int sig;
        sigemptyset(&winch);
        sigaddset(&winch, SIGWINCH);
        sigprocmask(SIG_BLOCK, &winch, NULL);
        printf("winch: ready\n");
        fflush(stdout);
        if (sigwait(&winch, &sig) != 0)
            die("sigwait");
        print_winsize("winch");
        if (fflush(stdout) != 0)
            die("stdout");
    }
    if (sleep_ms > 0) {
        struct timespec ts = { sleep_ms / 1000, (sleep_ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    if (!close_stdin)
        echo(0);
    for (int i = 0; i < nreadfds; i++)
        echo(readfds[i]);

    if (signo != 0) {
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, signo);
        signal(signo, SIG_DFL);
        sigprocmask(SIG_UNBLOCK, &one, NULL);
        raise(signo);
    }
    return exit_code;
}
