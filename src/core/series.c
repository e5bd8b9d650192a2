/* Treatment series: a plan of sessions for one indication. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "needlelog/audit.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/vocab.h"

void record_series_free(struct nl_series *sr)
{
	if (!sr)
		return;
	core_zfree(sr->indication);
	for (size_t i = 0; i < sr->nareas; i++)
		core_zfree(sr->areas[i]);
	core_zfree(sr->areas);
	core_zfree(sr->start_date);
	core_zfree(sr->goal);
	core_zfree(sr->status);
	for (size_t i = 0; i < sr->nbaseline; i++)
		core_zfree(sr->baseline[i].scale);
	core_zfree(sr->baseline);
	core_zfree(sr->created_at);
	core_zfree(sr->updated_at);
	plan_free(sr);
	memset(sr, 0, sizeof(*sr));
}

void record_series_list_free(struct nl_series *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		record_series_free(&rows[i]);
	core_zfree(rows);
}

/* The values to store: defaults filled in for 0 / NULL. */
struct series_values {
	int planned, interval;
	const char *start, *status;
	char today[11];
};

static void series_values(struct record *s, const struct nl_series *in,
			  struct series_values *v)
{
	plan_stored(in, &v->planned, &v->interval);
	v->planned = v->planned ? v->planned : VOCAB_PLANNED_DEFAULT;
	v->interval = v->interval ? v->interval : VOCAB_INTERVAL_DEFAULT;
	snprintf(v->today, sizeof(v->today), "%s", record_today(s));
	v->start = core_opt(in->start_date) ? in->start_date : v->today;
	v->status = core_opt(in->status) ? in->status : VOCAB_STATUS_ACTIVE;
}

static int write_children(struct record *s, int64_t id, const struct nl_series *in,
			  struct nl_err *err)
{
	static const char *const clear[] = {
		"DELETE FROM series_area WHERE series_id = ?",
		"DELETE FROM series_baseline WHERE series_id = ?",
	};
	sqlite3_stmt *st;
	int rc = core_exec_for_id(s, clear, COUNT(clear), id, "saving the series", err);

	for (size_t i = 0; i < in->nareas && rc == NL_OK; i++) {
		if ((rc = core_prepare(s, "INSERT INTO series_area (series_id, pos, area) "
					  "VALUES (?, ?, ?)", &st, err)) != NL_OK)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		core_bind_text(st, 3, in->areas[i]);
		rc = core_exec_stmt(s, st, "saving the series areas", err);
	}
	for (size_t i = 0; i < in->nbaseline && rc == NL_OK; i++) {
		if ((rc = core_prepare(s, "INSERT INTO series_baseline (series_id, scale, value) "
					  "VALUES (?, ?, ?)", &st, err)) != NL_OK)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		core_bind_text(st, 2, in->baseline[i].scale);
		sqlite3_bind_double(st, 3, in->baseline[i].value);
		rc = core_exec_stmt(s, st, "saving the baseline", err);
	}
	if (rc == NL_OK)
		rc = plan_write(s, id, in, err);
	return rc;
}

int record_series_add(struct record *s, const struct nl_series *in, int64_t *id,
		      struct nl_err *err)
{
	struct series_values v;
	sqlite3_stmt *st;
	bool exists;
	char now[21];
	int64_t new_id = 0;
	int rc = check_series(in, err);

	if (rc != NL_OK || (rc = core_begin(s, err)) != NL_OK)
		return rc;
	series_values(s, in, &v);
	check_now_utc(now);
	rc = core_exists(s, "patient", in->patient_id, &exists, err);
	if (rc == NL_OK && !exists)
		rc = nl_error(err, NL_ENOENT, "no patient with id %lld", (long long)in->patient_id);
	if (rc == NL_OK)
		rc = core_prepare(s, "INSERT INTO series (patient_id, indication, planned, "
				     "interval_days, start_date, goal, status, created_at, updated_at) "
				     "VALUES (?, ?, ?, ?, ?, ?, ?, ?8, ?8)", &st, err);
	if (rc == NL_OK) {
		sqlite3_bind_int64(st, 1, in->patient_id);
		core_bind_text(st, 2, in->indication);
		sqlite3_bind_int(st, 3, v.planned);
		sqlite3_bind_int(st, 4, v.interval);
		core_bind_text(st, 5, v.start);
		core_bind_text(st, 6, in->goal);
		core_bind_text(st, 7, v.status);
		sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
		rc = core_exec_stmt(s, st, "adding the series", err);
	}
	if (rc == NL_OK) {
		new_id = sqlite3_last_insert_rowid(core_db(s));
		rc = write_children(s, new_id, in, err);
	}
	if (rc == NL_OK)
		rc = core_audit_json(s, AUDIT_CREATE, AUDIT_SERIES, new_id, NULL,
				     json_pack("{s:I,s:s,s:i,s:i,s:s}", "patient",
					       (json_int_t)in->patient_id, "indication",
					       in->indication, "planned", v.planned, "interval_days",
					       v.interval, "start_date", v.start), err);
	rc = core_end(s, rc, err);
	if (rc == NL_OK && id)
		*id = new_id;
	return rc;
}

static int read_children(struct record *s, struct nl_series *sr, struct nl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	bool oom = false;
	int rc = core_prepare(s, "SELECT area FROM series_area WHERE series_id = ? ORDER BY pos",
			      &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, sr->id);
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (core_grow((void **)&sr->areas, &cap, sr->nareas + 1, sizeof(char *)) != 0)
			oom = true;
		else if ((sr->areas[sr->nareas] = core_col_text(st, 0, &oom)))
			sr->nareas++;
	}
	core_finalize(s, st);
	if (!oom && rc != SQLITE_DONE)
		return core_sql_error(s, "reading the series areas", err);
	cap = 0;
	rc = core_prepare(s, "SELECT scale, value FROM series_baseline WHERE series_id = ? "
			     "ORDER BY scale", &st, err);
	if (oom || rc != NL_OK) {
		core_finalize(s, st);
		return oom ? nl_error(err, NL_ENOMEM, "out of memory") : rc;
	}
	sqlite3_bind_int64(st, 1, sr->id);
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (core_grow((void **)&sr->baseline, &cap, sr->nbaseline + 1,
			      sizeof(*sr->baseline)) != 0) {
			oom = true;
		} else if ((sr->baseline[sr->nbaseline].scale = core_col_text(st, 0, &oom))) {
			sr->baseline[sr->nbaseline++].value = sqlite3_column_double(st, 1);
		}
	}
	core_finalize(s, st);
	if (oom)
		return nl_error(err, NL_ENOMEM, "out of memory");
	if (rc != SQLITE_DONE)
		return core_sql_error(s, "reading the baseline", err);
	return plan_read(s, sr, err);
}

#define SERIES_COLUMNS "id, patient_id, indication, planned, interval_days, start_date, " \
		       "goal, status, created_at, updated_at FROM series "

static void read_row(sqlite3_stmt *st, struct nl_series *sr, bool *oom)
{
	sr->id = sqlite3_column_int64(st, 0);
	sr->patient_id = sqlite3_column_int64(st, 1);
	sr->indication = core_col_text(st, 2, oom);
	sr->planned = sqlite3_column_int(st, 3);
	sr->interval_days = sqlite3_column_int(st, 4);
	sr->start_date = core_col_text(st, 5, oom);
	sr->goal = core_col_text(st, 6, oom);
	sr->status = core_col_text(st, 7, oom);
	sr->created_at = core_col_text(st, 8, oom);
	sr->updated_at = core_col_text(st, 9, oom);
}

int record_series_get(struct record *s, int64_t id, struct nl_series *out,
		      struct nl_err *err)
{
	sqlite3_stmt *st;
	bool oom = false;
	int rc = core_prepare(s, "SELECT " SERIES_COLUMNS "WHERE id = ?", &st, err);

	memset(out, 0, sizeof(*out));
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, out, &oom);
	core_finalize(s, st);
	if (rc == SQLITE_DONE)
		return nl_error(err, NL_ENOENT, "no series with id %lld", (long long)id);
	if (rc != SQLITE_ROW)
		return core_sql_error(s, "reading the series", err);
	rc = oom ? nl_error(err, NL_ENOMEM, "out of memory") : read_children(s, out, err);
	if (rc != NL_OK)
		record_series_free(out);
	return rc;
}

int record_series_list(struct record *s, int64_t patient_id, struct nl_series **out,
		       size_t *n, struct nl_err *err)
{
	struct nl_series *rows = NULL;
	size_t cap = 0, count = 0;
	sqlite3_stmt *st;
	bool oom = false, exists;
	int rc = core_exists(s, "patient", patient_id, &exists, err);

	*out = NULL;
	*n = 0;
	if (rc != NL_OK)
		return rc;
	if (!exists)
		return nl_error(err, NL_ENOENT, "no patient with id %lld", (long long)patient_id);
	if ((rc = core_prepare(s, "SELECT " SERIES_COLUMNS "WHERE patient_id = ? ORDER BY "
				  "start_date, id", &st, err)) != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, patient_id);
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (core_grow((void **)&rows, &cap, count + 1, sizeof(*rows)) != 0) {
			oom = true;
			break;
		}
		memset(&rows[count], 0, sizeof(*rows));
		read_row(st, &rows[count++], &oom);
	}
	core_finalize(s, st);
	if (oom)
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	else if (rc != SQLITE_DONE)
		rc = core_sql_error(s, "listing the series", err);
	else
		rc = NL_OK;
	for (size_t i = 0; i < count && rc == NL_OK; i++)
		rc = read_children(s, &rows[i], err);
	if (rc != NL_OK) {
		record_series_list_free(rows, count);
		return rc;
	}
	*out = rows;
	*n = count;
	return NL_OK;
}

int record_series_edit(struct record *s, const struct nl_series *in, struct nl_err *err)
{
	struct nl_series old, now_vals;
	struct nl_phase one;
	struct series_values v;
	sqlite3_stmt *st;
	json_t *diff;
	char now[21];
	int rc = check_series(in, err);

	if (rc != NL_OK || (rc = core_begin(s, err)) != NL_OK)
		return rc;
	if ((rc = record_series_get(s, in->id, &old, err)) != NL_OK)
		return core_end(s, rc, err);
	/* Compare what will be stored: 0 / NULL keep the stored values. */
	now_vals = *in;
	plan_stored(in, &now_vals.planned, &now_vals.interval_days);
	now_vals.planned = now_vals.planned ? now_vals.planned : old.planned;
	now_vals.interval_days = now_vals.interval_days ? now_vals.interval_days
						      : old.interval_days;
	one = (struct nl_phase){ now_vals.planned, now_vals.interval_days };
	if (in->nphases == 0 && !in->planned && !in->interval_days) {
		now_vals.phases = old.phases;   /* nothing given: the plan stays */
		now_vals.nphases = old.nphases;
	} else if (in->nphases < 2) {
		now_vals.phases = &one;         /* the one-phase form */
		now_vals.nphases = 1;
	}
	now_vals.start_date = (char *)(core_opt(in->start_date) ? in->start_date : old.start_date);
	now_vals.status = (char *)(core_opt(in->status) ? in->status : old.status);
	v.planned = now_vals.planned;
	v.interval = now_vals.interval_days;
	v.status = now_vals.status;
	diff = core_diff(core_series_fields, core_series_field_count, &old, &now_vals);
	if (!diff)
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	else if (json_object_size(diff) > 0)
		rc = core_prepare(s, "UPDATE series SET indication = ?, planned = ?, "
				     "interval_days = ?, start_date = ?, goal = ?, status = ?, "
				     "updated_at = ? WHERE id = ?", &st, err);
	if (rc == NL_OK && json_object_size(diff) > 0) {
		check_now_utc(now);
		core_bind_text(st, 1, in->indication);
		sqlite3_bind_int(st, 2, v.planned);
		sqlite3_bind_int(st, 3, v.interval);
		core_bind_text(st, 4, now_vals.start_date);
		core_bind_text(st, 5, in->goal);
		core_bind_text(st, 6, v.status);
		sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 8, in->id);
		rc = core_exec_stmt(s, st, "changing the series", err);
		if (rc == NL_OK)
			rc = write_children(s, in->id, &now_vals, err);
		if (rc == NL_OK) {
			rc = core_audit_json(s, AUDIT_CHANGE, AUDIT_SERIES, in->id, NULL, diff, err);
			diff = NULL;
		}
	}
	json_decref(diff);
	record_series_free(&old);
	return core_end(s, rc, err);
}
