// SPDX-License-Identifier: GPL-2.0
/*
 * net-tcp-peer: dom0's side of the net-tcp test. Listens on TCP port 7001
 * and serves connections one after the other, forever: an upload is read
 * and checked against the seeded stream, and the verdict sent back; a
 * download is the stream, sent. Says what it did on stdout.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "net-tcp-stream.h"
#include "peer-listen.h"

static uint8_t buf[BUF_SIZE];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void serve(int fd, unsigned int nr)
{
	struct tcp_result res = { 0, 0 };
	struct tcp_hdr h;
	double t0 = now(), t;
	uint64_t off;
	size_t n, good;

	if (read_all(fd, &h, sizeof(h)) || h.magic != TCP_MAGIC ||
	    (h.dir != DIR_UPLOAD && h.dir != DIR_DOWNLOAD)) {
		printf("conn %u: bad header\n", nr);
		return;
	}
	res.total = h.len;
	if (h.dir == DIR_UPLOAD) {
		for (off = 0; off < h.len; off += n) {
			ssize_t r = read(fd, buf, h.len - off < BUF_SIZE ?
					 h.len - off : BUF_SIZE);

			if (r <= 0) {
				printf("conn %u: upload ended at %llu of %llu\n",
				       nr, (unsigned long long)off,
				       (unsigned long long)h.len);
				return;
			}
			n = r;
			good = stream_check(h.seed, off, buf, n);
			if (good != n && res.good == off) {
				res.good = off + good;
				printf("conn %u: upload differs at byte %llu\n",
				       nr, (unsigned long long)res.good);
			}
			if (res.good == off && good == n)
				res.good = off + n;
		}
		write_all(fd, &res, sizeof(res));
	} else {
		for (off = 0; off < h.len; off += n) {
			n = h.len - off < BUF_SIZE ? h.len - off : BUF_SIZE;
			stream_fill(h.seed, off, buf, n);
			if (write_all(fd, buf, n)) {
				printf("conn %u: download cut at %llu\n", nr,
				       (unsigned long long)off);
				return;
			}
		}
	}
	t = now() - t0;
	printf("conn %u: %s %llu bytes (seed %llu)%s in %.2f s, %.1f MB/s\n",
	       nr, h.dir == DIR_UPLOAD ? "received" : "sent",
	       (unsigned long long)h.len, (unsigned long long)h.seed,
	       h.dir == DIR_UPLOAD ? (res.good == h.len ? ", all verified" :
				       ", MISMATCH") : "",
	       t, h.len / t / 1e6);
}

static void serve_next(int fd)
{
	static unsigned int nr;

	serve(fd, ++nr);
}

int main(void)
{
	return peer_main(TCP_PORT, 30, serve_next);
}
