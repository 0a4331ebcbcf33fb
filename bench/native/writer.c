/*
 * writer.c - the fast child of the VirCommand throughput benchmarks (P3),
 * like `yes` but in 1 MiB writes.
 *
 * Writes MIB times the same static 1 MiB buffer to stdout (or to stderr with
 * -e) and exits 0.  Every contender of P3 spawns this same program, so that
 * only the reading side differs between them: the writer costs one write(2)
 * per MiB and no per-byte work of its own.  With -s BYTES it writes the same
 * bytes in writes of BYTES each (P3W: a writer of 4 KiB or 64 KiB writes, as
 * most programs write through stdio, rather than one that hides the reader's
 * per-read cost behind 1 MiB writes).
 *
 * The buffer holds lines of 80 bytes (79 letters and a newline), so that the
 * line readers of P3W have lines to split.
 *
 * Usage: writer [-e] [-s BYTES] MIB
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1024 * 1024)

/* Static, so the pages are in .bss and costs nothing to set up per run beyond
 * the first touch; filled once with a visible pattern rather than zeros. */
static char chunk[CHUNK];

int main(int argc, char **argv)
{
    int fd = STDOUT_FILENO;
    int opt;
    long step = CHUNK;
    while ((opt = getopt(argc, argv, "es:")) != -1) {
        if (opt == 'e')
            fd = STDERR_FILENO;
        else if (opt == 's')
            step = strtol(optarg, NULL, 10);
        else
            goto usage;
    }
    if (step <= 0 || step > CHUNK || CHUNK % step != 0)
        goto usage;
    if (optind + 1 != argc)
        goto usage;
    char *end;
    long mib = strtol(argv[optind], &end, 10);
    if (*end != '\0' || mib < 0)
        goto usage;

    for (size_t i = 0; i < CHUNK; i++)
        chunk[i] = i % 80 == 79 ? '\n' : (char)('a' + i % 26);
    for (long i = 0; i < mib; i++) {
        size_t done = 0;
        while (done < CHUNK) {
            size_t want = (size_t)step - done % (size_t)step;
            ssize_t n = write(fd, chunk + done, want);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return 1;   /* the reader went away (EPIPE): nobody to tell */
            }
            done += (size_t)n;
        }
    }
    return 0;

usage:
    fprintf(stderr, "usage: writer [-e] [-s BYTES] MIB\n");
    return 2;
}
