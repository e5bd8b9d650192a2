/* consent add / list / withdraw: consent records (DOMAIN.md "Consent").
 * A kind, what it covers, the form, the date given and who took it, and
 * the date withdrawn; never deleted. Whether one is in force is the
 * core's answer (check_consent_in_force). */
#include <stdlib.h>
#include <string.h>

#include "needlelog/clinical.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "out.h"

/* --date as a date, or today when not given (NULL until the file opens). */
static int date_opt(struct cli *c, char out[11], struct nl_err *err)
{
	const char *s = cli_str(c, "date");

	out[0] = '\0';
	return s ? nl_parse_date("--date", s, out, err) : NL_OK;
}

/* ---- add ------------------------------------------------------------------ */

static int run_add(struct cli *c, struct nl_err *err)
{
	struct nl_consent in = { 0 };
	char given[11] = "";
	int64_t id = 0;
	int rc = cli_id(c, "patient", &in.patient_id, err);

	if (rc == NL_OK && (!in.patient_id || !cli_str(c, "kind")))
		return cli_usage(c, err, "--patient ID and --kind KIND are required");
	if (rc == NL_OK)
		rc = date_opt(c, given, err);
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc != NL_OK)
		return rc;
	if (!given[0])
		snprintf(given, sizeof(given), "%s", record_today(c->rec));
	in.kind = (char *)cli_str(c, "kind");
	in.covers = (char *)cli_str(c, "covers");
	in.form = (char *)cli_str(c, "form");
	in.given = given;
	in.taken_by = (char *)cli_practitioner(c);
	rc = record_consent_add(c->rec, &in, &id, err);
	if (rc == NL_OK)
		printf("%lld\n", (long long)id);
	return rc;
}

/* ---- list ----------------------------------------------------------------- */

static bool in_force(const struct nl_consent *k, const char *today)
{
	return check_consent_in_force(k, k->kind, k->covers, today);
}

static json_t *consent_json(const struct nl_consent *k, const char *today)
{
	return json_pack("{s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}",
		"id", (json_int_t)k->id, "patient_id", (json_int_t)k->patient_id,
		"kind", out_jstr(k->kind), "covers", out_jstr(k->covers),
		"form", out_jstr(k->form), "given", out_jstr(k->given),
		"taken_by", out_jstr(k->taken_by), "withdrawn", out_jstr(k->withdrawn),
		"withdrawn_by", out_jstr(k->withdrawn_by), "created_at", out_jstr(k->created_at),
		"in_force", in_force(k, today));
}

static int list_json(const struct nl_consent *v, size_t n, const char *today,
		     struct nl_err *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, consent_json(&v[i], today));
	if (!a)
		return nl_error(err, NL_ENOMEM, "out of memory");
	return out_json_print(a, err);
}

static int list_table(struct cli *c, const struct nl_consent *v, size_t n,
		      enum out_format fmt, const char *today, struct nl_err *err)
{
	static const char *const head[] = { "ID", "KIND", "COVERS", "FORM", "GIVEN", "TAKEN BY",
					    "WITHDRAWN", "WITHDRAWN BY", "IN FORCE" };
	struct out_table t;
	int rc = NL_OK;

	out_table_init(&t, head, 9);
	t.right = 1u;
	for (size_t i = 0; i < n && rc == NL_OK; i++) {
		char id[24];

		snprintf(id, sizeof(id), "%lld", (long long)v[i].id);
		if (out_table_row(&t, (const char *const[]){ id, v[i].kind,
				v[i].covers ? v[i].covers : "all", v[i].form, v[i].given,
				v[i].taken_by, v[i].withdrawn, v[i].withdrawn_by,
				in_force(&v[i], today) ? "yes" : "no" }) != 0)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	}
	if (rc == NL_OK && fmt == OUT_TEXT && n == 0)
		puts("(no consent on file: record one with `needlelog consent add`)");
	else if (rc == NL_OK)
		rc = out_table_print(&t, stdout, fmt, cli_flag(c, "bom"), err);
	out_table_free(&t);
	return rc;
}

static int run_list(struct cli *c, struct nl_err *err)
{
	struct nl_consent *v = NULL;
	enum out_format fmt = OUT_TEXT;
	int64_t pid = 0;
	size_t n = 0;
	int rc = cli_id(c, "patient", &pid, err);

	if (rc == NL_OK && !pid)
		return cli_usage(c, err, "--patient ID is required");
	if (rc == NL_OK)
		rc = out_format(c, OUT_TEXT | OUT_CSV | OUT_JSON, &fmt, err);
	if (rc == NL_OK && fmt != OUT_CSV && cli_flag(c, "bom"))
		rc = cli_usage(c, err, "--bom goes with --format csv");
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = record_consent_list(c->rec, pid, &v, &n, err);
	if (rc == NL_OK)
		rc = fmt == OUT_JSON ? list_json(v, n, record_today(c->rec), err)
				     : list_table(c, v, n, fmt, record_today(c->rec), err);
	record_consent_list_free(v, n);
	return rc;
}

/* ---- withdraw -------------------------------------------------------------- */

static int run_withdraw(struct cli *c, struct nl_err *err)
{
	char date[11] = "";
	int64_t id = 0;
	int rc = cli_arg_id(c, 0, "consent", &id, err);

	if (rc == NL_OK)
		rc = date_opt(c, date, err);
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK && !date[0])
		snprintf(date, sizeof(date), "%s", record_today(c->rec));
	if (rc == NL_OK)
		rc = record_consent_withdraw(c->rec, id, date, cli_practitioner(c), err);
	if (rc == NL_OK)
		printf("Consent #%lld withdrawn on %s; it stays on file and no longer covers "
		       "anything from that day\n", (long long)id, date);
	return rc;
}

/* ---- the table ------------------------------------------------------------ */

static const struct cli_opt add_opts[] = {
	{ "patient", "ID", 0, "the patient (required)" },
	{ "kind", "KIND", 0, "treatment, photography-clinical or\n"
	  "photography-publication (required)" },
	{ "covers", "INDICATION", 0, "the indication it covers (see `needlelog\n"
	  "vocab`), or all (the default)" },
	{ "form", "TEXT", 0, "the form's name and version" },
	{ "date", "DATE", 0, "the date it was given (default today)" },
	{ "practitioner", "NAME", 0, "who took it (else $NEEDLELOG_PRACTITIONER,\n"
	  "else $USER)" },
	CLI_OPT_TODAY("the day dates are checked against"),
	{ 0 },
};

static const struct cli_opt list_opts[] = {
	{ "patient", "ID", 0, "the patient (required)" },
	OUT_OPT_FORMAT("text (default), csv or json"),
	OUT_OPT_BOM,
	CLI_OPT_TODAY("the day 'in force' is judged on"),
	{ 0 },
};

static const struct cli_opt withdraw_opts[] = {
	{ "date", "DATE", 0, "the day it is withdrawn (default today)" },
	CLI_OPT_PRACTITIONER,
	CLI_OPT_TODAY("the day dates are checked against"),
	{ 0 },
};

const struct cli_command cli_consent_commands[] = {
	{ "consent", "add", NULL, 0, 0,
	  "Record a patient's consent and print its id.\n"
	  "Needs --patient ID and --kind KIND. A session warns when no treatment\n"
	  "consent in force covers its series' indication. The date given cannot\n"
	  "be after today or before the date of birth (exit 65, nothing written).",
	  add_opts, run_add },
	{ "consent", "list", NULL, 0, 0,
	  "List a patient's consent records.\n"
	  "Every record, withdrawn ones too, by the date given, each with whether it\n"
	  "is in force today (given on or before today, not withdrawn by today).",
	  list_opts, run_list },
	{ "consent", "withdraw", "ID", 1, 1,
	  "Withdraw a consent (never deleted).\n"
	  "From DATE on it is no longer in force; the record stays, and the\n"
	  "withdrawal is audited. A consent is withdrawn once.",
	  withdraw_opts, run_withdraw },
	{ 0 },
};
