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
 *
 * After each transfer it also prints what a slow one needs explaining:
 *   XPV-BENCH-NOTE: net NAME stream N: RATE, and the socket's TCP_INFO
 *   XPV-BENCH-NOTE: net NAME counters: the TCP and eth0 counters that moved
 *   XPV-BENCH-NOTE: net NAME events: eth0's interrupts and packets
 * (a stream that stalls shows whether TCP timed out, retransmitted, found
 * the window shut or the device dropped).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../selftests/net-common.h"
#include "irq-count.h"

#define PORT		5201
#define BENCH_SECS	5.0
#define BUF		(128u << 10)
#define MAX_STREAMS	4
#define REPS		3
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The counters worth a look after a transfer, by the file that has them. */
static const char *const tcp_counters[] = {
	"RetransSegs", "InErrs", "OutRsts",
};

static const char *const tcpext_counters[] = {
	"TCPTimeouts", "TCPLossProbes", "TCPSpuriousRTOs", "TCPFastRetrans",
	"TCPSlowStartRetrans", "TCPOFOQueue", "TCPOFODrop", "TCPRcvQDrop",
	"TCPBacklogDrop", "PruneCalled", "TCPZeroWindowDrop", "TCPWantZeroWindowAdv",
	"TCPDSACKRecv",
};

static const char *const dev_counters[] = {
	"rx_dropped", "tx_dropped", "rx_errors", "tx_errors",
};

struct counters {
	unsigned long long tcp[ARRAY_SIZE(tcp_counters)];
	unsigned long long ext[ARRAY_SIZE(tcpext_counters)];
	unsigned long long dev[ARRAY_SIZE(dev_counters)];
	unsigned long long tx_packets, rx_packets;
	struct irq_count irqs;
};

struct stream {
	pthread_t thread;
	int fd;
	char dir;		/* 'S': we send, 'R': we receive */
	double end;
	unsigned long long bytes;
	int err;
};

/*
 * /proc/net/snmp and /proc/net/netstat: a line of names, then a line of
 * values, per protocol. Fill @vals for the @names under @proto.
 */
static void read_proto(const char *path, const char *proto,
		       const char *const *names, unsigned int n,
		       unsigned long long *vals)
{
	char head[8192], vline[8192], *hs, *vs, *h, *v;
	size_t plen = strlen(proto);
	unsigned int i;
	FILE *f = fopen(path, "r");

	memset(vals, 0, n * sizeof(*vals));
	if (!f)
		return;
	while (fgets(head, sizeof(head), f) && fgets(vline, sizeof(vline), f)) {
		if (strncmp(head, proto, plen) || head[plen] != ':')
			continue;
		h = strtok_r(head + plen + 1, " \n", &hs);
		v = strtok_r(vline + plen + 1, " \n", &vs);
		for (; h && v; h = strtok_r(NULL, " \n", &hs),
			       v = strtok_r(NULL, " \n", &vs))
			for (i = 0; i < n; i++)
				if (!strcmp(h, names[i]))
					vals[i] = strtoull(v, NULL, 10);
		break;
	}
	fclose(f);
}

/* One of eth0's statistics, 0 if it cannot be read. */
static unsigned long long read_dev(const char *stat)
{
	char file[64];

	snprintf(file, sizeof(file), "statistics/%s", stat);
	return net_sysfs_num(file);
}

static void read_counters(struct counters *c)
{
	/* The frontend's event channels: xpv's eth0-qN-*, mainline's vifN-qN-*. */
	static const char *const irq_names[] = { NET_IF "-", "vif" };
	unsigned int i;

	read_proto("/proc/net/snmp", "Tcp", tcp_counters,
		   ARRAY_SIZE(tcp_counters), c->tcp);
	read_proto("/proc/net/netstat", "TcpExt", tcpext_counters,
		   ARRAY_SIZE(tcpext_counters), c->ext);
	for (i = 0; i < ARRAY_SIZE(dev_counters); i++)
		c->dev[i] = read_dev(dev_counters[i]);
	c->tx_packets = read_dev("tx_packets");
	c->rx_packets = read_dev("rx_packets");
	c->irqs = irq_count(irq_names, ARRAY_SIZE(irq_names));
}

/* " NAME +DELTA" for each counter that moved. */
static int print_moved(char *buf, size_t len, const char *const *names,
		       unsigned int n, const unsigned long long *a,
		       const unsigned long long *b)
{
	unsigned int i;
	int off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off < (int)len - 1; i++)
		if (b[i] != a[i])
			off += snprintf(buf + off, len - off, " %s +%llu",
					names[i], b[i] - a[i]);
	/* Cut short, not past the end: the caller goes on from here. */
	return off < (int)len ? off : (int)len - 1;
}

static void note_counters(const char *name, const struct counters *a,
			  const struct counters *b)
{
	char buf[1024];
	int off;

	off = print_moved(buf, sizeof(buf), tcp_counters,
			  ARRAY_SIZE(tcp_counters), a->tcp, b->tcp);
	off += print_moved(buf + off, sizeof(buf) - off, tcpext_counters,
			   ARRAY_SIZE(tcpext_counters), a->ext, b->ext);
	off += print_moved(buf + off, sizeof(buf) - off, dev_counters,
			   ARRAY_SIZE(dev_counters), a->dev, b->dev);
	printf("XPV-BENCH-NOTE: net %s counters:%s\n", name,
	       off ? buf : " none moved");
	printf("XPV-BENCH-NOTE: net %s events: tx-interrupts %llu, rx-interrupts %llu, tx-packets %llu, rx-packets %llu\n",
	       name, b->irqs.tx - a->irqs.tx, b->irqs.rx - a->irqs.rx,
	       b->tx_packets - a->tx_packets, b->rx_packets - a->rx_packets);
}

/* The socket's view of the stream, as the sender or the receiver. */
static void note_stream(const char *name, int i, const struct stream *s,
			double secs)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(s->fd, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
		printf("XPV-BENCH-NOTE: net %s stream %d: %.1f Mbit/s, no TCP_INFO: %s\n",
		       name, i, s->bytes * 8 / secs / 1e6, strerror(errno));
		return;
	}
	printf("XPV-BENCH-NOTE: net %s stream %d: %.1f Mbit/s, retrans %u, rto %u ms, rtt %.1f ms, cwnd %u, busy %llu ms, rwnd-limited %llu ms, sndbuf-limited %llu ms, rcv-space %u\n",
	       name, i, s->bytes * 8 / secs / 1e6, ti.tcpi_total_retrans,
	       ti.tcpi_rto / 1000, ti.tcpi_rtt / 1000.0, ti.tcpi_snd_cwnd,
	       (unsigned long long)ti.tcpi_busy_time / 1000,
	       (unsigned long long)ti.tcpi_rwnd_limited / 1000,
	       (unsigned long long)ti.tcpi_sndbuf_limited / 1000,
	       ti.tcpi_rcv_space);
}

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
	struct counters before, after;
	unsigned long long bytes = 0;
	double t0, t;
	int i;

	for (i = 0; i < streams; i++) {
		st[i].fd = net_dial(PORT, 20);
		st[i].dir = dir;
		if (write(st[i].fd, &dir, 1) != 1)
			st_fail("%s: sending the command: %s", name, strerror(errno));
	}
	read_counters(&before);
	t0 = net_now();
	for (i = 0; i < streams; i++) {
		st[i].end = t0 + BENCH_SECS;
		if (pthread_create(&st[i].thread, NULL, run, &st[i]))
			st_fail("pthread_create failed");
	}
	for (i = 0; i < streams; i++)
		pthread_join(st[i].thread, NULL);
	t = net_now() - t0;
	read_counters(&after);
	for (i = 0; i < streams; i++) {
		note_stream(name, i, &st[i], t);
		close(st[i].fd);
		if (st[i].err)
			st_fail("%s: stream %d: %s", name, i, strerror(st[i].err));
		bytes += st[i].bytes;
	}
	note_counters(name, &before, &after);
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
