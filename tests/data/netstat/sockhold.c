/* sockhold — fixture helper for capture.sh: opens the sockets named on its
 * command line, serves them for a bounded time, then exits. Not built by the
 * Makefile; capture.sh compiles it into a temporary directory.
 *
 *   L  addr port      TCP listener (v6 listeners are dual-stack), accepts and
 *                     holds every connection
 *   K  addr port      TCP listener that closes a connection once it reads EOF
 *   N  addr port      TCP listener that never accepts (SYN_RECV target)
 *   C  src dst port   TCP client, kept open (ESTABLISHED)
 *   H  src dst port   TCP client that shuts down its sending side (FIN_WAIT2)
 *   T  src dst port   TCP client closed at once (TIME_WAIT against a K server)
 *   U  addr port      UDP socket, bound only
 *   V  addr port raddr rport   UDP socket, bound and connected
 *   R4 / R6           raw ICMP / ICMPv6 socket
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXFD 256

static int fds[MAXFD], kind[MAXFD], nfds;

static int mkaddr(const char *host, const char *port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)atoi(port));
		*len = sizeof *s4;
		return AF_INET;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)atoi(port));
		*len = sizeof *s6;
		return AF_INET6;
	}
	fprintf(stderr, "sockhold: bad address %s\n", host);
	exit(2);
}

static void add(int fd, int k)
{
	if (fd < 0 || nfds >= MAXFD) {
		perror("sockhold");
		exit(2);
	}
	fds[nfds] = fd;
	kind[nfds++] = k;
}

static int sock_bound(int type, const char *host, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = mkaddr(host, port, &ss, &len), one = 1, zero = 0;
	int fd = socket(fam, type, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fam == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		perror("bind");
		exit(2);
	}
	return fd;
}

static int client(const char *src, const char *dst, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = sock_bound(SOCK_STREAM, src, "0");

	mkaddr(dst, port, &ss, &len);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		perror("connect");
		exit(2);
	}
	return fd;
}

int main(int argc, char **argv)
{
	int i = 1;
	time_t end = time(NULL) + 300;  /* bounded: the capture takes seconds */

	while (i < argc) {
		const char *op = argv[i];
		int fd;

		if (!strcmp(op, "L") || !strcmp(op, "K") || !strcmp(op, "N")) {
			fd = sock_bound(SOCK_STREAM, argv[i + 1], argv[i + 2]);
			if (listen(fd, 64) < 0)
				exit(2);
			add(fd, op[0]);
			i += 3;
		} else if (!strcmp(op, "C") || !strcmp(op, "H") || !strcmp(op, "T")) {
			fd = client(argv[i + 1], argv[i + 2], argv[i + 3]);
			if (op[0] == 'H')
				shutdown(fd, SHUT_WR);
			if (op[0] == 'T')
				close(fd);
			else
				add(fd, 'c');
			i += 4;
		} else if (!strcmp(op, "U")) {
			add(sock_bound(SOCK_DGRAM, argv[i + 1], argv[i + 2]), 'u');
			i += 3;
		} else if (!strcmp(op, "V")) {
			struct sockaddr_storage ss;
			socklen_t len;

			fd = sock_bound(SOCK_DGRAM, argv[i + 1], argv[i + 2]);
			mkaddr(argv[i + 3], argv[i + 4], &ss, &len);
			if (connect(fd, (struct sockaddr *)&ss, len) < 0)
				exit(2);
			add(fd, 'u');
			i += 5;
		} else if (!strcmp(op, "R4")) {
			add(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), 'r');
			i++;
		} else if (!strcmp(op, "R6")) {
			add(socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6), 'r');
			i++;
		} else {
			fprintf(stderr, "sockhold: unknown op %s\n", op);
			return 2;
		}
	}
	fprintf(stderr, "sockhold %d ready\n", (int)getpid());
	while (time(NULL) < end) {
		struct pollfd p[MAXFD];
		int n = nfds;

		for (int j = 0; j < n; j++) {
			p[j].fd = (kind[j] == 'N' || kind[j] == 'u' || kind[j] == 'r') ? -1 : fds[j];
			p[j].events = POLLIN;
			p[j].revents = 0;
		}
		if (poll(p, (nfds_t)n, 500) <= 0)
			continue;
		for (int j = 0; j < n; j++) {
			char buf[256];

			if (!(p[j].revents & (POLLIN | POLLHUP)))
				continue;
			if (kind[j] == 'L' || kind[j] == 'K') {
				int c = accept(fds[j], NULL, NULL);

				if (c >= 0)
					add(c, kind[j] == 'K' ? 'k' : 'h');
			} else if (kind[j] == 'k') {
				if (read(fds[j], buf, sizeof buf) <= 0) {
					close(fds[j]);
					kind[j] = 'x';
					fds[j] = -1;
				}
			} else if (kind[j] == 'h' || kind[j] == 'c') {
				/* hold: after EOF stop polling so the socket stays in
				 * CLOSE_WAIT without spinning */
				if (read(fds[j], buf, sizeof buf) <= 0)
					kind[j] = 'u';
			}
		}
	}
	return 0;
}
