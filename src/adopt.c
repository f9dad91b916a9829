#include "schema_migrate.h"
