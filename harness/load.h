/*
 * load.h - background loads applied while measuring (table-driven).
 *
 * Only `none` exists yet; the loads issue adds stress-ng based loads.  The
 * table is here so scenarios already name loads and plans show them.
 */
#ifndef ISOLAT_LOAD_H
#define ISOLAT_LOAD_H

struct load_ops {
	const char *name;
	const char *describe;
};

extern const struct load_ops load_table[];
extern const unsigned load_count;

const struct load_ops *load_find(const char *name);
const char *load_names(void);

#endif
