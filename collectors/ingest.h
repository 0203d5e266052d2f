/*
 * ingest.h - the collector path of one case: wire stream in, database out.
 *
 *   bytes -> decoder (validate) -> per-series chunk buffers -> codec ->
 *   chunks table; every value also into exact stats -> summaries and
 *   histograms tables at the end; HELLO/END keys -> case_facts; workload
 *   and stream events -> events table (the case is flagged when something
 *   was lost or went wrong).
 *
 * All writes go through the caller's store; the caller owns transactions.
 */
#ifndef ISOLAT_INGEST_H
#define ISOLAT_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/store.h"

/* Histogram bucket width stored per series (OSADL plots use 1 us). */
#define INGEST_BUCKET_NS 1000u

struct ingest;

struct ingest *ingest_new(struct store *st, int64_t run_id, int64_t case_id);
void ingest_free(struct ingest *in);

/* Returns 0 or a negative errno for a database/memory failure (stream
 * problems are events, not errors). */
int ingest_feed(struct ingest *in, const void *buf, size_t len);

/* Wait until every queued chunk is written (before a commit).  0 or the
 * first write error. */
int ingest_drain(struct ingest *in);
/* The stream is over: flush chunks, write summaries.  0 or -errno. */
int ingest_finish(struct ingest *in);

int ingest_seen_hello(const struct ingest *in);
int ingest_seen_end(const struct ingest *in);
/* END's status ("ok", "error", "interrupted"), or "" without END. */
const char *ingest_end_status(const struct ingest *in);
/* First error-severity event message, or "". */
const char *ingest_first_error(const struct ingest *in);
/* Something was lost or went wrong (the case must be flagged). */
int ingest_flagged(const struct ingest *in);
uint64_t ingest_samples(const struct ingest *in);
unsigned ingest_nseries(const struct ingest *in);
/* Largest value seen so far (live progress). */
uint32_t ingest_max(const struct ingest *in);
/* A HELLO or END key's value, or NULL. */
const char *ingest_fact(const struct ingest *in, const char *key);

#endif
