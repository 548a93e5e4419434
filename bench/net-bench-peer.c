// SPDX-License-Identifier: GPL-2.0
/*
 * net-bench-peer: dom0's side of net-bench. Listens on TCP port 5201; each
 * connection starts with one byte: 'S' (the guest sends: read and drop
 * everything until it closes) or 'R' (the guest receives: send until it
 * closes). One process per connection, so one that dies takes nothing
 * else with it; never exits on its own (the rig stops it before powering
 * dom0 off, and starts it again if it dies). When a connection ends it
 * prints its bytes and the socket's TCP_INFO (for 'R', dom0 is the
 * sender: retransmits and timeouts show here, not in the guest), and the
 * interrupts dom0's vifs took meanwhile: the guests' doorbells (0 if a
 * guest's vif went away during the connection and took its counts along).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "irq-count.h"

#define PORT	5201
#define BUF	(256u << 10)

static void serve(int fd)
{
	char *buf = malloc(BUF);
	unsigned long long bytes = 0;
	static const char *const vif[] = { "vif" };
	struct irq_count i0, i1;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	char cmd = 0;
	ssize_t n;

	if (!buf || read(fd, &cmd, 1) != 1)
		goto out;
	memset(buf, 0x5a, BUF);
	i0 = irq_count(vif, 1);
	if (cmd == 'S') {
		while ((n = read(fd, buf, BUF)) > 0)
			bytes += n;
	} else if (cmd == 'R') {
		while ((n = write(fd, buf, BUF)) > 0)
			bytes += n;
	} else {
		printf("unknown command byte 0x%02x\n", (unsigned char)cmd);
		goto out;
	}
	i1 = irq_count(vif, 1);
	/* A guest's vif that went away meanwhile took its counts along. */
	if (i1.tx < i0.tx || i1.rx < i0.rx)
		i1 = i0 = (struct irq_count){ 0, 0 };
	memset(&ti, 0, sizeof(ti));
	if (!getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		printf("%c: %llu bytes, retrans %u, rto %u ms, rtt %.1f ms, cwnd %u, busy %llu ms, rwnd-limited %llu ms, sndbuf-limited %llu ms, vif tx-interrupts %llu, rx-interrupts %llu\n",
		       cmd, bytes, ti.tcpi_total_retrans, ti.tcpi_rto / 1000,
		       ti.tcpi_rtt / 1000.0, ti.tcpi_snd_cwnd,
		       (unsigned long long)ti.tcpi_busy_time / 1000,
		       (unsigned long long)ti.tcpi_rwnd_limited / 1000,
		       (unsigned long long)ti.tcpi_sndbuf_limited / 1000,
		       i1.tx - i0.tx, i1.rx - i0.rx);
out:
	free(buf);
	close(fd);
}

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	int one = 1, ls;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 16)) {
		printf("cannot listen on port %d: %s\n", PORT, strerror(errno));
		return 1;
	}
	printf("listening on port %d\n", PORT);
	signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
	for (;;) {
		int fd = accept(ls, NULL, NULL);

		if (fd < 0) {
			if (errno != EINTR)
				sleep(1);
			continue;
		}
		if (fork() == 0) {
			close(ls);
			serve(fd);
			_exit(0);
		}
		close(fd);
	}
}
