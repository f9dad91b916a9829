/*-------------------------------------------------------------------------
 *
 * sm_spi.c
 *	  SPI calls checked one way: connecting, and the result code of a
 *	  query the extension runs for itself.  A failure here is a bug or a
 *	  broken installation, never the user's SQL (which keeps its own error).
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "executor/spi.h"

void
sm_spi_connect(bool nonatomic)
{
	int			rc = nonatomic ? SPI_connect_ext(SPI_OPT_NONATOMIC) : SPI_connect();

	if (rc != SPI_OK_CONNECT)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("schema_migrate could not connect to SPI: %s",
						SPI_result_code_string(rc))));
}

/* rc is what an SPI_execute* call returned; what says what it was for. */
void
sm_spi_check(int rc, const char *what)
{
	if (rc < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("schema_migrate: %s failed: %s", what,
						SPI_result_code_string(rc))));
}
