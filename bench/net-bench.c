// SPDX-License-Identifier: GPL-2.0
/*
 * net-bench: network frontend figures, TCP between the guest and dom0
 * (net-bench-peer on 169.254.0.1:5201, across the rig's bridge):
 *   tx-1, tx-4   guest to dom0 with 1 and 4 streams, Mbit/s
 *   rx-1, rx-4   dom0 to guest with 1 and 4 streams, Mbit/s
 * Each runs for a fixed time (BENCH_SECS) and prints one line
 *   XPV-BENCH: net NAME VALUE UNIT
 * which scripts/bench.sh collects. The four take turns, REPS times: one
 * transfer swings by half either way under QEMU's emulation, and more
 * samples from each boot cost less than more boots. Not a test: it
 * fails only if a transfer itself does.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../selftests/net-common.h"

#define PORT		5201
#define BENCH_SECS	5.0
#define BUF		(128u << 10)
#define MAX_STREAMS	4
#define REPS		3

struct stream {
	pthread_t thread;
	int fd;
	char dir;		/* 'S': we send, 'R': we receive */
	double end;
	unsigned long long bytes;
	int err;
};

static void *run(void *arg)
{
	struct stream *s = arg;
	char *buf = malloc(BUF);
	ssize_t n;

	if (!buf) {
		s->err = ENOMEM;
		return NULL;
	}
	memset(buf, 0xa5, BUF);
	do {
		n = s->dir == 'S' ? write(s->fd, buf, BUF) : read(s->fd, buf, BUF);
		if (n <= 0) {
			s->err = n ? errno : EPIPE;
			break;
		}
		s->bytes += n;
	} while (net_now() < s->end);
	free(buf);
	return NULL;
}

static void measure(const char *name, char dir, int streams)
{
	struct stream st[MAX_STREAMS] = { 0 };
	unsigned long long bytes = 0;
	double t0, t;
	int i;

	for (i = 0; i < streams; i++) {
		st[i].fd = net_dial(PORT, 20);
		st[i].dir = dir;
		if (write(st[i].fd, &dir, 1) != 1)
			st_fail("%s: sending the command: %s", name, strerror(errno));
	}
	t0 = net_now();
	for (i = 0; i < streams; i++) {
		st[i].end = t0 + BENCH_SECS;
		if (pthread_create(&st[i].thread, NULL, run, &st[i]))
			st_fail("pthread_create failed");
	}
	for (i = 0; i < streams; i++)
		pthread_join(st[i].thread, NULL);
	t = net_now() - t0;
	for (i = 0; i < streams; i++) {
		close(st[i].fd);
		if (st[i].err)
			st_fail("%s: stream %d: %s", name, i, strerror(st[i].err));
		bytes += st[i].bytes;
	}
	printf("XPV-BENCH: net %s %.1f Mbit/s\n", name, bytes * 8 / t / 1e6);
	fflush(stdout);
}

int main(void)
{
	int r;

	signal(SIGPIPE, SIG_IGN);
	net_setup(); /* eth0 up as the network selftests have it; skips without */
	for (r = 0; r < REPS; r++) {
		measure("tx-1", 'S', 1);
		measure("tx-4", 'S', 4);
		measure("rx-1", 'R', 1);
		measure("rx-4", 'R', 4);
	}
	return ST_PASS;
}
