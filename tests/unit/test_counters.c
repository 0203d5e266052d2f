/*
 * test_counters.c - issue 7's counters: /proc/interrupts and /proc/softirqs
 * parsing (fixture text: x86 with ERR/MIS, an offline CPU, arm64-style
 * IPI rows), per-CPU deltas (new IRQ, vanished IRQ, 32-bit wrap), the
 * schema 2 -> 3 migration of an older database, and ingest of HELLO
 * series.I.unit/kind and END counter.* keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/ingest.h"
#include "collectors/store.h"
#include "collectors/store_db.h"
#include "harness/scenario/scenario.h"
#include "workloads/irqstat.h"
#include "workloads/wire.h"

static const char interrupts_x86[] =
	"            CPU0       CPU1       CPU2       CPU3       \n"
	"   0:         44          0          0          0   IO-APIC   "
	"2-edge      timer\n"
	"  24:          1          7          0          0  PCI-MSIX-0000:00:"
	"01.0   0-edge      virtio0-config\n"
	" 120:          0       5000        300         12  PCI-MSI 524288-"
	"edge      nvme0q1\n"
	" NMI:          0          0          0          0   Non-maskable "
	"interrupts\n"
	" LOC:     100000      20000      30000      40000   Local timer "
	"interrupts\n"
	" ERR:          0\n"
	" MIS:          0\n";

static const char softirqs[] =
	"                    CPU0       CPU1       CPU2       CPU3\n"
	"          HI:          0          1          0          0\n"
	"       TIMER:      67809     102082         10         20\n"
	"      NET_RX:          4          9          0          0\n";

static struct cpulist want(unsigned a, unsigned b)
{
	struct cpulist l = {0};

	l.cpu[l.n++] = (unsigned short)a;
	l.cpu[l.n++] = (unsigned short)b;
	return l;
}

static int row_of(const struct irqstat *s, const char *name)
{
	for (unsigned i = 0; i < s->nrows; i++)
		if (!strcmp(s->rows[i].name, name))
			return (int)i;
	return -1;
}

static uint64_t count(const struct irqstat *s, const char *name, unsigned k)
{
	int r = row_of(s, name);

	assert_true(r >= 0);
	return s->count[(size_t)r * s->ncpu + k];
}

static void test_parse_interrupts(void **state)
{
	struct cpulist w = want(1, 3);
	struct irqstat s;

	(void)state;
	assert_int_equal(irqstat_parse(interrupts_x86, &w, &s), 0);
	/* 0, 24, 120, NMI, LOC; ERR and MIS are system-wide. */
	assert_int_equal(s.nrows, 5);
	assert_int_equal(row_of(&s, "ERR"), -1);
	assert_int_equal(count(&s, "24", 0), 7);
	assert_int_equal(count(&s, "24", 1), 0);
	assert_int_equal(count(&s, "120", 0), 5000);
	assert_int_equal(count(&s, "120", 1), 12);
	assert_int_equal(count(&s, "LOC", 1), 40000);
	assert_string_equal(s.rows[row_of(&s, "120")].desc,
			    "PCI-MSI 524288-edge nvme0q1");
	assert_string_equal(s.rows[row_of(&s, "LOC")].desc,
			    "Local timer interrupts");
	assert_true(s.present[0] && s.present[1]);
	irqstat_free(&s);
}

static void test_parse_offline_cpu(void **state)
{
	/* CPU1 offline: columns are CPU0 CPU2, so column 1 is CPU 2. */
	static const char text[] =
		"           CPU0       CPU2\n"
		" LOC:        10         20   Local timer interrupts\n"
		" IPI0:        1          2   Rescheduling interrupts\n";
	struct cpulist w = want(1, 2);
	struct irqstat s;

	(void)state;
	assert_int_equal(irqstat_parse(text, &w, &s), 0);
	assert_int_equal(s.present[0], 0);
	assert_int_equal(s.present[1], 1);
	assert_int_equal(count(&s, "LOC", 1), 20);
	assert_int_equal(count(&s, "IPI0", 1), 2);
	irqstat_free(&s);
}

static void test_parse_softirqs(void **state)
{
	struct cpulist w = want(0, 1);
	struct irqstat s;

	(void)state;
	assert_int_equal(irqstat_parse(softirqs, &w, &s), 0);
	assert_int_equal(s.nrows, 3);
	assert_int_equal(count(&s, "TIMER", 0), 67809);
	assert_int_equal(count(&s, "NET_RX", 1), 9);
	assert_string_equal(s.rows[row_of(&s, "HI")].desc, "");
	irqstat_free(&s);
}

static void test_parse_bad(void **state)
{
	struct cpulist w = want(0, 1);
	struct irqstat s;

	(void)state;
	assert_int_equal(irqstat_parse("", &w, &s), -EINVAL);
	irqstat_free(&s);
	assert_int_equal(irqstat_parse("LOC: 1 2\n", &w, &s), -EINVAL);
	irqstat_free(&s);
	assert_int_equal(irqstat_read("/nonexistent/interrupts", &w, &s),
			 -ENOENT);
	irqstat_free(&s);
}

struct seen {
	char name[8][IRQSTAT_NAME_MAX];
	unsigned cpu[8];
	uint64_t d[8];
	unsigned n;
};

static int collect(void *ctx, const struct irqstat_row *row, unsigned cpu,
		   uint64_t d)
{
	struct seen *s = ctx;

	assert_true(s->n < 8);
	strcpy(s->name[s->n], row->name);
	s->cpu[s->n] = cpu;
	s->d[s->n++] = d;
	return 0;
}

static uint64_t seen_delta(const struct seen *s, const char *name,
			   unsigned cpu)
{
	for (unsigned i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name) && s->cpu[i] == cpu)
			return s->d[i];
	fail_msg("no delta for %s cpu %u", name, cpu);
	return 0;
}

static void test_delta(void **state)
{
	static const char before[] =
		"      CPU0       CPU1\n"
		"  24:    5    4294967290   virtio0\n"
		"  30:    1          1   gone-away\n"
		" LOC:  100        200   Local timer interrupts\n";
	static const char after[] =
		"      CPU0       CPU1\n"
		"  24:    9          4   virtio0\n"
		"  31:    0          6   new-device\n"
		" LOC:  150        200   Local timer interrupts\n";
	struct cpulist w = want(0, 1);
	struct irqstat b, a;
	struct seen s = {0};

	(void)state;
	assert_int_equal(irqstat_parse(before, &w, &b), 0);
	assert_int_equal(irqstat_parse(after, &w, &a), 0);
	assert_int_equal(irqstat_delta(&b, &a, collect, &s), 0);
	assert_int_equal(s.n, 6); /* 3 rows of after x 2 CPUs */
	assert_int_equal(seen_delta(&s, "24", 0), 4);
	/* The kernel's unsigned int wrapped: 4294967290 -> 4 is +10. */
	assert_int_equal(seen_delta(&s, "24", 1), 10);
	/* Registered during the case: counts from zero. */
	assert_int_equal(seen_delta(&s, "31", 1), 6);
	assert_int_equal(seen_delta(&s, "LOC", 0), 50);
	assert_int_equal(seen_delta(&s, "LOC", 1), 0);
	for (unsigned i = 0; i < s.n; i++)
		assert_string_not_equal(s.name[i], "30");
	irqstat_free(&b);
	irqstat_free(&a);
}

static void test_key_name(void **state)
{
	char buf[16];

	(void)state;
	irqstat_key_name("NET_RX", buf, sizeof(buf));
	assert_string_equal(buf, "NET_RX");
	irqstat_key_name("a.b=c d", buf, sizeof(buf));
	assert_string_equal(buf, "a_b_c_d");
}

/* --- store and ingest --------------------------------------------------- */

static char dir[64], path[128], err[512];

static int rm_entry(const char *p, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(p);
	return 0;
}

static int64_t q(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL),
			 SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int64_t new_case(struct store *st)
{
	struct store_host h = {"fp", "h", "m", "c", 2};
	struct store_run r = {.uuid = "22222222-0000-4000-8000-000000000000",
			      .tool_version = "t"};
	struct store_case c = {0, 0, "c", "bare", "none", "spin", "none",
			       "{}"};
	int64_t run_id, case_id;

	assert_int_equal(store_host_upsert(st, &h, &r.host_id), 0);
	assert_int_equal(store_run_create(st, &r, &run_id), 0);
	assert_int_equal(store_case_create(st, run_id, &c, &case_id), 0);
	return case_id;
}

static void test_migrate_v2(void **state)
{
	struct store *st;
	int64_t case_id, sid;

	(void)state;
	strcpy(dir, "/tmp/isolat-counters-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/old.db", dir);
	assert_int_equal(store_open(path, STORE_WRITE, &st, err, sizeof(err)),
			 0);
	case_id = new_case(st);
	assert_int_equal(store_series_create(st, case_id, 0, 1, "ns", &sid), 0);
	/* Take it back to exactly what schema 2 had: no counters table, no
	 * series.kind. */
	assert_int_equal(sqlite3_exec(store_db(st),
				      "DROP TABLE counters;"
				      "ALTER TABLE series DROP COLUMN kind;"
				      "PRAGMA user_version = 2;",
				      NULL, NULL, NULL), SQLITE_OK);
	store_close(st);

	assert_int_equal(store_open(path, STORE_READ, &st, err, sizeof(err)),
			 0);
	assert_int_equal(q(st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	/* The old series measured latency. */
	assert_int_equal(q(st, "SELECT count(*) FROM series WHERE "
			   "kind='latency'"), 1);
	assert_int_equal(store_counter(st, case_id, "host", 1, "irq.LOC", 42,
				       1, "Local timer interrupts"), 0);
	assert_int_equal(store_counter(st, case_id, "workload", 1,
				       "perf.cycles", 0, 0,
				       "unsupported: No such file"), 0);
	assert_int_equal(q(st, "SELECT value FROM counters WHERE "
			   "name='irq.LOC'"), 42);
	assert_int_equal(q(st, "SELECT count(*) FROM counters WHERE "
			   "name='perf.cycles' AND value IS NULL AND note "
			   "LIKE 'unsupported%'"), 1);
	store_close(st);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static uint8_t stream[1 << 16];
static size_t slen;

static void text_frame(unsigned type, const char *text)
{
	uint32_t len = (uint32_t)strlen(text);

	wire_put_header(stream + slen, type, text, len);
	memcpy(stream + slen + WIRE_HDR_SIZE, text, len);
	slen += WIRE_HDR_SIZE + len;
}

static void samples(unsigned series, uint32_t n, uint32_t v)
{
	uint8_t p[WIRE_SAMPLES_HEAD + 4 * 16];

	wire_le16(p, (uint16_t)series);
	wire_le16(p + 2, 0);
	wire_le32(p + 4, n);
	wire_le64(p + 8, 0);
	for (uint32_t i = 0; i < n; i++)
		wire_le32(p + 16 + 4 * i, v + i);
	wire_put_header(stream + slen, WIRE_SAMPLES, p, WIRE_SAMPLES_HEAD + 4 * n);
	memcpy(stream + slen + WIRE_HDR_SIZE, p, WIRE_SAMPLES_HEAD + 4 * n);
	slen += WIRE_HDR_SIZE + WIRE_SAMPLES_HEAD + 4 * n;
}

static void test_ingest_spin(void **state)
{
	struct store *st;
	struct ingest *in;
	int64_t case_id;

	(void)state;
	strcpy(dir, "/tmp/isolat-counters-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	assert_int_equal(store_open(path, STORE_WRITE, &st, err, sizeof(err)),
			 0);
	case_id = new_case(st);
	slen = 0;
	text_frame(WIRE_HELLO, "workload=spin\nwire_version=1\nunit=ns\n"
		   "nseries=2\nseries.0.cpu=1\nseries.0.unit=ops\n"
		   "series.0.kind=throughput\nseries.1.cpu=1\n"
		   "series.1.unit=ns\nseries.1.kind=noise\n");
	samples(0, 10, 20000);
	samples(1, 3, 1500);
	text_frame(WIRE_END, "status=ok\nseries.0.count=10\n"
		   "series.0.dropped=0\nseries.1.count=3\nseries.1.dropped=0\n"
		   "irqdesc.24=PCI-MSIX 0-edge virtio0\n"
		   "counter.irq.24.cpu1=120\ncounter.irq.LOC.cpu1=5012\n"
		   "counter.softirq.NET_RX.cpu1=7\n"
		   "counter.ctxsw.voluntary.cpu1=0\n"
		   "counter.perf.cycles.cpu1=unsupported: No such file\n"
		   "counter.irq=unavailable: nope\n");
	assert_int_equal(store_begin(st), 0);
	in = ingest_new(st, 1, case_id);
	assert_non_null(in);
	assert_int_equal(ingest_feed(in, stream, slen), 0);
	assert_int_equal(ingest_finish(in), 0);
	ingest_free(in);
	assert_int_equal(store_commit(st), 0);

	assert_int_equal(q(st, "SELECT count(*) FROM series WHERE idx=0 AND "
			   "unit='ops' AND kind='throughput' AND count=10"), 1);
	assert_int_equal(q(st, "SELECT count(*) FROM series WHERE idx=1 AND "
			   "unit='ns' AND kind='noise' AND count=3"), 1);
	assert_int_equal(q(st, "SELECT value FROM counters WHERE "
			   "side='workload' AND cpu=1 AND name='irq.LOC'"), 5012);
	assert_int_equal(q(st, "SELECT count(*) FROM counters WHERE "
			   "name='irq.24' AND value=120 AND note LIKE "
			   "'%virtio0'"), 1);
	assert_int_equal(q(st, "SELECT value FROM counters WHERE "
			   "name='softirq.NET_RX'"), 7);
	assert_int_equal(q(st, "SELECT count(*) FROM counters WHERE "
			   "name='perf.cycles' AND cpu=1 AND value IS NULL"), 1);
	assert_int_equal(q(st, "SELECT count(*) FROM counters WHERE "
			   "name='irq' AND cpu=-1 AND value IS NULL"), 1);
	assert_int_equal(q(st, "SELECT count(*) FROM counters WHERE value < 0"),
			 0);
	/* Counters live in their table, not as facts too. */
	assert_int_equal(q(st, "SELECT count(*) FROM case_facts WHERE key "
			   "LIKE 'end.counter.%'"), 0);
	store_close(st);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_scenario_trace_key(void **state)
{
	struct scenario scn;
	char e[512] = "";

	(void)state;
	assert_int_equal(scenario_parse_string("t.ini", "[scenario]\nname = t\ncpus = 1\n"
					       "trace_threshold_us = 50\n",
					       &scn, e, sizeof(e)), 0);
	assert_int_equal(scn.params.trace_threshold_us, 50);
	scenario_free(&scn);
	assert_int_equal(scenario_parse_string("t.ini", "[scenario]\nname = t\ncpus = 1\n"
					       "\n", &scn, e, sizeof(e)), 0);
	assert_int_equal(scn.params.trace_threshold_us, 0);
	scenario_free(&scn);
	/* 0 and junk are refused with the file and line. */
	assert_true(scenario_parse_string("t.ini", "[scenario]\nname = t\ncpus = 1\n"
					  "trace_threshold_us = 0\n", &scn, e,
					  sizeof(e)) < 0);
	assert_non_null(strstr(e, "t.ini:4"));
	assert_true(scenario_parse_string("t.ini", "[scenario]\nname = t\ncpus = 1\n"
					  "trace_threshold_us = 5us\n", &scn,
					  e, sizeof(e)) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_interrupts),
		cmocka_unit_test(test_parse_offline_cpu),
		cmocka_unit_test(test_parse_softirqs),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_key_name),
		cmocka_unit_test(test_migrate_v2),
		cmocka_unit_test(test_ingest_spin),
		cmocka_unit_test(test_scenario_trace_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
