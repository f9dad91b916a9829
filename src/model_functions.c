/*-------------------------------------------------------------------------
 *
 * model_functions.c
 *	  SQL surface of the schema model that needs no scratch database:
 *	  sm_schema_model() (this database's model, serialized) and
 *	  sm_diff_models(from, to) (the differ between two serialized models).
 *
 * With these two, two databases can be compared by hand or in tests:
 * read the model in each, then diff them anywhere.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "utils/guc.h"

#include "model_functions.h"
#include "schema_model.h"
#include "sql_call.h"

const SmDiffOptions *
model_diff_options(void)
{
	static SmDiffOptions opts;

	opts.keep_column_order = sm_diff_keep_column_order;
	return &opts;
}

PG_FUNCTION_INFO_V1(sm_schema_model);
PG_FUNCTION_INFO_V1(sm_diff_models);

Datum
sm_schema_model(PG_FUNCTION_ARGS)
{
	SmSchemaModel *m;
	char	   *data;
	size_t		len;

	sm_spi_connect(false);
	m = model_read_catalogs(sm_server_env());
	data = model_serialize(sm_server_env(), m, &len);
	PG_RETURN_TEXT_P(call_finish_textn(data, len));
}

static SmSchemaModel *
model_arg(FunctionCallInfo fcinfo, int n, const char *name)
{
	text	   *t;

	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name),
				 errhint("Pass a model returned by sm_schema_model().")));
	t = PG_GETARG_TEXT_PP(n);
	return model_deserialize(sm_server_env(), VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

Datum
sm_diff_models(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SmSchemaModel *from = model_arg(fcinfo, 0, "from_model");
	SmSchemaModel *to = model_arg(fcinfo, 1, "to_model");
	SmDiff	   *diff;

	InitMaterializedSRF(fcinfo, 0);
	diff = diff_models_opts(sm_server_env(), from, to, model_diff_options());
	for (int i = 0; i < diff->n; i++)
	{
		const SmDiffStep *s = &diff->steps[i];
		Datum		v[5];
		bool		nulls[5] = {false, false, false, false, false};
		const char *names[8];
		int			nh = diff_hazard_names(s->hazards, names, 8);
		Datum	   *hz = palloc(sizeof(Datum) * (nh + 1));

		for (int k = 0; k < nh; k++)
			hz[k] = CStringGetTextDatum(names[k]);
		v[0] = Int32GetDatum(s->step);
		v[1] = CStringGetTextDatum(s->statement);
		v[2] = CStringGetTextDatum(s->object_type);
		v[3] = CStringGetTextDatum(s->object_name);
		v[4] = PointerGetDatum(construct_array(hz, nh, TEXTOID, -1, false, TYPALIGN_INT));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	return (Datum) 0;
}
