#include "formats/formats.h"
Migration **
fmt_read_sqitch(const SmFiles *f, int *n_out)
{
	*n_out = 0;
	return NULL;
}
