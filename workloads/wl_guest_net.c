/*
 * wl_guest_net.c - a guest's network end for netlat: PID 1 (wl_guest.c)
 * gives the first network device that is not lo (virtio-net on the host's
 * tap) the address of isolat.net=A.B.C.D/NN on the kernel command line,
 * and brings it up.  No isolat.net=: nothing happens.
 */
#include "workloads/wl.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The first device in /sys/class/net that is not lo; 0 or -ENODEV. */
static int first_dev(char *name, size_t size)
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;
	int rc = -ENODEV;

	while (d && rc && (e = readdir(d)))
		if (e->d_name[0] != '.' && strcmp(e->d_name, "lo")) {
			snprintf(name, size, "%.15s", e->d_name);
			rc = 0;
		}
	if (d)
		closedir(d);
	return rc;
}

static int set_addr(int s, const char *dev, unsigned long req, in_addr_t a)
{
	struct ifreq ifr;
	struct sockaddr_in *sa = (struct sockaddr_in *)&ifr.ifr_addr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = a;
	return ioctl(s, req, &ifr);
}

void wl_guest_net_up(void)
{
	char cmdline[4096] = "", addr[32], dev[IFNAMSIZ] = "", *k, *slash;
	struct ifreq ifr;
	struct in_addr in;
	unsigned long bits;
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC), s;
	ssize_t n = fd >= 0 ? read(fd, cmdline, sizeof(cmdline) - 1) : -1;

	if (fd >= 0)
		close(fd);
	cmdline[n > 0 ? n : 0] = '\0';
	if (!(k = strstr(cmdline, "isolat.net=")))
		return;
	snprintf(addr, sizeof(addr), "%.*s", (int)strcspn(k + 11, " \n"),
		 k + 11);
	slash = strchr(addr, '/');
	bits = slash ? strtoul(slash + 1, NULL, 10) : 24;
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, addr, &in) != 1 || bits < 1 || bits > 32) {
		fprintf(stderr, "isolat-init: isolat.net=%s: not A.B.C.D/NN\n",
			addr);
		return;
	}
	/* The device comes when virtio_net has probed it. */
	for (int i = 0; i < 50 && first_dev(dev, sizeof(dev)); i++) {
		struct timespec t = {0, 100000000};

		nanosleep(&t, NULL);
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!dev[0] || s < 0) {
		fprintf(stderr, "isolat-init: isolat.net: no network device "
			"(virtio_net in the image?)\n");
		if (s >= 0)
			close(s);
		return;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (set_addr(s, dev, SIOCSIFADDR, in.s_addr) < 0 ||
	    set_addr(s, dev, SIOCSIFNETMASK,
		     htonl(0xffffffffu << (32 - bits))) < 0 ||
	    ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr)) < 0)
		fprintf(stderr, "isolat-init: %s %s/%lu: %s\n", dev, addr,
			bits, strerror(errno));
	else
		fprintf(stderr, "isolat-init: %s %s/%lu up\n", dev, addr,
			bits);
	close(s);
}
