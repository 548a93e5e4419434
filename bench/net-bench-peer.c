// SPDX-License-Identifier: GPL-2.0
/*
 * net-bench-peer: dom0's side of net-bench. Listens on TCP port 5201; each
 * connection starts with one byte: 'S' (the guest sends: read and drop
 * everything until it closes) or 'R' (the guest receives: send until it
 * closes). One process per connection, so one that dies takes nothing
 * else with it; never exits on its own (the rig stops it before powering
 * dom0 off, and starts it again if it dies).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PORT	5201
#define BUF	(256u << 10)

static void serve(int fd)
{
	char *buf = malloc(BUF);
	char cmd = 0;
	ssize_t n;

	if (!buf || read(fd, &cmd, 1) != 1)
		goto out;
	memset(buf, 0x5a, BUF);
	if (cmd == 'S') {
		while ((n = read(fd, buf, BUF)) > 0)
			;
	} else if (cmd == 'R') {
		while ((n = write(fd, buf, BUF)) > 0)
			;
	} else {
		printf("unknown command byte 0x%02x\n", (unsigned char)cmd);
	}
out:
	free(buf);
	close(fd);
}

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	int one = 1, ls;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 16)) {
		printf("cannot listen on port %d: %s\n", PORT, strerror(errno));
		return 1;
	}
	printf("listening on port %d\n", PORT);
	signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
	for (;;) {
		int fd = accept(ls, NULL, NULL);

		if (fd < 0) {
			if (errno != EINTR)
				sleep(1);
			continue;
		}
		if (fork() == 0) {
			close(ls);
			serve(fd);
			_exit(0);
		}
		close(fd);
	}
}
