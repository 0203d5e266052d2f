/*
 * irqstat.c - see irqstat.h.  Pure parsing plus one bounded file read; no
 * stdio, so the static workload binary stays small.
 */
#include "workloads/irqstat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void irqstat_free(struct irqstat *s)
{
	free(s->cpu);
	free(s->present);
	free(s->rows);
	free(s->count);
	memset(s, 0, sizeof(*s));
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Column index of each CPU of interest, from the "CPU0 CPU1 ..." line. */
static int parse_header(const char *line, const char *end, struct irqstat *s,
			int *col_of, unsigned *ncols)
{
	const char *p = line;
	unsigned col = 0;

	for (unsigned i = 0; i < s->ncpu; i++)
		col_of[i] = -1;
	for (;;) {
		unsigned long cpu;
		char *q;

		while (p < end && is_blank(*p))
			p++;
		if (p >= end)
			break;
		if (end - p < 4 || strncmp(p, "CPU", 3))
			return -EINVAL;
		cpu = strtoul(p + 3, &q, 10);
		if (q == p + 3)
			return -EINVAL;
		for (unsigned i = 0; i < s->ncpu; i++)
			if (s->cpu[i] == cpu)
				col_of[i] = (int)col;
		col++;
		p = q;
	}
	if (!col)
		return -EINVAL;
	*ncols = col;
	for (unsigned i = 0; i < s->ncpu; i++)
		s->present[i] = col_of[i] >= 0;
	return 0;
}

static int grow(struct irqstat *s)
{
	unsigned cap = s->cap ? s->cap * 2 : 64;
	void *r, *c;

	r = realloc(s->rows, cap * sizeof(*s->rows));
	if (!r)
		return -ENOMEM;
	s->rows = r;
	c = realloc(s->count, (size_t)cap * (s->ncpu ? s->ncpu : 1) *
				      sizeof(*s->count));
	if (!c)
		return -ENOMEM;
	s->count = c;
	s->cap = cap;
	return 0;
}

/* Copy text with runs of blanks collapsed, trimmed, truncated. */
static void copy_desc(char *dst, size_t size, const char *p, const char *end)
{
	size_t n = 0;
	int blank = 0;

	while (p < end && is_blank(*p))
		p++;
	for (; p < end && n + 1 < size; p++) {
		if (is_blank(*p)) {
			blank = 1;
			continue;
		}
		if (blank && n + 2 < size)
			dst[n++] = ' ';
		blank = 0;
		dst[n++] = (unsigned char)*p < 0x20 ? ' ' : *p;
	}
	dst[n] = '\0';
}

/* One "NAME: n n n desc" row; skipped (0) when not per CPU. */
static int parse_row(const char *line, const char *end, struct irqstat *s,
		     const int *col_of, unsigned ncols, uint64_t *scratch)
{
	const char *p = line, *colon = memchr(line, ':', (size_t)(end - line));
	struct irqstat_row *row;
	size_t nlen;
	unsigned col;
	int rc;

	if (!colon)
		return 0;
	while (p < colon && is_blank(*p))
		p++;
	nlen = (size_t)(colon - p);
	if (!nlen || nlen >= IRQSTAT_NAME_MAX)
		return 0;
	p = colon + 1;
	for (col = 0; col < ncols; col++) {
		char *q;

		while (p < end && is_blank(*p))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			break;
		scratch[col] = strtoull(p, &q, 10);
		p = q;
	}
	if (col < ncols)
		return 0; /* ERR:, MIS: - system-wide totals */
	if (s->nrows == s->cap && (rc = grow(s)))
		return rc;
	row = &s->rows[s->nrows];
	memcpy(row->name, line + (colon - line - (ptrdiff_t)nlen), nlen);
	row->name[nlen] = '\0';
	copy_desc(row->desc, sizeof(row->desc), p, end);
	for (unsigned i = 0; i < s->ncpu; i++)
		s->count[(size_t)s->nrows * s->ncpu + i] =
			col_of[i] >= 0 ? scratch[col_of[i]] : 0;
	s->nrows++;
	return 0;
}

int irqstat_parse(const char *text, const struct cpulist *want,
		  struct irqstat *out)
{
	const char *p = text, *end = text + strlen(text);
	uint64_t *scratch = NULL;
	int *col_of = NULL;
	unsigned ncols = 0;
	int rc = 0, header = 1;

	memset(out, 0, sizeof(*out));
	out->ncpu = want->n;
	out->cpu = calloc(want->n ? want->n : 1, sizeof(*out->cpu));
	out->present = calloc(want->n ? want->n : 1, 1);
	col_of = calloc(want->n ? want->n : 1, sizeof(*col_of));
	if (!out->cpu || !out->present || !col_of) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(out->cpu, want->cpu, want->n * sizeof(*out->cpu));
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if (header) {
			rc = parse_header(p, le, out, col_of, &ncols);
			header = 0;
			scratch = rc ? NULL : calloc(ncols, sizeof(*scratch));
			if (!rc && !scratch)
				rc = -ENOMEM;
		} else {
			rc = parse_row(p, le, out, col_of, ncols, scratch);
		}
		p = le + 1;
	}
	if (header)
		rc = -EINVAL; /* empty text */
out:
	free(scratch);
	free(col_of);
	return rc;
}

int irqstat_read(const char *path, const struct cpulist *want,
		 struct irqstat *out)
{
	size_t cap = 64 * 1024, len = 0;
	char *buf = malloc(cap + 1);
	int fd, rc = 0;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		free(buf);
		return rc;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap >= IRQSTAT_FILE_MAX) {
				rc = -EFBIG;
				break;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (rc == 0) {
		buf[len] = '\0';
		rc = irqstat_parse(buf, want, out);
	}
	free(buf);
	return rc;
}

static int find_row(const struct irqstat *s, const char *name, unsigned hint)
{
	if (hint < s->nrows && !strcmp(s->rows[hint].name, name))
		return (int)hint;
	for (unsigned i = 0; i < s->nrows; i++)
		if (!strcmp(s->rows[i].name, name))
			return (int)i;
	return -1;
}

int irqstat_delta(const struct irqstat *before, const struct irqstat *after,
		  irqstat_delta_fn fn, void *ctx)
{
	for (unsigned r = 0; r < after->nrows; r++) {
		int br = find_row(before, after->rows[r].name, r);

		for (unsigned i = 0; i < after->ncpu; i++) {
			uint64_t a = after->count[(size_t)r * after->ncpu + i];
			uint64_t b = 0, d;
			int bi = -1, rc;

			if (!after->present[i])
				continue;
			for (unsigned k = 0; k < before->ncpu; k++)
				if (before->cpu[k] == after->cpu[i])
					bi = (int)k;
			if (bi < 0 || !before->present[bi])
				continue; /* CPU came online meanwhile */
			if (br >= 0)
				b = before->count[(size_t)br * before->ncpu +
						  (unsigned)bi];
			/* The kernel keeps these as unsigned int. */
			d = a >= b ? a - b
				   : b <= UINT32_MAX ? a + (1ull << 32) - b : 0;
			if ((rc = fn(ctx, &after->rows[r], after->cpu[i], d)))
				return rc;
		}
	}
	return 0;
}

void irqstat_key_name(const char *name, char *buf, size_t size)
{
	size_t n = 0;

	for (; *name && n + 1 < size; name++, n++) {
		char c = *name;

		buf[n] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9') || c == '_' || c == '-'
			 ? c : '_';
	}
	buf[n] = '\0';
}
