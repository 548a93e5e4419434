// SPDX-License-Identifier: GPL-2.0
/*
 * wallclock: the guest knows the time of day.
 *
 * A PVH guest has no RTC; its date comes from the wall clock Xen keeps in
 * shared_info. Left unwritten, that reads as Xen's uptime: a date in 1970.
 * The test passes if the guest's date is no earlier than the day this
 * program was built (on the host, which has the real date) and less than a
 * year after it. Runs on every kernel, the reference's included.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "selftest.h"

/* __DATE__ is "Mmm dd yyyy": midnight UTC of that day, in seconds. */
static time_t build_day(void)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4] = "";
	struct tm tm = { 0 };
	const char *m;

	if (sscanf(__DATE__, "%3s %d %d", mon, &tm.tm_mday, &tm.tm_year) != 3)
		st_fail("cannot parse the build date '%s'", __DATE__);
	m = strstr(months, mon);
	if (!m)
		st_fail("unknown month in the build date '%s'", __DATE__);
	tm.tm_mon = (m - months) / 3;
	tm.tm_year -= 1900;
	return timegm(&tm);
}

int main(void)
{
	/* The build host's day may start earlier than UTC's: one day of slack. */
	time_t low = build_day() - 24 * 60 * 60;
	time_t high = low + 366 * 24 * 60 * 60;
	time_t now = time(NULL);
	char buf[64];

	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	st_info("guest date: %s (%lld s); built on %s", buf, (long long)now, __DATE__);
	if (now < low)
		st_fail("the guest's date is before the day this test was built: no wall clock from Xen?");
	if (now > high)
		st_fail("the guest's date is more than a year after this test was built");
	return ST_PASS;
}
