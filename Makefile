# isolat - build, test, demo, bench, fuzz.  See README.md.
#
#   make            build/isolat and build/isolat-wl (static workload binary)
#   make check      unit tests (plain and ASan+UBSan), fuzz smoke, end-to-end
#   make demo       install Debian packages, build, run scenarios/smoke.ini,
#                   render its report under results/
#   make install    PREFIX=/usr/local DESTDIR= : isolat, isolat-wl (libexec),
#                   the SQLite extension, man pages, scenarios; `uninstall`
#   make bench      ingest and rtlat-vs-cyclictest benchmarks (not a test)
#   make fuzz       libFuzzer target for the stream decoder (clang)

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
           -Wno-unused-parameter
CPPFLAGS += -D_GNU_SOURCE -I. -DISOLAT_VERSION=\"$(VERSION)\"
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)
LIBS    := -linih -lhwloc -lsqlite3 -ldl -larchive -lcrypto -lm -lpthread
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=all

# Everything the harness links, except its main(); tests link the same.
LIB_SRC := $(wildcard collectors/*.c reports/*.c) \
           $(filter-out harness/main.c,$(shell find harness -name "*.c")) \
           workloads/wire.c workloads/cpulist.c workloads/irqstat.c \
           workloads/loadargv.c
# The static workload binary: its own files plus the shared wire/cpulist.
WL_SRC  := $(wildcard workloads/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)

B  := build
BS := build-san

LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
LIBS_OBJ := $(LIB_SRC:%.c=$(BS)/%.o)
WL_OBJ   := $(WL_SRC:%.c=$(B)/wl/%.o)
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
UNITS_SAN := $(UNIT_SRC:tests/unit/%.c=$(BS)/tests/%)

.PHONY: all check unit unit-san tools e2e demo bench fuzz fuzz-smoke deps clean \
	install uninstall
all: $(B)/isolat $(B)/isolat-wl $(B)/isolat_sqlite.so

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<
$(BS)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O1 -g $(SAN) -MMD -MP -c -o $@ $<
$(B)/wl/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libisolat.a: $(LIB_OBJ)
	rm -f $@; ar rcs $@ $^
$(BS)/libisolat.a: $(LIBS_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@; ar rcs $@ $^

$(B)/isolat: $(B)/harness/main.o $(B)/libisolat.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)
$(BS)/isolat: $(BS)/harness/main.o $(BS)/libisolat.a $(BS)/isolat-wl
	$(CC) $(SAN) -o $@ $(BS)/harness/main.o $(BS)/libisolat.a $(LIBS)
# isolat finds its workload binary beside itself; the workload stays the
# plain static build (static linking and ASan do not mix).
$(BS)/isolat-wl: $(B)/isolat-wl
	@mkdir -p $(dir $@)
	cp $< $@
# Static so the same binary runs on the host, in a container and as a
# guest's PID 1.
$(B)/isolat-wl: $(WL_OBJ)
	$(CC) $(CFLAGS) -static -o $@ $^ -lpthread -lm

# --- SQL over the samples: a loadable SQLite extension (position
# independent; the codec is its only isolat code) --------------------------
EXT_SRC := reports/sqlite/isolat_sqlite.c reports/sqlite/isolat_sqlite_auto.c \
           collectors/codec.c collectors/codec_rans.c
$(B)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -fPIC -MMD -MP -c -o $@ $<
$(B)/isolat_sqlite.so: $(EXT_SRC:%.c=$(B)/pic/%.o)
	$(CC) $(CFLAGS) -shared -o $@ $^ -lsqlite3

$(B)/tests/%: tests/unit/%.c $(B)/libisolat.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -o $@ $< $(B)/libisolat.a -lcmocka $(LIBS)
$(BS)/tests/%: tests/unit/%.c $(BS)/libisolat.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O1 -g $(SAN) -o $@ $< $(BS)/libisolat.a -lcmocka $(LIBS)

# --- test tools (tests/tools/*.c: helpers the e2e tests call) -----------
TOOLS := $(patsubst tests/tools/%.c,$(B)/tools/%,$(wildcard tests/tools/*.c))
$(B)/tools/%: tests/tools/%.c $(B)/libisolat.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -o $@ $< $(B)/libisolat.a $(LIBS)
tools: $(TOOLS)

# --- fuzzing (clang, libFuzzer) ------------------------------------------
FUZZ_CC := clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS)
$(B)/fuzz_decode: tests/fuzz/fuzz_decode.c collectors/decode.c workloads/wire.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^
$(B)/fuzz_codec: tests/fuzz/fuzz_codec.c collectors/codec.c \
		collectors/codec_rans.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^
fuzz: $(B)/fuzz_decode $(B)/fuzz_codec
	@echo "run: $(B)/fuzz_decode -max_total_time=600 tests/fuzz/corpus"

# --- tests ---------------------------------------------------------------
unit: $(UNITS)
unit-san: $(UNITS_SAN)
check: all $(BS)/isolat unit unit-san tools fuzz
	tests/run-tests.sh

# --- demo, bench ----------------------------------------------------------
deps:
	ci/install-deps.sh
demo: deps
	$(MAKE) all
	$(B)/isolat run scenarios/smoke.ini
	$(B)/isolat report last
$(B)/bench_ingest: tests/bench/bench_ingest.c $(B)/libisolat.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O2 -g -o $@ $< $(B)/libisolat.a $(LIBS)
$(B)/bench_report: tests/bench/bench_report.c $(B)/libisolat.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O2 -g -o $@ $< $(B)/libisolat.a $(LIBS)
bench: all $(B)/bench_ingest $(B)/bench_report
	tests/bench/run-bench.sh

# --- install (Debian-style paths; DESTDIR stages for a package) ----------
# isolat finds isolat-wl and the scenarios relative to its own path
# (harness/util.h ISOLAT_LIBEXEC_REL, ISOLAT_DATA_REL): keep bin/,
# libexec/isolat/ and share/isolat/ under one PREFIX.
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR     := $(PREFIX)/bin
LIBEXECDIR := $(PREFIX)/libexec/isolat
LIBDIR     := $(PREFIX)/lib/isolat
DATADIR    := $(PREFIX)/share/isolat
MANDIR     := $(PREFIX)/share/man
DOCDIR     := $(PREFIX)/share/doc/isolat
SCENARIOS  := $(wildcard scenarios/*.ini)
DOCS       := README.md $(wildcard docs/*.md)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(LIBDIR) $(DESTDIR)$(DATADIR)/scenarios \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(DOCDIR)
	install -m 0755 $(B)/isolat $(DESTDIR)$(BINDIR)/isolat
	install -m 0755 $(B)/isolat-wl $(DESTDIR)$(LIBEXECDIR)/isolat-wl
	install -m 0644 $(B)/isolat_sqlite.so $(DESTDIR)$(LIBDIR)/isolat_sqlite.so
	install -m 0644 docs/man/isolat.1 $(DESTDIR)$(MANDIR)/man1/isolat.1
	install -m 0644 docs/man/isolat-scenario.5 \
		$(DESTDIR)$(MANDIR)/man5/isolat-scenario.5
	install -m 0644 $(SCENARIOS) $(DESTDIR)$(DATADIR)/scenarios/
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/isolat $(DESTDIR)$(LIBEXECDIR)/isolat-wl \
		$(DESTDIR)$(LIBDIR)/isolat_sqlite.so \
		$(DESTDIR)$(MANDIR)/man1/isolat.1 \
		$(DESTDIR)$(MANDIR)/man5/isolat-scenario.5 \
		$(addprefix $(DESTDIR)$(DATADIR)/,$(SCENARIOS)) \
		$(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS)))
	-rmdir $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(DATADIR)/scenarios $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	rm -rf $(B) $(BS)

-include $(shell find $(B) $(BS) -name '*.d' 2>/dev/null)
