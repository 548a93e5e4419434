// SPDX-License-Identifier: GPL-2.0
/*
 * net-ping: ICMP echo through the network frontend to dom0's bridge.
 *
 * Brings eth0 up as 169.254.0.2/16, then sends echo requests of several
 * sizes to 169.254.0.1 on a raw ICMP socket: small ones, one that fills an
 * Ethernet frame, and some larger than the MTU, which IP fragments and
 * reassembles. Every reply must carry our id and sequence number and the
 * exact payload sent. SKIP without eth0.
 */
#define _GNU_SOURCE
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>

#include "net-common.h"

#define MAX_PAYLOAD	9000

static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2, p += 2)
		sum += p[0] << 8 | p[1];
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum);
}

static unsigned char out[sizeof(struct icmphdr) + MAX_PAYLOAD];
static unsigned char in[65536];

/* One echo of @size payload bytes; returns the round trip in ms or -1. */
static double echo(int fd, uint16_t id, uint16_t seq, size_t size)
{
	struct icmphdr *h = (struct icmphdr *)out;
	struct sockaddr_in dst;
	double t0 = net_now();
	size_t i;

	memset(h, 0, sizeof(*h));
	h->type = ICMP_ECHO;
	h->un.echo.id = htons(id);
	h->un.echo.sequence = htons(seq);
	for (i = 0; i < size; i++)
		out[sizeof(*h) + i] = (uint8_t)(i * 7 + seq);
	h->checksum = csum(out, sizeof(*h) + size);
	net_set_addr((struct sockaddr *)&dst, NET_DOM0);
	if (sendto(fd, out, sizeof(*h) + size, 0, (struct sockaddr *)&dst,
		   sizeof(dst)) < 0)
		st_fail("sendto %zu bytes: %s", size, strerror(errno));

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int left = 2000 - (int)((net_now() - t0) * 1000);
		struct icmphdr *r;
		struct iphdr *ip;
		ssize_t n;
		size_t hl;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return -1;
		n = recv(fd, in, sizeof(in), 0);
		if (n < (ssize_t)sizeof(struct iphdr))
			continue;
		ip = (struct iphdr *)in;
		hl = ip->ihl * 4;
		if ((size_t)n < hl + sizeof(*r))
			continue;
		r = (struct icmphdr *)(in + hl);
		if (r->type != ICMP_ECHOREPLY || ntohs(r->un.echo.id) != id ||
		    ntohs(r->un.echo.sequence) != seq)
			continue;
		if ((size_t)n != hl + sizeof(*r) + size)
			st_fail("reply to %zu bytes has %zd", size,
				n - (ssize_t)(hl + sizeof(*r)));
		if (memcmp(in + hl + sizeof(*r), out + sizeof(*h), size))
			st_fail("reply to %zu bytes differs from what was sent",
				size);
		if (csum(r, sizeof(*r) + size))
			st_fail("reply to %zu bytes: bad ICMP checksum", size);
		return (net_now() - t0) * 1000;
	}
}

int main(void)
{
	static const size_t sizes[] = { 56, 1, 1000, 1472, 1473, 3000, 8000 };
	uint16_t id = getpid() & 0xffff, seq = 0;
	unsigned int i, tries;
	double ms;
	int fd;

	net_setup();
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0)
		st_fail("raw ICMP socket: %s", strerror(errno));

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* The first one may wait for ARP; give each a few tries. */
		for (tries = 0; tries < 5; tries++) {
			ms = echo(fd, id, ++seq, sizes[i]);
			if (ms >= 0)
				break;
		}
		if (ms < 0)
			st_fail("no reply to %zu-byte echo after %u tries",
				sizes[i], tries);
		st_info("%zu-byte echo: reply verified in %.2f ms%s", sizes[i],
			ms, tries ? " (after retries)" : "");
	}
	/* More round trips: the rings wrap and slots are reused. */
	for (i = 0; i < 20; i++) {
		ms = echo(fd, id, ++seq, 1400);
		if (ms < 0)
			st_fail("no reply to burst echo %u", i);
	}
	st_info("20 more 1400-byte echoes verified");
	close(fd);
	return ST_PASS;
}
