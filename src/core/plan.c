/* Series plans in phases: "12 weekly, then 6 every 4 weeks". The phase the
 * next session falls in gives its interval, for the due date, the interval
 * warning and "past the plan". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/text.h"

int plan_phase_add(struct nl_series *sr, const char *spec, struct nl_err *err)
{
	char q[NL_QUOTE_BUF], count[16], days[16];
	const char *x = spec ? strpbrk(spec, "xX") : NULL;
	struct nl_phase ph, *v;
	size_t n;

	if (!x || (n = (size_t)(x - spec)) == 0 || n >= sizeof(count) ||
	    strlen(x + 1) >= sizeof(days))
		return nl_error(err, NL_EDATA, "phase: '%s' is not COUNTxDAYS (e.g. 12x7)",
				nl_quote_value(spec, q, sizeof(q)));
	memcpy(count, spec, n);
	count[n] = '\0';
	snprintf(days, sizeof(days), "%s", x + 1);
	if (nl_parse_int("phase sessions", count, VOCAB_PLANNED_MIN, VOCAB_PLANNED_MAX,
			 &ph.count, err) != NL_OK ||
	    nl_parse_int("phase interval", days, VOCAB_INTERVAL_MIN, VOCAB_INTERVAL_MAX,
			 &ph.interval_days, err) != NL_OK)
		return NL_EDATA;
	if (!(v = realloc(sr->phases, (sr->nphases + 1) * sizeof(*v))))
		return nl_error(err, NL_ENOMEM, "out of memory");
	sr->phases = v;
	v[sr->nphases++] = ph;
	return NL_OK;
}

static int phases_total(const struct nl_phase *ph, size_t n)
{
	int t = 0;

	for (size_t i = 0; i < n; i++)
		t += ph[i].count;
	return t;
}

int plan_total(const struct nl_series *sr)
{
	if (sr->nphases > 0)
		return phases_total(sr->phases, sr->nphases);
	return sr->planned ? sr->planned : VOCAB_PLANNED_DEFAULT;
}

int plan_interval_at(const struct nl_series *sr, int number)
{
	int upto = 0;

	if (sr->nphases == 0)
		return sr->interval_days ? sr->interval_days : VOCAB_INTERVAL_DEFAULT;
	for (size_t i = 0; i < sr->nphases; i++) {
		upto += sr->phases[i].count;
		if (number <= upto)
			return sr->phases[i].interval_days;
	}
	return sr->phases[sr->nphases - 1].interval_days;
}

static void interval_words(int days, char *buf, size_t size)
{
	if (days == 1)
		snprintf(buf, size, "daily");
	else if (days == 7)
		snprintf(buf, size, "weekly");
	else if (days % 7 == 0)
		snprintf(buf, size, "every %d weeks", days / 7);
	else
		snprintf(buf, size, "every %d days", days);
}

const char *plan_text(const struct nl_series *sr, char *buf, size_t size)
{
	struct nl_phase one = { plan_total(sr), plan_interval_at(sr, 1) };
	const struct nl_phase *ph = sr->nphases ? sr->phases : &one;
	size_t n = sr->nphases ? sr->nphases : 1, used = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++) {
		char words[32];
		int w;

		interval_words(ph[i].interval_days, words, sizeof(words));
		if (ph[i].count == 1)
			w = snprintf(buf + used, size - used, "%s1 session", i ? ", then " : "");
		else
			w = snprintf(buf + used, size - used, "%s%d %s", i ? ", then " : "",
				     ph[i].count, words);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

/* ---- hooks of series.c ------------------------------------------------------- */

int plan_check(const struct nl_series *sr, struct nl_err *err)
{
	int total;

	for (size_t i = 0; i < sr->nphases; i++) {
		const struct nl_phase *ph = &sr->phases[i];

		if (ph->count < VOCAB_PLANNED_MIN || ph->count > VOCAB_PLANNED_MAX)
			return nl_error(err, NL_EDATA, "phase %zu: %d sessions is outside the allowed "
					"%d-%d", i + 1, ph->count, VOCAB_PLANNED_MIN,
					VOCAB_PLANNED_MAX);
		if (ph->interval_days < VOCAB_INTERVAL_MIN || ph->interval_days > VOCAB_INTERVAL_MAX)
			return nl_error(err, NL_EDATA, "phase %zu: every %d days is outside the "
					"allowed %d-%d days", i + 1, ph->interval_days,
					VOCAB_INTERVAL_MIN, VOCAB_INTERVAL_MAX);
	}
	if (sr->nphases < 2)
		return NL_OK;
	total = phases_total(sr->phases, sr->nphases);
	if (total > VOCAB_PLANNED_MAX)
		return nl_error(err, NL_EDATA, "phases: %d sessions in all is more than the allowed "
				"%d", total, VOCAB_PLANNED_MAX);
	if (sr->planned && sr->planned != total)
		return nl_error(err, NL_EDATA, "planned: %d disagrees with the phases (%d sessions "
				"in all); give the phases or the one-phase form, not both",
				sr->planned, total);
	if (sr->interval_days && sr->interval_days != sr->phases[0].interval_days)
		return nl_error(err, NL_EDATA, "interval: %d days disagrees with the first phase "
				"(every %d days); give the phases or the one-phase form, not both",
				sr->interval_days, sr->phases[0].interval_days);
	return NL_OK;
}

/* What series.planned and interval_days store: the total and the first
 * interval of two or more phases; else the one-phase form as given (0 =
 * default or kept, as series.c decides). */
void plan_stored(const struct nl_series *in, int *planned, int *interval)
{
	if (in->nphases >= 2) {
		*planned = phases_total(in->phases, in->nphases);
		*interval = in->phases[0].interval_days;
	} else if (in->nphases == 1) {
		*planned = in->planned ? in->planned : in->phases[0].count;
		*interval = in->interval_days ? in->interval_days : in->phases[0].interval_days;
	} else {
		*planned = in->planned;
		*interval = in->interval_days;
	}
}

/* The phases as stored: two or more as given, else one from the series
 * row's planned and interval_days (read back after writing it). */
int plan_write(struct record *s, int64_t id, const struct nl_series *in, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, "DELETE FROM series_phase WHERE series_id = ?", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = core_exec_stmt(s, st, "saving the plan", err)) != NL_OK)
		return rc;
	if (in->nphases < 2) {
		rc = core_prepare(s, "INSERT INTO series_phase (series_id, pos, count, interval_days) "
				     "SELECT id, 0, planned, interval_days FROM series WHERE id = ?",
				  &st, err);
		if (rc != NL_OK)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		return core_exec_stmt(s, st, "saving the plan", err);
	}
	for (size_t i = 0; i < in->nphases && rc == NL_OK; i++) {
		rc = core_prepare(s, "INSERT INTO series_phase (series_id, pos, count, interval_days) "
				     "VALUES (?, ?, ?, ?)", &st, err);
		if (rc != NL_OK)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_int(st, 3, in->phases[i].count);
		sqlite3_bind_int(st, 4, in->phases[i].interval_days);
		rc = core_exec_stmt(s, st, "saving the plan", err);
	}
	return rc;
}

int plan_read(struct record *s, struct nl_series *sr, struct nl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = core_prepare(s, "SELECT count, interval_days FROM series_phase WHERE series_id = ? "
				 "ORDER BY pos", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, sr->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (core_grow((void **)&sr->phases, &cap, sr->nphases + 1, sizeof(*sr->phases))) {
			core_finalize(s, st);
			return nl_error(err, NL_ENOMEM, "out of memory");
		}
		sr->phases[sr->nphases].count = sqlite3_column_int(st, 0);
		sr->phases[sr->nphases++].interval_days = sqlite3_column_int(st, 1);
	}
	core_finalize(s, st);
	return rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "reading the plan", err);
}

void plan_free(struct nl_series *sr)
{
	core_zfree(sr->phases);
	sr->phases = NULL;
	sr->nphases = 0;
}

int plan_due_rows(struct record *s, struct core_due_row *rows, size_t n, struct nl_err *err)
{
	sqlite3_stmt *st;
	size_t r = 0;
	int rc = core_prepare(s, "SELECT series_id, count, interval_days FROM series_phase "
				 "ORDER BY series_id, pos", &st, err);
	/* rows are in series id order (core_due_rows): walk both together */
	int upto = 0, interval = 0;
	int64_t cur = 0;

	if (rc != NL_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t sid = sqlite3_column_int64(st, 0);

		if (sid != cur) {
			cur = sid;
			upto = 0;
			interval = 0;
		}
		while (r < n && rows[r].series_id < sid)
			r++;
		if (r == n)
			break;
		if (rows[r].series_id != sid || interval)
			continue;
		upto += sqlite3_column_int(st, 1);
		if (rows[r].done + 1 <= upto) {
			interval = sqlite3_column_int(st, 2);
			rows[r].interval_days = interval;
			core_next_due(rows[r].start_date, rows[r].last_date, interval, rows[r].done,
				      rows[r].planned, rows[r].next_due);
		}
	}
	core_finalize(s, st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? NL_OK
						     : core_sql_error(s, "reading the plans", err);
}
