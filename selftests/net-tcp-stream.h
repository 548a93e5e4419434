/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The net-tcp test's wire format and data stream, shared by the guest
 * (net-tcp.c) and its dom0 peer (net-tcp-peer.c).
 *
 * The guest opens a connection and sends a header; then either it sends
 * hdr.len bytes of the stream and the peer answers with a result, or the
 * peer sends them and the guest checks them. The stream is splitmix64 of
 * (seed, word offset): any byte can be recomputed on its own, so the
 * receiver names the first offset that differs.
 */
#ifndef XPV_NET_TCP_STREAM_H
#define XPV_NET_TCP_STREAM_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define TCP_PORT	7001
#define TCP_MAGIC	0x78707674u	/* "xpvt" */
#define DIR_UPLOAD	1		/* guest -> dom0 */
#define DIR_DOWNLOAD	2		/* dom0 -> guest */
#define BUF_SIZE	(256u << 10)

struct tcp_hdr {
	uint32_t magic;
	uint32_t dir;
	uint64_t seed;
	uint64_t len;
};

/* The receiver's verdict on an upload: bytes matched before a mismatch. */
struct tcp_result {
	uint64_t good;
	uint64_t total;
};

static inline uint64_t stream_word(uint64_t seed, uint64_t word)
{
	uint64_t z = seed + word * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Fill @buf with the stream's bytes from @off (a multiple of 8). */
static inline void stream_fill(uint64_t seed, uint64_t off, uint8_t *buf,
			       size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t w = stream_word(seed, (off + i) / 8);

		memcpy(buf + i, &w, len - i < 8 ? len - i : 8);
	}
}

/*
 * Check @len bytes at stream offset @off (any alignment); returns how many
 * leading bytes match.
 */
static inline size_t stream_check(uint64_t seed, uint64_t off,
				  const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint64_t o = off + i;
		uint64_t w = stream_word(seed, o / 8);

		/* Whole aligned words at once while they match. */
		if (o % 8 == 0 && len - i >= 8 && !memcmp(buf + i, &w, 8)) {
			i += 7;
			continue;
		}
		if (buf[i] != ((const uint8_t *)&w)[o % 8])
			return i;
	}
	return len;
}

/* 0, or -1 on error or (reading) end of stream before @len bytes. */
static inline int xfer_all(int fd, void *buf, size_t len, int wr)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = wr ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static inline int write_all(int fd, const void *buf, size_t len)
{
	return xfer_all(fd, (void *)buf, len, 1);
}

static inline int read_all(int fd, void *buf, size_t len)
{
	return xfer_all(fd, buf, len, 0);
}

#endif
