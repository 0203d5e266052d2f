/*
 * cpulist.c - parse and print Linux CPU lists (see cpulist.h).
 *
 * Accepts what the kernel's bitmap_parselist() accepts for CPU numbers:
 * "N", "N-M" and the grouped form "N-M:used/group" ("0-15:2/4" = 0,1,4,5,
 * 8,9,12,13), comma separated, with blanks around any token.  Strict on
 * everything else, because a CPU list that silently means something else
 * measures the wrong CPU: empty elements, open ranges, reversed ranges and
 * CPUs >= CPULIST_MAX are refused with a reason.
 */
#include "workloads/cpulist.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *skip_blank(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

/* One decimal number below CPULIST_MAX; *p advances past it. */
static int parse_num(const char **p, unsigned *out, const char **why)
{
	const char *s = skip_blank(*p);
	unsigned long v = 0;

	if (!isdigit((unsigned char)*s)) {
		*why = *s == '\0' || *s == ',' ? "missing CPU number"
					       : "not a CPU number";
		return -EINVAL;
	}
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v >= CPULIST_MAX) {
			*why = "CPU number too large (max 1023)";
			return -EINVAL;
		}
		s++;
	}
	*out = (unsigned)v;
	*p = skip_blank(s);
	return 0;
}

/* One element: "N", "N-M" or "N-M:used/group"; sets its bits. */
static int parse_elem(const char **p, uint8_t *bits, const char **why)
{
	unsigned a, b, used, group;
	int rc = parse_num(p, &a, why);

	if (rc)
		return rc;
	b = a;
	used = group = 1;
	if (**p == '-') {
		(*p)++;
		if (*skip_blank(*p) == '\0' || *skip_blank(*p) == ',') {
			*why = "range without an end (\"N-\")";
			return -EINVAL;
		}
		if ((rc = parse_num(p, &b, why)))
			return rc;
		if (b < a) {
			*why = "range end below start";
			return -EINVAL;
		}
		if (**p == ':') {
			(*p)++;
			if ((rc = parse_num(p, &used, why)))
				return rc;
			if (**p != '/') {
				*why = "group form needs \"N-M:used/group\"";
				return -EINVAL;
			}
			(*p)++;
			if ((rc = parse_num(p, &group, why)))
				return rc;
			if (used == 0 || group == 0 || used > group) {
				*why = "group form needs 0 < used <= group";
				return -EINVAL;
			}
		}
	}
	if (**p != '\0' && **p != ',') {
		*why = **p == '-' ? "malformed range"
				  : "unexpected character (expected ',' or '-')";
		return -EINVAL;
	}
	for (unsigned c = a; c <= b; c++)
		if ((c - a) % group < used)
			bits[c / 8] |= (uint8_t)(1u << (c % 8));
	return 0;
}

int cpulist_parse(const char *text, struct cpulist *out, const char **why)
{
	uint8_t bits[CPULIST_MAX / 8];
	const char *dummy, *p;
	int rc;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (!text || !out) {
		*why = "no CPU list";
		return -EINVAL;
	}
	memset(bits, 0, sizeof(bits));
	out->n = 0;
	p = skip_blank(text);
	if (*p == '\0')
		return 0;
	for (;;) {
		if (*skip_blank(p) == ',' || *skip_blank(p) == '\0') {
			*why = "empty element (stray or doubled ',')";
			return -EINVAL;
		}
		if ((rc = parse_elem(&p, bits, why)))
			return rc;
		if (*p == '\0')
			break;
		p++; /* the ',' */
	}
	/* The bitmap gives sorting and de-duplication for free. */
	for (unsigned c = 0; c < CPULIST_MAX; c++)
		if (bits[c / 8] & (1u << (c % 8)))
			out->cpu[out->n++] = (unsigned short)c;
	return 0;
}

int cpulist_format(const struct cpulist *l, char *buf, size_t size)
{
	size_t used = 0;

	if (!size)
		return -ENOSPC;
	buf[0] = '\0';
	for (unsigned i = 0; i < l->n;) {
		unsigned j = i;
		int w;

		while (j + 1 < l->n && l->cpu[j + 1] == l->cpu[j] + 1)
			j++;
		if (j == i)
			w = snprintf(buf + used, size - used, "%s%u",
				     used ? "," : "", l->cpu[i]);
		else
			w = snprintf(buf + used, size - used, "%s%u-%u",
				     used ? "," : "", l->cpu[i], l->cpu[j]);
		if (w < 0 || (size_t)w >= size - used) {
			buf[0] = '\0';
			return -ENOSPC;
		}
		used += (size_t)w;
		i = j + 1;
	}
	return 0;
}

int cpulist_contains(const struct cpulist *l, unsigned cpu)
{
	unsigned lo = 0, hi = l->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (l->cpu[mid] == cpu)
			return 1;
		if (l->cpu[mid] < cpu)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}
