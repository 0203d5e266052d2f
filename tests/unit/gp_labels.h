/*
 * gp_labels.h - the axis labels every generated gnuplot script must carry
 * for its figure kind, checked over a whole output folder (report and
 * compare).  Guards the compare bug where the histogram got the
 * per-second-max plot's labels: the last `set xlabel` / `set ylabel` of a
 * script is what gnuplot draws, so those are the ones checked, and a
 * label that belongs to another kind may not appear at all.  A script of
 * a kind this table does not know fails the check: a new figure must be
 * added here.
 */
#ifndef ISOLAT_TEST_GP_LABELS_H
#define ISOLAT_TEST_GP_LABELS_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct gp_kind {
	const char *prefix, *suffix; /* file name: prefix*suffix.gp */
	const char *xlabel, *ylabel; /* substrings of the last labels */
} gp_kinds[] = {
	{ "envhist-", "", "latency (µs, log scale)", "samples per" },
	{ "envtail-", "", "percentile (%)", "latency (µs, log scale)" },
	{ "matrix", "", "profile / load", "latency (µs, log scale)" },
	{ "overview", "", "case", "latency (µs, log scale)" },
	{ "profiles-", "", "profile, grouped", "latency (µs, worst CPU" },
	{ "spin-noise", "", "noise gap (µs", "noise events" },
	{ "", "-hist", "latency (", "samples per" },
	{ "", "-maxsec", "time since the measurement started",
	  "largest latency in the second" },
	{ "", "-pct", "percentile (%)", "latency (" },
};

/* Copy of the quoted text of the last "set AXIS '...'" line into out. */
static int gp_last_label(const char *text, const char *axis, char *out,
			 size_t size)
{
	char key[32];
	const char *p = text, *hit = NULL;

	snprintf(key, sizeof(key), "set %s '", axis);
	while ((p = strstr(p, key)) != NULL) {
		if (p == text || p[-1] == '\n')
			hit = p;
		p++;
	}
	if (!hit)
		return -1;
	hit += strlen(key);
	size_t n = strcspn(hit, "\n");

	if (n >= size)
		n = size - 1;
	memcpy(out, hit, n);
	out[n] = '\0';
	return 0;
}

/* Check every *.gp of dir; returns the number checked, fails the test on
 * a wrong or missing label. */
static int gp_check_labels(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int checked = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name), k;
		const struct gp_kind *g = NULL;
		char path[512], x[400], y[400], *text;
		FILE *f;
		long len;

		if (n < 4 || strcmp(e->d_name + n - 3, ".gp"))
			continue;
		for (k = 0; k < sizeof(gp_kinds) / sizeof(gp_kinds[0]); k++) {
			const struct gp_kind *c = &gp_kinds[k];
			size_t sl = strlen(c->suffix);

			if (!strncmp(e->d_name, c->prefix, strlen(c->prefix)) &&
			    n - 3 >= sl &&
			    !strncmp(e->d_name + n - 3 - sl, c->suffix, sl)) {
				g = c;
				break;
			}
		}
		if (!g)
			fail_msg("%s/%s: a figure kind the label check does "
				 "not know: add it to gp_labels.h", dir,
				 e->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		text = malloc((size_t)len + 1);
		assert_non_null(text);
		assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
		text[len] = '\0';
		fclose(f);
		if (gp_last_label(text, "xlabel", x, sizeof(x)) ||
		    gp_last_label(text, "ylabel", y, sizeof(y)))
			fail_msg("%s: no xlabel / ylabel", path);
		if (!strstr(x, g->xlabel) || !strstr(y, g->ylabel))
			fail_msg("%s: labels x '%s', y '%s'; a %s%s figure "
				 "needs x '%s...', y '%s...'", path, x, y,
				 g->prefix, g->suffix, g->xlabel, g->ylabel);
		/* The per-second plot's labels belong to it alone. */
		if (strcmp(g->suffix, "-maxsec") &&
		    strstr(text, "largest latency in the second"))
			fail_msg("%s: carries the per-second-max label", path);
		free(text);
		checked++;
	}
	closedir(d);
	return checked;
}

#endif
