// SPDX-License-Identifier: GPL-2.0
/*
 * xvda-integrity: the block frontend stores and returns data faithfully.
 *
 * Writes 8 MiB of a seeded pseudo-random pattern at the start of /dev/xvda
 * and 1 MiB at its very end (so high sector numbers are exercised too),
 * with O_DIRECT so every byte goes through the frontend and backend, fsyncs
 * (a flush request), drops the device's cache, reads it all back with
 * O_DIRECT on a fresh descriptor and compares. Every 512-byte sector
 * carries its own byte offset, so a misdirected sector is named as such.
 * SKIP when there is no /dev/xvda. The disk is the rig's scratch disk.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xvda-common.h"

#define CHUNK	(1u << 20)
#define HEAD	(8u << 20)
#define TAIL	(1u << 20)
#define SECTOR	512u

static uint64_t seed;

/* splitmix64 of (seed, offset): any word can be recomputed on its own. */
static uint64_t word_at(uint64_t off)
{
	uint64_t z = seed + off * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill(uint64_t *buf, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len / 8; i++) {
		uint64_t o = off + i * 8;

		/* First word of each sector: its own offset. */
		buf[i] = (o % SECTOR) ? word_at(o) : o ^ seed;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void xfer(int fd, void *buf, uint64_t off, size_t len, int wr)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = wr ? pwrite(fd, (char *)buf + done, len - done, off + done)
			       : pread(fd, (char *)buf + done, len - done, off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			st_fail("%s at offset %llu: %s", wr ? "write" : "read",
				(unsigned long long)(off + done), strerror(errno));
		if (n == 0)
			st_fail("%s at offset %llu: unexpected end of device",
				wr ? "write" : "read", (unsigned long long)(off + done));
		done += n;
	}
}

static void check(const uint64_t *got, uint64_t *want, uint64_t off, size_t len)
{
	fill(want, off, len);
	if (!memcmp(got, want, len))
		return;
	for (size_t i = 0; i < len / 8; i++) {
		if (got[i] == want[i])
			continue;
		uint64_t o = off + i * 8, sec = o - o % SECTOR;
		uint64_t tag = got[(sec - off) / 8] ^ seed;

		if (tag != sec && tag % SECTOR == 0 && tag < (1ull << 40))
			st_fail("sector at %llu holds the data written to %llu",
				(unsigned long long)sec, (unsigned long long)tag);
		st_fail("mismatch at byte offset %llu: got %016llx, want %016llx",
			(unsigned long long)o, (unsigned long long)got[i],
			(unsigned long long)want[i]);
	}
}

int main(void)
{
	uint64_t size, regions[2][2];
	void *buf, *want;
	double t;
	int fd;

	fd = open(DEV, O_RDWR | O_DIRECT);
	if (fd < 0 && errno == ENOENT)
		st_skip(DEV " does not exist");
	if (fd < 0)
		st_fail("open " DEV ": %s", strerror(errno));
	if (ioctl(fd, BLKGETSIZE64, &size))
		st_fail("BLKGETSIZE64: %s", strerror(errno));
	if (size < HEAD + TAIL)
		st_fail(DEV " has %llu bytes, need %u", (unsigned long long)size, HEAD + TAIL);
	if (posix_memalign(&buf, 4096, CHUNK) || posix_memalign(&want, 4096, CHUNK))
		st_fail("out of memory");

	seed = (uint64_t)time(NULL) * 0x100000001b3ull ^ (uint64_t)getpid();
	regions[0][0] = 0;
	regions[0][1] = HEAD;
	regions[1][0] = (size - TAIL) & ~(uint64_t)(CHUNK - 1);
	regions[1][1] = TAIL;
	st_info("%s: %llu bytes, seed %016llx", DEV, (unsigned long long)size,
		(unsigned long long)seed);

	t = now();
	for (int r = 0; r < 2; r++)
		for (uint64_t o = 0; o < regions[r][1]; o += CHUNK) {
			fill(buf, regions[r][0] + o, CHUNK);
			xfer(fd, buf, regions[r][0] + o, CHUNK, 1);
		}
	if (fsync(fd))
		st_fail("fsync: %s", strerror(errno));
	st_info("wrote %u KiB in %.2fs", (HEAD + TAIL) >> 10, now() - t);
	close(fd);

	/* Read back on a new descriptor, with nothing left in the cache. */
	fd = xvda_reopen_uncached(O_RDONLY);
	t = now();
	for (int r = 0; r < 2; r++)
		for (uint64_t o = 0; o < regions[r][1]; o += CHUNK) {
			memset(buf, 0, CHUNK);
			xfer(fd, buf, regions[r][0] + o, CHUNK, 0);
			check(buf, want, regions[r][0] + o, CHUNK);
		}
	st_info("read back and verified %u KiB in %.2fs", (HEAD + TAIL) >> 10, now() - t);
	close(fd);
	return ST_PASS;
}
