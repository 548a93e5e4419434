// SPDX-License-Identifier: GPL-2.0
/*
 * xpv-platform: the xpv core platform is in use and alive.
 *
 * - the clocksource in use is xpv-clock (the pvclock);
 * - every online CPU has its own xpv timer interrupt (VIRQ_TIMER on the
 *   xpv-evtchn chip, "timerN" in /proc/interrupts), and each of them
 *   ticks: its count on its own CPU grows while this test keeps every CPU
 *   busy for a moment;
 * - the hypervisor upcall counter (HYP) grows too;
 * - after the last CPU was taken offline and back online, its timer and
 *   upcalls work again (CPU hotplug).
 * Skips on a kernel without xpv (no xpv-evtchn chip), e.g. the reference.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "selftest.h"

#define MAX_CPUS 64

struct counts {
	int ncpu;
	long timer[MAX_CPUS];	/* timerN's count on CPU N */
	int have_timer[MAX_CPUS];
	long hyp[MAX_CPUS];
	int xpv_chip;
};

static void read_interrupts(struct counts *c)
{
	char line[4096];
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		st_fail("cannot open /proc/interrupts");
	memset(c, 0, sizeof(*c));
	/* Header: one "CPUn" column per online CPU. */
	if (!fgets(line, sizeof(line), f))
		st_fail("empty /proc/interrupts");
	for (char *p = line; (p = strstr(p, "CPU")); p += 3)
		c->ncpu++;
	if (c->ncpu > MAX_CPUS)
		c->ncpu = MAX_CPUS;

	while (fgets(line, sizeof(line), f)) {
		long v[MAX_CPUS];
		char *p = strchr(line, ':'), *end;
		int n, cpu;

		if (!p)
			continue;
		p++;
		for (n = 0; n < c->ncpu; n++) {
			v[n] = strtol(p, &end, 10);
			if (end == p)
				break;
			p = end;
		}
		if (strstr(line, "xpv-evtchn"))
			c->xpv_chip = 1;
		if (strncmp(line + strspn(line, " "), "HYP:", 4) == 0)
			for (cpu = 0; cpu < n; cpu++)
				c->hyp[cpu] = v[cpu];
		if (strstr(line, "xpv-evtchn") && (p = strstr(line, " timer"))) {
			cpu = atoi(p + 6);
			if (cpu >= 0 && cpu < n) {
				c->timer[cpu] = v[cpu];
				c->have_timer[cpu] = 1;
			}
		}
	}
	fclose(f);
}

/* Keep @cpu busy with short sleeps, so its tick has to fire. */
static void exercise(int cpu)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		st_fail("cannot move to CPU%d", cpu);
	for (i = 0; i < 100; i++)
		nanosleep(&ts, NULL);
}

static void set_online(int cpu, int online)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	f = fopen(path, "w");
	if (!f)
		st_fail("cannot open %s (CPU hotplug missing?)", path);
	if (fprintf(f, "%d\n", online) < 0 || fclose(f))
		st_fail("cannot take CPU%d %s", cpu, online ? "online" : "offline");
}

/* @cpu's timer and upcalls work: their counts grow while it is kept busy. */
static void check_ticks(int cpu, const char *when)
{
	struct counts before, after;

	read_interrupts(&before);
	exercise(cpu);
	read_interrupts(&after);
	if (!after.have_timer[cpu])
		st_fail("CPU%d%s has no xpv timer interrupt (timer%d)", cpu, when, cpu);
	if (after.timer[cpu] <= before.timer[cpu])
		st_fail("timer%d did not tick on CPU%d%s (%ld -> %ld)", cpu, cpu, when,
			before.timer[cpu], after.timer[cpu]);
	if (after.hyp[cpu] <= before.hyp[cpu])
		st_fail("no upcalls on CPU%d%s (HYP %ld -> %ld)", cpu, when,
			before.hyp[cpu], after.hyp[cpu]);
	st_info("CPU%d%s: timer%d %ld -> %ld, HYP %ld -> %ld", cpu, when, cpu,
		before.timer[cpu], after.timer[cpu], before.hyp[cpu], after.hyp[cpu]);
}

int main(void)
{
	struct counts before;
	char cs[64] = "";
	FILE *f;
	int cpu;

	read_interrupts(&before);
	if (!before.xpv_chip)
		st_skip("no xpv-evtchn interrupts: not an xpv kernel");

	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
	if (!f || !fgets(cs, sizeof(cs), f))
		st_fail("cannot read the current clocksource");
	fclose(f);
	cs[strcspn(cs, "\n")] = 0;
	if (strcmp(cs, "xpv-clock"))
		st_fail("clocksource is '%s', not xpv-clock", cs);
	st_info("clocksource: %s", cs);

	if (before.ncpu < 2)
		st_fail("only %d CPU online; the rig boots the guest with 2", before.ncpu);
	for (cpu = 0; cpu < before.ncpu; cpu++)
		check_ticks(cpu, "");

	/*
	 * CPU hotplug: the last CPU goes away and comes back. Its vcpu_info
	 * stays where it was, but its upcall vector and its clockevent must
	 * be set up again, or it runs without xpv's timer and events.
	 */
	cpu = before.ncpu - 1;
	set_online(cpu, 0);
	set_online(cpu, 1);
	check_ticks(cpu, " after offline/online");
	return ST_PASS;
}
