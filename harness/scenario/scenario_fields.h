/*
 * scenario_fields.h - the fields of struct scn_params, one per key of
 * scenario_keys_all.def (plus NAME_line: where it was set, 0 = default).
 * Included only inside struct scn_params (scenario.h).
 */
#define SCN_TOP(n, t, d, doc)
#define SCN_UINT(n, ct, lo, hi, o, d, doc) ct n; int n##_line;
#define SCN_WORD(n, sz, ch, o, d, doc) char n[sz]; int n##_line;
#define SCN_FLAG(n, f, ch, y, o, d, doc) int f; int n##_line;
#define SCN_PATH(n, o, doc) char n[1024]; int n##_line;
#define SCN_CMDLINE(n, doc) char n[1024]; int n##_line;
#define SCN_CPUS(n, hi, o, doc) struct cpulist n; int n##_line;
#define SCN_PINS(n, o, doc) struct cpulist n; int n##_line;
#define SCN_CPUSPEC(n, w, t, o, d, doc) char n[256]; int n##_line;
#define SCN_ALIAS(n, tgt, doc)
#include "harness/scenario/scenario_keys_all.def"
#undef SCN_TOP
#undef SCN_UINT
#undef SCN_WORD
#undef SCN_FLAG
#undef SCN_PATH
#undef SCN_CMDLINE
#undef SCN_CPUS
#undef SCN_PINS
#undef SCN_CPUSPEC
#undef SCN_ALIAS
