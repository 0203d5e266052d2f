/*
 * cmd_export.c - `isolat export RUN`: every sample (bit-exact), the
 * per-series summaries, or each case as rt-tests / OSADL write it, to
 * stdout, a file, or (one file per case) a directory.  The formats are
 * documented in docs/formats.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collectors/store.h"
#include "harness/cmd/cmd.h"
#include "reports/export.h"

static const char usage_text[] =
	"usage: isolat export [--samples] [--format FORMAT] [--case CASE]\n"
	"                     [-o PATH] RUN\n"
	"\n"
	"  --samples        every sample of every series (csv or json), with\n"
	"                   run_uuid,case,name,environment,profile,workload,\n"
	"                   load,repetition,emulated,series,cpu,seq,value,unit\n"
	"  --format FORMAT  csv (default) | json: per-series summaries, or\n"
	"                   the samples with --samples;\n"
	"                   cyclictest-json: each case as `cyclictest --json`\n"
	"                   writes it (a spin case as `oslat --json`);\n"
	"                   osadl: each latency case as OSADL's RT Dataset 1.0\n"
	"  --case CASE      cyclictest-json, osadl: only this case (index or\n"
	"                   name); without it -o names a directory that gets\n"
	"                   one CASE-STEM.json per case\n"
	"  -o, --output P   write to P instead of stdout\n"
	"RUN is a UUID, a unique prefix of one, a tag, or 'last'.\n";

struct export_opts {
	int samples, per_case;
	enum export_format fmt;
	const char *output, *case_arg;
};

static int parse_format(const char *v, struct export_opts *o)
{
	static const struct {
		const char *name;
		enum export_format fmt;
		int per_case;
	} formats[] = {
		{"csv", EXPORT_CSV, 0},
		{"json", EXPORT_JSON, 0},
		{"cyclictest-json", EXPORT_CYCLICTEST_JSON, 1},
		{"osadl", EXPORT_OSADL, 1},
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(*formats); i++)
		if (!strcmp(v, formats[i].name)) {
			o->fmt = formats[i].fmt;
			o->per_case = formats[i].per_case;
			return 0;
		}
	fprintf(stderr, "isolat export: --format %s: expected csv, json, "
		"cyclictest-json or osadl\n", v);
	return -EINVAL;
}

static int parse_args(int argc, char **argv, struct export_opts *o)
{
	static const struct option opts[] = {
		{"samples", no_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"case", required_argument, NULL, 'c'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->samples = 1;
			break;
		case 'f':
			if (parse_format(optarg, o))
				return EXIT_USAGE;
			break;
		case 'c':
			o->case_arg = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'h':
			cmd_usage(stdout, usage_text);
			return -1;
		default:
			cmd_usage(stderr, usage_text);
			return EXIT_USAGE;
		}
	}
	if (o->samples && o->per_case) {
		fprintf(stderr, "isolat export: --samples goes with --format "
			"csv or json; cyclictest-json and osadl hold "
			"histograms, not samples\n");
		return EXIT_USAGE;
	}
	if (o->case_arg && !o->per_case) {
		fprintf(stderr, "isolat export: --case goes with --format "
			"cyclictest-json or osadl (the other formats hold "
			"every case)\n");
		return EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	return 0;
}

/* The case CASE names: its index, else its name. */
static const struct q_case *find_case(const struct q_run *r, const char *arg)
{
	char *end;
	long idx = strtol(arg, &end, 10);

	for (size_t i = 0; i < r->ncases; i++)
		if ((!*end && *arg && r->cases[i].idx == idx) ||
		    (r->cases[i].name && !strcmp(r->cases[i].name, arg)))
			return &r->cases[i];
	return NULL;
}

static int write_case_file(struct store *st, const struct q_run *r,
			   const struct q_case *c, const struct export_opts *o)
{
	char stem[128], path[4200], err[1024];
	FILE *f;
	int rc;

	query_case_stem(c, stem, sizeof(stem));
	snprintf(path, sizeof(path), "%s/%s.json", o->output, stem);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "isolat export: %s: %s\n", path,
			strerror(errno));
		return EXIT_ERROR;
	}
	rc = export_case_rt(st, r, c, o->fmt, f, err, sizeof(err));
	if (fclose(f) != 0 && !rc) {
		rc = -EIO;
		snprintf(err, sizeof(err), "%.900s: write error", path);
	}
	if (rc) {
		fprintf(stderr, "isolat export: %s\n", err);
		remove(path);
		return EXIT_ERROR;
	}
	printf("%s\n", path);
	return EXIT_OK;
}

/* cyclictest-json / osadl: one case to stdout or -o FILE, or every case
 * that has the shape into -o DIR (the paths on stdout). */
static int export_per_case(struct store *st, int64_t run_id,
			   const struct export_opts *o)
{
	struct q_run r;
	char err[1024];
	int rc, status = EXIT_OK;
	unsigned written = 0;

	if (query_run_load(st, run_id, &r, err, sizeof(err))) {
		fprintf(stderr, "isolat export: %s\n", err);
		return EXIT_ERROR;
	}
	if (o->case_arg) {
		const struct q_case *c = find_case(&r, o->case_arg);
		FILE *out = stdout;

		if (!c) {
			fprintf(stderr, "isolat export: --case %s: run %.8s has "
				"no such case; expected an index or name as "
				"`isolat show %.8s` lists them\n", o->case_arg,
				r.uuid, r.uuid);
			query_run_free(&r);
			return EXIT_ERROR;
		}
		if (o->output && !(out = fopen(o->output, "w"))) {
			fprintf(stderr, "isolat export: %s: %s\n", o->output,
				strerror(errno));
			query_run_free(&r);
			return EXIT_ERROR;
		}
		rc = export_case_rt(st, &r, c, o->fmt, out, err, sizeof(err));
		if ((out != stdout ? fclose(out) : fflush(out)) != 0 && !rc) {
			rc = -EIO;
			snprintf(err, sizeof(err), "write error");
		}
		if (rc)
			fprintf(stderr, "isolat export: %s\n", err);
		query_run_free(&r);
		return rc ? EXIT_ERROR : EXIT_OK;
	}
	if (!o->output) {
		fprintf(stderr, "isolat export: one file per case: expected "
			"-o DIR, or --case CASE for one case on stdout\n");
		query_run_free(&r);
		return EXIT_USAGE;
	}
	if (mkdir(o->output, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "isolat export: %s: %s\n", o->output,
			strerror(errno));
		query_run_free(&r);
		return EXIT_ERROR;
	}
	for (size_t i = 0; i < r.ncases && status == EXIT_OK; i++) {
		if (!export_case_rt_applies(&r.cases[i], o->fmt))
			continue;
		status = write_case_file(st, &r, &r.cases[i], o);
		written++;
	}
	if (status == EXIT_OK && !written) {
		fprintf(stderr, "isolat export: run %.8s has no case with %s "
			"samples\n", r.uuid,
			o->fmt == EXPORT_OSADL ? "latency" : "latency or spin");
		status = EXIT_ERROR;
	}
	query_run_free(&r);
	return status;
}

int cmd_export(struct isolat_ctx *ctx, int argc, char **argv)
{
	struct export_opts o = {.fmt = EXPORT_CSV};
	struct store *st = NULL;
	long long run_id;
	char uuid[37], err[1024];
	int rc;
	FILE *out = stdout;

	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	rc = cmd_open_run(ctx, "export", argv[optind], &st, &run_id, uuid);
	if (rc != EXIT_OK)
		return rc;
	if (o.per_case) {
		rc = export_per_case(st, run_id, &o);
		store_close(st);
		return rc;
	}
	if (o.output) {
		out = fopen(o.output, "w");
		if (!out) {
			fprintf(stderr, "isolat export: %s: %s\n", o.output,
				strerror(errno));
			store_close(st);
			return EXIT_ERROR;
		}
	}
	rc = o.samples ? export_samples(st, run_id, o.fmt, out, err,
					sizeof(err))
		       : export_summaries(st, run_id, o.fmt, out, err,
					  sizeof(err));
	if (fflush(out) != 0 && rc == 0) {
		rc = -errno;
		snprintf(err, sizeof(err), "write error: %s", strerror(errno));
	}
	if (out != stdout)
		fclose(out);
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "isolat export: %s\n", err);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}
