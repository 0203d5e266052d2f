/*
 * xen_listings.h - what xl 4.17 prints (list, list -c, cpupool-list -c,
 * vcpu-list), for the Xen test programs.
 */
#ifndef ISOLAT_TEST_XEN_LISTINGS_H
#define ISOLAT_TEST_XEN_LISTINGS_H

#include <stdio.h>
#include <string.h>

static const char xl_list[] =
	"Name                                        ID   Mem VCPUs\tState\t"
	"Time(s)\n"
	"Domain-0                                     0  1024     1     "
	"r-----      30.1\n"
	"isolat-case-0                                3   256     2     "
	"-b----       1.2\n";
static const char xl_list_c[] =
	"Name                                        ID   Mem VCPUs\tState\t"
	"Time(s)         Cpupool\n"
	"Domain-0                                     0  1024     1     "
	"r-----      30.1           Pool-0\n";
static const char pools[] =
	"Name               CPU list\n"
	"Pool-0             0,1\n"
	"isolat-pool-0      2,3\n"
	"isolat-stale       \n";
static const char vcpus[] =
	"Name                                ID  VCPU   CPU State   Time(s) "
	"Affinity (Hard / Soft)\n"
	"Domain-0                             0     0    1   r--      28.6  "
	"all / all\n"
	"Domain-0                             0     1    -   --p       0.0  "
	"0-1 / all\n"
	"isolat-case-0                        3     0    2   -b-       1.0  "
	"2 / all\n";

/* "0,2,4,...,last" (even pCPUs), the kind of affinity that outgrew 63
 * and 127 characters. */
static inline const char *evens(unsigned last)
{
	static char buf[4096];

	buf[0] = '\0';
	for (unsigned c = 0; c <= last; c += 2)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%u",
			 c ? "," : "", c);
	return buf;
}

#endif
