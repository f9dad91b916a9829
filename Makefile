# schema_migrate -- PGXS build.
#
#   make && make install          build and install the extension and the
#                                 bundled example set (as set "example")
#   make installcheck             pg_regress and the isolation specs against
#                                 a running server (PGHOST/PGPORT), then the
#                                 TAP tests in clusters of their own;
#                                 fixtures come from SM_TEST_SETS (default:
#                                 test/sets); REGRESS=errors runs one test
#   make unit                     plain-C unit tests of parser and graph
#                                 under AddressSanitizer and UBSan

MODULE_big = schema_migrate
# every C file of src/ and src/formats/ is part of the module
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c src/formats/*.c)))

EXTENSION = schema_migrate
# the extension's install and upgrade scripts sit beside the control file,
# as in contrib; sql/ and expected/ hold pg_regress tests only
DATA = $(wildcard schema_migrate--*.sql)

# core first (it creates the extension), then the rest in name order
SM_TESTS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS = core $(filter-out core,$(SM_TESTS))
REGRESS_OPTS = --inputdir=.
# concurrency as isolation specs (specs/, expected/): deterministic
# interleavings of two sessions on one set
ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))
# cluster-level tests in t/*.pl (PostgreSQL::Test::Cluster; needs IPC::Run,
# and a non-root user, since initdb refuses root: as root,
# test/run_tap.sh runs them as postgres)
ifneq ($(shell id -u),0)
TAP_TESTS = 1
endif

PG_CONFIG ?= pg_config
# client commands (sm-new, sm-fleet) and the application makefile fragment
include mk/install.mk
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: a changed struct must rebuild every
# object, or a stale one reads the old layout.
$(OBJS): $(wildcard src/*.h src/formats/*.h)

override CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
override CPPFLAGS := -I$(srcdir)/src $(CPPFLAGS)

# pg_regress reads the fixture sets from here; the server must be able to
# read them, so test scripts running as root point it at a copy.
SM_TEST_SETS ?= $(abspath test/sets)
export SM_TEST_SETS

# The bundled example set and the extra share files.
SM_SHARE = $(DESTDIR)$(datadir)/schema_migrate
install: install-sets
install-sets:
	$(MKDIR_P) '$(SM_SHARE)/example'
	rm -f '$(SM_SHARE)/example/'*.sql
	$(INSTALL_DATA) $(wildcard migrations/*.sql) '$(SM_SHARE)/example/'

uninstall: uninstall-sets
uninstall-sets:
	rm -rf '$(SM_SHARE)/example'

.PHONY: install-sets uninstall-sets unit

unit:
	$(MAKE) -C test/unit PG_CONFIG=$(PG_CONFIG)

# libFuzzer targets for the parser and graph (clang + libclang-rt-14-dev);
# FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) -C test/fuzz run SECONDS=$(FUZZ_SECONDS)
.PHONY: fuzz

# Benchmarks against raw psql and peers (see bench/README.md).
bench:
	bash bench/run
# sm_diff against @pgkit/migra on 1,000 tables; sm_lint's cost against applying;
# sm_lint against squawk over the fixture folders
bench-autogenerate:
	bash bench/autogenerate.sh
bench-lint:
	bash bench/lint_cost.sh
	bash bench/lint_vs_squawk.sh
.PHONY: bench bench-autogenerate bench-lint

# Hand-run checks (see "Reliability and security" in README.md): the pg_regress suite against a
# sanitized build under Valgrind, and static analysis.
sanitize:
	bash test/asan/run.sh
static:
	bash test/static/run.sh
.PHONY: sanitize static
