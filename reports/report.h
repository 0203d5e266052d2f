/*
 * report.h - render a run as plots and an HTML page.
 *
 * report_render(st, run, "results/<uuid>") leaves in that folder:
 *
 *   index.html                  the report: the headline (headline.h:
 *                               each environment against bare), a table
 *                               of contents, environments compared, the
 *                               summary table, loads and profiles
 *                               compared, the cases folded with their
 *                               plots, failed/skipped cases with
 *                               reasons, events, run and host metadata
 *   matrix.*, envhist-gNN.*,    environments compared (report_envfig.c):
 *   envtail-gNN.* (-emulated)   p99.9 / max matrix against bare; per
 *                               profile x load an overlay of every
 *                               environment's histogram and tail
 *   caseNNN-NAME-hist.*         latency histogram, 1 us bins, log counts,
 *                               one curve per CPU with its min/avg/max
 *                               (OSADL style), log x with one range for
 *                               every case (report --autoscale:
 *                               per case)
 *   caseNNN-NAME-maxsec.*       maximum latency per second over time
 *   caseNNN-NAME-pct.*          latency versus percentile (0 .. 99.999 %,
 *                               "nines" axis), exact from the samples
 *   overview.* (and overview-emulated.* when some cases ran emulated:
 *                               emulated numbers are never put beside real
 *                               ones)  p50 / p99 / max of every case
 *   profiles-ENV[-emulated].*   "profiles compared" (profile_cmp.h): p99
 *                               and max per profile, one cluster set per
 *                               workload / load; only where an
 *                               environment ran 2+ profiles
 *   spin-noise.*                OS-noise histogram of the spin cases
 *
 * For every plot: NAME.gp (gnuplot script), NAME.dat (its data), NAME.svg
 * and NAME.png.  The scripts and data stay so a user can edit a plot and
 * re-run it with `cd DIR && gnuplot NAME.gp`.  NAME is built from the case
 * index and the case name reduced to [A-Za-z0-9._-].
 *
 * gnuplot is looked up in PATH and run with an argv (fork + execve), never
 * through a shell.  Returns 0, or a negative errno with err saying what and
 * how to fix it:
 *   -ENOENT  gnuplot not in PATH ("gnuplot not found in PATH: install it
 *            (apt-get install gnuplot-nox)"), or no such run
 *   -EIO     gnuplot failed (err names the script and ends with gnuplot's
 *            stderr), or the database / a file could not be read / written
 *   -EINVAL  a corrupt sample chunk or histogram (err names the series)
 *   -ENOMEM, or mkdir/open's errno for outdir
 */
#ifndef ISOLAT_REPORT_H
#define ISOLAT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/store.h"

int report_render(struct store *st, int64_t run_id, const char *outdir,
		  char *err, size_t errsz);

/*
 * The same with a style: REPORT_PLAIN is report_render(); REPORT_PAPER
 * (`isolat report --style paper`, see report_paper.c) adds NAME.pdf
 * (pdfcairo, vector) to every plot, with a fixed colour per environment,
 * paper fonts and line widths, and EMULATED cases marked on the plot.
 */
enum report_style { REPORT_PLAIN, REPORT_PAPER };
/* OR'd into style: each case's histogram its own x range (default: one
 * range for every case of the report). */
#define REPORT_AUTOSCALE 0x100
int report_render_style(struct store *st, int64_t run_id, const char *outdir,
			int style, char *err, size_t errsz);

/*
 * Find an executable gnuplot in PATH (a default PATH when unset) and write
 * its path into buf.  0 or -ENOENT.  Exposed for `isolat envs`/doctor
 * style checks that want to say up front whether reports will work.
 */
int report_find_gnuplot(char *buf, size_t size);

#endif
