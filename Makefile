# sockscope — one non-recursive makefile. `make help` lists the targets.
#
# Layout of outputs: $(B)/ holds objects (mirroring the tree), libsockscope.a,
# the binaries and the test programs. SAN=1 builds into build-san/ with
# AddressSanitizer + UndefinedBehaviorSanitizer.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
DESTDIR ?=

VERSION := 0.1.0
PKGS    := libmnl libzstd
CC      ?= cc
PKG_CONFIG ?= pkg-config

ifeq ($(SAN),1)
B        ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      ?= -O1 -g
else
B        ?= build
SANFLAGS :=
OPT      ?= -O2 -g
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wconversion -Wformat=2 \
        -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wnull-dereference
CPPFLAGS += -D_GNU_SOURCE -DSOCKSCOPE_VERSION='"$(VERSION)"'
# Each folder sees only its own headers and those of the stages below it, so
# an include that runs the wrong way fails to build (analyzer/README.md):
#   common  <-  recorder
#   common  <-  parse <- ingest <- query <- report <- fleet <- cli (analyzer/main.c)
# Tests and tools see everything.
INC_common   := -Icommon
INC_recorder := $(INC_common) -Irecorder
INC_parse    := $(INC_common) -Ianalyzer/parse
INC_ingest   := $(INC_parse) -Ianalyzer/ingest
INC_query    := $(INC_ingest) -Ianalyzer/query
INC_report   := $(INC_query) -Ianalyzer/report
INC_fleet    := $(INC_report) -Ianalyzer/fleet
INC_cli      := $(INC_fleet) -Ianalyzer/cli
INC_all      := $(INC_cli) -Irecorder
CFLAGS   ?= $(OPT)
ALL_CFLAGS = -std=c11 $(WARN) $(SANFLAGS) $(CFLAGS) -pthread -MMD -MP \
             $(shell $(PKG_CONFIG) --cflags $(PKGS) libcurl 2>/dev/null)
LDFLAGS  += $(SANFLAGS) -pthread
LIBS_REC := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lmnl -lzstd)
LIBS_TEST := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)
# The analyzer adds SQLite, zlib (.gz input), libcsv (no .pc file) and
# libcurl (ship, fleet: ClickHouse's HTTP interface with TLS, proxies, auth),
# whose headers are compiled against but which is not linked: chhttp.c loads
# it (dlopen) when a connection is made, as its ~30 libraries took every
# command ~16 ms to load at start.
APKGS    := libzstd sqlite3 zlib
LIBS_ANA := $(shell $(PKG_CONFIG) --libs $(APKGS) 2>/dev/null || echo -lzstd -lsqlite3 -lz) -lcsv -lm -ldl

ifeq ($(V),1)
Q :=
else
Q := @
endif

COMMON_SRC   := $(sort $(wildcard common/*.c))
RECORDER_SRC := $(filter-out recorder/main.c,$(sort $(wildcard recorder/*.c)))
ANALYZER_STAGES := parse ingest query report fleet
ANALYZER_SRC := $(sort $(foreach d,$(ANALYZER_STAGES),$(wildcard analyzer/$(d)/*.c)))
# The command line: analyzer/main.c and analyzer/cli/ (linked into the binary
# only, never into the library the tests link).
CLI_SRC      := $(sort $(wildcard analyzer/main.c analyzer/cli/*.c))
SCHEMA_SQL   := $(sort $(wildcard schema/[0-9][0-9][0-9]_*.sql))
UNIT_SRC     := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC     := $(sort $(wildcard tests/tools/*.c))

COMMON_OBJ   := $(COMMON_SRC:%.c=$(B)/%.o)
RECORDER_OBJ := $(RECORDER_SRC:%.c=$(B)/%.o)
ANALYZER_OBJ := $(ANALYZER_SRC:%.c=$(B)/%.o) $(B)/analyzer/ingest/schema_sql.o
CLI_OBJ      := $(CLI_SRC:%.c=$(B)/%.o)
LIB          := $(B)/libsockscope.a
RECLIB       := $(B)/librecorder.a
RECORDER     := $(B)/sockscope-recorder
RECORDER_TEST := $(B)/tests/tools/sockscope-recorder-test
ANALYZER     := $(B)/sockscope
ANALIB       := $(B)/libanalyzer.a
UNIT_BIN     := $(UNIT_SRC:%.c=$(B)/%)
TOOL_BIN     := $(TOOL_SRC:%.c=$(B)/%)

.PHONY: all help deps browser-deps check-build fuzz-deps clickhouse-deps test unit integration e2e demo screenshot bench fuzz install uninstall clean lint
.DEFAULT_GOAL := all

all: $(RECORDER) $(ANALYZER) $(TOOL_BIN) $(RECORDER_TEST)

help:
	@echo "make            build sockscope-recorder, sockscope and test tools into $(B)/"
	@echo "make test       install missing packages (root), build, run unit + netns tests, plain and under ASan/UBSan"
	@echo "make demo       install missing packages (root), build, record this machine, show what was captured"
	@echo "make screenshot regenerate docs/report.png: sockscope report on samples/incident in headless chromium"
	@echo "make bench      side-by-side benchmarks against ss/netstat/cat (see bench/README.md)"
	@echo "make fuzz       build libFuzzer targets with clang and run each for FUZZ_SECONDS (default 20)"
	@echo "make e2e        long network-namespace scenarios"
	@echo "make install    install binaries, man pages and the systemd unit (PREFIX, DESTDIR)"
	@echo "make lint       cppcheck + clang-tidy over the sources"
	@echo "V=1 shows full commands; SAN=1 builds with sanitizers into build-san/"

# The include list of an object is its folder's (INC_* above); a folder
# without one sees common/ only.
INC := $(INC_common)
$(B)/recorder/%.o:         INC = $(INC_recorder)
$(B)/analyzer/parse/%.o:   INC = $(INC_parse)
$(B)/analyzer/ingest/%.o:  INC = $(INC_ingest)
$(B)/analyzer/query/%.o:   INC = $(INC_query)
$(B)/analyzer/report/%.o:  INC = $(INC_report)
$(B)/analyzer/fleet/%.o:   INC = $(INC_fleet)
$(B)/analyzer/cli/%.o:     INC = $(INC_cli)
$(B)/analyzer/main.o:      INC = $(INC_cli)
$(B)/tests/%.o:            INC = $(INC_all)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(INC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(COMMON_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(RECLIB): $(RECORDER_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)mkdir -p $(@D) && rm -f $@ && $(if $^,ar rcs $@ $^,printf '!<arch>\n' > $@)

$(RECORDER): $(B)/recorder/main.o $(RECLIB) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_REC)

# The recorder with its test hooks (SOCKSCOPE_TEST_TWIN_V1, docs/FORMAT.md
# §7.4) compiled in, for tests only: the recorder that is installed has none.
$(B)/recorder/main_test.o: recorder/main.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(INC_recorder) $(CPPFLAGS) -DSOCKSCOPE_TEST_HOOKS $(ALL_CFLAGS) -c -o $@ $<

$(RECORDER_TEST): $(B)/recorder/main_test.o $(RECLIB) $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_REC)

# The schema migrations, embedded as C strings (schema/embed.sh).
$(B)/analyzer/ingest/schema_sql.c: schema/embed.sh $(SCHEMA_SQL)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)sh schema/embed.sh $(SCHEMA_SQL) > $@.tmp && mv $@.tmp $@

$(B)/analyzer/ingest/schema_sql.o: $(B)/analyzer/ingest/schema_sql.c
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(INC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(ANALIB): $(ANALYZER_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(ANALYZER): $(CLI_OBJ) $(ANALIB) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ANA)

# Unit tests link everything but main(): recorder and analyzer modules are
# testable too.
$(B)/tests/unit/%: $(B)/tests/unit/%.o $(ANALIB) $(RECLIB) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_TEST) $(LIBS_REC) $(LIBS_ANA)

$(B)/tests/tools/%: $(B)/tests/tools/%.o $(RECLIB) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_REC)

# blockgen drives analyzer/report/blockfmt.c: it links the analyzer library too.
$(B)/tests/tools/blockgen: $(B)/tests/tools/blockgen.o $(ANALIB) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ANA)

# spanstat drives analyzer/ingest/spans.c over a database (bench/README.md).
$(B)/tests/tools/spanstat: $(B)/tests/tools/spanstat.o $(ANALIB) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ANA)

# --- set-up: the Debian packages a fresh machine lacks ------------------------
deps:
	$(Q)sh packaging/debian-deps.sh

# chromium renders `sockscope report`'s page in tests/integration/html_report.sh
# and for make screenshot (headless; nothing else uses it)
browser-deps:
	$(Q)sh packaging/debian-deps.sh chromium

# --- tests -------------------------------------------------------------------
# `make test` = deps, then the plain build and the ASan/UBSan build, each
# running unit and integration tests; tests/run.sh prints "N passed, N failed".
# The three builds use every CPU unless make was given its own -j: CI runs a
# bare `make test`, and compiling them one file at a time took minutes.
TEST_MAKE_J = $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(shell nproc 2>/dev/null || echo 1))
test: deps fuzz-deps clickhouse-deps browser-deps
	$(Q)$(MAKE) $(TEST_MAKE_J) --no-print-directory check-build
	$(Q)$(MAKE) $(TEST_MAKE_J) --no-print-directory SAN=1 check-build
	$(Q)$(MAKE) $(TEST_MAKE_J) --no-print-directory $(FUZZ_BIN)
	$(Q)sh tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_BIN)
	$(Q)sh tests/run.sh build build-san

check-build: all $(UNIT_BIN)

unit: check-build
	$(Q)sh tests/run.sh --unit-only $(B)

integration: all
	$(Q)sh tests/run.sh --integration-only $(B)

e2e: deps all
	$(Q)E2E=1 sh tests/run.sh --integration-only $(B)

demo: deps all
	$(Q)sh samples/demo.sh $(B)

# docs/report.png, the README's picture of `sockscope report` (headless chromium)
screenshot: browser-deps all
	$(Q)sh docs/screenshot.sh $(B)

bench: all
	$(Q)sh packaging/debian-deps.sh hyperfine time sqlite3
	$(Q)sh bench/run.sh $(B)

# --- fuzzing (clang libFuzzer + ASan/UBSan) -----------------------------------
comma := ,
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_SECONDS ?= 20
# each fuzz target's share of `make test`
FUZZ_SMOKE_SECONDS ?= 2
FUZZ_FLAGS := -std=c11 -g -O1 -pthread -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
              $(INC_all) -D_GNU_SOURCE -DSOCKSCOPE_VERSION='"$(VERSION)"'

# The library sources are compiled once (-fsanitize=fuzzer-no-link) into one
# archive every target links.
FUZZ_LIB_SRC := $(COMMON_SRC) $(RECORDER_SRC) $(ANALYZER_SRC)
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=build-fuzz/obj/%.o) build-fuzz/obj/schema_sql.o
FUZZ_LIB_FLAGS := $(subst fuzzer$(comma),fuzzer-no-link$(comma),$(FUZZ_FLAGS))

build-fuzz/schema_sql.c: schema/embed.sh $(SCHEMA_SQL)
	@mkdir -p $(@D)
	$(Q)sh schema/embed.sh $(SCHEMA_SQL) > $@.tmp && mv $@.tmp $@

build-fuzz/obj/schema_sql.o: build-fuzz/schema_sql.c
	@mkdir -p $(@D)
	$(Q)clang $(FUZZ_LIB_FLAGS) -c -o $@ $<

build-fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)clang $(FUZZ_LIB_FLAGS) -MMD -MP -c -o $@ $<

build-fuzz/libfuzz.a: $(FUZZ_LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

build-fuzz/%: tests/fuzz/%.c build-fuzz/libfuzz.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang $(FUZZ_FLAGS) -MMD -MP -o $@ $< build-fuzz/libfuzz.a $(LIBS_REC) $(LIBS_ANA)

# The fleet tests' servers (tests/integration/fleet_*.sh skip loudly without them).
clickhouse-deps:
	$(Q)sh packaging/debian-deps.sh clickhouse-server clickhouse-client || \
	    echo "NOTE: clickhouse-server/clickhouse-client missing: the fleet tests will SKIP"

fuzz-deps:
	$(Q)sh packaging/debian-deps.sh clang libclang-rt-14-dev

fuzz: fuzz-deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BIN)
	$(Q)sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# --- install -----------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR)
	install -m 0755 $(RECORDER) $(DESTDIR)$(SBINDIR)/sockscope-recorder
	install -m 0755 $(ANALYZER) $(DESTDIR)$(BINDIR)/sockscope
	install -m 0644 docs/sockscope-recorder.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 docs/sockscope.1 $(DESTDIR)$(MANDIR)/man1/
	sed 's|@SBINDIR@|$(SBINDIR)|g' packaging/sockscope-recorder.service \
	    > $(DESTDIR)$(UNITDIR)/sockscope-recorder.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/sockscope-recorder.service
	sed 's|@BINDIR@|$(BINDIR)|g' packaging/sockscope-ship.service \
	    > $(DESTDIR)$(UNITDIR)/sockscope-ship.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/sockscope-ship.service

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/sockscope-recorder $(DESTDIR)$(MANDIR)/man8/sockscope-recorder.8 \
	      $(DESTDIR)$(BINDIR)/sockscope $(DESTDIR)$(MANDIR)/man1/sockscope.1 \
	      $(DESTDIR)$(UNITDIR)/sockscope-recorder.service $(DESTDIR)$(UNITDIR)/sockscope-ship.service

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 \
	    --suppress=missingIncludeSystem $(INC_all) common recorder analyzer
	clang-tidy --quiet $(COMMON_SRC) $(RECORDER_SRC) recorder/main.c $(ANALYZER_SRC) $(CLI_SRC) -- \
	    $(INC_all) $(CPPFLAGS) -std=c11

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(B) build-fuzz -name '*.d' 2>/dev/null)
