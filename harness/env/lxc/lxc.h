/*
 * lxc.h - helpers of the `lxc` environment (env_lxc.c), split out so the
 * backend file stays readable and the pure parts can be unit-tested:
 *
 *   lxc_conf.c    the container's liblxc config items, generated from the
 *                 case (pure: no liblxc, no host access)
 *   lxc_rootfs.c  the rootfs made per case, and removing a container with
 *                 all it left (after a case, or after a crashed run)
 *   lxc_cgroup.c  the cgroup layout of this host (v1 / v2, where the cpu
 *                 and cpuset controllers are) and the real-time budget
 *                 (cpu.rt_runtime_us) that SCHED_FIFO inside needs, with
 *                 a journal so the parents' values are restored
 */
#ifndef ISOLAT_LXC_H
#define ISOLAT_LXC_H

#include <stddef.h>

/* Where isolat's containers are defined (a private lxcpath, on tmpfs so a
 * reboot forgets them along with their cgroups). */
#define LXC_ISOLAT_PATH "/run/isolat/lxc"
/* Every container isolat makes is "isolat-<harness pid>-c<case>-<hex>". */
#define LXC_NAME_PREFIX "isolat-"
/* Container and monitor cgroups, below the root of each hierarchy. */
#define LXC_CG_PAYLOAD "isolat.payload."
#define LXC_CG_MONITOR "isolat.monitor."
/* The fd the workload writes frames to inside the container. */
#define LXC_STREAM_FD 3

/* --- lxc_conf.c ------------------------------------------------------- */

#define LXC_ITEMS_MAX 48

struct lxc_item {
	char key[64];
	char value[512];
};

struct lxc_items {
	unsigned n;
	struct lxc_item item[LXC_ITEMS_MAX];
};

struct lxc_conf_in {
	const char *name;        /* container name */
	const char *rootfs;      /* host directory */
	const char *log_file;    /* liblxc's log of this container */
	const char *cpuset;      /* "1,0": measured + housekeeping CPUs */
	int cgroup2;             /* cpuset is on the unified hierarchy */
	long rt_period_us;       /* < 0: no RT group budget to set */
	long rt_runtime_us;
	int network;             /* 0: an empty network namespace (lo) */
	/* netlat (harness/net/): the veth end isolat-* the container takes
	 * (lxc.net.0.type = phys) and its address "198.18.x.y/NN"; NULL:
	 * none. */
	const char *phys_link;
	const char *phys_addr;
	const char *memlock;     /* lxc.prlimit values: "unlimited", "N:M" */
	const char *rtprio;
	/* Host directories bind-mounted read-only at the same place. */
	const char *const *binds;
	unsigned nbinds;
};

/*
 * The config items of one container, in the order they must be applied
 * (rt_period_us before rt_runtime_us).  Values are checked (no newline,
 * absolute paths, a name that is a valid cgroup and file name).
 * 0 or -EINVAL / -E2BIG with the reason in err.
 */
int lxc_conf_build(const struct lxc_conf_in *in, struct lxc_items *out,
		   char *err, size_t errsz);

/* "key = value\n" lines, as liblxc would save them (for the case facts). */
int lxc_conf_text(const struct lxc_items *items, char *buf, size_t size);

/* A container name isolat made: "isolat-<pid>-c<n>-<hex>" -> its pid. */
int lxc_name_owner(const char *name, long *pid);

/* --- lxc_rootfs.c ----------------------------------------------------- */

/*
 * Make rootfs (a new directory): mount points, the static workload as
 * /isolat-wl, the host's merged-/usr symlinks; the host directories to
 * bind-mount read-only are returned in binds (at most 8).  0 or -errno.
 */
int lxc_rootfs_make(const char *rootfs, const char *wl_path,
		    const char *binds[], unsigned *nbinds, char *err,
		    size_t errsz);

/* rm -r of a directory isolat made (symlinks are not followed). */
void lxc_remove_tree(const char *path);

/* Stop, destroy and forget container name in LXC_ISOLAT_PATH: liblxc's
 * destroy (config, rootfs), its cgroups, the RT budgets from its journal,
 * its directory.  Idempotent. */
void lxc_destroy(const char *name);

/* Journal container name before it is created (lxc_journal.c: kind
 * "container"; undo is lxc_destroy).  0 or -errno with err set. */
struct journal;
int lxc_journal_container(struct journal *j, const char *name, char *err,
			  size_t errsz);

/* Remove every container whose harness is gone (a crashed run), with a
 * note on stderr; their names into removed.  Returns how many. */
int lxc_leftovers(char *removed, size_t size);

/* --- lxc_cgroup.c ----------------------------------------------------- */

struct lxc_cg {
	int cpu_v2;              /* cpu controller on the unified hierarchy */
	int cpuset_v2;
	char cpu_dir[4096];      /* where containers' cgroups are created in
				  * the cpu hierarchy (v1) or the unified
				  * one (v2): the root, see locate() */
	char cpu_root[4096];     /* mount point of that hierarchy */
	char cpuset_dir[4096];
	int rt_group;            /* cpu.rt_runtime_us exists (v1 RT groups) */
};

/*
 * Find the cpu and cpuset controllers and the harness's cgroup in them.
 * 0, or -ENOENT with why ("no cgroup cpuset controller mounted ...").
 */
int lxc_cg_probe(struct lxc_cg *cg, char *why, size_t whysz);

/* One parent budget changed for a container, to be put back. */
struct lxc_rt_change {
	char path[4200];         /* .../cpu.rt_runtime_us */
	long orig, now;
};

struct lxc_rt {
	long period_us, runtime_us; /* what the container gets; -1: none */
	int waited_ms;           /* for released cgroups' budget to return */
	unsigned n;
	struct lxc_rt_change ch[16];
};

/*
 * Make room for a container's RT budget under cg->cpu_dir: decide its
 * runtime (the free budget there, else what the root has free) and raise
 * each parent between the root and cg->cpu_dir from the top down as
 * needed, journaling every original in
 * journal (a file) before writing, and check with a probe cgroup that
 * the kernel really grants it (waiting up to 5 s for the budget of just
 * removed cgroups to come back).  0 or -errno with the reason in err.
 */
int lxc_rt_reserve(const struct lxc_cg *cg, const char *journal,
		   unsigned share, struct lxc_rt *rt, char *err, size_t errsz);

/* Put the parents back, bottom up (a write the kernel refuses with EBUSY
 * is tried again for up to 5 s); removes the journal.  0, or -errno with
 * what could not be put back left in rt and written to the journal again
 * (its directory made anew if it is gone).  Idempotent. */
int lxc_rt_restore(struct lxc_rt *rt, const char *journal);

/* The changes of a journal a crashed run left, into rt (checked: a 0600
 * file of ours, cgroup RT knobs only).  0 (also when there is none) or
 * -errno. */
int lxc_rt_read_journal(const char *journal, struct lxc_rt *rt);

/* Read and restore.  0 or -errno (lxc_rt_restore). */
int lxc_rt_restore_journal(const char *journal);

/* rmdir the cgroups named NAME (payload/monitor) in every hierarchy;
 * returns how many were removed. */
int lxc_cg_remove(const char *name);

/* liblxc, opened at run time (lxc_dl.c).  NULL with the reason in why
 * when it cannot be loaded; every later call returns the same answer. */
struct lxc_container;
struct lxc_api {
	struct lxc_container *(*container_new)(const char *name,
					       const char *configpath);
	int (*container_put)(struct lxc_container *c);
	const char *(*get_version)(void);
};
const struct lxc_api *lxc_api_get(char *why, size_t whysz);
/* The same calls, safe when liblxc is missing (NULL, no-op, "?"). */
struct lxc_container *lxc_new(const char *name, const char *lxcpath);
void lxc_put(struct lxc_container *c);
const char *lxc_version(void);

#endif
