// SPDX-License-Identifier: GPL-2.0
/*
 * blk-bench: block frontend figures, measured inside the guest on
 * /dev/xvda with O_DIRECT (so the page cache never answers for the driver):
 *   seq-write-1m, seq-read-1m   sequential 1 MiB requests, MiB/s
 *   randread-4k-qd1             4 KiB random reads, one at a time, IOPS
 *   randread-4k-qd32            4 KiB random reads, 32 in flight (32
 *                               threads, one read each), IOPS
 * Each runs for a fixed time (BENCH_SECS) and prints one line
 *   XPV-BENCH: blk NAME VALUE UNIT
 * which scripts/bench.sh collects. The four take turns, REPS times, for
 * more samples from each boot; each turn's random reads go to other
 * offsets. Not a test: it fails only if the I/O itself fails. The disk
 * is the rig's scratch disk and is overwritten.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../selftests/selftest.h"

#define DEV		"/dev/xvda"	/* or argv[1], to try it on a host */
#define BENCH_SECS	5.0
#define BIG		(1u << 20)
#define SMALL		4096u
#define QD		32
#define REPS		3

static uint64_t dev_size;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: cheap, and good enough to scatter 4 KiB offsets. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static uint64_t rand_off(uint64_t *s)
{
	return (rnd(s) % (dev_size / SMALL)) * SMALL;
}

static void report(const char *name, double value, const char *unit)
{
	printf("XPV-BENCH: blk %s %.1f %s\n", name, value, unit);
	fflush(stdout);
}

static void seq(int fd, void *buf, int wr)
{
	uint64_t bytes = 0, off = 0;
	double t0 = now(), t;

	do {
		ssize_t n = wr ? pwrite(fd, buf, BIG, off) : pread(fd, buf, BIG, off);

		if (n != BIG)
			st_fail("%s at %llu: %s", wr ? "write" : "read",
				(unsigned long long)off, n < 0 ? strerror(errno) : "short");
		bytes += BIG;
		off = (off + BIG) % (dev_size - dev_size % BIG);
		t = now() - t0;
	} while (t < BENCH_SECS);
	if (wr && fsync(fd))
		st_fail("fsync: %s", strerror(errno));
	report(wr ? "seq-write-1m" : "seq-read-1m", bytes / t / (1 << 20), "MiB/s");
}

static void randread_qd1(int fd, void *buf, int rep)
{
	uint64_t ios = 0, s = 0x9e3779b97f4a7c15ull * (rep + 1);
	double t0 = now(), t;

	do {
		uint64_t off = rand_off(&s);

		if (pread(fd, buf, SMALL, off) != SMALL)
			st_fail("read at %llu: %s", (unsigned long long)off, strerror(errno));
		ios++;
		t = now() - t0;
	} while (t < BENCH_SECS);
	report("randread-4k-qd1", ios / t, "IOPS");
}

struct reader {
	pthread_t thread;
	int fd;
	char *buf;
	uint64_t seed, ios;
	double end;
	int err;
};

static void *reader(void *arg)
{
	struct reader *r = arg;

	while (now() < r->end) {
		uint64_t off = rand_off(&r->seed);

		if (pread(r->fd, r->buf, SMALL, off) != SMALL) {
			r->err = errno ? errno : EIO;
			break;
		}
		r->ios++;
	}
	return NULL;
}

/*
 * 32 threads, each with one O_DIRECT read in flight: the device sees a
 * queue 32 deep, whatever AIO support the guest kernel was built with.
 */
static void randread_qd32(int fd, char *bufs, int rep)
{
	struct reader r[QD];
	uint64_t ios = 0;
	double t0 = now(), t;
	int i;

	for (i = 0; i < QD; i++) {
		r[i] = (struct reader){ .fd = fd, .buf = bufs + (size_t)i * SMALL,
					.seed = 0xda942042e4dd58b5ull * (rep * QD + i + 1),
					.end = t0 + BENCH_SECS };
		if (pthread_create(&r[i].thread, NULL, reader, &r[i]))
			st_fail("pthread_create failed");
	}
	for (i = 0; i < QD; i++)
		pthread_join(r[i].thread, NULL);
	t = now() - t0;
	for (i = 0; i < QD; i++) {
		if (r[i].err)
			st_fail("reader %d: %s", i, strerror(r[i].err));
		ios += r[i].ios;
	}
	report("randread-4k-qd32", ios / t, "IOPS");
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : DEV;
	void *buf;
	int fd, r;

	fd = open(dev, O_RDWR | O_DIRECT);
	if (fd < 0 && errno == ENOENT)
		st_skip("%s does not exist", dev);
	if (fd < 0)
		st_fail("open %s: %s", dev, strerror(errno));
	if (ioctl(fd, BLKGETSIZE64, &dev_size))
		st_fail("BLKGETSIZE64: %s", strerror(errno));
	if (dev_size < 4 * BIG)
		st_fail("%s has only %llu bytes", dev, (unsigned long long)dev_size);
	if (posix_memalign(&buf, 4096, (size_t)QD * SMALL > BIG ? (size_t)QD * SMALL : BIG))
		st_fail("out of memory");
	memset(buf, 0xa5, BIG);
	st_info("%s: %llu MiB, %.0f s per figure", dev,
		(unsigned long long)(dev_size >> 20), BENCH_SECS);

	/* Write first: the reads then see real data, not holes. */
	for (r = 0; r < REPS; r++) {
		seq(fd, buf, 1);
		seq(fd, buf, 0);
		randread_qd1(fd, buf, r);
		randread_qd32(fd, buf, r);
	}
	close(fd);
	return ST_PASS;
}
