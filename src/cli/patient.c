/* patient add / list / show / edit / archive. Values are parsed and checked
 * by the core (value.h, check.h); this file maps options to them and shows
 * the result through out.h. */
#include <stdlib.h>
#include <string.h>

#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "needlelog/value.h"
#include "needlelog/vocab.h"
#include "out.h"

/* ---- add / edit -------------------------------------------------------- */

/* The options that set a patient field, by the name value_patient_set
 * takes; the list options below are applied by value.h and clinical.h. */
static const char *const field_opts[] = {
	"name", "dob", "phone", "email", "skin-type", "sex", "allergies", "medications",
	"consent", "notes",
};

static bool is_field(const char *opt)
{
	for (size_t i = 0; i < sizeof(field_opts) / sizeof(field_opts[0]); i++)
		if (strcmp(opt, field_opts[i]) == 0)
			return true;
	return false;
}

/* The repeatable options that change a list: flags, allergies and
 * medications, each by the core's own parse. */
static int op_flag(struct nl_patient *p, const char *v, const char *today, struct nl_err *err)
{
	(void)today;
	return value_flag_add(p, v, err);
}

static int op_remove_flag(struct nl_patient *p, const char *v, const char *today,
			  struct nl_err *err)
{
	(void)today;
	return value_flag_remove(p, v, err);
}

static int op_allergy(struct nl_patient *p, const char *v, const char *today,
		      struct nl_err *err)
{
	(void)today;
	return clin_allergy_add(p, v, err);
}

static int op_remove_allergy(struct nl_patient *p, const char *v, const char *today,
			     struct nl_err *err)
{
	(void)today;
	return value_allergy_remove(p, v, err);
}

static int op_medication(struct nl_patient *p, const char *v, const char *today,
			 struct nl_err *err)
{
	(void)today;
	return clin_medication_add(p, v, err);
}

static int op_remove_medication(struct nl_patient *p, const char *v, const char *today,
				struct nl_err *err)
{
	(void)today;
	return value_medication_remove(p, v, err);
}

static const struct list_op {
	const char *opt;
	int (*apply)(struct nl_patient *p, const char *v, const char *today,
		     struct nl_err *err);
} list_ops[] = {
	{ "flag", op_flag },
	{ "end-flag", value_flag_end },
	{ "remove-flag", op_remove_flag },
	{ "allergy", op_allergy },
	{ "end-allergy", value_allergy_end },
	{ "remove-allergy", op_remove_allergy },
	{ "medication", op_medication },
	{ "end-medication", value_medication_stop },
	{ "remove-medication", op_remove_medication },
};

static const struct list_op *list_op_find(const char *opt)
{
	for (size_t i = 0; i < sizeof(list_ops) / sizeof(list_ops[0]); i++)
		if (strcmp(opt, list_ops[i].opt) == 0)
			return &list_ops[i];
	return NULL;
}

static size_t count_changes(const struct cli *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nvals; i++)
		n += is_field(c->vals[i].opt->name) || list_op_find(c->vals[i].opt->name);
	return n;
}

/* The field options applied to p in the order given (a flag added and then
 * removed is gone); today is the default date of --end-flag,
 * --end-allergy and --end-medication. */
static int apply_opts(const struct cli *c, struct nl_patient *p, const char *today,
		      struct nl_err *err)
{
	int rc = NL_OK;

	for (size_t i = 0; i < c->nvals && rc == NL_OK; i++) {
		const char *opt = c->vals[i].opt->name, *v = c->vals[i].value;
		const struct list_op *op = list_op_find(opt);

		if (op)
			rc = op->apply(p, v, today, err);
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

/* A row's cells (measured, then printed: the rows are in memory, so the
 * table needs no copy of 10 cells a patient). */
static int list_row(struct out_stream *s, const struct nl_patient_summary *r, bool measure,
		    struct nl_err *err)
{
	char id[24], flags[24], done[32] = "";
	const char *const cells[] = { id, r->name, r->dob, r->phone,
		vocab_fitzpatrick_label(r->skin_type), flags, r->indication, done,
		r->next_due, r->archived ? "yes" : "" };

	snprintf(id, sizeof(id), "%lld", (long long)r->id);
	snprintf(flags, sizeof(flags), "%zu", r->nflags);
	if (r->series_id)
		snprintf(done, sizeof(done), "%d/%d", r->done, r->planned);
	return measure ? out_stream_measure(s, cells, err) : out_stream_row(s, cells, err);
}

static int print_list(const struct nl_patient_summary *rows, size_t n,
		      enum out_format fmt, bool all, bool bom, struct nl_err *err)
{
	static const char *const head[] = { "ID", "NAME", "DOB", "PHONE", "SKIN", "FLAGS",
					    "SERIES", "DONE", "NEXT DUE", "ARCHIVED" };
	struct out_stream s;
	int rc;

	if (fmt == OUT_JSON)
		return list_json(rows, n, err);
	rc = out_stream_init(&s, head, all || fmt == OUT_CSV ? 10 : 9, 1u | (1u << 5), fmt,
			     stdout, bom, err);
	for (size_t i = 0; i < n && rc == NL_OK && fmt != OUT_CSV; i++)
		rc = list_row(&s, &rows[i], true, err);
	if (rc == NL_OK)
		rc = out_stream_begin(&s, err);
	for (size_t i = 0; i < n && rc == NL_OK; i++)
		rc = list_row(&s, &rows[i], false, err);
	if (rc == NL_OK)
		rc = out_stream_end(&s, err);
	out_stream_free(&s);
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

/* What show gathers: the patient, their consents, series and each one's
 * progress. Every "in force" answer is the core's (check.h, clinical.h). */
struct show {
	struct nl_patient p;
	const char *today;       /* record_today: the day flags are judged on */
	struct nl_consent *consents;
	size_t nconsents;
	struct nl_series *sr;
	size_t nsr;
	struct nl_progress *prog;
	bool *prog_ok;
	bool *sr_consent;        /* a treatment consent in force for the series */
	bool any_consent;        /* a treatment consent in force for anything */
};

static int show_consent(struct cli *c, struct show *s, struct nl_err *err)
{
	int rc = record_consent_list(c->rec, s->p.id, &s->consents, &s->nconsents, err);

	for (size_t i = 0; rc == NL_OK && i < s->nconsents; i++)
		s->any_consent |= check_consent_in_force(&s->consents[i], CLIN_CONSENT_TREATMENT,
							 s->consents[i].covers, s->today);
	for (size_t i = 0; rc == NL_OK && i < s->nsr; i++)
		rc = record_consent_in_force(c->rec, s->p.id, CLIN_CONSENT_TREATMENT,
					     s->sr[i].indication, s->today, &s->sr_consent[i],
					     NULL, err);
	return rc;
}

static int show_load(struct cli *c, int64_t id, struct show *s, struct nl_err *err)
{
	int rc = record_patient_get(c->rec, id, &s->p, err);

	s->today = record_today(c->rec);
	if (rc == NL_OK)
		rc = record_series_list(c->rec, id, &s->sr, &s->nsr, err);
	if (rc == NL_OK && s->nsr && (!(s->prog = calloc(s->nsr, sizeof(*s->prog))) ||
				      !(s->prog_ok = calloc(s->nsr, sizeof(*s->prog_ok))) ||
				      !(s->sr_consent = calloc(s->nsr, sizeof(*s->sr_consent)))))
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	/* A series whose progress cannot be worked out still shows, with "?". */
	for (size_t i = 0; rc == NL_OK && i < s->nsr; i++)
		s->prog_ok[i] = progress_series(c->rec, s->sr[i].id, s->today, &s->prog[i],
						NULL) == NL_OK;
	if (rc == NL_OK)
		rc = show_consent(c, s, err);
	return rc;
}

static void show_free(struct show *s)
{
	for (size_t i = 0; s->prog_ok && i < s->nsr; i++)
		if (s->prog_ok[i])
			progress_free(&s->prog[i]);
	free(s->prog);
	free(s->prog_ok);
	free(s->sr_consent);
	record_consent_list_free(s->consents, s->nconsents);
	record_series_list_free(s->sr, s->nsr);
	record_patient_free(&s->p);
}

/* A medication that makes a session warn when in force (check.h's rules). */
static const char *medication_warning(const struct nl_medication *m)
{
	if (!strcmp(m->code, "anticoagulant") || !strcmp(m->code, "antiplatelet"))
		return CHECK_W_BLEEDING;
	return !strcmp(m->code, "isotretinoin") ? CHECK_W_ISOTRETINOIN : NULL;
}

/* A series of this patient's that no treatment consent in force covers. */
static bool series_needs_consent(const struct show *s, size_t i)
{
	return !s->sr_consent[i] && s->sr[i].status && !strcmp(s->sr[i].status, "active");
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

static json_t *allergies_json(const struct nl_patient *p, const char *today, json_t *warnings)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < p->nallergy_list; i++) {
		const struct nl_allergy *al = &p->allergy_list[i];
		const struct clin_code *cc = clin_find(clin_allergens, clin_allergen_count, al->code);
		bool force = check_allergy_in_force(al, today);

		json_array_append_new(a, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}",
			"code", out_jstr(al->code), "label", out_jstr(cc ? cc->label : NULL),
			"reaction", out_jstr(al->reaction), "severity", out_jstr(al->severity),
			"date", out_jstr(al->date), "end_date", out_jstr(al->end_date),
			"note", out_jstr(al->note), "in_force", force));
		if (force)
			json_array_append_new(warnings, json_pack("{s:s,s:o}", "code",
				CHECK_W_ALLERGEN, "allergy", out_jstr(al->code)));
	}
	return a;
}

static json_t *medications_json(const struct nl_patient *p, const char *today,
				json_t *warnings)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < p->nmedication_list; i++) {
		const struct nl_medication *m = &p->medication_list[i];
		const char *w = medication_warning(m);
		char until[11];
		bool force = check_medication_in_force(m, today, until);

		json_array_append_new(a, json_pack("{s:o,s:o,s:o,s:o,s:o,s:b,s:o}",
			"code", out_jstr(m->code), "name", out_jstr(m->name),
			"start", out_jstr(m->start), "stop", out_jstr(m->stop),
			"note", out_jstr(m->note), "in_force", force,
			"until", out_jstr(until[0] ? until : NULL)));
		if (force && w)
			json_array_append_new(warnings, json_pack("{s:s,s:o}", "code", w,
				"medication", out_jstr(m->code)));
	}
	return a;
}

static json_t *consents_json(const struct show *s)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < s->nconsents; i++) {
		const struct nl_consent *c = &s->consents[i];

		json_array_append_new(a, json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}",
			"id", (json_int_t)c->id, "kind", out_jstr(c->kind),
			"covers", out_jstr(c->covers), "form", out_jstr(c->form),
			"given", out_jstr(c->given), "taken_by", out_jstr(c->taken_by),
			"withdrawn", out_jstr(c->withdrawn), "withdrawn_by", out_jstr(c->withdrawn_by),
			"in_force", check_consent_in_force(c, c->kind, c->covers, s->today)));
	}
	return a;
}

static json_t *series_json(const struct show *s)
{
	json_t *series = json_array();

	for (size_t i = 0; series && i < s->nsr; i++) {
		const struct nl_series *sr = &s->sr[i];
		char plan[160];
		json_t *js = json_pack("{s:I,s:o,s:o,s:i,s:i,s:o,s:o,s:s,s:b}", "id",
			(json_int_t)sr->id, "indication", out_jstr(sr->indication),
			"status", out_jstr(sr->status), "planned", sr->planned,
			"interval_days", sr->interval_days, "start_date", out_jstr(sr->start_date),
			"goal", out_jstr(sr->goal), "plan", plan_text(sr, plan, sizeof(plan)),
			"consent_in_force", s->sr_consent[i]);

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
	out_jset(o, "sex", out_jstr(p->sex));
	out_jset(o, "phone", out_jstr(p->phone));
	out_jset(o, "email", out_jstr(p->email));
	out_jset(o, "skin_type", p->skin_type ? json_string(vocab_fitzpatrick_label(p->skin_type))
					      : json_null());
	out_jset(o, "consent_date", out_jstr(p->consent_date));
	out_jset(o, "notes", out_jstr(p->notes));
	out_jset(o, "archived", json_boolean(p->archived));
	out_jset(o, "archived_at", out_jstr(p->archived_at));
	out_jset(o, "created_at", out_jstr(p->created_at));
	out_jset(o, "updated_at", out_jstr(p->updated_at));
}

static void consent_warnings_json(const struct show *s, json_t *warnings)
{
	if (!s->any_consent)
		json_array_append_new(warnings, json_pack("{s:s}", "code", CHECK_W_NO_CONSENT));
	for (size_t i = 0; i < s->nsr; i++)
		if (s->any_consent && series_needs_consent(s, i))
			json_array_append_new(warnings, json_pack("{s:s,s:I,s:o}", "code",
				CHECK_W_NO_CONSENT, "series_id", (json_int_t)s->sr[i].id,
				"indication", out_jstr(s->sr[i].indication)));
}

static int show_json(const struct show *s, struct nl_err *err)
{
	json_t *o = json_object(), *warnings = json_array();

	if (!o || !warnings) {
		json_decref(o);
		json_decref(warnings);
		return nl_error(err, NL_ENOMEM, "out of memory");
	}
	profile_json(o, &s->p);
	out_jset(o, "flags", flags_json(&s->p, s->today, warnings));
	out_jset(o, "allergies", allergies_json(&s->p, s->today, warnings));
	out_jset(o, "medications", medications_json(&s->p, s->today, warnings));
	out_jset(o, "consents", consents_json(s));
	consent_warnings_json(s, warnings);
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

/* "  ! nickel (rash, moderate), noted 2025-01-01: Nickel (costume jewellery)" */
static bool print_allergy(const struct nl_allergy *a, const char *today)
{
	bool force = check_allergy_in_force(a, today);

	out_line(stdout, "  %s %s%s%s%s%s%s%s%s%s%s%s", force ? "!" : " ", a->code,
		 a->reaction || a->severity ? " (" : "", a->reaction ? a->reaction : "",
		 a->reaction && a->severity ? ", " : "", a->severity ? a->severity : "",
		 a->reaction || a->severity ? ")" : "", a->date ? ", noted " : "",
		 a->date ? a->date : "", a->end_date ? ", ended " : "",
		 a->end_date ? a->end_date : "", force ? "" : " (no longer in force)");
	if (a->note)
		out_line(stdout, "      %s", a->note);
	return force;
}

/* "  ! anticoagulant Warfarin 5 mg, from 2025-01-01 (in force)" */
static bool print_medication(const struct nl_medication *m, const char *today)
{
	char until[11], tail[64] = " (no longer in force)";
	bool force = check_medication_in_force(m, today, until);

	if (force)
		snprintf(tail, sizeof(tail), " (in force%s%s)", until[0] ? " until " : "", until);
	else if (m->start && strcmp(today, m->start) < 0)
		snprintf(tail, sizeof(tail), " (not yet started)");
	out_line(stdout, "  %s %s%s%s%s%s%s%s%s", force && medication_warning(m) ? "!" : " ",
		 m->code, m->name ? " " : "", m->name ? m->name : "", m->start ? ", from " : "",
		 m->start ? m->start : "", m->stop ? ", stopped " : "", m->stop ? m->stop : "",
		 tail);
	if (m->note)
		out_line(stdout, "      %s", m->note);
	return force && medication_warning(m);
}

/* Allergies and medications; returns how many make sessions warn. */
static size_t print_lists(const struct nl_patient *p, const char *today)
{
	size_t n = 0;

	puts(p->nallergy_list ? "Allergies:" : "Allergies: none recorded");
	for (size_t i = 0; i < p->nallergy_list; i++)
		n += print_allergy(&p->allergy_list[i], today);
	puts(p->nmedication_list ? "Medications:" : "Medications: none recorded");
	for (size_t i = 0; i < p->nmedication_list; i++)
		n += print_medication(&p->medication_list[i], today);
	return n;
}

/* "  #3 treatment, acne-scars, form CIT-2 v3, given 2026-01-10 by Dr Ana
 * Ruiz (in force)" */
static void print_consents(const struct show *s)
{
	if (!s->nconsents) {
		puts("Consents: none on file");
		return;
	}
	puts("Consents:");
	for (size_t i = 0; i < s->nconsents; i++) {
		const struct nl_consent *c = &s->consents[i];
		bool force = check_consent_in_force(c, c->kind, c->covers, s->today);

		out_line(stdout, "  #%lld %s, %s%s%s, given %s by %s%s%s%s%s (%s)", (long long)c->id,
			 c->kind, c->covers ? c->covers : "every indication",
			 c->form ? ", form " : "", c->form ? c->form : "", c->given,
			 c->taken_by ? c->taken_by : "?", c->withdrawn ? ", withdrawn " : "",
			 c->withdrawn ? c->withdrawn : "", c->withdrawn ? " by " : "",
			 c->withdrawn ? (c->withdrawn_by ? c->withdrawn_by : "?") : "",
			 force ? "in force" : "not in force");
	}
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
	out_field(stdout, 2, "Sex:", p->sex);
	out_field(stdout, 2, "Phone:", p->phone);
	out_field(stdout, 2, "Email:", p->email);
	if (p->skin_type)
		printf("  %-14s Fitzpatrick %s\n", "Skin type:",
		       vocab_fitzpatrick_label(p->skin_type));
	out_field(stdout, 2, "Consent:", p->consent_date ? p->consent_date : "none on file");
	out_field(stdout, 2, "Notes:", p->notes);
}

static void print_warnings(const struct show *s, size_t nforce, size_t nlists)
{
	size_t nseries = 0;

	for (size_t i = 0; s->any_consent && i < s->nsr; i++)
		nseries += series_needs_consent(s, i);
	if (!nforce && !nlists && s->any_consent && !nseries)
		return;
	puts("Warnings:");
	if (nforce)
		printf("  %zu contraindication%s in force (marked !): sessions will be flagged\n",
		       nforce, nforce == 1 ? "" : "s");
	if (nlists)
		printf("  %zu allerg%s or medication%s in force (marked !): sessions are checked "
		       "against them\n", nlists, nlists == 1 ? "y" : "ies", nlists == 1 ? "" : "s");
	if (!s->any_consent)
		puts("  no treatment consent in force: record one with `needlelog consent add "
		     "--patient ID --kind treatment`");
	for (size_t i = 0; s->any_consent && i < s->nsr; i++)
		if (series_needs_consent(s, i))
			out_line(stdout, "  no treatment consent in force covers series #%lld (%s)",
				 (long long)s->sr[i].id, s->sr[i].indication);
}

static int series_row(struct out_table *t, const struct nl_series *sr,
		      const struct nl_progress *pr)
{
	char id[24], done[32] = "?", plan[160], due[40] = "";

	snprintf(id, sizeof(id), "%lld", (long long)sr->id);
	plan_text(sr, plan, sizeof(plan));
	if (pr) {
		snprintf(done, sizeof(done), "%d/%d", pr->done, pr->planned);
		if (pr->due == PROGRESS_OVERDUE || pr->due == PROGRESS_DUE)
			snprintf(due, sizeof(due), "%s", progress_due_name(pr->due));
	}
	return out_table_row(t, (const char *const[]){ id, sr->indication, sr->status, done,
		plan, sr->start_date, pr ? pr->next_due : "", due });
}

static int print_series(const struct show *s, struct nl_err *err)
{
	static const char *const head[] = { "SERIES", "INDICATION", "STATUS", "DONE",
					    "PLAN", "STARTED", "NEXT DUE", "" };
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
	size_t nforce, nlists;

	print_profile(&s->p);
	nforce = print_flags(&s->p, s->today);
	nlists = print_lists(&s->p, s->today);
	print_consents(s);
	print_warnings(s, nforce, nlists);
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
	{ "sex", "SEX", 0, "female, male, other or unknown" }, \
	{ "flag", "CODE[:DATE[:NOTE]]", CLI_REPEAT, "a contraindication (see `needlelog vocab`);\n" \
	  "DATE is e.g. isotretinoin's last dose" }, \
	{ "allergy", "CODE[:REACTION[:SEVERITY]]", CLI_REPEAT, "\n" \
	  "an allergy: CODE an allergen (see `needlelog\n" \
	  "vocab`), SEVERITY mild, moderate or severe" }, \
	{ "medication", "CODE[:NAME[:START[:STOP]]]", CLI_REPEAT, "\n" \
	  "a medication: CODE a kind (anticoagulant,\n" \
	  "isotretinoin, ...), NAME as written, dates" }, \
	{ "allergies", "TEXT", 0, "allergies as text: each allergen it names becomes\n" \
	  "an allergy (else 'other'), the text kept as a note" }, \
	{ "medications", "TEXT", 0, "medications as text, read the same way" }, \
	{ "consent", "DATE", 0, "a treatment consent for every indication given\n" \
	  "on DATE (see `needlelog consent add`)" }, \
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
	{ "end-allergy", "CODE[:DATE]", CLI_REPEAT, "the allergy no longer applies after\n"
	  "DATE (default today); it stays on file" },
	{ "remove-allergy", "CODE", CLI_REPEAT, "take off an allergy entered in\n"
	  "error (audited)" },
	{ "end-medication", "CODE[:DATE]", CLI_REPEAT, "the medication was stopped on\n"
	  "DATE (default today); it stays on file" },
	{ "remove-medication", "CODE", CLI_REPEAT, "take off a medication entered in\n"
	  "error (audited)" },
	CLI_OPT_TODAY("the default --end-flag, --end-allergy and\n"
		      "--end-medication date, and the day dates are\n"
		      "checked against"),
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
	  "The profile with its sex, contraindications, allergies (reaction,\n"
	  "severity) and medications, each marked ! when in force, the consent\n"
	  "records (in force or not), warnings and series with their plans.",
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
