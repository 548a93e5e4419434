/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The whole in-guest selftest "framework": exit codes, message helpers and
 * a read of the kernel log.
 * See selftests/README.md.
 */
#ifndef XPV_SELFTEST_H
#define XPV_SELFTEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>

#define ST_PASS 0
#define ST_FAIL 1
#define ST_SKIP 77

static inline void st_vmsg(const char *tag, const char *fmt, va_list ap)
{
	printf("%s", tag);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

/* Informational line; the guest's /init shows it prefixed by the test name. */
__attribute__((format(printf, 1, 2)))
static inline void st_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	st_vmsg("", fmt, ap);
	va_end(ap);
}

/* Say why, then end the test with that verdict. */
__attribute__((format(printf, 1, 2), noreturn))
static inline void st_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	st_vmsg("FAIL: ", fmt, ap);
	va_end(ap);
	exit(ST_FAIL);
}

__attribute__((format(printf, 1, 2), noreturn))
static inline void st_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	st_vmsg("SKIP: ", fmt, ap);
	va_end(ap);
	exit(ST_SKIP);
}

/* Is this xpv's kernel? Its event channels name themselves in /proc/interrupts. */
static inline int st_xpv_kernel(void)
{
	char line[256];
	FILE *f = fopen("/proc/interrupts", "r");
	int xpv = 0;

	while (f && fgets(line, sizeof(line), f))
		xpv |= !!strstr(line, "xpv-evtchn");
	if (f)
		fclose(f);
	return xpv;
}

/* The kernel's log buffer as it stands, NUL-terminated; the caller frees it. */
static inline char *st_klog(void)
{
	int n = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *log;

	if (n <= 0)
		st_fail("klogctl: %s", strerror(errno));
	log = calloc(1, n + 1);
	if (!log)
		st_fail("out of memory");
	n = klogctl(3, log, n);		/* SYSLOG_ACTION_READ_ALL */
	if (n < 0)
		st_fail("klogctl: %s", strerror(errno));
	log[n] = 0;
	return log;
}

#endif
