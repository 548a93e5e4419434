// SPDX-License-Identifier: GPL-2.0
/*
 * toolstack: dom0 writes requests into the guest's control/ nodes in
 * xenstore that the guest must refuse (toolstack-peer does it when
 * asked): a suspend, which xpv cannot do, unknown words, a terminal
 * escape sequence, a value too long to log in full, and a bad sysrq key.
 * The kernel must leave the shutdown requests unanswered (the peer checks
 * that the node still holds them) and clear the bad key, say so in its
 * log with each value escaped and cut short, and stay up: this test goes
 * on running only if it did.
 * "xl sysrq" and "xl shutdown" themselves are sent by the rig at the end
 * of every boot. Skips on kernels without xpv (mainline takes every
 * shutdown request, known or not).
 */
#include "net-common.h"

#define PORT		7003

int main(void)
{
	static const char *const want[] = {
		"xpv/control: the toolstack asks to suspend: not supported, left unanswered",
		"xpv/control: unknown request in control/shutdown: \"poweroff please\"; left unanswered",
		"xpv/control: unknown request in control/shutdown: \"\\e[2Jboom\"; left unanswered",
		"xpv/control: unknown request in control/shutdown: \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"...; left unanswered",
		"xpv/control: bad key in control/sysrq: \"xx\"",
	};
	static const char *const never[] = {
		"xpv/control: the toolstack asks to power off",
		"xpv/control: the toolstack asks to reboot",
	};
	unsigned int i;
	char *log;
	int peer;

	if (!st_xpv_kernel())
		st_skip("not xpv's kernel");
	net_setup();
	peer = net_dial(PORT, 30);
	net_ask(peer, "bad-requests");
	close(peer);

	log = st_klog();
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!strstr(log, want[i]))
			st_fail("kernel log lacks: %s", want[i]);
		st_info("kernel log: %s", want[i]);
	}
	for (i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if (strstr(log, never[i]))
			st_fail("kernel log: %s", never[i]);
	if (strchr(log, '\033'))
		st_fail("a raw escape byte from dom0 reached the kernel log");
	free(log);
	return ST_PASS;
}
