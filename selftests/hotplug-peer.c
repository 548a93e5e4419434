// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug-peer: dom0's side of the hotplug test. Listens on TCP port 7002;
 * each connection sends command lines and gets one answer line each,
 * "ok ..." or "fail ...":
 *   blk-detach   xl block-detach of the guest's xvda (its image noted first)
 *   blk-attach   xl block-attach of that image as xvda again
 *   net-cycle    answers at once, then (1 s later, so the answer gets out)
 *                xl network-detach of vif 0 and network-attach of a new
 *                one with the same MAC on the same bridge
 *   net-status   how net-cycle went, once it has (waits up to 90 s)
 * The guest is the one domain besides dom0 (the rig runs one at a time).
 * Every command's output goes to stdout, so it shows on the serial log.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "peer-listen.h"

#define PORT		7002
#define NET_STATUS	"/run/xpv-hotplug-net"

/* Find the guest: its name and domid, as shell variables. */
#define FIND_GUEST							\
	"dom=$(xl list | awk 'NR > 2 { print $1; exit }'); "		\
	"[ -n \"$dom\" ] || { echo 'no guest domain'; exit 1; }; "	\
	"id=$(xl domid \"$dom\") || exit 1; "

static const struct {
	const char *name;
	const char *script;
} cmds[] = {
	{ "blk-detach", FIND_GUEST
	  "be=/local/domain/0/backend/vbd/$id/51712; "
	  "xenstore-read $be/params >/run/xpv-hotplug-params || exit 1; "
	  "echo \"xvda is $(cat /run/xpv-hotplug-params)\"; "
	  "timeout 60 xl block-detach \"$dom\" xvda" },
	{ "blk-attach", FIND_GUEST
	  "p=$(cat /run/xpv-hotplug-params) || exit 1; "
	  "timeout 60 xl block-attach \"$dom\" "
	  "\"format=raw,vdev=xvda,access=rw,target=$p\"" },
	{ "net-cycle", FIND_GUEST
	  "mac=$(xenstore-read /local/domain/0/backend/vif/$id/0/mac) || exit 1; "
	  "sleep 1; "
	  "timeout 60 xl network-detach \"$dom\" 0 || exit 1; "
	  "timeout 60 xl network-attach \"$dom\" bridge=xenbr0 \"mac=$mac\"" },
};

/* Run one command's script; its exit status, or -1. */
static int run(const char *name, const char *script)
{
	int st;

	printf("%s: running\n", name);
	st = system(script);
	if (st == -1 || !WIFEXITED(st))
		st = -1;
	else
		st = WEXITSTATUS(st);
	printf("%s: exit status %d\n", name, st);
	return st;
}

static void answer(int fd, bool ok, const char *what, int st)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "%s %s: %d\n", ok ? "ok" : "fail",
			 what, st);

	if (write(fd, line, n) != n)
		printf("answering: short write\n");
}

static void serve(int fd)
{
	char line[64], status[32];
	unsigned int i, n = 0;
	pid_t pid;
	FILE *f;
	int st;

	for (;;) {
		/* One byte at a time: a command line is short, and nothing is lost. */
		if (read(fd, &line[n], 1) != 1)
			return;
		if (line[n] != '\n') {
			if (++n == sizeof(line))
				return;
			continue;
		}
		line[n] = 0;
		n = 0;
		if (!strcmp(line, "net-status")) {
			/* The link can be back before xl has returned. */
			for (i = 0; i < 900 && access(NET_STATUS, F_OK); i++)
				usleep(100000);
			f = fopen(NET_STATUS, "r");
			if (!f || !fgets(status, sizeof(status), f))
				strcpy(status, "none\n");
			if (f)
				fclose(f);
			answer(fd, !strcmp(status, "0\n"), "net-cycle",
			       atoi(status));
			continue;
		}
		for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			if (!strcmp(line, cmds[i].name))
				break;
		if (i == sizeof(cmds) / sizeof(cmds[0])) {
			answer(fd, false, "unknown command", 0);
			continue;
		}
		if (strcmp(line, "net-cycle")) {
			st = run(cmds[i].name, cmds[i].script);
			answer(fd, !st, cmds[i].name, st);
			continue;
		}
		/* The guest's link goes away: answer first, then do it. */
		unlink(NET_STATUS);
		answer(fd, true, "net-cycle started", 0);
		/* In a grandchild, so that nobody has to wait for it. */
		pid = fork();
		if (pid == 0) {
			if (fork() == 0) {
				st = run(cmds[i].name, cmds[i].script);
				/* Whole or not at all: net-status reads it. */
				f = fopen(NET_STATUS ".new", "w");
				if (f) {
					fprintf(f, "%d\n", st);
					fclose(f);
					rename(NET_STATUS ".new", NET_STATUS);
				}
			}
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
}

int main(void)
{
	struct timeval tv = { .tv_sec = 120 };
	int ls, fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ls = peer_listen(PORT);
	if (ls < 0)
		return 1;
	for (;;) {
		fd = accept(ls, NULL, NULL);
		if (fd < 0) {
			sleep(1);
			continue;
		}
		/* A guest that stops talking must not block the next one. */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		serve(fd);
		close(fd);
	}
}
