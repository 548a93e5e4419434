// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug-peer: dom0's side of the hotplug test. Listens on TCP port 7002;
 * each connection sends command lines and gets one answer line each,
 * "ok ..." or "fail ...":
 *   blk-detach   xl block-detach of the guest's xvda
 *   blk-attach   xl block-attach of it again, with the xl disk spec the
 *                guest was created with (dom0's rig init leaves it in
 *                /run/xpv-rig-disk), so the same image comes back on the
 *                same backend (blkback or QEMU's qdisk)
 *   net-cycle    answers at once, then (1 s later, so the answer gets out)
 *                xl network-detach of vif 0 and network-attach of a new
 *                one with the same MAC on the same bridge
 *   net-status   how the last net-cycle went
 * Connections are served one after the other, so a net-status sent while
 * net-cycle still runs is answered once it is done.
 * The guest is the one domain besides dom0 (the rig runs one at a time).
 * Every command's output goes to stdout, so it shows on the serial log.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "peer-listen.h"

#define PORT		7002
/* The guest's xvda as an xl disk spec, written by scripts/rig/dom0-init.sh. */
#define DISK_SPEC	"/run/xpv-rig-disk"

static const struct {
	const char *name;
	const char *script;
} cmds[] = {
	{ "blk-detach", PEER_FIND_GUEST
	  "spec=$(cat " DISK_SPEC ") || exit 1; "
	  "echo \"xvda is $spec\"; "
	  "timeout 60 xl block-list \"$dom\"; "
	  "timeout 60 xl block-detach \"$dom\" xvda" },
	{ "blk-attach", PEER_FIND_GUEST
	  "spec=$(cat " DISK_SPEC ") || exit 1; "
	  "timeout 60 xl block-attach \"$dom\" \"$spec\"" },
	{ "net-cycle", PEER_FIND_GUEST
	  "mac=$(xenstore-read /local/domain/0/backend/vif/$id/0/mac) || exit 1; "
	  "sleep 1; "
	  "timeout 60 xl network-detach \"$dom\" 0 || exit 1; "
	  "timeout 60 xl network-attach \"$dom\" bridge=xenbr0 \"mac=$mac\"" },
};

static void serve(int fd)
{
	static int net_status = -1;	/* no net-cycle yet */
	char line[64];
	unsigned int i, n = 0;
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
			peer_answer(fd, !net_status, "net-cycle", net_status);
			continue;
		}
		for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			if (!strcmp(line, cmds[i].name))
				break;
		if (i == sizeof(cmds) / sizeof(cmds[0])) {
			peer_answer(fd, false, "unknown command", 0);
			continue;
		}
		if (strcmp(line, "net-cycle")) {
			st = peer_run(cmds[i].name, cmds[i].script);
			peer_answer(fd, !st, cmds[i].name, st);
			continue;
		}
		/*
		 * The link this connection came over goes away: answer first,
		 * then do it, and end the connection.
		 */
		peer_answer(fd, true, "net-cycle started", 0);
		net_status = peer_run(cmds[i].name, cmds[i].script);
		return;
	}
}

int main(void)
{
	/* Long enough for xl on a slow machine. */
	return peer_main(PORT, 120, serve);
}
