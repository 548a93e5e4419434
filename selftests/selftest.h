/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The whole in-guest selftest "framework": exit codes and message helpers.
 * See selftests/README.md.
 */
#ifndef XPV_SELFTEST_H
#define XPV_SELFTEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif
