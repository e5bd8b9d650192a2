/* patient add / list / show / edit / archive. Values are parsed and checked
 * by the core (value.h, check.h); this file maps options to them and shows
 * the result through out.h. */
#include <stdlib.h>
#include <string.h>

#include "needlelog/check.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "needlelog/value.h"
#include "needlelog/vocab.h"
#include "out.h"

/* ---- add / edit -------------------------------------------------------- */

/* The options that set a patient field, by the name value_patient_set
 * takes; --flag, --end-flag and --remove-flag are applied by value.h too. */
static const char *const field_opts[] = {
	"name", "dob", "phone", "email", "skin-type", "allergies", "medications",
	"consent", "notes",
};

static bool is_field(const char *opt)
{
	for (size_t i = 0; i < sizeof(field_opts) / sizeof(field_opts[0]); i++)
		if (strcmp(opt, field_opts[i]) == 0)
			return true;
	return false;
}

static bool changes_patient(const char *opt)
{
	return is_field(opt) || strcmp(opt, "flag") == 0 || strcmp(opt, "end-flag") == 0 ||
	       strcmp(opt, "remove-flag") == 0;
}

static size_t count_changes(const struct cli *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nvals; i++)
		n += changes_patient(c->vals[i].opt->name);
	return n;
}

/* The field options applied to p in the order given (a flag added and then
 * removed is gone); today is the default end date of --end-flag. */
static int apply_opts(const struct cli *c, struct nl_patient *p, const char *today,
		      struct nl_err *err)
{
	int rc = NL_OK;

	for (size_t i = 0; i < c->nvals && rc == NL_OK; i++) {
		const char *opt = c->vals[i].opt->name, *v = c->vals[i].value;

		if (strcmp(opt, "flag") == 0)
			rc = value_flag_add(p, v, err);
		else if (strcmp(opt, "end-flag") == 0)
			rc = value_flag_end(p, v, today, err);
		else if (strcmp(opt, "remove-flag") == 0)
			rc = value_flag_remove(p, v, err);
		else if (is_field(opt))
			rc = value_patient_set(p, opt, v, err);
	}
	return rc;
}

static int run_add(struct cli *c, struct nl_err *err)
{
	struct nl_patient p = { 0 };
	int64_t id = 0;
	int rc = apply_opts(c, &p, NULL, err);

	if (rc == NL_OK && !p.name)
		rc = cli_usage(c, err, "--name is required");
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = record_patient_add(c->rec, &p, &id, err);
	if (rc == NL_OK)
		printf("%lld\n", (long long)id);
	record_patient_free(&p);
	return rc;
}

static int run_edit(struct cli *c, struct nl_err *err)
{
	struct nl_patient p = { 0 };
	int64_t id;
	int rc = cli_arg_id(c, 0, "patient", &id, err);

	if (rc == NL_OK && count_changes(c) == 0)
		rc = cli_usage(c, err, "nothing to change: give at least one field");
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = record_patient_get(c->rec, id, &p, err);
	if (rc == NL_OK)
		rc = apply_opts(c, &p, record_today(c->rec), err);
	if (rc == NL_OK)
		rc = record_patient_edit(c->rec, &p, err);
	if (rc == NL_OK)
		printf("Patient #%lld updated\n", (long long)id);
	record_patient_free(&p);
	return rc;
}

static int run_archive(struct cli *c, struct nl_err *err)
{
	bool undo = cli_flag(c, "undo");
	int64_t id;
	int rc = cli_arg_id(c, 0, "patient", &id, err);

	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = record_patient_archive(c->rec, id, !undo, err);
	if (rc != NL_OK)
		return rc;
	if (undo)
		printf("Patient #%lld restored\n", (long long)id);
	else
		printf("Patient #%lld archived (restore with `needlelog patient archive %lld --undo`)\n",
		       (long long)id, (long long)id);
	return NL_OK;
}

/* ---- list ---------------------------------------------------------------- */

static json_t *summary_json(const struct nl_patient_summary *r)
{
	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:b,s:I,s:I,s:o,s:o,s:i,s:i,s:o}",
		"id", (json_int_t)r->id, "name", out_jstr(r->name), "dob", out_jstr(r->dob),
		"phone", out_jstr(r->phone),
		"skin_type", r->skin_type ? json_string(vocab_fitzpatrick_label(r->skin_type))
					  : json_null(),
		"archived", r->archived, "flags", (json_int_t)r->nflags,
		"active_series", (json_int_t)r->active_series,
		"series_id", r->series_id ? json_integer(r->series_id) : json_null(),
		"indication", out_jstr(r->indication), "done", r->done,
		"planned", r->planned, "next_due", out_jstr(r->next_due[0] ? r->next_due : NULL));
}

static int list_json(const struct nl_patient_summary *rows, size_t n, struct nl_err *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, summary_json(&rows[i]));
	if (!a)
		return nl_error(err, NL_ENOMEM, "out of memory");
	return out_json_print(a, err);
}

static int list_row(struct out_table *t, const struct nl_patient_summary *r)
{
	char id[24], flags[24], done[32] = "";

	snprintf(id, sizeof(id), "%lld", (long long)r->id);
	snprintf(flags, sizeof(flags), "%zu", r->nflags);
	if (r->series_id)
		snprintf(done, sizeof(done), "%d/%d", r->done, r->planned);
	return out_table_row(t, (const char *const[]){ id, r->name, r->dob, r->phone,
		vocab_fitzpatrick_label(r->skin_type), flags, r->indication, done,
		r->next_due, r->archived ? "yes" : "" });
}

static int print_list(const struct nl_patient_summary *rows, size_t n,
		      enum out_format fmt, bool all, bool bom, struct nl_err *err)
{
	static const char *const head[] = { "ID", "NAME", "DOB", "PHONE", "SKIN", "FLAGS",
					    "SERIES", "DONE", "NEXT DUE", "ARCHIVED" };
	struct out_table t;
	int rc = NL_OK;

	if (fmt == OUT_JSON)
		return list_json(rows, n, err);
	out_table_init(&t, head, all || fmt == OUT_CSV ? 10 : 9);
	t.right = 1u | (1u << 5);
	for (size_t i = 0; i < n && rc == NL_OK; i++)
		if (list_row(&t, &rows[i]) != 0)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	if (rc == NL_OK)
		rc = out_table_print(&t, stdout, fmt, bom, err);
	out_table_free(&t);
	if (rc == NL_OK && fmt == OUT_TEXT && n == 0)
		fputs("(no patients)\n", stdout);
	return rc;
}

static int run_list(struct cli *c, struct nl_err *err)
{
	struct nl_patient_summary *rows = NULL;
	enum out_format fmt = OUT_TEXT;
	char shown[NL_QUOTE_BUF];
	size_t n = 0;
	int rc;

	if (c->nargs > 0)
		return cli_usage(c, err, "unexpected argument '%s' (search with --search TEXT)",
				 nl_quote_value(c->args[0], shown, sizeof(shown)));
	rc = out_format(c, OUT_TEXT | OUT_CSV | OUT_JSON, &fmt, err);
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = record_patient_list(c->rec, cli_str(c, "search"), cli_flag(c, "all"), &rows,
					 &n, err);
	if (rc == NL_OK)
		rc = print_list(rows, n, fmt, cli_flag(c, "all"), cli_flag(c, "bom"), err);
	record_patient_list_free(rows, n);
	return rc;
}

/* ---- show ---------------------------------------------------------------- */

/* What show gathers: the patient, their series and each one's progress. */
struct show {
	struct nl_patient p;
	const char *today;       /* record_today: the day flags are judged on */
	struct nl_series *sr;
	size_t nsr;
	struct nl_progress *prog;
	bool *prog_ok;
};

static int show_load(struct cli *c, int64_t id, struct show *s, struct nl_err *err)
{
	int rc = record_patient_get(c->rec, id, &s->p, err);

	s->today = record_today(c->rec);
	if (rc == NL_OK)
		rc = record_series_list(c->rec, id, &s->sr, &s->nsr, err);
	if (rc == NL_OK && s->nsr && (!(s->prog = calloc(s->nsr, sizeof(*s->prog))) ||
				      !(s->prog_ok = calloc(s->nsr, sizeof(*s->prog_ok)))))
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	/* A series whose progress cannot be worked out still shows, with "?". */
	for (size_t i = 0; rc == NL_OK && i < s->nsr; i++)
		s->prog_ok[i] = progress_series(c->rec, s->sr[i].id, s->today, &s->prog[i],
						NULL) == NL_OK;
	return rc;
}

static void show_free(struct show *s)
{
	for (size_t i = 0; s->prog_ok && i < s->nsr; i++)
		if (s->prog_ok[i])
			progress_free(&s->prog[i]);
	free(s->prog);
	free(s->prog_ok);
	record_series_list_free(s->sr, s->nsr);
	record_patient_free(&s->p);
}

static json_t *flags_json(const struct nl_patient *p, const char *today, json_t *warnings)
{
	json_t *flags = json_array();

	for (size_t i = 0; flags && i < p->nflags; i++) {
		const struct nl_flag *f = &p->flags[i];
		char until[11];
		bool force = check_flag_in_force(f, today, until);

		json_array_append_new(flags, json_pack("{s:o,s:o,s:o,s:o,s:b,s:o}",
			"code", out_jstr(f->code), "date", out_jstr(f->date),
			"end_date", out_jstr(f->end_date), "note", out_jstr(f->note),
			"in_force", force, "until", out_jstr(until[0] ? until : NULL)));
		if (force)
			json_array_append_new(warnings, json_pack("{s:s,s:o}", "code",
				CHECK_W_FLAG, "flag", out_jstr(f->code)));
	}
	return flags;
}

static json_t *series_json(const struct show *s)
{
	json_t *series = json_array();

	for (size_t i = 0; series && i < s->nsr; i++) {
		const struct nl_series *sr = &s->sr[i];
		json_t *js = json_pack("{s:I,s:o,s:o,s:i,s:i,s:o,s:o}", "id", (json_int_t)sr->id,
			"indication", out_jstr(sr->indication), "status", out_jstr(sr->status),
			"planned", sr->planned, "interval_days", sr->interval_days,
			"start_date", out_jstr(sr->start_date), "goal", out_jstr(sr->goal));

		if (js && s->prog_ok[i]) {
			const struct nl_progress *pr = &s->prog[i];

			out_jset(js, "done", json_integer(pr->done));
			out_jset(js, "next_due", out_jstr(pr->next_due[0] ? pr->next_due : NULL));
			out_jset(js, "due", json_string(progress_due_name(pr->due)));
		}
		json_array_append_new(series, js);
	}
	return series;
}

static void profile_json(json_t *o, const struct nl_patient *p)
{
	out_jset(o, "id", json_integer(p->id));
	out_jset(o, "name", out_jstr(p->name));
	out_jset(o, "dob", out_jstr(p->dob));
	out_jset(o, "phone", out_jstr(p->phone));
	out_jset(o, "email", out_jstr(p->email));
	out_jset(o, "skin_type", p->skin_type ? json_string(vocab_fitzpatrick_label(p->skin_type))
					      : json_null());
	out_jset(o, "allergies", out_jstr(p->allergies));
	out_jset(o, "medications", out_jstr(p->medications));
	out_jset(o, "consent_date", out_jstr(p->consent_date));
	out_jset(o, "notes", out_jstr(p->notes));
	out_jset(o, "archived", json_boolean(p->archived));
	out_jset(o, "archived_at", out_jstr(p->archived_at));
	out_jset(o, "created_at", out_jstr(p->created_at));
	out_jset(o, "updated_at", out_jstr(p->updated_at));
}

static int show_json(const struct show *s, struct nl_err *err)
{
	json_t *o = json_object(), *warnings = json_array(), *flags;

	if (!o || !warnings) {
		json_decref(o);
		json_decref(warnings);
		return nl_error(err, NL_ENOMEM, "out of memory");
	}
	profile_json(o, &s->p);
	flags = flags_json(&s->p, s->today, warnings);
	if (!s->p.consent_date)
		json_array_append_new(warnings, json_pack("{s:s}", "code", CHECK_W_NO_CONSENT));
	out_jset(o, "flags", flags);
	out_jset(o, "warnings", warnings);
	out_jset(o, "series", series_json(s));
	return out_json_print(o, err);
}

/* "  ! isotretinoin last dose 2025-12-01 (in force until 2026-06-01): 20mg" */
static bool print_flag(const struct nl_flag *f, const char *today)
{
	const struct vocab_flag *vf = vocab_flag_find(f->code);
	char until[11];
	bool force = check_flag_in_force(f, today, until);

	printf("  %s ", force ? "!" : " ");
	out_text(stdout, f->code);
	if (f->date) {
		printf(" %s ", vf && vf->hint ? vf->hint : "since");
		out_text(stdout, f->date);
	}
	if (f->end_date) {
		fputs(", ended ", stdout);
		out_text(stdout, f->end_date);
	}
	if (force && until[0])
		printf(" (in force until %s)", until);
	else if (!force)
		fputs(" (no longer in force)", stdout);
	if (f->note) {
		fputs(": ", stdout);
		out_text(stdout, f->note);
	}
	putchar('\n');
	return force;
}

/* The flags, marking those in force on today; returns how many are. */
static size_t print_flags(const struct nl_patient *p, const char *today)
{
	size_t nforce = 0;

	if (!p->nflags) {
		puts("Contraindications: none recorded");
		return 0;
	}
	puts("Contraindications:");
	for (size_t i = 0; i < p->nflags; i++)
		nforce += print_flag(&p->flags[i], today);
	return nforce;
}

static void print_profile(const struct nl_patient *p)
{
	printf("Patient #%lld  ", (long long)p->id);
	out_text(stdout, p->name);
	if (p->archived) {
		fputs("  [archived ", stdout);
		out_text(stdout, p->archived_at);
		fputc(']', stdout);
	}
	putchar('\n');
	out_field(stdout, 2, "Date of birth:", p->dob);
	out_field(stdout, 2, "Phone:", p->phone);
	out_field(stdout, 2, "Email:", p->email);
	if (p->skin_type)
		printf("  %-14s Fitzpatrick %s\n", "Skin type:",
		       vocab_fitzpatrick_label(p->skin_type));
	out_field(stdout, 2, "Consent:", p->consent_date ? p->consent_date : "none on file");
	out_field(stdout, 2, "Allergies:", p->allergies);
	out_field(stdout, 2, "Medications:", p->medications);
	out_field(stdout, 2, "Notes:", p->notes);
}

static void print_warnings(const struct nl_patient *p, size_t nforce)
{
	if (!nforce && p->consent_date)
		return;
	puts("Warnings:");
	if (nforce)
		printf("  %zu contraindication%s in force (marked !): sessions will be flagged\n",
		       nforce, nforce == 1 ? "" : "s");
	if (!p->consent_date)
		puts("  no consent date on file: record it with `needlelog patient edit ID --consent DATE`");
}

static int series_row(struct out_table *t, const struct nl_series *sr,
		      const struct nl_progress *pr)
{
	char id[24], done[32] = "?", every[24], due[40] = "";

	snprintf(id, sizeof(id), "%lld", (long long)sr->id);
	snprintf(every, sizeof(every), "%d d", sr->interval_days);
	if (pr) {
		snprintf(done, sizeof(done), "%d/%d", pr->done, pr->planned);
		if (pr->due == PROGRESS_OVERDUE || pr->due == PROGRESS_DUE)
			snprintf(due, sizeof(due), "%s", progress_due_name(pr->due));
	}
	return out_table_row(t, (const char *const[]){ id, sr->indication, sr->status, done,
		every, sr->start_date, pr ? pr->next_due : "", due });
}

static int print_series(const struct show *s, struct nl_err *err)
{
	static const char *const head[] = { "SERIES", "INDICATION", "STATUS", "DONE",
					    "EVERY", "STARTED", "NEXT DUE", "" };
	struct out_table t;
	int rc = NL_OK;

	if (!s->nsr) {
		puts("Series: none yet (plan one with `needlelog series add`)");
		return NL_OK;
	}
	puts("Series:");
	out_table_init(&t, head, 8);
	for (size_t i = 0; i < s->nsr && rc == NL_OK; i++)
		if (series_row(&t, &s->sr[i], s->prog_ok[i] ? &s->prog[i] : NULL) != 0)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	if (rc == NL_OK)
		rc = out_table_print(&t, stdout, OUT_TEXT, false, err);
	out_table_free(&t);
	return rc;
}

static int show_text(const struct show *s, struct nl_err *err)
{
	print_profile(&s->p);
	print_warnings(&s->p, print_flags(&s->p, s->today));
	return print_series(s, err);
}

static int run_show(struct cli *c, struct nl_err *err)
{
	struct show s = { 0 };
	enum out_format fmt = OUT_TEXT;
	int64_t id;
	int rc = cli_arg_id(c, 0, "patient", &id, err);

	if (rc == NL_OK)
		rc = out_format(c, OUT_TEXT | OUT_JSON, &fmt, err);
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = show_load(c, id, &s, err);
	if (rc == NL_OK)
		rc = fmt == OUT_JSON ? show_json(&s, err) : show_text(&s, err);
	show_free(&s);
	return rc;
}

/* ---- the table ----------------------------------------------------------- */

/* The fields of add and edit. */
#define PATIENT_FIELD_OPTS \
	{ "name", "NAME", 0, "the patient's name (UTF-8)" }, \
	{ "dob", "DATE", 0, "date of birth, YYYY-MM-DD" }, \
	{ "phone", "PHONE", 0, "digits, spaces and + - ( ) . /" }, \
	{ "email", "EMAIL", 0, "an email address" }, \
	{ "skin-type", "TYPE", 0, "Fitzpatrick I, II, III, IV, V or VI" }, \
	{ "flag", "CODE[:DATE[:NOTE]]", CLI_REPEAT, "a contraindication (see `needlelog vocab`);\n" \
	  "DATE is e.g. isotretinoin's last dose" }, \
	{ "allergies", "TEXT", 0, "allergies, free text" }, \
	{ "medications", "TEXT", 0, "current medications, free text" }, \
	{ "consent", "DATE", 0, "the date written consent was given" }, \
	{ "notes", "TEXT", 0, "notes, free text" }, \
	CLI_OPT_PRACTITIONER

static const struct cli_opt add_opts[] = {
	PATIENT_FIELD_OPTS,
	CLI_OPT_TODAY("the day dates are checked against"),
	{ 0 },
};

static const struct cli_opt edit_opts[] = {
	PATIENT_FIELD_OPTS,
	{ "end-flag", "CODE[:DATE]", CLI_REPEAT, "the flag stops applying on DATE (default\n"
	  "today); it stays on file" },
	{ "remove-flag", "CODE", CLI_REPEAT, "take off a flag entered in error\n"
	  "(audited)" },
	CLI_OPT_TODAY("the default --end-flag date, and the day dates\n"
		      "are checked against"),
	{ 0 },
};

static const struct cli_opt list_opts[] = {
	{ "search", "TEXT", 0, "part of the name (any case, accents ignored), of\n"
	  "the date of birth, the phone's digits, or the id (#12)" },
	{ "all", NULL, 0, "include archived patients" },
	OUT_OPT_FORMAT("text (default), csv (RFC 4180) or json"),
	OUT_OPT_BOM,
	{ 0 },
};

static const struct cli_opt show_opts[] = {
	OUT_OPT_FORMAT("text (default) or json"),
	CLI_OPT_TODAY("the day to judge flags and due dates against"),
	{ 0 },
};

static const struct cli_opt archive_opts[] = {
	{ "undo", NULL, 0, "restore an archived patient" },
	CLI_OPT_PRACTITIONER,
	{ 0 },
};

const struct cli_command cli_patient_commands[] = {
	{ "patient", "add", NULL, 0, 0,
	  "Add a patient and print the new patient's id.\n"
	  "Only --name is required.", add_opts, run_add },
	{ "patient", "list", NULL, 0, 1,
	  "List patients, one line each.\n"
	  "By name, with the active series due soonest and its next due date.",
	  list_opts, run_list },
	{ "patient", "show", "ID", 1, 1,
	  "Show a patient.\n"
	  "The profile, contraindications in force, warnings and series.",
	  show_opts, run_show },
	{ "patient", "edit", "ID", 1, 1,
	  "Change a patient's profile.\n"
	  "Only the fields given change; an empty value (--notes '') clears a field.\n"
	  "Every change is audited with old and new values.", edit_opts, run_edit },
	{ "patient", "archive", "ID", 1, 1,
	  "Archive a patient (never deleted), or restore one.\n"
	  "Archived patients leave the list; every record stays readable.\n"
	  "--undo restores the patient.", archive_opts, run_archive },
	{ 0 },
};
