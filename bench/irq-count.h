/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interrupts a network device's event channels took, from
 * /proc/interrupts: shared by net-bench (the guest's frontend) and
 * net-bench-peer (dom0's backend, the guest's doorbells).
 */
#ifndef XPV_BENCH_IRQ_COUNT_H
#define XPV_BENCH_IRQ_COUNT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * All CPUs' counts of the rows whose name (last word) starts with @pre
 * and ends with @suf (the channels are named QUEUE-tx and QUEUE-rx).
 */
static unsigned long long irq_count(const char *pre, const char *suf)
{
	unsigned long long sum = 0, row;
	char line[4096], *tok, *save, *end, *name;
	FILE *f = fopen("/proc/interrupts", "r");
	size_t len;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		name = strrchr(line, ' ');
		if (!name || strncmp(++name, pre, strlen(pre)))
			continue;
		len = strlen(name);
		if (len < strlen(suf) || strcmp(name + len - strlen(suf), suf))
			continue;
		row = 0;
		tok = strtok_r(line, " \n", &save);	/* "NN:" */
		while ((tok = strtok_r(NULL, " \n", &save))) {
			unsigned long long v = strtoull(tok, &end, 10);

			if (*end)
				break;	/* past the per-CPU counts */
			row += v;
		}
		sum += row;
	}
	fclose(f);
	return sum;
}

#endif
