# mk/install.mk -- install rules for the client-side files of schema_migrate:
#   bin/sm-new, bin/sm-fleet          -> $(bindir)            (PGXS SCRIPTS)
#   mk/schema_migrate_set.mk          -> $(datadir)/schema_migrate/
#                                        (= $(pg_config --sharedir)/schema_migrate,
#                                        next to the sets it installs)
#
# Include it from the main Makefile BEFORE `include $(PGXS)`: PGXS reads
# SCRIPTS with ifdef while it is parsed.  It declares `all` first so that it
# does not become the default goal.

all:

SCRIPTS += bin/sm-new bin/sm-fleet bin/sm-alembic

SM_SET_FRAGMENT = mk/schema_migrate_set.mk
SM_FRAGMENT_DIR = $(DESTDIR)$(datadir)/schema_migrate

install: install-set-fragment
uninstall: uninstall-set-fragment uninstall-sm-scripts

install-set-fragment:
	$(MKDIR_P) '$(SM_FRAGMENT_DIR)'
	$(INSTALL_DATA) $(srcdir)/$(SM_SET_FRAGMENT) '$(SM_FRAGMENT_DIR)/'

uninstall-set-fragment:
	rm -f '$(SM_FRAGMENT_DIR)/$(notdir $(SM_SET_FRAGMENT))'

# PGXS's own uninstall removes $(bindir)/bin/sm-new (SCRIPTS keeps its
# directory there); remove the files it really installed.
uninstall-sm-scripts:
	rm -f $(addprefix '$(DESTDIR)$(bindir)'/,$(notdir bin/sm-new bin/sm-fleet bin/sm-alembic))

.PHONY: install-set-fragment uninstall-set-fragment uninstall-sm-scripts
