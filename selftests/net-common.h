/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network selftests' shared setup: bring eth0 up as 169.254.0.2/16 and
 * wait for its carrier. dom0 is 169.254.0.1 on its bridge.
 */
#ifndef XPV_NET_COMMON_H
#define XPV_NET_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "selftest.h"

#define NET_IF		"eth0"
#define NET_GUEST	"169.254.0.2"
#define NET_DOM0	"169.254.0.1"

static inline double net_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void net_set_addr(struct sockaddr *sa, const char *ip)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)sa;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, ip, &sin->sin_addr);
}

/* A number from eth0's sysfs directory (e.g. "ifindex"), 0 if unreadable. */
static inline unsigned long long net_sysfs_num(const char *file)
{
	unsigned long long v = 0;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", NET_IF, file);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static inline int net_carrier(void)
{
	char c = '0';
	FILE *f = fopen("/sys/class/net/" NET_IF "/carrier", "r");

	if (!f)
		return 0;
	if (fread(&c, 1, 1, f) != 1)
		c = '0';
	fclose(f);
	return c == '1';
}

/*
 * A TCP connection to dom0's @port, tried again for up to @secs: the link
 * may still be coming up, or ARP not answered yet.
 */
static inline int net_dial(int port, double secs)
{
	struct sockaddr_in a;
	double give_up = net_now() + secs;
	int fd, err;

	net_set_addr((struct sockaddr *)&a, NET_DOM0);
	a.sin_port = htons(port);
	for (;;) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			st_fail("socket: %s", strerror(errno));
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		err = errno;
		close(fd);
		if (net_now() > give_up)
			st_fail("connect to %s:%d: %s", NET_DOM0, port, strerror(err));
		usleep(200000);
	}
}

/*
 * Whether this runs in a rig guest, whose command line always holds
 * console=hvc0 (scripts/rig/boot.sh): anywhere else, renumbering eth0
 * would cut a machine off its network (it did, once, on a build host).
 */
static inline int net_in_rig_guest(void)
{
	char line[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	return strstr(line, "console=hvc0") != NULL;
}

/*
 * Skip without eth0, or outside a rig guest; fail if eth0 cannot be
 * configured or has no carrier after @carrier_secs.
 */
static inline void net_setup_wait(double carrier_secs)
{
	struct ifreq ifr;
	double t0;
	int fd;

	if (!net_in_rig_guest())
		st_skip("not in a rig guest (no console=hvc0 on the kernel command line): "
			"leaving " NET_IF " alone");
	if (access("/sys/class/net/" NET_IF, F_OK))
		st_skip("no " NET_IF);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		st_fail("socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, NET_IF);
	net_set_addr(&ifr.ifr_addr, NET_GUEST);
	if (ioctl(fd, SIOCSIFADDR, &ifr) && errno != EEXIST)
		st_fail("SIOCSIFADDR: %s", strerror(errno));
	net_set_addr(&ifr.ifr_netmask, "255.255.0.0");
	if (ioctl(fd, SIOCSIFNETMASK, &ifr))
		st_fail("SIOCSIFNETMASK: %s", strerror(errno));
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		st_fail("SIOCGIFFLAGS: %s", strerror(errno));
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		st_fail("SIOCSIFFLAGS: %s", strerror(errno));
	close(fd);

	t0 = net_now();
	while (!net_carrier()) {
		if (net_now() - t0 > carrier_secs)
			st_fail(NET_IF " has no carrier after %.0f s", carrier_secs);
		usleep(100000);
	}
	st_info(NET_IF " up as " NET_GUEST "/16, carrier after %.1f s",
		net_now() - t0);
}

/* eth0 as the network tests use it: a carrier within 20 s of boot is plenty. */
static inline void net_setup(void)
{
	net_setup_wait(20);
}

/*
 * Send one command line to a dom0 peer on @fd and read its one answer
 * line; anything but "ok ..." fails the test.
 */
static inline void net_ask(int fd, const char *cmd)
{
	char line[128];
	size_t n = 0;

	dprintf(fd, "%s\n", cmd);
	while (n < sizeof(line) - 1) {
		if (read(fd, &line[n], 1) != 1)
			st_fail("%s: no answer from dom0's peer", cmd);
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = 0;
	st_info("%s: dom0 says: %s", cmd, line);
	if (strncmp(line, "ok ", 3))
		st_fail("%s: dom0 could not do it (its output is on the serial log)", cmd);
}

#endif
