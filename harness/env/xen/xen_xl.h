/*
 * xen_xl.h - running xl from a Xen dom0 (execve argv through
 * harness/run/proc.c, never a shell string, bounded in time) and telling
 * whether this is a usable dom0; shared by env_xen.c.
 */
#ifndef ISOLAT_XEN_XL_H
#define ISOLAT_XEN_XL_H

#include <stddef.h>

#define XL_TIMEOUT_MS 60000 /* xl create under TCG takes a few seconds */

/* xl, from the system directories or Debian's /usr/lib/xen-V/bin. */
int xen_find_xl(char *out, size_t size);

/* xl WORDS... (NULL-terminated), its output in out.  0, or a negative
 * errno (-EIO: it failed) with the command and its output in err. */
int xen_xl(const char *xlpath, char *out, size_t outsz, char *err,
	   size_t errsz, const char *const *words);

/* xl with literal words, out an array, errsz and st->xl in scope. */
#define XL(out, err, ...) \
	xen_xl(st->xl, out, sizeof(out), err, errsz, \
	   (const char *const[]){__VA_ARGS__, NULL})


/*
 * Is this a Xen dom0 with a working toolstack?  xl's path and `xl info`
 * output; else a negative errno and the exact reason in why.
 */
int xen_dom0_ready(char *xlpath, size_t xlsz, char *info, size_t infosz,
		   char *why, size_t whysz);

/* Xen itself runs under QEMU (TCG or nested): see xen_host_emulated(). */
int xen_emulated_here(void);

#endif
