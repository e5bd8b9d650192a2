/* Progress of a series and the cross-patient due list, computed from the
 * sessions each time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"

void core_next_due(const char *start, const char *last, int interval, int done,
		   int planned, char out[11])
{
	out[0] = '\0';
	if (done >= planned)
		return;
	if (core_opt(last))
		check_date_add_days(last, interval, out, NULL);
	else if (check_date_valid(start))
		snprintf(out, 11, "%s", start);
}

void core_due_rows_free(struct core_due_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].indication);
		free(rows[i].status);
		free(rows[i].patient_name);
		free(rows[i].phone);
	}
	free(rows);
}

/* The active series with their due facts: the count of live sessions and
 * the latest effective date come from series_due, which the database keeps
 * up to date on every change (schema/006_scale.sql): one row per series, no
 * session read. Only the active ones are due (the lists ask for nothing
 * else), and in ten years of a practice most series are finished: they are
 * skipped before their patient is read. One patient's series, all of them:
 * the same, through series_patient. */
#define DUE_SELECT(where) \
	"SELECT s.id, s.patient_id, s.indication, s.status, s.planned, s.interval_days, " \
	"s.start_date, p.name, p.phone, p.archived, coalesce(d.done, 0), d.last_date " \
	"FROM series s JOIN patient p ON p.id = s.patient_id " \
	"LEFT JOIN series_due d ON d.series_id = s.id " where " ORDER BY s.id"

const char *const core_sql_due[2] = {
	[0] = DUE_SELECT("WHERE s.status = '" VOCAB_STATUS_ACTIVE "'"),
	[1] = DUE_SELECT("WHERE s.patient_id = ?1"),
};

int core_due_rows(struct record *s, int64_t patient_id, struct core_due_row **out,
		  size_t *n, struct nl_err *err)
{
	struct core_due_row *rows = NULL;
	size_t cap = 0, count = 0;
	sqlite3_stmt *st;
	bool oom = false;
	int rc = core_prepare(s, core_sql_due[patient_id != 0], &st, err);

	*out = NULL;
	*n = 0;
	if (rc != NL_OK)
		return rc;
	if (patient_id)
		sqlite3_bind_int64(st, 1, patient_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct core_due_row *r;

		if (core_grow((void **)&rows, &cap, count + 1, sizeof(*rows)) != 0) {
			oom = true;
			break;
		}
		r = &rows[count++];
		memset(r, 0, sizeof(*r));
		r->series_id = sqlite3_column_int64(st, 0);
		r->patient_id = sqlite3_column_int64(st, 1);
		r->indication = core_col_text(st, 2, &oom);
		r->status = core_col_text(st, 3, &oom);
		r->planned = sqlite3_column_int(st, 4);
		r->interval_days = sqlite3_column_int(st, 5);
		snprintf(r->start_date, sizeof(r->start_date), "%s",
			 (const char *)sqlite3_column_text(st, 6));
		r->patient_name = core_col_text(st, 7, &oom);
		r->phone = core_col_text(st, 8, &oom);
		r->archived = sqlite3_column_int(st, 9) != 0;
		r->done = sqlite3_column_int(st, 10);
		if (sqlite3_column_type(st, 11) != SQLITE_NULL)
			snprintf(r->last_date, sizeof(r->last_date), "%s",
				 (const char *)sqlite3_column_text(st, 11));
		core_next_due(r->start_date, r->last_date, r->interval_days, r->done, r->planned,
			      r->next_due);
	}
	core_finalize(s, st);
	if (!oom && rc == SQLITE_DONE && plan_due_rows(s, rows, count, err) != NL_OK)
		rc = SQLITE_ERROR;
	if (oom || rc != SQLITE_DONE) {
		core_due_rows_free(rows, count);
		return oom ? nl_error(err, NL_ENOMEM, "out of memory")
			   : core_sql_error(s, "reading the series", err);
	}
	*out = rows;
	*n = count;
	return NL_OK;
}

/* ---- pure pieces ------------------------------------------------------------ */

enum progress_due progress_due_state(const char *next_due, const char *today, int *days_until)
{
	int days = 0;

	if (days_until)
		*days_until = 0;
	if (!core_opt(next_due) || check_date_diff(today, next_due, &days, NULL) != NL_OK)
		return PROGRESS_COMPLETE;
	if (days_until)
		*days_until = days;
	return days < 0 ? PROGRESS_OVERDUE : days == 0 ? PROGRESS_DUE : PROGRESS_UPCOMING;
}

enum progress_change progress_compare(const struct vocab_scale *sc, double baseline,
				      double value)
{
	if (value == baseline)
		return PROGRESS_SAME;
	if (progress_stage(sc, value) == progress_stage(sc, baseline))
		return PROGRESS_PATTERN;   /* a staged scale: same stage, other pattern */
	baseline = progress_stage(sc, baseline);
	value = progress_stage(sc, value);
	switch (sc->direction) {
	case VOCAB_DIR_LOWER:
		return value < baseline ? PROGRESS_BETTER : PROGRESS_WORSE;
	case VOCAB_DIR_HIGHER:
		return value > baseline ? PROGRESS_BETTER : PROGRESS_WORSE;
	default:
		return PROGRESS_CHANGED;
	}
}

static const char *const due_names[] = {
	[PROGRESS_UPCOMING] = "upcoming", [PROGRESS_DUE] = "due",
	[PROGRESS_OVERDUE] = "overdue", [PROGRESS_COMPLETE] = "complete",
	[PROGRESS_INACTIVE] = "inactive",
};
static const char *const change_names[] = {
	[PROGRESS_SAME] = "same", [PROGRESS_BETTER] = "better", [PROGRESS_WORSE] = "worse",
	[PROGRESS_CHANGED] = "changed", [PROGRESS_NO_BASELINE] = "no baseline",
	[PROGRESS_PATTERN] = "pattern changed",
};
static const char *const trend_names[] = {
	[PROGRESS_TREND_NONE] = "-", [PROGRESS_TREND_IMPROVING] = "improving",
	[PROGRESS_TREND_STABLE] = "stable", [PROGRESS_TREND_WORSENING] = "worsening",
	[PROGRESS_TREND_RISING] = "rising", [PROGRESS_TREND_FALLING] = "falling",
};

const char *progress_due_name(enum progress_due d)
{
	return (unsigned)d < COUNT(due_names) ? due_names[d] : "?";
}

const char *progress_change_name(enum progress_change c)
{
	return (unsigned)c < COUNT(change_names) ? change_names[c] : "?";
}

const char *progress_trend_name(enum progress_trend t)
{
	return (unsigned)t < COUNT(trend_names) ? trend_names[t] : "?";
}

/* The sign of the least-squares slope of the values over their session
 * numbers, read through the scale's direction. */
static enum progress_trend trend(const struct progress_scale *ps,
				 const struct progress_session *sessions)
{
	double mx = 0, my = 0, sxy = 0, sxx = 0, slope;

	if (ps->npoints < 2)
		return PROGRESS_TREND_NONE;
	for (size_t i = 0; i < ps->npoints; i++) {
		mx += sessions[ps->points[i].session].number;
		my += progress_stage(ps->scale, ps->points[i].value);
	}
	mx /= (double)ps->npoints;
	my /= (double)ps->npoints;
	for (size_t i = 0; i < ps->npoints; i++) {
		double dx = sessions[ps->points[i].session].number - mx;

		sxy += dx * (progress_stage(ps->scale, ps->points[i].value) - my);
		sxx += dx * dx;
	}
	slope = sxx > 0 ? sxy / sxx : 0;
	if (fabs(slope) < 1e-9)
		return PROGRESS_TREND_STABLE;
	switch (ps->scale->direction) {
	case VOCAB_DIR_LOWER:
		return slope < 0 ? PROGRESS_TREND_IMPROVING : PROGRESS_TREND_WORSENING;
	case VOCAB_DIR_HIGHER:
		return slope > 0 ? PROGRESS_TREND_IMPROVING : PROGRESS_TREND_WORSENING;
	default:
		return slope > 0 ? PROGRESS_TREND_RISING : PROGRESS_TREND_FALLING;
	}
}

/* ---- one series ---------------------------------------------------------------- */

void progress_free(struct nl_progress *p)
{
	if (!p)
		return;
	free(p->sessions);
	record_strings_free(p->areas, p->nareas);
	free(p->depth_mm);
	free(p->passes);
	for (size_t i = 0; i < p->nscales; i++)
		free(p->scales[i].points);
	free(p->scales);
	memset(p, 0, sizeof(*p));
}

/* The column name of a treatment: its area, or "scar:label". */
static void column_name(const struct nl_treatment *t, char *buf, size_t size)
{
	if (core_opt(t->label))
		snprintf(buf, size, "%s:%s", t->area, t->label);
	else
		snprintf(buf, size, "%s", t->area);
}

static ssize_t column_find(const struct nl_progress *p, const char *name)
{
	for (size_t j = 0; j < p->nareas; j++)
		if (strcmp(p->areas[j], name) == 0)
			return (ssize_t)j;
	return -1;
}

static int add_column(struct nl_progress *p, size_t *cap, const char *name)
{
	if (column_find(p, name) >= 0)
		return 0;
	if (core_grow((void **)&p->areas, cap, p->nareas + 1, sizeof(char *)) != 0 ||
	    !(p->areas[p->nareas] = strdup(name)))
		return -1;
	p->nareas++;
	return 0;
}

static int depth_table(struct nl_progress *p, const struct nl_series *sr,
		       const struct nl_session *ses, size_t n)
{
	size_t cap = 0;
	char name[512];

	for (size_t i = 0; i < sr->nareas; i++)
		if (add_column(p, &cap, sr->areas[i]) != 0)
			return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < ses[i].nareas; k++) {
			column_name(&ses[i].areas[k], name, sizeof(name));
			if (add_column(p, &cap, name) != 0)
				return -1;
		}
	if (n == 0 || p->nareas == 0)
		return 0;
	p->depth_mm = malloc(n * p->nareas * sizeof(double));
	p->passes = calloc(n * p->nareas, sizeof(int));
	if (!p->depth_mm || !p->passes)
		return -1;
	for (size_t i = 0; i < n * p->nareas; i++)
		p->depth_mm[i] = -1;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < ses[i].nareas; k++) {
			ssize_t j;

			column_name(&ses[i].areas[k], name, sizeof(name));
			j = column_find(p, name);
			p->depth_mm[i * p->nareas + (size_t)j] = ses[i].areas[k].depth_mm;
			p->passes[i * p->nareas + (size_t)j] = ses[i].areas[k].passes;
		}
	return 0;
}

static const struct nl_score *score_of(const struct nl_score *sc, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(sc[i].scale, code) == 0)
			return &sc[i];
	return NULL;
}

static int score_table(struct nl_progress *p, const struct nl_series *sr,
		       const struct nl_session *ses, size_t n)
{
	p->scales = calloc(vocab_scale_count, sizeof(*p->scales));
	if (!p->scales)
		return -1;
	for (size_t k = 0; k < vocab_scale_count; k++) {
		const struct vocab_scale *sc = &vocab_scales[k];
		const struct nl_score *base = score_of(sr->baseline, sr->nbaseline, sc->code);
		struct progress_scale *ps = &p->scales[p->nscales];

		ps->scale = sc;
		ps->has_baseline = base != NULL;
		ps->baseline = base ? base->value : 0;
		ps->points = calloc(n ? n : 1, sizeof(*ps->points));
		if (!ps->points)
			return -1;
		for (size_t i = 0; i < n; i++) {
			const struct nl_score *v = score_of(ses[i].scores, ses[i].nscores, sc->code);
			struct progress_point *pt = &ps->points[ps->npoints];

			if (!v)
				continue;
			pt->session = i;
			pt->value = v->value;
			pt->change = base ? v->value - base->value : 0;
			pt->verdict = base ? progress_compare(sc, base->value, v->value)
					   : PROGRESS_NO_BASELINE;
			snprintf(pt->date, sizeof(pt->date), "%s", ses[i].date);
			pt->delta.verdict = PROGRESS_NO_BASELINE;
			if (base)
				progress_delta(sc, base->value, v->value, &pt->delta);
			ps->npoints++;
		}
		if (!base && ps->npoints == 0) {
			free(ps->points);
			ps->points = NULL;
			continue;
		}
		ps->verdict = PROGRESS_NO_BASELINE;
		ps->delta.verdict = PROGRESS_NO_BASELINE;
		ps->unit = progress_unit(sc);
		if (base)
			snprintf(ps->baseline_date, sizeof(ps->baseline_date), "%s", sr->start_date);
		if (ps->npoints > 0) {
			ps->latest = ps->points[ps->npoints - 1].value;
			ps->change = ps->points[ps->npoints - 1].change;
			ps->verdict = ps->points[ps->npoints - 1].verdict;
			ps->delta = ps->points[ps->npoints - 1].delta;
		}
		ps->trend = trend(ps, p->sessions);
		p->nscales++;
	}
	return 0;
}

static int session_rows(struct nl_progress *p, const struct nl_session *ses, size_t n)
{
	p->sessions = calloc(n ? n : 1, sizeof(*p->sessions));
	if (!p->sessions)
		return -1;
	p->nsessions = n;
	for (size_t i = 0; i < n; i++) {
		struct progress_session *r = &p->sessions[i];

		r->session_id = ses[i].id;
		r->number = (int)i + 1;
		snprintf(r->date, sizeof(r->date), "%s", ses[i].date);
		r->interval_days = -1;
		if (i > 0)
			check_date_diff(ses[i - 1].date, ses[i].date, &r->interval_days, NULL);
		r->is_signed = ses[i].is_signed;
		r->nwarnings = ses[i].nwarnings;
	}
	return 0;
}

int progress_series(struct record *s, int64_t series_id, const char *today,
		    struct nl_progress *out, struct nl_err *err)
{
	struct nl_series sr;
	struct nl_session *ses = NULL;
	size_t n = 0;
	int32_t day;
	int rc = check_date_parse("today", today, &day, err);

	memset(out, 0, sizeof(*out));
	if (rc != NL_OK || (rc = record_series_get(s, series_id, &sr, err)) != NL_OK)
		return rc;
	rc = record_session_list(s, series_id, false, &ses, &n, err);
	if (rc != NL_OK) {
		record_series_free(&sr);
		return rc;
	}
	out->series_id = sr.id;
	out->patient_id = sr.patient_id;
	out->done = (int)n;
	out->planned = plan_total(&sr);
	out->interval_days = plan_interval_at(&sr, (int)n + 1);
	snprintf(out->start_date, sizeof(out->start_date), "%s", sr.start_date);
	if (n > 0)
		snprintf(out->last_date, sizeof(out->last_date), "%s", ses[n - 1].date);
	if (strcmp(sr.status, VOCAB_STATUS_ACTIVE) != 0) {
		out->due = PROGRESS_INACTIVE;
	} else {
		core_next_due(out->start_date, out->last_date, out->interval_days, out->done,
			      out->planned, out->next_due);
		out->due = progress_due_state(out->next_due, today, &out->days_until_due);
	}
	if (session_rows(out, ses, n) != 0 || depth_table(out, &sr, ses, n) != 0 ||
	    score_table(out, &sr, ses, n) != 0) {
		progress_free(out);
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	}
	record_session_list_free(ses, n);
	record_series_free(&sr);
	return rc;
}

/* ---- the due list ------------------------------------------------------------------ */

void progress_due_list_free(struct nl_due *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		core_zfree(rows[i].patient_name);
		core_zfree(rows[i].phone);
		core_zfree(rows[i].indication);
	}
	core_zfree(rows);
}

static int due_cmp(const void *a, const void *b)
{
	const struct nl_due *x = a, *y = b;
	int c;

	if (x->days_until_due != y->days_until_due)
		return x->days_until_due < y->days_until_due ? -1 : 1;
	c = strcmp(x->patient_name, y->patient_name);
	return c ? c : (x->series_id > y->series_id) - (x->series_id < y->series_id);
}

int progress_due_list(struct record *s, const char *today, int within_days,
		      struct nl_due **out, size_t *n, struct nl_err *err)
{
	struct core_due_row *rows;
	struct nl_due *due = NULL;
	size_t nrows, count = 0;
	int32_t day;
	int rc = check_date_parse("today", today, &day, err);

	*out = NULL;
	*n = 0;
	if (rc != NL_OK)
		return rc;
	if (within_days < 0)
		return nl_error(err, NL_EDATA, "within: %d days; use 0 or more", within_days);
	if ((rc = core_due_rows(s, 0, &rows, &nrows, err)) != NL_OK)
		return rc;
	due = calloc(nrows ? nrows : 1, sizeof(*due));
	if (!due)
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	for (size_t i = 0; i < nrows && rc == NL_OK; i++) {
		struct core_due_row *r = &rows[i];
		struct nl_due *d = &due[count];
		int days;

		if (strcmp(r->status, VOCAB_STATUS_ACTIVE) != 0 || !r->next_due[0])
			continue;
		d->due = progress_due_state(r->next_due, today, &days);
		if (days > within_days)
			continue;
		if (r->archived)
			continue;
		d->patient_id = r->patient_id;
		d->patient_name = r->patient_name;
		d->phone = r->phone;
		r->patient_name = r->phone = NULL;
		d->series_id = r->series_id;
		d->indication = strdup(r->indication);
		d->done = r->done;
		d->planned = r->planned;
		memcpy(d->last_date, r->last_date, sizeof(d->last_date));
		memcpy(d->next_due, r->next_due, sizeof(d->next_due));
		d->days_until_due = days;
		count++;
		if (!d->indication)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	}
	core_due_rows_free(rows, nrows);
	if (rc != NL_OK) {
		progress_due_list_free(due, count);
		return rc;
	}
	qsort(due, count, sizeof(*due), due_cmp);
	*out = due;
	*n = count;
	return NL_OK;
}
