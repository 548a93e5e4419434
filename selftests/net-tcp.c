// SPDX-License-Identifier: GPL-2.0
/*
 * net-tcp: bulk TCP through the network frontend, both ways, verified.
 *
 * Brings eth0 up as 169.254.0.2/16 and connects to net-tcp-peer on dom0
 * (169.254.0.1, port 7001). Uploads a seeded pseudo-random stream, which
 * the peer checks byte by byte and reports on; then downloads one, which
 * this side checks byte by byte. A short connection first in each
 * direction (single packets), then the bulk transfers. SKIP without eth0.
 */
#define _GNU_SOURCE
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/time.h>

#include "net-common.h"
#include "net-tcp-stream.h"

#define BULK	(32ull << 20)

static uint8_t buf[BUF_SIZE];

/* A connection to the peer; a peer that stops answering fails the test. */
static int dial(void)
{
	struct timeval tv = { .tv_sec = 20 };
	int fd = net_dial(TCP_PORT, 20);

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static void upload(uint64_t seed, uint64_t len)
{
	struct tcp_hdr h = { TCP_MAGIC, DIR_UPLOAD, seed, len };
	struct tcp_result res;
	double t0 = net_now(), t;
	uint64_t off;
	size_t n;
	int fd = dial();

	if (write_all(fd, &h, sizeof(h)))
		st_fail("upload: header: %s", strerror(errno));
	for (off = 0; off < len; off += n) {
		n = len - off < BUF_SIZE ? len - off : BUF_SIZE;
		stream_fill(seed, off, buf, n);
		if (write_all(fd, buf, n))
			st_fail("upload cut at byte %llu: %s",
				(unsigned long long)off, strerror(errno));
	}
	if (read_all(fd, &res, sizeof(res)))
		st_fail("upload of %llu bytes: no verdict from the peer: %s",
			(unsigned long long)len, strerror(errno));
	close(fd);
	t = net_now() - t0;
	if (res.total != len || res.good != len)
		st_fail("upload: peer saw %llu of %llu bytes right",
			(unsigned long long)res.good, (unsigned long long)len);
	st_info("upload: %llu bytes verified by dom0 in %.2f s, %.1f MB/s",
		(unsigned long long)len, t, len / t / 1e6);
}

static void download(uint64_t seed, uint64_t len)
{
	struct tcp_hdr h = { TCP_MAGIC, DIR_DOWNLOAD, seed, len };
	double t0 = net_now(), t;
	uint64_t off;
	size_t good;
	ssize_t n;
	int fd = dial();

	if (write_all(fd, &h, sizeof(h)))
		st_fail("download: header: %s", strerror(errno));
	for (off = 0; off < len; off += n) {
		n = read(fd, buf, len - off < BUF_SIZE ? len - off : BUF_SIZE);
		if (n <= 0)
			st_fail("download ended at byte %llu of %llu: %s",
				(unsigned long long)off,
				(unsigned long long)len,
				n ? strerror(errno) : "EOF");
		good = stream_check(seed, off, buf, n);
		if (good != (size_t)n)
			st_fail("download differs at byte %llu",
				(unsigned long long)(off + good));
	}
	close(fd);
	t = net_now() - t0;
	st_info("download: %llu bytes verified in %.2f s, %.1f MB/s",
		(unsigned long long)len, t, len / t / 1e6);
}

int main(void)
{
	uint64_t seed;

	net_setup();
	seed = (uint64_t)time(NULL) * 2654435761u ^ getpid();
	st_info("seed %llu", (unsigned long long)seed);
	upload(seed, 1000);
	download(seed + 1, 1000);
	upload(seed + 2, BULK);
	download(seed + 3, BULK);
	return ST_PASS;
}
