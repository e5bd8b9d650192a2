/* Validation (hard limits) and the safety warnings of shared/DOMAIN.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "needlelog/text.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/vocab.h"

/* ---- dates -------------------------------------------------------------- */

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int32_t days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

static void civil_from_days(int32_t z, int *y, int *m, int *d)
{
	int era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y += *m <= 2;
}

static bool split_date(const char *s, int *y, int *m, int *d)
{
	static const char shape[] = "dddd-dd-dd";

	if (!s || strlen(s) != 10)
		return false;
	for (int i = 0; i < 10; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
			return false;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	return *y >= 1900 && *y <= 2999 && *m >= 1 && *m <= 12 && *d >= 1 &&
	       *d <= month_days(*y, *m);
}

bool check_date_valid(const char *s)
{
	int y, m, d;

	return split_date(s, &y, &m, &d);
}

int check_date_parse(const char *field, const char *s, int32_t *day,
		     struct nl_err *err)
{
	int y, m, d;

	if (!split_date(s, &y, &m, &d))
		return nl_error(err, NL_EDATA,
				"%s: '%s' is not a real date; use YYYY-MM-DD (1900-2999)",
				field, s ? s : "");
	*day = days_from_civil(y, m, d);
	return NL_OK;
}

static void format_ymd(int y, int m, int d, char out[11])
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
	memcpy(out, buf, 10);
	out[10] = '\0';
}

void check_date_format(int32_t day, char out[11])
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	format_ymd(y, m, d, out);
}

int check_date_add_days(const char *date, int days, char out[11],
			struct nl_err *err)
{
	int32_t day;
	int rc = check_date_parse("date", date, &day, err);

	if (rc == NL_OK)
		check_date_format(day + days, out);
	return rc;
}

int check_date_add_months(const char *date, int months, char out[11],
			  struct nl_err *err)
{
	int y, m, d, total;

	if (!split_date(date, &y, &m, &d))
		return nl_error(err, NL_EDATA, "date: '%s' is not a real date; use YYYY-MM-DD",
				date ? date : "");
	total = y * 12 + (m - 1) + months;
	y = total / 12;
	m = total % 12 + 1;
	if (d > month_days(y, m))
		d = month_days(y, m);
	format_ymd(y, m, d, out);
	return NL_OK;
}

int check_date_diff(const char *from, const char *to, int *days,
		    struct nl_err *err)
{
	int32_t a, b;
	int rc = check_date_parse("date", from, &a, err);

	if (rc == NL_OK)
		rc = check_date_parse("date", to, &b, err);
	if (rc == NL_OK)
		*days = (int)(b - a);
	return rc;
}

void check_now_utc(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- text ----------------------------------------------------------------- */

/* The text of a field (named field in messages) as the core's one table
 * says for row: valid UTF-8, no control characters (but newline and tab in
 * a note), its length limit, and a value when the row requires one. */
int check_text(const char *field, const char *row, const char *value,
	       struct nl_err *err)
{
	const struct nl_text_field *f = nl_text_field_find(row);

	if (!f)
		return nl_error(err, NL_EINTERNAL, "no text rule for '%s'", row);
	if (!core_opt(value) || value[strspn(value, " \t")] == '\0') {
		if (f->required)
			return nl_error(err, NL_EDATA, "%s: a value is required", field);
		if (!core_opt(value))
			return NL_OK;
	}
	return nl_text_check(field, value, f->kind, f->max, err);
}

static int check_opt_date(const char *field, const char *value, struct nl_err *err)
{
	int32_t day;

	if (!core_opt(value))
		return NL_OK;
	return check_date_parse(field, value, &day, err);
}

static int check_range(const char *field, int v, int lo, int hi, const char *unit,
		       struct nl_err *err)
{
	if (v < lo || v > hi)
		return nl_error(err, NL_EDATA, "%s: %d is outside the allowed %d-%d%s", field, v,
				lo, hi, unit);
	return NL_OK;
}

/* ---- patients ------------------------------------------------------------- */

static int check_phone(const char *phone, struct nl_err *err)
{
	char q[NL_QUOTE_BUF];
	int rc = check_text("phone", "phone", phone, err);

	if (rc != NL_OK || !core_opt(phone))
		return rc;
	if (strspn(phone, "0123456789 +-().#/") != strlen(phone) ||
	    !strpbrk(phone, "0123456789"))
		return nl_error(err, NL_EDATA,
				"phone: '%s' is not a phone number; use digits, spaces and + - ( ) .",
				nl_quote_value(phone, q, sizeof(q)));
	return NL_OK;
}

static int check_email(const char *email, struct nl_err *err)
{
	char q[NL_QUOTE_BUF];
	int rc = check_text("email", "email", email, err);
	const char *at;

	if (rc != NL_OK || !core_opt(email))
		return rc;
	at = strchr(email, '@');
	if (!at || at == email || !at[1] || strchr(at + 1, '@') || strpbrk(email, " \t\r\n"))
		return nl_error(err, NL_EDATA, "email: '%s' is not an email address (name@host)",
				nl_quote_value(email, q, sizeof(q)));
	return NL_OK;
}

static int check_flags(const struct nl_flag *f, size_t n, struct nl_err *err)
{
	char field[64];
	int rc = NL_OK;

	for (size_t i = 0; i < n && rc == NL_OK; i++) {
		if (!vocab_flag_find(f[i].code))
			return nl_error(err, NL_EDATA,
					"flag: unknown contraindication '%s'; see `needlelog vocab`",
					f[i].code ? f[i].code : "");
		for (size_t j = 0; j < i; j++)
			if (strcmp(f[i].code, f[j].code) == 0)
				return nl_error(err, NL_EDATA, "flag: '%s' is given twice", f[i].code);
		snprintf(field, sizeof(field), "flag %s date", f[i].code);
		rc = check_opt_date(field, f[i].date, err);
		snprintf(field, sizeof(field), "flag %s end date", f[i].code);
		if (rc == NL_OK)
			rc = check_opt_date(field, f[i].end_date, err);
		snprintf(field, sizeof(field), "flag %s note", f[i].code);
		if (rc == NL_OK)
			rc = check_text(field, "flag-note", f[i].note, err);
		if (rc == NL_OK && core_opt(f[i].date) && core_opt(f[i].end_date) &&
		    strcmp(f[i].end_date, f[i].date) < 0)
			rc = nl_error(err, NL_EDATA, "flag %s: end date %s is before its date %s",
				      f[i].code, f[i].end_date, f[i].date);
	}
	return rc;
}

int check_patient(const struct nl_patient *p, struct nl_err *err)
{
	int rc = check_text("name", "name", p->name, err);

	if (rc == NL_OK)
		rc = check_opt_date("dob", p->dob, err);
	if (rc == NL_OK)
		rc = check_phone(p->phone, err);
	if (rc == NL_OK)
		rc = check_email(p->email, err);
	if (rc == NL_OK && p->skin_type != 0 &&
	    (p->skin_type < VOCAB_FITZ_MIN || p->skin_type > VOCAB_FITZ_MAX))
		rc = nl_error(err, NL_EDATA,
			      "skin type: %d is not a Fitzpatrick type; use I-VI (1-6)",
			      p->skin_type);
	if (rc == NL_OK)
		rc = check_flags(p->flags, p->nflags, err);
	if (rc == NL_OK)
		rc = check_text("allergies", "allergies", p->allergies, err);
	if (rc == NL_OK)
		rc = check_text("medications", "medications", p->medications, err);
	if (rc == NL_OK)
		rc = check_opt_date("consent date", p->consent_date, err);
	if (rc == NL_OK)
		rc = check_text("notes", "notes", p->notes, err);
	if (rc == NL_OK)
		rc = check_patient_clinical(p, err);
	return rc;
}

/* ---- series ----------------------------------------------------------------- */

int check_score(const char *field, const struct nl_score *sc, struct nl_err *err)
{
	const struct vocab_scale *scale = vocab_scale_find(sc->scale);
	int rc;

	if (!scale)
		return nl_error(err, NL_EDATA, "%s: unknown scale '%s'; see `needlelog vocab`",
				field, sc->scale ? sc->scale : "");
	rc = vocab_scale_check(scale, sc->value, err);
	if (rc != NL_OK && err) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		nl_error(err, rc, "%s: %s", field, msg);
	}
	return rc;
}

static int check_scores(const char *field, const struct nl_score *sc, size_t n,
			struct nl_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int rc = check_score(field, &sc[i], err);

		if (rc != NL_OK)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(sc[i].scale, sc[j].scale) == 0)
				return nl_error(err, NL_EDATA, "%s: scale '%s' is given twice",
						field, sc[i].scale);
	}
	return NL_OK;
}

int check_series(const struct nl_series *sr, struct nl_err *err)
{
	int rc = NL_OK;

	if (!vocab_indication_find(sr->indication))
		return nl_error(err, NL_EDATA,
				"indication: unknown indication '%s'; see `needlelog vocab`",
				sr->indication ? sr->indication : "");
	for (size_t i = 0; i < sr->nareas; i++) {
		if (!vocab_area_find(sr->areas[i]))
			return nl_error(err, NL_EDATA, "area: unknown area '%s'; see `needlelog vocab`",
					sr->areas[i] ? sr->areas[i] : "");
		for (size_t j = 0; j < i; j++)
			if (strcmp(sr->areas[i], sr->areas[j]) == 0)
				return nl_error(err, NL_EDATA, "area: '%s' is given twice", sr->areas[i]);
	}
	if (sr->planned != 0)
		rc = check_range("planned sessions", sr->planned, VOCAB_PLANNED_MIN,
				 VOCAB_PLANNED_MAX, "", err);
	if (rc == NL_OK && sr->interval_days != 0)
		rc = check_range("interval", sr->interval_days, VOCAB_INTERVAL_MIN,
				 VOCAB_INTERVAL_MAX, " days", err);
	if (rc == NL_OK)
		rc = check_opt_date("start date", sr->start_date, err);
	if (rc == NL_OK)
		rc = check_text("goal", "goal", sr->goal, err);
	if (rc == NL_OK && core_opt(sr->status) && !vocab_status_find(sr->status))
		rc = nl_error(err, NL_EDATA,
			      "status: unknown status '%s'; use active, paused, completed or discontinued",
			      sr->status);
	if (rc == NL_OK)
		rc = check_scores("baseline", sr->baseline, sr->nbaseline, err);
	if (rc == NL_OK)
		rc = plan_check(sr, err);
	return rc;
}

/* ---- sessions ---------------------------------------------------------------- */

static int check_treatment(size_t i, const struct nl_treatment *t, struct nl_err *err)
{
	char field[96];

	if (!vocab_area_find(t->area))
		return nl_error(err, NL_EDATA, "area: unknown area '%s'; see `needlelog vocab`",
				t->area ? t->area : "");
	snprintf(field, sizeof(field), "area %s label", t->area);
	if (check_text(field, "label", t->label, err) != NL_OK)
		return NL_EDATA;
	if (!isfinite(t->depth_mm) || t->depth_mm < VOCAB_DEPTH_MIN_MM ||
	    t->depth_mm > VOCAB_DEPTH_MAX_MM)
		return nl_error(err, NL_EDATA,
				"areas[%zu] %s: depth %g mm is outside the allowed %.1f-%.1f mm",
				i + 1, t->area, t->depth_mm, VOCAB_DEPTH_MIN_MM, VOCAB_DEPTH_MAX_MM);
	if (t->passes != 0 && (t->passes < VOCAB_PASSES_MIN || t->passes > VOCAB_PASSES_MAX))
		return nl_error(err, NL_EDATA,
				"areas[%zu] %s: passes %d is outside the allowed %d-%d",
				i + 1, t->area, t->passes, VOCAB_PASSES_MIN, VOCAB_PASSES_MAX);
	return NL_OK;
}

static bool same_label(const char *a, const char *b)
{
	return strcmp(core_opt(a) ? a : "", core_opt(b) ? b : "") == 0;
}

static int check_areas(const struct nl_session *ses, struct nl_err *err)
{
	if (ses->nareas == 0)
		return nl_error(err, NL_EDATA,
				"areas: at least one treated area with its depth is required");
	for (size_t i = 0; i < ses->nareas; i++) {
		int rc = check_treatment(i, &ses->areas[i], err);

		if (rc != NL_OK)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(ses->areas[i].area, ses->areas[j].area) == 0 &&
			    same_label(ses->areas[i].label, ses->areas[j].label))
				return nl_error(err, NL_EDATA, "areas: '%s' is given twice",
						ses->areas[i].area);
	}
	return NL_OK;
}

static const struct {
	const char *field;  /* in messages */
	const char *row;    /* in the core's text table */
	size_t off;
} session_texts[] = {
	{ "practitioner", "practitioner", offsetof(struct nl_session, practitioner) },
	{ "device", "device", offsetof(struct nl_session, device) },
	{ "cartridge", "cartridge", offsetof(struct nl_session, cartridge) },
	{ "anesthetic", "anesthetic", offsetof(struct nl_session, anesthetic) },
	{ "reaction", "reaction", offsetof(struct nl_session, reaction) },
	{ "adverse events", "adverse", offsetof(struct nl_session, adverse) },
	{ "aftercare", "aftercare", offsetof(struct nl_session, aftercare) },
	{ "notes", "notes", offsetof(struct nl_session, notes) },
};

int check_session(const struct nl_session *ses, struct nl_err *err)
{
	int32_t day;
	int rc;

	if (!core_opt(ses->date))
		return nl_error(err, NL_EDATA, "date: a session date is required (YYYY-MM-DD)");
	if ((rc = check_date_parse("date", ses->date, &day, err)) != NL_OK)
		return rc;
	for (size_t i = 0; i < COUNT(session_texts); i++) {
		const char *v = *(char *const *)(const void *)((const char *)ses + session_texts[i].off);

		if ((rc = check_text(session_texts[i].field, session_texts[i].row, v, err)))
			return rc;
	}
	if (ses->anesthetic_minutes != -1 &&
	    (rc = check_range("anesthetic minutes", ses->anesthetic_minutes, 0,
			      VOCAB_ANESTHETIC_MINUTES_MAX, " minutes", err)))
		return rc;
	for (size_t i = 0; i < ses->nproducts; i++)
		if ((rc = check_text("product", "product", ses->products[i], err)))
			return rc;
	if (core_opt(ses->endpoint) && !vocab_endpoint_find(ses->endpoint))
		return nl_error(err, NL_EDATA,
				"endpoint: unknown endpoint '%s'; use erythema-mild, "
				"erythema-uniform or pinpoint-bleeding", ses->endpoint);
	if (ses->pain != -1 &&
	    (rc = check_range("pain", ses->pain, VOCAB_PAIN_MIN, VOCAB_PAIN_MAX, "", err)))
		return rc;
	if ((rc = check_scores("score", ses->scores, ses->nscores, err)))
		return rc;
	if ((rc = check_session_trace(ses, err)))
		return rc;
	return check_areas(ses, err);
}

/* ---- warnings ----------------------------------------------------------------
 * Every rule is one row of warn_table below: its code, its condition (a
 * function that appends the warnings it finds, with their messages) and
 * what it checks, in words. Rules must earn their place (DOMAIN.md): none
 * may fire on every session of a standard protocol. */

typedef int (*warn_fn)(const struct check_context *ctx, const struct nl_session *ses,
		       const char *code, struct nl_warning **w, size_t *n);

static const char *indication_of(const struct check_context *ctx)
{
	return ctx->series && ctx->series->indication ? ctx->series->indication : "other";
}

static int skin_of(const struct check_context *ctx)
{
	return ctx->patient ? ctx->patient->skin_type : 0;
}

static int number_of(const struct check_context *ctx)
{
	return ctx->number > 0 ? ctx->number : ctx->prior_count + 1;
}

static int warn_depth(const struct check_context *ctx, const struct nl_session *ses,
		      const char *code, struct nl_warning **w, size_t *n)
{
	const char *ind = indication_of(ctx);

	for (size_t i = 0; i < ses->nareas; i++) {
		const struct nl_treatment *t = &ses->areas[i];
		double lo, hi;

		if (vocab_depth_usual(t->area, ind, &lo, &hi, NULL) != NL_OK)
			continue;
		if ((t->depth_mm < lo || t->depth_mm > hi) &&
		    core_warn(w, n, code, "%s: %.2f mm is outside the usual %.2g-%.2g mm for %s",
			      t->area, t->depth_mm, lo, hi, ind))
			return -1;
	}
	return 0;
}

static int warn_skin_depth(const struct check_context *ctx, const struct nl_session *ses,
			   const char *code, struct nl_warning **w, size_t *n)
{
	int skin = skin_of(ctx);

	for (size_t i = 0; skin >= CHECK_DARK_SKIN_MIN && i < ses->nareas; i++) {
		const struct nl_treatment *t = &ses->areas[i];

		if (t->depth_mm > CHECK_DARK_SKIN_DEPTH_MM &&
		    core_warn(w, n, code, "%s: %.2f mm on Fitzpatrick %s skin is above %.1f mm "
			      "(risk of post-inflammatory hyperpigmentation)", t->area,
			      t->depth_mm, vocab_fitzpatrick_label(skin), CHECK_DARK_SKIN_DEPTH_MM))
			return -1;
	}
	return 0;
}

bool check_flag_in_force(const struct nl_flag *f, const char *date, char until[11])
{
	const struct vocab_flag *vf = vocab_flag_find(f->code);
	bool windowed = vf && (vf->window_months || vf->window_days) && check_date_valid(f->date);

	until[0] = '\0';
	if (core_opt(f->end_date) && strcmp(f->end_date, date) < 0)
		return false;
	if (!windowed)
		return true;
	if (vf->window_months)
		check_date_add_months(f->date, vf->window_months, until, NULL);
	else
		check_date_add_days(f->date, vf->window_days, until, NULL);
	return strcmp(date, until) <= 0;
}

static int warn_flags(const struct check_context *ctx, const struct nl_session *ses,
		      const char *code, struct nl_warning **w, size_t *n)
{
	(void)code;   /* isotretinoin warns under its own code */
	if (!ctx->patient)
		return 0;
	for (size_t i = 0; i < ctx->patient->nflags; i++) {
		const struct nl_flag *f = &ctx->patient->flags[i];
		const struct vocab_flag *vf = vocab_flag_find(f->code);
		bool iso;
		char until[11];

		if (!vf || !check_flag_in_force(f, ses->date, until))
			continue;
		iso = strcmp(f->code, "isotretinoin") == 0;
		if (until[0] && core_warn(w, n, iso ? CHECK_W_ISOTRETINOIN : CHECK_W_FLAG,
					  "%s: %s on %s; the caution lasts until %s", f->code,
					  vf->label, f->date, until))
			return -1;
		if (!until[0] && core_warn(w, n, iso ? CHECK_W_ISOTRETINOIN : CHECK_W_FLAG,
					   "%s: %s is on file with no end date", f->code, vf->label))
			return -1;
	}
	return 0;
}

/* An active isotretinoin on the medication list follows the flag's rule. */
static int warn_isotretinoin_med(const struct check_context *ctx, const struct nl_session *ses,
				 const char *code, struct nl_warning **w, size_t *n)
{
	for (size_t i = 0; ctx->patient && i < ctx->patient->nmedication_list; i++) {
		const struct nl_medication *m = &ctx->patient->medication_list[i];
		char until[11];

		if (!m->code || strcmp(m->code, "isotretinoin") != 0 ||
		    !check_medication_in_force(m, ses->date, until))
			continue;
		if (until[0] && core_warn(w, n, code, "medication: isotretinoin stopped on %s; "
					  "the caution lasts until %s", m->stop, until))
			return -1;
		if (!until[0] && core_warn(w, n, code, "medication: isotretinoin%s%s is being taken",
					   m->name ? " " : "", m->name ? m->name : ""))
			return -1;
	}
	return 0;
}

/* Whether any treated area is off the scalp (face, neck, body, a scar). */
static bool any_skin_area(const struct nl_session *ses)
{
	for (size_t i = 0; i < ses->nareas; i++) {
		const struct vocab_area *a = vocab_area_find(ses->areas[i].area);

		if (a && a->region != VOCAB_REGION_SCALP)
			return true;
	}
	return false;
}

static int days_since_prev(const struct check_context *ctx, const struct nl_session *ses)
{
	int days;

	if (!core_opt(ctx->prev_date) || check_date_diff(ctx->prev_date, ses->date, &days, NULL))
		return -1;
	return days;
}

static int warn_interval(const struct check_context *ctx, const struct nl_session *ses,
			 const char *code, struct nl_warning **w, size_t *n)
{
	int planned = ctx->series ? plan_interval_at(ctx->series, number_of(ctx))
				  : VOCAB_INTERVAL_DEFAULT;
	int days = days_since_prev(ctx, ses), floor_days = planned - CHECK_INTERVAL_SLACK_DAYS;

	if (days < 0)
		return 0;
	if (floor_days < CHECK_INTERVAL_FLOOR_DAYS)
		floor_days = CHECK_INTERVAL_FLOOR_DAYS;
	if (days < floor_days &&
	    core_warn(w, n, code, "interval: %d days since the last session (%s) is shorter "
		      "than %d days (planned every %d days)", days, ctx->prev_date, floor_days,
		      planned))
		return -1;
	return 0;
}

/* Face and body only: weekly scalp needling is the published hair-loss
 * protocol (Dhurat 2013 treated types IV-V weekly at 1.5 mm). */
static int warn_skin_interval(const struct check_context *ctx, const struct nl_session *ses,
			      const char *code, struct nl_warning **w, size_t *n)
{
	int skin = skin_of(ctx), days = days_since_prev(ctx, ses);

	if (days < 0 || skin < CHECK_DARK_SKIN_MIN || !any_skin_area(ses))
		return 0;
	if (days < CHECK_DARK_SKIN_INTERVAL_DAYS &&
	    core_warn(w, n, code, "interval: %d days on Fitzpatrick %s skin is under %d days "
		      "(risk of post-inflammatory hyperpigmentation)", days,
		      vocab_fitzpatrick_label(skin), CHECK_DARK_SKIN_INTERVAL_DAYS))
		return -1;
	return 0;
}

static int warn_planned(const struct check_context *ctx, const struct nl_session *ses,
			const char *code, struct nl_warning **w, size_t *n)
{
	int planned = ctx->series ? plan_total(ctx->series) : VOCAB_PLANNED_DEFAULT;
	char plan[128] = "";

	(void)ses;
	if (ctx->series && ctx->series->nphases > 1)
		plan_text(ctx->series, plan, sizeof(plan));
	if (ctx->prior_count + 1 > planned &&
	    core_warn(w, n, code, "series: this is session %d of %d planned%s%s%s",
		      ctx->prior_count + 1, planned, plan[0] ? " (" : "", plan, plan[0] ? ")" : ""))
		return -1;
	return 0;
}

static int warn_before_start(const struct check_context *ctx, const struct nl_session *ses,
			     const char *code, struct nl_warning **w, size_t *n)
{
	const char *start = ctx->series ? ctx->series->start_date : NULL;

	if (core_opt(start) && strcmp(ses->date, start) < 0 &&
	    core_warn(w, n, code, "date: %s is before the series' start (%s): a late entry",
		      ses->date, start))
		return -1;
	return 0;
}

static int warn_consent(const struct check_context *ctx, const struct nl_session *ses,
			const char *code, struct nl_warning **w, size_t *n)
{
	const char *ind = indication_of(ctx), *later = NULL;
	struct nl_consent legacy = { .kind = CLIN_CONSENT_TREATMENT };
	const struct nl_consent *c = ctx->consents;
	size_t nc = ctx->nconsents;

	if (!ctx->patient)
		return 0;
	if (!ctx->consents_loaded) {
		legacy.given = ctx->patient->consent_date;
		c = &legacy;
		nc = core_opt(legacy.given) ? 1 : 0;
	}
	for (size_t i = 0; i < nc; i++) {
		if (check_consent_in_force(&c[i], CLIN_CONSENT_TREATMENT, ind, ses->date))
			return 0;
		if (check_consent_in_force(&c[i], CLIN_CONSENT_TREATMENT, ind, c[i].given) &&
		    strcmp(c[i].given, ses->date) > 0 && !later)
			later = c[i].given;
	}
	if (later)
		return core_warn(w, n, code, "consent: the treatment consent for %s was given on "
				 "%s, after this session", ind, later) ? -1 : 0;
	return core_warn(w, n, code, "consent: no treatment consent in force covers %s", ind)
		? -1 : 0;
}

/* The allergens on file, in force on date, that text names: one warning
 * each. */
static int allergens_in(const struct check_context *ctx, const char *date, const char *what,
			const char *text, const char *code, struct nl_warning **w, size_t *n)
{
	for (size_t i = 0; ctx->patient && core_opt(text) && i < ctx->patient->nallergy_list; i++) {
		const struct nl_allergy *a = &ctx->patient->allergy_list[i];
		bool dup = false;

		if (!check_allergy_in_force(a, date) || !clin_text_names_allergen(text, a->code))
			continue;
		for (size_t j = 0; j < i; j++)
			dup = dup || (strcmp(ctx->patient->allergy_list[j].code, a->code) == 0 &&
				      check_allergy_in_force(&ctx->patient->allergy_list[j], date));
		if (!dup && core_warn(w, n, code, "%s: %s contains %s, and the patient is allergic "
				      "to it%s%s%s", what, text, a->code, a->reaction ? " (" : "",
				      a->reaction ? a->reaction : "", a->reaction ? ")" : ""))
			return -1;
	}
	return 0;
}

static int warn_allergen(const struct check_context *ctx, const struct nl_session *ses,
			 const char *code, struct nl_warning **w, size_t *n)
{
	if (allergens_in(ctx, ses->date, "anesthetic", ses->anesthetic, code, w, n))
		return -1;
	for (size_t i = 0; i < ses->nproducts; i++)
		if (allergens_in(ctx, ses->date, "product", ses->products[i], code, w, n))
			return -1;
	return 0;
}

static int warn_nickel(const struct check_context *ctx, const struct nl_session *ses,
		       const char *code, struct nl_warning **w, size_t *n)
{
	for (size_t i = 0; ctx->patient && i < ctx->patient->nallergy_list; i++) {
		const struct nl_allergy *a = &ctx->patient->allergy_list[i];

		if (strcmp(a->code, "nickel") == 0 && check_allergy_in_force(a, ses->date))
			return core_warn(w, n, code, "nickel allergy: steel needle cartridges contain "
					 "nickel") ? -1 : 0;   /* once a session */
	}
	return 0;
}

static int warn_bleeding(const struct check_context *ctx, const struct nl_session *ses,
			 const char *code, struct nl_warning **w, size_t *n)
{
	for (size_t i = 0; ctx->patient && i < ctx->patient->nmedication_list; i++) {
		const struct nl_medication *m = &ctx->patient->medication_list[i];
		char until[11];

		if (strcmp(m->code, "anticoagulant") != 0 && strcmp(m->code, "antiplatelet") != 0)
			continue;
		if (check_medication_in_force(m, ses->date, until) &&
		    core_warn(w, n, code, "medication: %s%s%s%s is active (bruising, bleeding)",
			      m->code, m->name ? " (" : "", m->name ? m->name : "",
			      m->name ? ")" : ""))
			return -1;
	}
	return 0;
}

static int warn_expired(const struct check_context *ctx, const struct nl_session *ses,
			const char *code, struct nl_warning **w, size_t *n)
{
	(void)ctx;
	if (core_opt(ses->cartridge_expiry) && strcmp(ses->cartridge_expiry, ses->date) < 0 &&
	    core_warn(w, n, code, "cartridge%s%s: expired on %s", ses->cartridge ? " " : "",
		      ses->cartridge ? ses->cartridge : "", ses->cartridge_expiry))
		return -1;
	for (size_t i = 0; i < ses->nproduct_lots && i < ses->nproducts; i++) {
		const char *exp = ses->product_lots[i].expiry;

		if (core_opt(exp) && strcmp(exp, ses->date) < 0 &&
		    core_warn(w, n, code, "product %s: expired on %s", ses->products[i], exp))
			return -1;
	}
	return 0;
}

static const struct warn_rule {
	const char *code;     /* CHECK_W_* */
	warn_fn when;         /* appends its warnings, with their messages */
	const char *about;    /* the rule in words */
} warn_table[] = {
	{ CHECK_W_DEPTH_RANGE, warn_depth,
	  "a depth outside the usual range for the area and indication" },
	{ CHECK_W_SKIN_DEPTH, warn_skin_depth, "Fitzpatrick IV-VI and a depth above 1.5 mm" },
	{ CHECK_W_FLAG, warn_flags,
	  "a contraindication flag in force (isotretinoin under its own code: 6 months from "
	  "the last dose)" },
	{ CHECK_W_ISOTRETINOIN, warn_isotretinoin_med,
	  "isotretinoin on the medication list, taken or stopped less than 6 months before" },
	{ CHECK_W_INTERVAL_SHORT, warn_interval,
	  "an interval shorter than the planned interval of the session's phase minus 7 days, "
	  "or under 7 days" },
	{ CHECK_W_SKIN_INTERVAL, warn_skin_interval,
	  "Fitzpatrick IV-VI and an interval under 28 days on the face or body (scalp exempt)" },
	{ CHECK_W_PAST_PLANNED, warn_planned,
	  "the series is past its planned number of sessions (every phase counted)" },
	{ CHECK_W_BEFORE_START, warn_before_start,
	  "a session dated before the series' start (a late entry: allowed, marked)" },
	{ CHECK_W_NO_CONSENT, warn_consent,
	  "no treatment consent in force covering the indication on the session's date" },
	{ CHECK_W_ALLERGEN, warn_allergen,
	  "an anaesthetic or product containing an allergen on file" },
	{ CHECK_W_NICKEL, warn_nickel,
	  "a nickel allergy: steel needle cartridges contain nickel (once a session)" },
	{ CHECK_W_BLEEDING, warn_bleeding, "an active anticoagulant or antiplatelet" },
	{ CHECK_W_EXPIRED, warn_expired,
	  "a cartridge or product past its expiry date on the session's date" },
};
const size_t check_rule_count = COUNT(warn_table);

const char *check_rule_code(size_t i)
{
	return i < COUNT(warn_table) ? warn_table[i].code : NULL;
}

const char *check_rule_about(size_t i)
{
	return i < COUNT(warn_table) ? warn_table[i].about : NULL;
}

int check_session_warnings(const struct check_context *ctx,
			   const struct nl_session *ses, struct nl_warning **w,
			   size_t *n, struct nl_err *err)
{
	for (size_t i = 0; i < COUNT(warn_table); i++)
		if (warn_table[i].when(ctx, ses, warn_table[i].code, w, n) != 0)
			return nl_error(err, NL_ENOMEM, "out of memory");
	return NL_OK;
}
