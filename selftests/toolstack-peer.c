// SPDX-License-Identifier: GPL-2.0
/*
 * toolstack-peer: dom0's side of the toolstack test. Listens on TCP port
 * 7003; a connection sends one command line and gets one answer line,
 * "ok ..." or "fail ...":
 *   bad-requests  writes requests the guest must refuse into its
 *                 control/shutdown, one after the other, and checks after
 *                 each that the guest left it unanswered (did not clear
 *                 it); then a bad key into control/sysrq, which the guest
 *                 must clear. control/shutdown is emptied at the end.
 * Its output goes to stdout, so it shows on the serial log.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "peer-listen.h"

#define PORT		7003

/* Time for the guest's watch to fire and its answer to land, under TCG. */
#define SETTLE		"sleep 5; "

static const char bad_requests[] = PEER_FIND_GUEST
	"c=/local/domain/$id/control; "
	"refused() { "
	"  xenstore-write \"$c/shutdown\" \"$1\" || exit 1; " SETTLE
	"  v=$(xenstore-read \"$c/shutdown\") || exit 1; "
	"  [ -n \"$v\" ] || { echo \"the guest took '$1' from control/shutdown\"; exit 1; }; "
	"  echo \"control/shutdown: left unanswered: $v\"; "
	"}; "
	"refused suspend; "
	"refused 'poweroff please'; "
	"refused \"$(printf '\\033[2Jboom')\"; "
	"refused \"$(printf 'A%.0s' $(seq 40))\"; "
	"xenstore-write \"$c/shutdown\" '' || exit 1; "
	"xenstore-write \"$c/sysrq\" xx || exit 1; " SETTLE
	"v=$(xenstore-read \"$c/sysrq\") || exit 1; "
	"[ -z \"$v\" ] || { echo \"control/sysrq still holds '$v'\"; exit 1; }; "
	"echo 'control/sysrq: bad key cleared'";

static void serve(int fd)
{
	char line[64];
	unsigned int n;
	int st;

	for (n = 0; n < sizeof(line) - 1; n++)
		if (read(fd, &line[n], 1) != 1 || line[n] == '\n')
			break;
	line[n] = 0;
	if (strcmp(line, "bad-requests")) {
		peer_answer(fd, false, "unknown command", 0);
		return;
	}
	st = peer_run(line, bad_requests);
	peer_answer(fd, !st, line, st);
}

int main(void)
{
	/* Long enough for the script's five pauses on a slow machine. */
	return peer_main(PORT, 120, serve);
}
