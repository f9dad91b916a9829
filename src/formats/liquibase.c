#include "formats/formats_b.h"
Migration **
fmt_read_liquibase(const SmFiles *f, int *n_out)
{
	sm_fail(f->env, SM_ERR_MALFORMED, NULL, 0, NULL, NULL, "Liquibase: not yet");
	*n_out = 0;
	return NULL;
}
