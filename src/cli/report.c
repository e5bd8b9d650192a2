/* progress, due, vocab, audit: read-only views over the record. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "needlelog/audit.h"
#include "needlelog/backup_plan.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "needlelog/value.h"
#include "needlelog/vocab.h"
#include "out.h"

/* --bom is for CSV only: elsewhere it would be silently without effect. */
static int check_bom(struct cli *c, enum out_format fmt, struct nl_err *err)
{
	if (fmt != OUT_CSV && cli_flag(c, "bom"))
		return cli_usage(c, err, "--bom goes with --format csv");
	return NL_OK;
}

/* ---- progress ------------------------------------------------------------- */

struct progress_view {
	struct nl_progress p;
	struct nl_series sr;
	struct nl_patient pt;
	char today[11];
	bool have;
};

static int progress_load(struct cli *c, int64_t id, struct progress_view *v,
			 struct nl_err *err)
{
	int rc = cli_open(c, err);

	if (rc == NL_OK) {
		snprintf(v->today, sizeof(v->today), "%s", record_today(c->rec));
		rc = record_series_get(c->rec, id, &v->sr, err);
	}
	if (rc == NL_OK)
		rc = record_patient_get(c->rec, v->sr.patient_id, &v->pt, err);
	if (rc == NL_OK)
		v->have = (rc = progress_series(c->rec, id, v->today, &v->p, err)) == NL_OK;
	return rc;
}

static int progress_json(const struct progress_view *v, struct nl_err *err)
{
	json_t *j = out_json_progress(&v->p, &v->sr);

	out_jset(j, "today", json_string(v->today));
	out_jset(j, "indication", out_jstr(v->sr.indication));
	out_jset(j, "status", out_jstr(v->sr.status));
	out_jset(j, "patient_name", out_jstr(v->pt.name));
	return out_json_print(j, err);
}

/* The depth table's columns are area codes with their labels ("scar:
 * appendix"): shown safely, as every stored value is. */
static int safe_area_names(struct nl_progress *p, struct nl_err *err)
{
	for (size_t j = 0; j < p->nareas; j++) {
		char *safe = nl_term_safe(p->areas[j], false);

		if (!safe)
			return nl_error(err, NL_ENOMEM, "out of memory");
		free(p->areas[j]);
		p->areas[j] = safe;
	}
	return NL_OK;
}

static int progress_text(struct progress_view *v, struct nl_err *err)
{
	const struct vocab_indication *ind = vocab_indication_find(v->sr.indication);

	out_line(stdout, "Progress of series #%lld (%s, %s) for patient #%lld %s, as of %s",
	    (long long)v->sr.id, ind ? ind->label : v->sr.indication, v->sr.status,
	    (long long)v->pt.id, v->pt.name, v->today);
	if (safe_area_names(&v->p, err) != NL_OK)
		return err->status;
	out_progress_text(stdout, &v->p, &v->sr);
	return ferror(stdout) ? nl_error(err, NL_EIO, "cannot write the output") : NL_OK;
}

static int run_progress(struct cli *c, struct nl_err *err)
{
	struct progress_view v = { 0 };
	enum out_format fmt;
	int64_t id;
	int rc = out_format(c, OUT_TEXT | OUT_JSON, &fmt, err);

	if (rc == NL_OK)
		rc = cli_arg_id(c, 0, "series", &id, err);
	if (rc == NL_OK)
		rc = progress_load(c, id, &v, err);
	if (rc == NL_OK)
		rc = fmt == OUT_JSON ? progress_json(&v, err) : progress_text(&v, err);
	if (v.have)
		progress_free(&v.p);
	record_series_free(&v.sr);
	record_patient_free(&v.pt);
	return rc;
}

/* ---- due ------------------------------------------------------------------ */

static void due_words(const struct nl_due *d, char *buf, size_t size)
{
	if (d->due == PROGRESS_OVERDUE)
		snprintf(buf, size, "overdue %d d", -d->days_until_due);
	else if (d->due == PROGRESS_DUE)
		snprintf(buf, size, "due today");
	else
		snprintf(buf, size, "in %d d", d->days_until_due);
}

static json_t *due_row_json(const struct nl_due *r)
{
	return json_pack("{s:I,s:o,s:o,s:I,s:o,s:i,s:i,s:o,s:s,s:i,s:s}",
		"patient_id", (json_int_t)r->patient_id,
		"patient_name", out_jstr(r->patient_name), "phone", out_jstr(r->phone),
		"series_id", (json_int_t)r->series_id,
		"indication", out_jstr(r->indication), "done", r->done, "planned", r->planned,
		"last_date", out_jstr(r->last_date[0] ? r->last_date : NULL),
		"next_due", r->next_due, "days_until_due", r->days_until_due,
		"due", progress_due_name(r->due));
}

static int due_json(const struct nl_due *rows, size_t n, struct nl_err *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, due_row_json(&rows[i]));
	return out_json_print(a, err);
}

static int due_table(struct cli *c, const struct nl_due *rows, size_t n,
		     enum out_format fmt, const char *today, struct nl_err *err)
{
	static const char *const head[] = { "PATIENT", "NAME", "PHONE", "SERIES", "INDICATION",
					    "DONE", "LAST", "NEXT DUE", "STATE" };
	struct out_table t;
	int rc = NL_OK;

	out_table_init(&t, head, 9);
	t.right = 1u | (1u << 3);
	for (size_t i = 0; i < n && rc == NL_OK; i++) {
		char pid[24], sid[24], done[32], state[40];

		snprintf(pid, sizeof(pid), "%lld", (long long)rows[i].patient_id);
		snprintf(sid, sizeof(sid), "%lld", (long long)rows[i].series_id);
		snprintf(done, sizeof(done), "%d/%d", rows[i].done, rows[i].planned);
		due_words(&rows[i], state, sizeof(state));
		if (out_table_row(&t, (const char *const[]){ pid, rows[i].patient_name,
				rows[i].phone, sid, rows[i].indication, done, rows[i].last_date,
				rows[i].next_due, state }) != 0)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	}
	if (rc == NL_OK && fmt == OUT_TEXT && n == 0)
		printf("Nobody is due on or before the window's end (as of %s)\n", today);
	else if (rc == NL_OK)
		rc = out_table_print(&t, stdout, fmt, cli_flag(c, "bom"), err);
	out_table_free(&t);
	return rc;
}

/* When the last verified backup is more than BACKUP_DUE_DAYS old, or there
 * is none: a line on stderr after the list, in every format, so stdout
 * stays the list (a JSON array, CSV rows) and a cron job's mail shows it.
 * It goes by the clock, not by --today. */
static void backup_reminder(struct record *r)
{
	struct backup_due d;
	struct nl_err err = { 0 };

	if (backup_plan_due(r, 0, time(NULL), &d, &err) != NL_OK || !d.due)
		return;
	if (d.never)
		fputs("needlelog: reminder: no verified backup yet; make one with "
		      "`needlelog backup --dir DIR --remember`\n", stderr);
	else
		fprintf(stderr, "needlelog: reminder: the last verified backup is %d days "
			"old; make one with `needlelog backup`\n", d.age_days);
}

/* The unsigned section: sessions left unsigned more than 24 hours after
 * their date (record_unsigned_list). */
static json_t *unsigned_row_json(const struct nl_unsigned *u)
{
	return json_pack("{s:I,s:I,s:I,s:o,s:o,s:s,s:i}", "session_id", (json_int_t)u->session_id,
		"series_id", (json_int_t)u->series_id, "patient_id", (json_int_t)u->patient_id,
		"patient_name", out_jstr(u->patient_name), "practitioner", out_jstr(u->practitioner),
		"date", u->date, "days", u->days);
}

static int unsigned_json(const struct nl_unsigned *rows, size_t n, struct nl_err *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, unsigned_row_json(&rows[i]));
	return out_json_print(a, err);
}

static int unsigned_table(struct cli *c, const struct nl_unsigned *rows, size_t n,
			  enum out_format fmt, struct nl_err *err)
{
	static const char *const head[] = { "SESSION", "PATIENT", "NAME", "SERIES", "DATE",
					    "DAYS", "PRACTITIONER" };
	struct out_table t;
	int rc = NL_OK;

	out_table_init(&t, head, 7);
	t.right = 1u | (1u << 1) | (1u << 3) | (1u << 5);
	for (size_t i = 0; i < n && rc == NL_OK; i++) {
		char sid[24], pid[24], ser[24], days[16];

		snprintf(sid, sizeof(sid), "%lld", (long long)rows[i].session_id);
		snprintf(pid, sizeof(pid), "%lld", (long long)rows[i].patient_id);
		snprintf(ser, sizeof(ser), "%lld", (long long)rows[i].series_id);
		snprintf(days, sizeof(days), "%d", rows[i].days);
		if (out_table_row(&t, (const char *const[]){ sid, pid, rows[i].patient_name, ser,
				rows[i].date, days, rows[i].practitioner }) != 0)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	}
	if (rc == NL_OK && fmt == OUT_TEXT)
		puts(n ? "\nUnsigned more than 24 hours after their date (sign with `needlelog "
			 "session sign ID`):" : "\nNo session is left unsigned.");
	if (rc == NL_OK && n)
		rc = out_table_print(&t, stdout, fmt, cli_flag(c, "bom"), err);
	out_table_free(&t);
	return rc;
}

/* What due lists: the series due, and the sessions left unsigned. */
struct due_view {
	enum out_format fmt;
	bool only_unsigned;
	char today[11];
	struct nl_due *rows;
	size_t n;
	struct nl_unsigned *uns;
	size_t nuns;
};

static int due_load(struct cli *c, struct due_view *v, struct nl_err *err)
{
	int within = 0;
	int rc = out_format(c, OUT_TEXT | OUT_CSV | OUT_JSON, &v->fmt, err);

	v->only_unsigned = cli_flag(c, "unsigned");
	if (rc == NL_OK)
		rc = check_bom(c, v->fmt, err);
	if (rc == NL_OK)
		rc = cli_int(c, "within", 0, 3650, &within, err);
	if (rc == NL_OK && v->only_unsigned && cli_str(c, "within"))
		rc = cli_usage(c, err, "--within goes with the due series, not --unsigned");
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc != NL_OK)
		return rc;
	snprintf(v->today, sizeof(v->today), "%s", record_today(c->rec));
	if (!v->only_unsigned)
		rc = progress_due_list(c->rec, v->today, within, &v->rows, &v->n, err);
	if (rc == NL_OK && (v->only_unsigned || v->fmt == OUT_TEXT))
		rc = record_unsigned_list(c->rec, v->today, &v->uns, &v->nuns, err);
	return rc;
}

static int run_due(struct cli *c, struct nl_err *err)
{
	struct due_view v = { 0 };
	int rc = due_load(c, &v, err);

	if (rc == NL_OK && v.only_unsigned)
		rc = v.fmt == OUT_JSON ? unsigned_json(v.uns, v.nuns, err)
				       : unsigned_table(c, v.uns, v.nuns, v.fmt, err);
	else if (rc == NL_OK && v.fmt == OUT_JSON)
		rc = due_json(v.rows, v.n, err);
	else if (rc == NL_OK)
		rc = due_table(c, v.rows, v.n, v.fmt, v.today, err);
	if (rc == NL_OK && !v.only_unsigned && v.fmt == OUT_TEXT && v.nuns)
		rc = unsigned_table(c, v.uns, v.nuns, v.fmt, err);
	if (rc == NL_OK)
		backup_reminder(c->rec);
	progress_due_list_free(v.rows, v.n);
	record_unsigned_list_free(v.uns, v.nuns);
	return rc;
}

/* ---- vocab ---------------------------------------------------------------- */

static json_t *vocab_limits_json(void)
{
	return json_pack("{s:f,s:f,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:f}",
		"depth_min_mm", VOCAB_DEPTH_MIN_MM, "depth_max_mm", VOCAB_DEPTH_MAX_MM,
		"passes_min", VOCAB_PASSES_MIN, "passes_max", VOCAB_PASSES_MAX,
		"pain_min", VOCAB_PAIN_MIN, "pain_max", VOCAB_PAIN_MAX,
		"planned_min", VOCAB_PLANNED_MIN, "planned_max", VOCAB_PLANNED_MAX,
		"interval_days_min", VOCAB_INTERVAL_MIN, "interval_days_max", VOCAB_INTERVAL_MAX,
		"face_scar_max_mm", VOCAB_FACE_SCAR_MAX_MM);
}

static json_t *vocab_items_json(const struct vocab_item *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "code", v[i].code,
						   "label", v[i].label));
	return a;
}

static json_t *vocab_indications_json(void)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < vocab_indication_count; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "code", vocab_indications[i].code,
			"label", vocab_indications[i].label, "scar_depth", vocab_indications[i].scar_depth));
	return a;
}

static json_t *vocab_areas_json(void)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < vocab_area_count; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:f,s:f}", "code", vocab_areas[i].code,
			"label", vocab_areas[i].label, "usual_min_mm", vocab_areas[i].usual_min_mm,
			"usual_max_mm", vocab_areas[i].usual_max_mm));
	return a;
}

static json_t *vocab_flags_json(void)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < vocab_flag_count; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:i,s:i}", "code", vocab_flags[i].code,
			"label", vocab_flags[i].label, "date", out_jstr(vocab_flags[i].hint),
			"window_months", vocab_flags[i].window_months,
			"window_days", vocab_flags[i].window_days));
	return a;
}

static json_t *vocab_skin_types_json(void)
{
	json_t *a = json_array();

	for (int i = VOCAB_FITZ_MIN; a && i <= VOCAB_FITZ_MAX; i++)
		json_array_append_new(a, json_string(vocab_fitzpatrick[i]));
	return a;
}

static json_t *vocab_scale_json(const struct vocab_scale *sc)
{
	json_t *levels = sc->nlevels ? json_array() : json_null();
	char range[256];

	for (size_t k = 0; k < sc->nlevels; k++)
		json_array_append_new(levels, json_string(sc->levels[k]));
	vocab_scale_range(sc, range, sizeof(range));
	return json_pack("{s:s,s:s,s:s,s:f,s:f,s:b,s:o,s:s,s:s,s:s}",
		"code", sc->code, "label", sc->label,
		"kind", sc->kind == VOCAB_SCALE_ORDINAL ? "ordinal" : "numeric",
		"min", sc->min, "max", sc->max, "integer", sc->integer, "levels", levels,
		"better", sc->direction == VOCAB_DIR_LOWER ? "lower"
			  : sc->direction == VOCAB_DIR_HIGHER ? "higher" : "none",
		"range", range, "values", sc->value_help ? sc->value_help : range);
}

static json_t *vocab_scales_json(void)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < vocab_scale_count; i++)
		json_array_append_new(a, vocab_scale_json(&vocab_scales[i]));
	return a;
}

/* A clinical.h vocabulary: [{"code", "label"}]. */
static json_t *clin_codes_json(const struct clin_code *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "code", v[i].code,
						   "label", v[i].label));
	return a;
}

/* The ingredient table: a word in a product or anaesthetic and the
 * allergens it names. */
static json_t *ingredients_json(void)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < clin_ingredient_count; i++) {
		json_t *al = json_array();

		for (size_t k = 0; al && k < CLIN_INGREDIENTS_MAX && clin_ingredients[i].allergens[k];
		     k++)
			json_array_append_new(al, json_string(clin_ingredients[i].allergens[k]));
		json_array_append_new(a, json_pack("{s:s,s:o}", "word", clin_ingredients[i].word,
						   "allergens", al));
	}
	return a;
}

/* The warning rules, one table in the core (check.h). */
static json_t *rules_json(void)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < check_rule_count; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "code", check_rule_code(i),
						   "checks", check_rule_about(i)));
	return a;
}

static json_t *vocab_json(void)
{
	json_t *o = json_object();

	out_jset(o, "limits", vocab_limits_json());
	out_jset(o, "indications", vocab_indications_json());
	out_jset(o, "areas", vocab_areas_json());
	out_jset(o, "flags", vocab_flags_json());
	out_jset(o, "skin_types", vocab_skin_types_json());
	out_jset(o, "endpoints", vocab_items_json(vocab_endpoints, vocab_endpoint_count));
	out_jset(o, "scales", vocab_scales_json());
	out_jset(o, "statuses", vocab_items_json(vocab_statuses, vocab_status_count));
	out_jset(o, "sexes", clin_codes_json(clin_sexes, clin_sex_count));
	out_jset(o, "allergens", clin_codes_json(clin_allergens, clin_allergen_count));
	out_jset(o, "severities", clin_codes_json(clin_severities, clin_severity_count));
	out_jset(o, "medications", clin_codes_json(clin_medications, clin_medication_count));
	out_jset(o, "consent_kinds", clin_codes_json(clin_consent_kinds, clin_consent_kind_count));
	out_jset(o, "ingredients", ingredients_json());
	out_jset(o, "warning_rules", rules_json());
	return o;
}

/* A titled table of the vocabulary's (static, trusted) rows. */
static int print_table(const char *title, struct out_table *t, struct nl_err *err)
{
	int rc;

	printf("\n%s\n", title);
	rc = out_table_print(t, stdout, OUT_TEXT, false, err);
	out_table_free(t);
	return rc;
}

static int print_items(const char *title, const struct vocab_item *v, size_t n,
		       struct nl_err *err)
{
	static const char *const head[] = { "CODE", "LABEL" };
	struct out_table t;

	out_table_init(&t, head, 2);
	for (size_t i = 0; i < n; i++)
		out_table_row(&t, (const char *const[]){ v[i].code, v[i].label });
	return print_table(title, &t, err);
}

static int print_areas(struct nl_err *err)
{
	static const char *const head[] = { "CODE", "LABEL", "USUAL MM" };
	struct out_table t;

	out_table_init(&t, head, 3);
	for (size_t i = 0; i < vocab_area_count; i++) {
		char lo[16], hi[16], range[40];

		value_depth_text(vocab_areas[i].usual_min_mm, lo, sizeof(lo));
		value_depth_text(vocab_areas[i].usual_max_mm, hi, sizeof(hi));
		snprintf(range, sizeof(range), "%s-%s", lo, hi);
		out_table_row(&t, (const char *const[]){ vocab_areas[i].code,
			vocab_areas[i].label, range });
	}
	return print_table("Areas (--area), with the usual depth:", &t, err);
}

static int print_indications(struct nl_err *err)
{
	static const char *const head[] = { "CODE", "LABEL" };
	struct out_table t;

	out_table_init(&t, head, 2);
	for (size_t i = 0; i < vocab_indication_count; i++)
		out_table_row(&t, (const char *const[]){ vocab_indications[i].code,
			vocab_indications[i].label });
	return print_table("Indications (--indication):", &t, err);
}

static int print_flags(struct nl_err *err)
{
	static const char *const head[] = { "CODE", "LABEL", "DATE", "WINDOW" };
	struct out_table t;

	out_table_init(&t, head, 4);
	for (size_t i = 0; i < vocab_flag_count; i++) {
		const struct vocab_flag *f = &vocab_flags[i];
		char window[64] = "";

		if (f->window_months)
			snprintf(window, sizeof(window), "%d months", f->window_months);
		else if (f->window_days)
			snprintf(window, sizeof(window), "%d days", f->window_days);
		out_table_row(&t, (const char *const[]){ f->code, f->label, f->hint, window });
	}
	return print_table("Contraindication flags (--flag CODE[:DATE[:NOTE]]):", &t, err);
}

static int print_scales(struct nl_err *err)
{
	static const char *const head[] = { "CODE", "SCALE", "VALUES", "BETTER" };
	struct out_table t;

	out_table_init(&t, head, 4);
	for (size_t i = 0; i < vocab_scale_count; i++) {
		const struct vocab_scale *sc = &vocab_scales[i];
		char range[256];

		vocab_scale_range(sc, range, sizeof(range));
		out_table_row(&t, (const char *const[]){ sc->code, sc->label, range,
			sc->direction == VOCAB_DIR_LOWER ? "lower" :
			sc->direction == VOCAB_DIR_HIGHER ? "higher" : "-" });
	}
	return print_table("Outcome scales (--score / --baseline SCALE=VALUE):", &t, err);
}

static int print_codes(const char *title, const struct clin_code *v, size_t n,
		       struct nl_err *err)
{
	static const char *const head[] = { "CODE", "LABEL" };
	struct out_table t;

	out_table_init(&t, head, 2);
	for (size_t i = 0; i < n; i++)
		out_table_row(&t, (const char *const[]){ v[i].code, v[i].label });
	return print_table(title, &t, err);
}

static int print_ingredients(struct nl_err *err)
{
	static const char *const head[] = { "WORD", "CONTAINS" };
	struct out_table t;

	out_table_init(&t, head, 2);
	for (size_t i = 0; i < clin_ingredient_count; i++) {
		char all[160] = "";
		size_t len = 0;

		for (size_t k = 0; k < CLIN_INGREDIENTS_MAX && clin_ingredients[i].allergens[k];
		     k++)
			len += (size_t)snprintf(all + len, sizeof(all) - len, "%s%s", k ? ", " : "",
						clin_ingredients[i].allergens[k]);
		out_table_row(&t, (const char *const[]){ clin_ingredients[i].word, all });
	}
	return print_table("Ingredients (an anaesthetic or product naming WORD contains):",
			   &t, err);
}

static int print_rules(struct nl_err *err)
{
	static const char *const head[] = { "CODE", "WARNS WHEN" };
	struct out_table t;

	out_table_init(&t, head, 2);
	for (size_t i = 0; i < check_rule_count; i++)
		out_table_row(&t, (const char *const[]){ check_rule_code(i), check_rule_about(i) });
	return print_table("Warning rules (a session's safety checks; warnings never block):",
			   &t, err);
}

/* Issue 11's vocabularies and the warning rules. */
static int print_clinical(struct nl_err *err)
{
	int rc = print_codes("Sexes (--sex):", clin_sexes, clin_sex_count, err);

	if (rc == NL_OK)
		rc = print_codes("Allergens (--allergy CODE[:REACTION[:SEVERITY]]):", clin_allergens,
				 clin_allergen_count, err);
	if (rc == NL_OK)
		rc = print_codes("Severities (of an allergy):", clin_severities,
				 clin_severity_count, err);
	if (rc == NL_OK)
		rc = print_codes("Medications (--medication CODE[:NAME[:START[:STOP]]]):",
				 clin_medications, clin_medication_count, err);
	if (rc == NL_OK)
		rc = print_codes("Consent kinds (consent add --kind):", clin_consent_kinds,
				 clin_consent_kind_count, err);
	if (rc == NL_OK)
		rc = print_ingredients(err);
	if (rc == NL_OK)
		rc = print_rules(err);
	return rc;
}

static void print_picks(const char *title, const char *const *v, size_t n)
{
	printf("%s:", title);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : " ", v[i]);
	putchar('\n');
}

static void print_limits(void)
{
	printf("Hard limits (rejected outside): depth %.1f-%.1f mm, passes %d-%d, pain %d-%d,\n"
	       "planned sessions %d-%d, interval %d-%d days. Usual depth ranges give a\n"
	       "warning only; with acne-scars or surgical-scars the face's upper end is %.1f mm.\n",
	       VOCAB_DEPTH_MIN_MM, VOCAB_DEPTH_MAX_MM, VOCAB_PASSES_MIN, VOCAB_PASSES_MAX,
	       VOCAB_PAIN_MIN, VOCAB_PAIN_MAX, VOCAB_PLANNED_MIN, VOCAB_PLANNED_MAX,
	       VOCAB_INTERVAL_MIN, VOCAB_INTERVAL_MAX, VOCAB_FACE_SCAR_MAX_MM);
}

static int print_vocab(struct nl_err *err)
{
	int rc;

	print_limits();
	rc = print_indications(err);
	if (rc == NL_OK)
		rc = print_areas(err);
	if (rc == NL_OK)
		rc = print_flags(err);
	if (rc == NL_OK) {
		puts("\nSkin types (--skin-type): Fitzpatrick I, II, III, IV, V, VI");
		rc = print_scales(err);
	}
	if (rc == NL_OK)
		rc = print_items("Endpoints (--endpoint):", vocab_endpoints,
				 vocab_endpoint_count, err);
	if (rc == NL_OK)
		rc = print_items("Series statuses (--status):", vocab_statuses,
				 vocab_status_count, err);
	if (rc == NL_OK)
		rc = print_clinical(err);
	if (rc != NL_OK)
		return rc;
	puts("\nPick lists (free text; these are suggestions):");
	print_picks("  devices", vocab_devices, vocab_device_count);
	print_picks("  cartridges", vocab_cartridges, vocab_cartridge_count);
	print_picks("  products", vocab_products, vocab_product_count);
	return ferror(stdout) ? nl_error(err, NL_EIO, "cannot write the output") : NL_OK;
}

static int run_vocab(struct cli *c, struct nl_err *err)
{
	enum out_format fmt;
	int rc = out_format(c, OUT_TEXT | OUT_JSON, &fmt, err);

	if (rc != NL_OK)
		return rc;
	return fmt == OUT_JSON ? out_json_print(vocab_json(), err) : print_vocab(err);
}

/* ---- audit ---------------------------------------------------------------- */

static const char *const audit_entities[] = {
	AUDIT_PATIENT, AUDIT_SERIES, AUDIT_SESSION, AUDIT_CONSENT, AUDIT_FILE,
};
#define NENTITIES (sizeof(audit_entities) / sizeof(audit_entities[0]))

struct audit_req {
	enum out_format fmt;
	int limit;
	const char *entity;    /* NULL: every kind */
	int64_t id;            /* 0: every id */
};

static int audit_parse(struct cli *c, struct audit_req *q, struct nl_err *err)
{
	char shown[NL_QUOTE_BUF];
	int rc = out_format(c, OUT_TEXT | OUT_CSV | OUT_JSON, &q->fmt, err);

	q->limit = 50;
	if (rc == NL_OK)
		rc = check_bom(c, q->fmt, err);
	if (rc == NL_OK)
		rc = cli_int(c, "limit", 0, 1000000, &q->limit, err);
	if (rc == NL_OK)
		rc = cli_id(c, "id", &q->id, err);
	if (rc != NL_OK || !(q->entity = cli_str(c, "entity")))
		return rc;
	for (size_t i = 0; i < NENTITIES; i++)
		if (strcmp(q->entity, audit_entities[i]) == 0)
			return NL_OK;
	return cli_usage(c, err, "--entity '%s': use patient, series, session, consent or file",
			 nl_quote_value(q->entity, shown, sizeof(shown)));
}

/* The trail is streamed (audit_each_filtered): each row is printed and
 * forgotten, so memory stays flat however long the trail (issue 15). */
struct audit_out {
	const struct audit_req *q;
	struct out_stream t;
	size_t n;
	bool measuring;        /* text: the first pass, for the widths */
	struct nl_err *err;
	struct nl_err row_err; /* a row's own failure (audit_each reports its own) */
};

static int audit_json_row(void *ctx, const struct nl_audit *row)
{
	struct audit_out *o = ctx;

	return out_json_item(o->n++, json_pack("{s:I,s:s,s:o,s:s,s:s,s:I,s:o}",
		"id", (json_int_t)row->id, "at", row->at, "who", out_jstr(row->who),
		"action", row->action, "entity", row->entity,
		"entity_id", (json_int_t)row->entity_id, "detail", out_jstr(row->detail)),
		&o->row_err) == NL_OK ? 0 : -1;
}

/* People get a glance at a long detail (cut at a UTF-8 boundary); scripts
 * get it all. */
static const char *glance(const char *detail, char *buf, size_t size)
{
	size_t cut = 69;

	if (!detail || strlen(detail) <= 72)
		return detail;
	while (cut > 0 && (detail[cut] & 0xc0) == 0x80)
		cut--;
	snprintf(buf, size, "%.*s...", (int)cut, detail);
	return buf;
}

static int audit_table_row(void *ctx, const struct nl_audit *row)
{
	struct audit_out *o = ctx;
	char id[24], ent[64], detail[80];
	const char *cells[6];

	snprintf(id, sizeof(id), "%lld", (long long)row->id);
	if (row->entity_id)
		snprintf(ent, sizeof(ent), "%s #%lld", row->entity, (long long)row->entity_id);
	else
		snprintf(ent, sizeof(ent), "%s", row->entity);
	cells[0] = id;
	cells[1] = row->at;
	cells[2] = row->who;
	cells[3] = row->action;
	cells[4] = ent;
	cells[5] = o->q->fmt == OUT_TEXT ? glance(row->detail, detail, sizeof(detail))
					 : row->detail;
	if (o->measuring)
		return out_stream_measure(&o->t, cells, &o->row_err) == NL_OK ? 0 : -1;
	return out_stream_row(&o->t, cells, &o->row_err) == NL_OK ? 0 : -1;
}

/* One pass over the rows; a row's failure (a write error, no memory) is
 * reported as itself. */
static int audit_pass(struct cli *c, struct audit_out *o, audit_each_fn fn)
{
	int rc = audit_each_filtered(c->rec, (size_t)o->q->limit, o->q->entity, o->q->id,
				     fn, o, o->err);

	if (rc != NL_OK && o->row_err.status != NL_OK)
		*o->err = o->row_err;
	return rc == NL_OK ? NL_OK : o->err->status;
}

/* Text measures the widths in a first pass over the same rows, then
 * prints in a second; a row written by someone else in between is only
 * misaligned. CSV and JSON print in one pass. */
static int audit_print(struct cli *c, struct audit_out *o)
{
	static const char *const head[] = { "ID", "AT", "WHO", "ACTION", "ENTITY", "DETAIL" };
	int rc;

	if (o->q->fmt == OUT_JSON) {
		rc = audit_pass(c, o, audit_json_row);
		return rc == NL_OK ? out_json_items_end(o->n, o->err) : rc;
	}
	rc = out_stream_init(&o->t, head, 6, 1u, o->q->fmt, stdout, cli_flag(c, "bom"),
			     o->err);
	o->measuring = o->q->fmt == OUT_TEXT;
	if (rc == NL_OK && o->measuring)
		rc = audit_pass(c, o, audit_table_row);
	o->measuring = false;
	if (rc == NL_OK)
		rc = out_stream_begin(&o->t, o->err);
	if (rc == NL_OK)
		rc = audit_pass(c, o, audit_table_row);
	if (rc == NL_OK)
		rc = out_stream_end(&o->t, o->err);
	out_stream_free(&o->t);
	return rc;
}

static int run_audit(struct cli *c, struct nl_err *err)
{
	struct audit_req q = { 0 };
	struct audit_out o = { .q = &q, .err = err };
	int rc = audit_parse(c, &q, err);

	if (rc == NL_OK)
		rc = cli_open(c, err);
	return rc == NL_OK ? audit_print(c, &o) : rc;
}

/* ---- the table ------------------------------------------------------------ */

static const struct cli_opt progress_opts[] = {
	OUT_OPT_FORMAT("text (default) or json"),
	CLI_OPT_TODAY("as of DATE"),
	{ 0 },
};

static const struct cli_opt due_opts[] = {
	{ "within", "DAYS", 0, "also those due in the next DAYS days (default 0)" },
	{ "unsigned", NULL, 0, "only the sessions left unsigned more than 24\n"
	  "hours after their date (as CSV or JSON: that\n"
	  "list alone)" },
	OUT_OPT_FORMAT("text (default), csv or json"),
	OUT_OPT_BOM,
	CLI_OPT_TODAY("as of DATE"),
	{ 0 },
};

static const struct cli_opt vocab_opts[] = {
	OUT_OPT_FORMAT("text (default) or json"),
	{ 0 },
};

static const struct cli_opt audit_opts[] = {
	{ "limit", "N", 0, "at most N rows (default 50; 0 = all)" },
	{ "entity", "E", 0, "only patient, series, session, consent or file\nrows" },
	{ "id", "ID", 0, "only rows about that id (with --entity)" },
	OUT_OPT_FORMAT("text (default), csv or json"),
	OUT_OPT_BOM,
	{ 0 },
};

const struct cli_command cli_report_commands[] = {
	{ NULL, "progress", "SERIES_ID", 1, 1,
	  "Show the progress of a series.\n"
	  "Sessions done of planned, the next due date\n"
	  "(due, overdue or upcoming), depth per area across the sessions, and each\n"
	  "outcome scale against its baseline with the change, verdict and trend.\n"
	  "Voided sessions do not count.", progress_opts, run_progress },
	{ NULL, "due", NULL, 0, 0,
	  "List who is due or overdue, and what is left unsigned.\n"
	  "Patients whose next session is due or overdue (or due within DAYS), most\n"
	  "overdue first. Active series of patients not archived only. Then, in a\n"
	  "section of its own, the sessions left unsigned more than 24 hours after\n"
	  "their date, oldest first, until signed or voided. CSV and JSON keep one\n"
	  "list each: without --unsigned the due series (as before), with\n"
	  "--unsigned the unsigned sessions (SESSION, PATIENT, NAME, SERIES, DATE,\n"
	  "DAYS, PRACTITIONER; in JSON session_id, patient_id, ... days).",
	  due_opts, run_due },
	{ NULL, "vocab", NULL, 0, 0,
	  "List the vocabularies with their ranges.\n"
	  "Indications, areas with their usual depth ranges,\n"
	  "contraindication flags, skin types, outcome scales with their values,\n"
	  "endpoints, statuses, sexes, allergens, severities, medications, consent\n"
	  "kinds, the ingredient table, the warning rules (code and what each\n"
	  "checks), pick lists, and the hard limits. Needs no record file.",
	  vocab_opts, run_vocab },
	{ NULL, "audit", NULL, 0, 0,
	  "Show the audit trail.\n"
	  "Newest first: every create, change, sign, amendment,\n"
	  "void, archive, import, export and backup, with who and when. Text output\n"
	  "cuts long details; --format json or csv gives them whole.",
	  audit_opts, run_audit },
	{ 0 },
};
