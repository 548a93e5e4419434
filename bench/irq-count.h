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

struct irq_count {
	unsigned long long tx, rx;
};

static int irq_name_ends(const char *name, const char *suf)
{
	size_t len = strlen(name), slen = strlen(suf);

	return len >= slen && !strcmp(name + len - slen, suf);
}

/*
 * All CPUs' counts, in one pass, of the rows whose name (last word)
 * starts with one of @pre[0..@n-1] and ends in -tx or -rx (a queue's
 * two channels).
 */
static struct irq_count irq_count(const char *const *pre, unsigned int n)
{
	struct irq_count c = { 0, 0 };
	unsigned long long row, *to;
	char line[4096], *tok, *save, *end, *name;
	FILE *f = fopen("/proc/interrupts", "r");
	unsigned int i;

	if (!f)
		return c;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		name = strrchr(line, ' ');
		if (!name)
			continue;
		name++;
		for (i = 0; i < n && strncmp(name, pre[i], strlen(pre[i])); i++)
			;
		if (i == n)
			continue;
		if (irq_name_ends(name, "-tx"))
			to = &c.tx;
		else if (irq_name_ends(name, "-rx"))
			to = &c.rx;
		else
			continue;
		row = 0;
		tok = strtok_r(line, " ", &save);	/* "NN:" */
		while ((tok = strtok_r(NULL, " ", &save))) {
			unsigned long long v = strtoull(tok, &end, 10);

			if (*end)
				break;	/* past the per-CPU counts */
			row += v;
		}
		*to += row;
	}
	fclose(f);
	return c;
}

#endif
