/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the xvda selftests share: the device, and a descriptor on it that
 * reads the disk itself rather than anything cached on the way.
 */
#ifndef XPV_XVDA_COMMON_H
#define XPV_XVDA_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>

#include "selftest.h"

#define DEV	"/dev/xvda"

/* A new O_DIRECT descriptor, with the device's cache dropped first. */
static inline int xvda_reopen_uncached(int flags)
{
	int fd = open(DEV, flags | O_DIRECT);

	if (fd < 0)
		st_fail("reopen " DEV ": %s", strerror(errno));
	if (ioctl(fd, BLKFLSBUF, 0))
		st_info("BLKFLSBUF: %s (going on)", strerror(errno));
	return fd;
}

#endif
