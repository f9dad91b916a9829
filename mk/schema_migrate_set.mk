# schema_migrate_set.mk -- install an application's migration set for the
# schema_migrate extension, the PGXS way.  Installed with the extension as
#   $(pg_config --sharedir)/schema_migrate/schema_migrate_set.mk
# next to the sets it installs.  An application's Makefile:
#
#   MIGRATION_SET = billing
#   MIGRATIONS = $(wildcard migrations/*.sql)
#   include $(shell pg_config --sharedir)/schema_migrate/schema_migrate_set.mk
#
# Targets:
#   make install            copy MIGRATIONS into
#                           $(DESTDIR)$(sharedir)/schema_migrate/$(MIGRATION_SET)/
#                           and remove the files of that set that are no longer
#                           in MIGRATIONS (the set directory belongs to the app)
#   make uninstall          remove that set directory
#   make check-migrations   sanity check of the files, without a server: each is
#                           a readable, non-empty regular file, valid UTF-8,
#                           without NUL bytes, at most 64 MB, names unique;
#                           "-- +up" / "-- +down" markers in order
#   make show-migration-set print where the set goes and what is installed
#
# Variables:
#   MIGRATION_SET    the set name (required): 1 to 63 letters, digits, "_",
#                    "-", "."; not starting with "." and without ".."
#   MIGRATIONS       the files (default: $(wildcard migrations/*.sql));
#                    installed under their base names, so names must be
#                    unique and contain no blanks
#   PG_CONFIG        pg_config of the target server (default: pg_config)
#   DESTDIR          staging root, as in every PGXS install
#
# Needs only make, a POSIX shell, install(1) and pg_config: not the
# extension's sources, not PGXS.  The set's files are installed world
# readable (644, directory 755) so that the server's OS user can read them.
# Several sets: one Makefile per set (make -C), or several invocations with
# MIGRATION_SET=... MIGRATIONS=... on the command line.

PG_CONFIG ?= pg_config
MIGRATIONS ?= $(wildcard migrations/*.sql)

SM_INSTALL ?= install
SM_SHAREDIR := $(shell $(PG_CONFIG) --sharedir)
SM_SETS_DIR = $(DESTDIR)$(SM_SHAREDIR)/schema_migrate
SM_SET_DIR = $(SM_SETS_DIR)/$(MIGRATION_SET)

# ---- the set name, checked by make itself (no shell quoting involved) ----
sm__allowed := a b c d e f g h i j k l m n o p q r s t u v w x y z \
	A B C D E F G H I J K L M N O P Q R S T U V W X Y Z \
	0 1 2 3 4 5 6 7 8 9 _ - .
# $(call sm__strip,TEXT,CHARS): TEXT without any of CHARS
sm__strip = $(if $(2),$(call sm__strip,$(subst $(firstword $(2)),,$(1)),$(wordlist 2,$(words $(2)),$(2))),$(1))
# $(call sm__spread,TEXT,CHARS): TEXT with a blank after each of CHARS
sm__spread = $(if $(2),$(call sm__spread,$(subst $(firstword $(2)),$(firstword $(2)) ,$(1)),$(wordlist 2,$(words $(2)),$(2))),$(1))
# the first thing wrong with the name, or nothing
sm__name_error = $(strip \
	$(if $(strip $(MIGRATION_SET)),\
	$(if $(call sm__strip,$(subst $() ,?,$(MIGRATION_SET)),$(sm__allowed)),\
		may contain only letters$(,) digits$(,) "_"$(,) "-" and ".",\
	$(if $(filter .%,$(MIGRATION_SET)),may not start with ".",\
	$(if $(findstring ..,$(MIGRATION_SET)),may not contain "..",\
	$(if $(word 64,$(call sm__spread,$(MIGRATION_SET),$(sm__allowed))),is longer than 63 characters)))),\
	MIGRATION_SET is not set))
, := ,
sm__check_name = $(if $(sm__name_error),$(error schema_migrate: invalid migration set name "$(MIGRATION_SET)": $(sm__name_error)))

sm__bases = $(notdir $(MIGRATIONS))
sm__dup = $(strip $(foreach b,$(sort $(sm__bases)),$(if $(word 2,$(filter $(b),$(sm__bases))),$(b))))
sm__check_files = $(strip \
	$(if $(strip $(MIGRATIONS)),,$(error schema_migrate: MIGRATIONS is empty (nothing would be installed, and set "$(MIGRATION_SET)" would be emptied))) \
	$(if $(sm__dup),$(error schema_migrate: two files of MIGRATIONS have the same name: $(sm__dup))) \
	$(foreach f,$(MIGRATIONS),$(if $(wildcard $(f)),,$(error schema_migrate: no such file: $(f)))) \
	$(if $(SM_SHAREDIR),,$(error schema_migrate: "$(PG_CONFIG) --sharedir" failed; set PG_CONFIG)))

.PHONY: all install uninstall check-migrations show-migration-set \
	sm-install-set sm-uninstall-set

# `all` first, so that a bare `make` installs nothing (and the application's
# own `all`, if it has one, stays the default goal).
all:

install: sm-install-set
uninstall: sm-uninstall-set

sm-install-set:
	@:$(sm__check_name)$(sm__check_files)
	$(SM_INSTALL) -d -m 755 '$(SM_SET_DIR)'
	$(SM_INSTALL) -m 644 $(MIGRATIONS) '$(SM_SET_DIR)/'
	@keep=' $(sm__bases) '; \
	for f in '$(SM_SET_DIR)'/* '$(SM_SET_DIR)'/.[!.]*; do \
		[ -e "$$f" ] || [ -L "$$f" ] || continue; \
		b=$${f##*/}; \
		case $$keep in *" $$b "*) continue ;; esac; \
		echo "rm -rf '$$f'   (no longer in MIGRATIONS)"; \
		rm -rf -- "$$f" || exit 1; \
	done

sm-uninstall-set:
	@:$(sm__check_name)
	rm -rf -- '$(SM_SET_DIR)'

show-migration-set:
	@:$(sm__check_name)
	@echo 'set $(MIGRATION_SET) -> $(SM_SET_DIR)'
	@echo 'files: $(sm__bases)'

check-migrations:
	@:$(sm__check_name)$(sm__check_files)
	@rc=0; \
	for f in $(MIGRATIONS); do \
		if [ ! -f "$$f" ] || [ ! -r "$$f" ]; then \
			echo "$$f: not a readable regular file" >&2; rc=1; continue; \
		fi; \
		size=$$(wc -c <"$$f"); \
		if [ "$$size" -eq 0 ]; then echo "$$f: empty" >&2; rc=1; continue; fi; \
		if [ "$$size" -gt 67108864 ]; then echo "$$f: larger than 64 MB" >&2; rc=1; continue; fi; \
		if [ "$$(tr -d '\000' <"$$f" | wc -c)" -ne "$$size" ]; then \
			echo "$$f: contains a NUL byte" >&2; rc=1; continue; \
		fi; \
		if ! iconv -f UTF-8 -t UTF-8 <"$$f" >/dev/null 2>&1; then \
			echo "$$f: not valid UTF-8" >&2; rc=1; continue; \
		fi; \
		LC_ALL=C awk -v f="$$f" ' \
			{ sub(/\r$$/, "") } \
			/^[ \t]*--[ \t]*\+[uU][pP][ \t]*$$/ { if (up) { print f ":" NR ": second -- +up"; bad = 1 } if (down) { print f ":" NR ": -- +up after -- +down"; bad = 1 } up = 1 } \
			/^[ \t]*--[ \t]*\+[dD][oO][wW][nN][ \t]*$$/ { if (down) { print f ":" NR ": second -- +down"; bad = 1 } if (!up) { print f ":" NR ": -- +down before -- +up"; bad = 1 } down = 1 } \
			END { exit bad }' "$$f" >&2 || rc=1; \
	done; \
	if [ $$rc -eq 0 ]; then echo "$(words $(MIGRATIONS)) migration files of set $(MIGRATION_SET) look fine"; fi; \
	exit $$rc
