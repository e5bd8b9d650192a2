/* trace --lot LOT: a manufacturer's batch advisory answered in one query
 * (record_trace_lot): every patient, session and date that used the lot,
 * on a cartridge or a product, plus old records naming it in free text. */
#include <stdlib.h>
#include <string.h>

#include "needlelog/clinical.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "out.h"

static const char *state_word(const struct nl_trace_row *r)
{
	return r->voided ? "voided" : r->is_signed ? "signed" : "unsigned";
}

static json_t *row_json(const struct nl_trace_row *r)
{
	return json_pack("{s:I,s:o,s:o,s:I,s:I,s:s,s:o,s:o,s:o,s:o,s:b,s:b}",
		"patient_id", (json_int_t)r->patient_id, "patient_name", out_jstr(r->patient_name),
		"phone", out_jstr(r->phone), "series_id", (json_int_t)r->series_id,
		"session_id", (json_int_t)r->session_id, "date", r->date,
		"what", out_jstr(r->what), "item", out_jstr(r->item), "lot", out_jstr(r->lot),
		"expiry", out_jstr(r->expiry), "signed", r->is_signed, "voided", r->voided);
}

static int trace_json(const struct nl_trace_row *rows, size_t n, struct nl_err *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, row_json(&rows[i]));
	if (!a)
		return nl_error(err, NL_ENOMEM, "out of memory");
	return out_json_print(a, err);
}

static int trace_row(struct out_table *t, const struct nl_trace_row *r)
{
	char pid[24], sid[24], ses[24];

	snprintf(pid, sizeof(pid), "%lld", (long long)r->patient_id);
	snprintf(sid, sizeof(sid), "%lld", (long long)r->series_id);
	snprintf(ses, sizeof(ses), "%lld", (long long)r->session_id);
	return out_table_row(t, (const char *const[]){ pid, r->patient_name, r->phone, sid, ses,
		r->date, r->what, r->item, r->lot, r->expiry, state_word(r) });
}

static int trace_table(struct cli *c, const char *lot, const struct nl_trace_row *rows,
		       size_t n, enum out_format fmt, struct nl_err *err)
{
	static const char *const head[] = { "PATIENT", "NAME", "PHONE", "SERIES", "SESSION",
					    "DATE", "WHAT", "ITEM", "LOT", "EXPIRY", "STATE" };
	struct out_table t;
	size_t text = 0;
	int rc = NL_OK;

	out_table_init(&t, head, 11);
	t.right = 1u | (1u << 3) | (1u << 4);
	for (size_t i = 0; i < n && rc == NL_OK; i++) {
		text += rows[i].what && !strcmp(rows[i].what, "text");
		if (trace_row(&t, &rows[i]) != 0)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	}
	if (rc == NL_OK && fmt == OUT_TEXT && n == 0)
		out_line(stdout, "No session used lot %s", lot);
	else if (rc == NL_OK)
		rc = out_table_print(&t, stdout, fmt, cli_flag(c, "bom"), err);
	if (rc == NL_OK && fmt == OUT_TEXT && n)
		printf("%zu use%s of the lot%s\n", n, n == 1 ? "" : "s",
		       text ? "; rows marked 'text' name it in free text: check them by hand" : "");
	out_table_free(&t);
	return rc;
}

static int run_trace(struct cli *c, struct nl_err *err)
{
	struct nl_trace_row *rows = NULL;
	const char *lot = cli_str(c, "lot");
	enum out_format fmt = OUT_TEXT;
	size_t n = 0;
	int rc;

	if (!lot || !*lot)
		return cli_usage(c, err, "--lot LOT is required");
	rc = out_format(c, OUT_TEXT | OUT_CSV | OUT_JSON, &fmt, err);
	if (rc == NL_OK && fmt != OUT_CSV && cli_flag(c, "bom"))
		rc = cli_usage(c, err, "--bom goes with --format csv");
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = record_trace_lot(c->rec, lot, &rows, &n, err);
	if (rc == NL_OK)
		rc = fmt == OUT_JSON ? trace_json(rows, n, err)
				     : trace_table(c, lot, rows, n, fmt, err);
	record_trace_free(rows, n);
	return rc;
}

static const struct cli_opt trace_opts[] = {
	{ "lot", "LOT", 0, "the lot number of the advisory (required; case\n"
	  "and blanks around it ignored)" },
	OUT_OPT_FORMAT("text (default), csv or json"),
	OUT_OPT_BOM,
	{ 0 },
};

const struct cli_command cli_trace_commands[] = {
	{ NULL, "trace", NULL, 0, 0,
	  "Find every use of a lot (a batch advisory).\n"
	  "Every patient, with their phone, series, session and date that used the\n"
	  "lot on a needle cartridge or a product, as recorded or as amended, by\n"
	  "date; voided sessions too, marked. Sessions that name the lot only in\n"
	  "free text (device, notes: older records) are listed as 'text', to check\n"
	  "by hand.",
	  trace_opts, run_trace },
	{ 0 },
};
