/*
 * wl_flags.h - what code outside workloads/ may ask of a workload: the
 * flags column of workloads/workloads.def.  Shared by the harness
 * (harness/workload.h) and reports/ (reports/lists.c), which ask these,
 * never a workload's name.
 */
#ifndef ISOLAT_WL_FLAGS_H
#define ISOLAT_WL_FLAGS_H

enum wl_flag {
	/* Takes --trace-threshold-us: a wake-up over it stops the host's
	 * trace ring (scenario key trace_threshold_us). */
	WL_TRACE_THRESHOLD = 1u << 0,
	/* Its series are work per window and OS-noise gaps (kinds
	 * throughput and noise), not latencies: the report's throughput
	 * section (reports/report_spin.c). */
	WL_THROUGHPUT = 1u << 1,
	/* Measures across a network path to a reflector (netlat): its
	 * cases expand by the scenario's networks =, each stored as
	 * workload NAME-PATH; one measured CPU; harness/net/ builds the
	 * path and starts the reflector. */
	WL_NETWORK = 1u << 2,
};

#endif
