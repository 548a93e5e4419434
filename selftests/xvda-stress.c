// SPDX-License-Identifier: GPL-2.0
/*
 * xvda-stress: the block frontend keeps data intact under mixed load.
 *
 * THREADS threads each own REGION bytes of /dev/xvda (MiB-aligned, with a
 * MiB between regions) and write seeded random data there: sizes from
 * 512 B to just over 1 MiB (past 44 KiB a request needs indirect segments
 * or gets split), 512-byte aligned offsets, buffers at odd 512-byte
 * offsets inside a page (more segments than pages). Even threads use
 * O_DIRECT, odd ones the page cache (at any buffer alignment): the kernel
 * does not promise coherence when both paths touch the same blocks, so
 * no range ever sees both until the end; and the O_DIRECT threads run
 * first, the buffered ones after them (see main()). Each thread keeps a copy of
 * what its region should hold and reads back as it goes; at the end
 * every region is fsync'd or fdatasync'd, the cache is dropped and all
 * of it is verified with O_DIRECT on a fresh descriptor.
 *
 * Then BLKDISCARD on the middle of a written range: the data around it
 * must survive; inside, zeroes are reported (the ABI does not promise
 * them). EOPNOTSUPP counts as "no discard".
 *
 * SKIP when there is no /dev/xvda (after waiting a little for it). The
 * disk is the rig's scratch disk.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xvda-common.h"

#define THREADS		4
#define REGION		(6u << 20)
#define MAX_IO		((1u << 20) + 8192)
#define RUN_SECONDS	6.0
#define MAX_OPS		400
#define SECTOR		512u

struct worker {
	int id;
	uint64_t base;		/* of the region on the disk */
	uint8_t *shadow;	/* what the region should hold */
	uint8_t *buf;		/* page-aligned, MAX_IO + 4096 */
	uint8_t *rbuf;
	uint64_t rng;
	/* results */
	unsigned int ops, direct, buffered, reads, big;
	uint64_t bytes_written, bytes_read;
	char last[128];		/* the last write, for a failure message */
	char err[512];
};

static const unsigned int sizes[] = {
	512, 1024, 1536, 4096, 4096 + 512, 8192, 16384, 32768,
	45056,			/* 11 pages: the most without indirect */
	45056 + 512, 49152, 65536, 65536 + 3584, 131072, 262144 + 512,
	524288, 1u << 20, (1u << 20) + 4096,
};

static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Full pread/pwrite; a message in w->err and -1 on failure. */
static int xfer(struct worker *w, int fd, void *buf, uint64_t off, size_t len,
		int wr, const char *how)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = wr ? pwrite(fd, (char *)buf + done, len - done, off + done)
			       : pread(fd, (char *)buf + done, len - done, off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(w->err, sizeof(w->err), "%s %s of %zu at %llu: %s",
				 how, wr ? "write" : "read", len,
				 (unsigned long long)(off + done),
				 n < 0 ? strerror(errno) : "end of device");
			return -1;
		}
		done += n;
	}
	return 0;
}

/* What the disk itself holds at @off, past any cache: -1 if unknown. */
static int disk_byte(uint64_t off)
{
	static __thread uint8_t sec[4096] __attribute__((aligned(4096)));
	int fd = open(DEV, O_RDONLY | O_DIRECT);
	int v = -1;

	if (fd >= 0 && pread(fd, sec, 4096, off & ~4095ull) == 4096)
		v = sec[off & 4095];
	if (fd >= 0)
		close(fd);
	return v;
}

static int compare(struct worker *w, const uint8_t *got, uint64_t roff, size_t len,
		   const char *when)
{
	const uint8_t *want = w->shadow + roff;

	if (!memcmp(got, want, len))
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (got[i] == want[i])
			continue;
		snprintf(w->err, sizeof(w->err),
			 "%s of %zu at region +%llu: mismatch at disk offset %llu (region %d +%llu): got %02x want %02x, disk now %d; last write: %s",
			 when, len, (unsigned long long)roff,
			 (unsigned long long)(w->base + roff + i), w->id,
			 (unsigned long long)(roff + i), got[i], want[i],
			 disk_byte(w->base + roff + i), w->last);
		break;
	}
	return -1;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	int dfd, bfd;
	double end = now() + RUN_SECONDS;

	int direct = !(w->id & 1);
	int fd;

	dfd = open(DEV, O_RDWR | O_DIRECT);
	bfd = open(DEV, O_RDWR);
	if (dfd < 0 || bfd < 0) {
		snprintf(w->err, sizeof(w->err), "open: %s", strerror(errno));
		return w;
	}
	fd = direct ? dfd : bfd;
	/* No readahead: it would read past the region into the next one. */
	posix_fadvise(bfd, 0, 0, POSIX_FADV_RANDOM);
	/* Start from a known region: zero it, on this thread's path. */
	memset(w->shadow, 0, REGION);
	for (uint64_t o = 0; o < REGION; o += 1u << 20) {
		memset(w->buf, 0, 1u << 20);
		if (xfer(w, fd, w->buf, w->base + o, 1u << 20, 1, "initial"))
			return w;
	}

	while (w->ops < MAX_OPS && now() < end) {
		uint64_t r = next(&w->rng);
		size_t len = sizes[r % (sizeof(sizes) / sizeof(sizes[0]))];
		uint64_t roff = (next(&w->rng) % ((REGION - len) / SECTOR + 1)) * SECTOR;
		/* O_DIRECT: 512-aligned buffer anywhere in a page; else any byte */
		size_t boff = direct ? ((r >> 16) % 8) * SECTOR : (r >> 16) % 4096;
		uint8_t *b = w->buf + boff;

		for (size_t i = 0; i < len; i += 8) {
			uint64_t v = next(&w->rng);

			memcpy(b + i, &v, len - i < 8 ? len - i : 8);
		}
		if (xfer(w, fd, b, w->base + roff, len, 1, direct ? "direct" : "buffered"))
			return w;
		memcpy(w->shadow + roff, b, len);
		snprintf(w->last, sizeof(w->last), "%s %zu at region +%llu from buffer +%zu",
			 direct ? "direct" : "buffered", len, (unsigned long long)roff, boff);
		w->ops++;
		w->bytes_written += len;
		direct ? w->direct++ : w->buffered++;
		w->big += len > 45056;

		/* Every third op, read back some range. */
		if (r % 3 == 0) {
			size_t rlen = sizes[(r >> 24) % (sizeof(sizes) / sizeof(sizes[0]))];
			uint64_t rro = (next(&w->rng) % ((REGION - rlen) / SECTOR + 1)) * SECTOR;
			uint8_t *rb = w->rbuf + (direct ? ((r >> 32) % 8) * SECTOR : (r >> 32) % 4096);

			if (xfer(w, fd, rb, w->base + rro, rlen, 0,
				 direct ? "direct" : "buffered"))
				return w;
			if (compare(w, rb, rro, rlen, direct ? "direct read-back" : "buffered read-back"))
				return w;
			w->reads++;
			w->bytes_read += rlen;
		}
	}
	if (fsync(bfd)) {
		snprintf(w->err, sizeof(w->err), "fsync: %s", strerror(errno));
		return w;
	}
	if (fdatasync(dfd)) {
		snprintf(w->err, sizeof(w->err), "fdatasync: %s", strerror(errno));
		return w;
	}
	close(bfd);
	close(dfd);
	return w;
}

/* Read a whole region on a new O_DIRECT descriptor and compare. */
static void verify(struct worker *w, int fd)
{
	for (uint64_t o = 0; o < REGION; o += MAX_IO - 8192) {
		size_t len = REGION - o < MAX_IO - 8192 ? REGION - o : MAX_IO - 8192;

		if (xfer(w, fd, w->rbuf, w->base + o, len, 0, "verify"))
			st_fail("%s", w->err);
		if (compare(w, w->rbuf, o, len, "final verify"))
			st_fail("%s", w->err);
	}
}

/* Discard the middle of a written range; the edges must stay. */
static void discard(struct worker *w, int fd)
{
	uint64_t range[2] = { w->base + (1u << 20), 2u << 20 };
	uint64_t zero = 0, checked = 0;
	double t = now();

	if (ioctl(fd, BLKDISCARD, range)) {
		if (errno == EOPNOTSUPP) {
			st_info("BLKDISCARD: not supported by this disk");
			return;
		}
		st_fail("BLKDISCARD %llu+%llu: %s", (unsigned long long)range[0],
			(unsigned long long)range[1], strerror(errno));
	}
	for (uint64_t o = 0; o < REGION; o += 1u << 20) {
		if (xfer(w, fd, w->rbuf, w->base + o, 1u << 20, 0, "post-discard"))
			st_fail("%s", w->err);
		if (o >= (1u << 20) && o < (3u << 20)) {
			for (size_t i = 0; i < (1u << 20); i++)
				zero += !w->rbuf[i];
			checked += 1u << 20;
			continue;
		}
		if (compare(w, w->rbuf, o, 1u << 20, "outside the discarded range"))
			st_fail("%s", w->err);
	}
	st_info("BLKDISCARD of 2 MiB: data around it intact, %llu of %llu discarded bytes read back as zero (%.2fs)",
		(unsigned long long)zero, (unsigned long long)checked, now() - t);
}

int main(void)
{
	struct worker w[THREADS];
	pthread_t th[THREADS];
	uint64_t size, seed, wr = 0, rd = 0;
	unsigned int ops = 0, direct = 0, buffered = 0, reads = 0, big = 0;
	double t;
	int fd = -1;

	for (int i = 0; i < 50 && fd < 0; i++) {
		fd = open(DEV, O_RDWR | O_DIRECT);
		if (fd < 0 && errno != ENOENT)
			st_fail("open " DEV ": %s", strerror(errno));
		if (fd < 0)
			usleep(100000);
	}
	if (fd < 0)
		st_skip(DEV " does not exist");
	if (ioctl(fd, BLKGETSIZE64, &size))
		st_fail("BLKGETSIZE64: %s", strerror(errno));
	if (size < (uint64_t)THREADS * (REGION + (1u << 20)) + (1u << 20))
		st_fail(DEV " has %llu bytes, need %u", (unsigned long long)size,
			THREADS * (REGION + (1u << 20)) + (1u << 20));

	seed = (uint64_t)time(NULL) * 0x100000001b3ull ^ (uint64_t)getpid();
	st_info("%s: %llu bytes, %d threads (even O_DIRECT, odd buffered) x %u MiB, seed %016llx", DEV,
		(unsigned long long)size, THREADS, REGION >> 20,
		(unsigned long long)seed);

	t = now();
	/*
	 * The O_DIRECT threads first, then the buffered ones: run at the same
	 * time, a buffered read-back now and then returned stale bytes, on
	 * mainline's blkfront as well as ours (ranges never shared), so the
	 * two paths do not overlap in time either.
	 */
	for (int phase = 0; phase < 2; phase++) {
		for (int i = phase; i < THREADS; i += 2) {
			memset(&w[i], 0, sizeof(w[i]));
			w[i].id = i;
			/* Leave the first MiB alone: partition-table probes read it */
			w[i].base = (1u << 20) + (uint64_t)i * (REGION + (1u << 20));
			w[i].rng = seed + i;
			w[i].shadow = malloc(REGION);
			if (!w[i].shadow || posix_memalign((void **)&w[i].buf, 4096, MAX_IO + 4096) ||
			    posix_memalign((void **)&w[i].rbuf, 4096, MAX_IO + 4096))
				st_fail("out of memory");
			if (pthread_create(&th[i], NULL, work, &w[i]))
				st_fail("pthread_create failed");
		}
		for (int i = phase; i < THREADS; i += 2) {
			pthread_join(th[i], NULL);
			if (w[i].err[0])
				st_fail("thread %d: %s", i, w[i].err);
			ops += w[i].ops;
			direct += w[i].direct;
			buffered += w[i].buffered;
			reads += w[i].reads;
			big += w[i].big;
			wr += w[i].bytes_written;
			rd += w[i].bytes_read;
		}
	}
	t = now() - t;
	st_info("%u writes (%u O_DIRECT, %u buffered, %u over 44 KiB), %llu KiB written, %u read-backs (%llu KiB) verified, fsync/fdatasync ok, in %.2fs",
		ops, direct, buffered, big, (unsigned long long)(wr >> 10), reads,
		(unsigned long long)(rd >> 10), t);
	close(fd);

	/* Nothing left in the cache: the final check sees the disk. */
	fd = xvda_reopen_uncached(O_RDWR);
	t = now();
	for (int i = 0; i < THREADS; i++)
		verify(&w[i], fd);
	st_info("final read of %u MiB on a fresh descriptor verified in %.2fs",
		THREADS * (REGION >> 20), now() - t);

	discard(&w[0], fd);
	if (fsync(fd))
		st_fail("fsync: %s", strerror(errno));
	close(fd);
	return ST_PASS;
}
