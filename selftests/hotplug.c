// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug: dom0 takes the guest's disk and network device away and gives
 * them back (hotplug-peer runs xl block-detach/attach and network-
 * detach/attach when asked); the frontends must let go cleanly and take up
 * the new devices.
 *   Block: 4 MiB of a seeded stream written and flushed; O_DIRECT reads
 *   of it, and writes of the same bytes, in flight while the disk goes.
 *   They must end rather than hang, each read that succeeds must hold the
 *   pattern, and the frontend must not give up on the closing backend's
 *   answers; xvda gone; then back, reading the same pattern.
 *   Net: eth0 goes and a new one comes with the same MAC; the peer is
 *   reached through it.
 *   Then the kernel log must hold no warning, BUG or oops.
 * Skips on kernels without xpv's frontends (mainline's blkfront refuses to
 * close a disk that is open, which this test does on purpose).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>

#include "net-common.h"
#include "net-tcp-stream.h"	/* its seeded stream, as the disk's pattern */
#include "xvda-common.h"

#define PORT		7002
#define SPAN		(4u << 20)
#define CHUNK		(64u << 10)
#define WAIT_SECS	90

static int peer = -1;

/* Send one command to the peer; fail unless it answers "ok". */
static void ask(const char *cmd)
{
	net_ask(peer, cmd);
}

static int exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* Wait until @path exists (@want) or is gone (!@want). */
static void wait_path(const char *path, int want)
{
	double give_up = net_now() + WAIT_SECS;

	while (exists(path) != want) {
		if (net_now() > give_up)
			st_fail("%s still %s after %d s", path,
				want ? "missing" : "there", WAIT_SECS);
		usleep(100000);
	}
}

/* New each run, so that nothing left on the disk can pass for it. */
static uint64_t seed;

static void write_pattern(void)
{
	int fd = open(DEV, O_WRONLY | O_DIRECT);
	uint8_t *buf;
	size_t off;

	if (fd < 0)
		st_fail("open " DEV ": %s", strerror(errno));
	if (posix_memalign((void **)&buf, 4096, CHUNK))
		st_fail("out of memory");
	seed = (uint64_t)time(NULL) << 20 ^ getpid();
	for (off = 0; off < SPAN; off += CHUNK) {
		stream_fill(seed, off, buf, CHUNK);
		if (pwrite(fd, buf, CHUNK, off) != CHUNK)
			st_fail("writing at %zu: %s", off, strerror(errno));
	}
	if (fsync(fd))
		st_fail("fsync: %s", strerror(errno));
	close(fd);
	free(buf);
}

static void check_pattern(void)
{
	int fd = xvda_reopen_uncached(O_RDONLY);
	size_t off, good;
	uint8_t *buf;

	if (posix_memalign((void **)&buf, 4096, CHUNK))
		st_fail("out of memory");
	for (off = 0; off < SPAN; off += CHUNK) {
		if (pread(fd, buf, CHUNK, off) != CHUNK)
			st_fail("reading the new xvda at %zu: %s", off, strerror(errno));
		good = stream_check(seed, off, buf, CHUNK);
		if (good != CHUNK)
			st_fail("the new xvda differs at byte %zu from what was written before",
				off + good);
	}
	close(fd);
	free(buf);
	st_info("the disk that came back reads the %u MiB written before", SPAN >> 20);
}

#define NR_IO		4	/* threads; the last one writes */

struct io {
	int fd;
	int write;
	size_t off;
	volatile int done;
	volatile unsigned long ios;
	int err;
	size_t bad;		/* SPAN: none */
};

/*
 * O_DIRECT reads (or writes of the same bytes) round and round the pattern
 * until one fails; a read that succeeds must hold the pattern.
 */
static void *io_loop(void *arg)
{
	struct io *r = arg;
	size_t good;
	uint8_t *buf;
	ssize_t n;

	r->bad = SPAN;
	if (posix_memalign((void **)&buf, 4096, CHUNK)) {
		r->err = ENOMEM;
		r->done = 1;
		return NULL;
	}
	for (;;) {
		if (r->write) {
			stream_fill(seed, r->off, buf, CHUNK);
			n = pwrite(r->fd, buf, CHUNK, r->off);
		} else {
			n = pread(r->fd, buf, CHUNK, r->off);
		}
		if (n != CHUNK) {
			r->err = n < 0 ? errno : EIO;
			break;
		}
		good = r->write ? CHUNK : stream_check(seed, r->off, buf, CHUNK);
		if (good != CHUNK) {
			r->bad = r->off + good;
			break;
		}
		r->ios++;
		r->off = (r->off + CHUNK) % SPAN;
	}
	free(buf);
	r->done = 1;
	return NULL;
}

static void block(void)
{
	struct io r[NR_IO] = { 0 };
	pthread_t t[NR_IO];
	unsigned long ios = 0;
	double give_up;
	int i, n;

	write_pattern();
	for (i = 0; i < NR_IO; i++) {
		r[i].write = i == NR_IO - 1;
		r[i].off = i * (SPAN / NR_IO);
		r[i].fd = open(DEV, (r[i].write ? O_WRONLY : O_RDONLY) | O_DIRECT);
		if (r[i].fd < 0)
			st_fail("open " DEV ": %s", strerror(errno));
		if (pthread_create(&t[i], NULL, io_loop, &r[i]))
			st_fail("pthread_create failed");
	}
	for (i = 0; i < NR_IO; i++) {
		while (r[i].ios < 8 && !r[i].done)
			usleep(10000);
		if (r[i].done && r[i].bad < SPAN)
			st_fail("a read before the detach returned wrong data at byte %zu",
				r[i].bad);
		if (r[i].done)
			st_fail("I/O on " DEV " before the detach: %s",
				strerror(r[i].err));
	}

	ask("blk-detach");
	wait_path("/sys/block/xvda", 0);
	give_up = net_now() + WAIT_SECS;
	for (i = 0; i < NR_IO; i++) {
		while (!r[i].done) {
			if (net_now() > give_up)
				st_fail("I/O on the old xvda still going %d s after it went",
					WAIT_SECS);
			usleep(100000);
		}
		pthread_join(t[i], NULL);
		close(r[i].fd);
		if (r[i].bad < SPAN)
			st_fail("a read as xvda went returned wrong data at byte %zu",
				r[i].bad);
		ios += r[i].ios;
	}
	n = 0;
	for (i = 0; i < NR_IO; i++)
		n += r[i].err == EIO;
	st_info("xvda went; %lu reads and writes before it, then %d of %d threads got EIO",
		ios, n, NR_IO);

	ask("blk-attach");
	wait_path("/sys/block/xvda", 1);
	wait_path(DEV, 1);
	check_pattern();
}

static int ifindex(void)
{
	return (int)net_sysfs_num("ifindex");
}

static void net(void)
{
	int old = ifindex(), now;
	double give_up;

	ask("net-cycle");
	close(peer);
	give_up = net_now() + WAIT_SECS;
	/* Gone, then back as a new device: a new ifindex. */
	while ((now = ifindex()) == old || !now) {
		if (net_now() > give_up)
			st_fail(NET_IF " %s after %d s", now == old ?
				"never went away" : "did not come back", WAIT_SECS);
		usleep(100000);
	}
	st_info(NET_IF " went (ifindex %d) and came back (ifindex %d)", old, now);
	/* Registered at probe: the carrier waits for xl's hotplug script. */
	net_setup_wait(WAIT_SECS);
	peer = net_dial(PORT, 30);
	ask("net-status");
}

/*
 * A warning, BUG or oops anywhere in the kernel log fails the test, and so
 * does blkfront giving up on the answers of a closing (working) backend.
 */
static void check_klog(void)
{
	static const char *const bad[] = { "WARNING:", "BUG:", "Oops", "general protection",
					   "requests unanswered" };
	char *log = st_klog(), *line, *end;
	size_t n = strlen(log);
	unsigned int i;

	for (line = log; line < log + n; line = end + 1) {
		end = strchr(line, '\n');
		if (!end)
			end = log + n;
		*end = 0;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (strstr(line, bad[i]))
				st_fail("kernel log: %s", line);
		if (strstr(line, "requests in flight") || strstr(line, "requests answered"))
			st_info("kernel log: %s", line);
	}
	free(log);
	st_info("kernel log: no warning, BUG or oops");
}

int main(void)
{
	if (!st_xpv_kernel())
		st_skip("not xpv's frontends");
	if (!exists(DEV) || !exists("/sys/class/net/" NET_IF))
		st_skip("needs both " DEV " and " NET_IF);

	net_setup();
	peer = net_dial(PORT, 30);
	block();
	net();
	close(peer);
	check_klog();
	return ST_PASS;
}
