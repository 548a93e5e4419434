/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the dom0 peers share: a TCP socket listening on a port of every
 * address, and taking its connections one at a time. bind() is retried: a
 * peer started again after a crash may find its port still held for a
 * moment. And, for peers that run toolstack commands when a guest asks,
 * the running of a shell script and the one-line answer.
 */
#ifndef XPV_PEER_LISTEN_H
#define XPV_PEER_LISTEN_H

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

/* The listening socket, or -1 after saying why on stdout. */
static inline int peer_listen(int port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int one = 1, ls;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0) {
		perror("socket");
		return -1;
	}
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	while (bind(ls, (struct sockaddr *)&a, sizeof(a))) {
		perror("bind, retrying");
		sleep(1);
	}
	if (listen(ls, 4)) {
		perror("listen");
		close(ls);
		return -1;
	}
	printf("listening on port %d\n", port);
	return ls;
}

/*
 * The next connection, with reads and writes that give up after @secs: a
 * guest that stops talking must not block the next one.
 */
static inline int peer_accept(int ls, int secs)
{
	struct timeval tv = { .tv_sec = secs };
	int fd;

	while ((fd = accept(ls, NULL, NULL)) < 0)
		if (errno != EINTR)
			sleep(1);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/*
 * A peer's whole life: listen on @port, then serve the connections one
 * at a time, each with reads and writes that give up after @secs; @serve
 * returns when it is done with one, and the connection is closed. Returns
 * only if it cannot listen.
 */
static inline int peer_main(int port, int secs, void (*serve)(int fd))
{
	int ls, fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ls = peer_listen(port);
	if (ls < 0)
		return 1;
	for (;;) {
		fd = peer_accept(ls, secs);
		serve(fd);
		close(fd);
	}
}

/*
 * The guest, for a script: its name and domid as shell variables $dom and
 * $id. It is the one domain besides dom0 (the rig runs one at a time).
 */
#define PEER_FIND_GUEST							\
	"dom=$(xl list | awk 'NR > 2 { print $1; exit }'); "		\
	"[ -n \"$dom\" ] || { echo 'no guest domain'; exit 1; }; "	\
	"id=$(xl domid \"$dom\") || exit 1; "

/* Run a command's shell script; its exit status, or -1. Output: stdout. */
static inline int peer_run(const char *name, const char *script)
{
	int st;

	printf("%s: running\n", name);
	st = system(script);
	if (st == -1 || !WIFEXITED(st))
		st = -1;
	else
		st = WEXITSTATUS(st);
	printf("%s: exit status %d\n", name, st);
	return st;
}

/* The answer line a guest waits for: "ok WHAT: ST" or "fail WHAT: ST". */
static inline void peer_answer(int fd, bool ok, const char *what, int st)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "%s %s: %d\n", ok ? "ok" : "fail",
			 what, st);

	if (write(fd, line, n) != n)
		printf("answering: short write\n");
}

#endif
