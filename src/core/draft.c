/* Drafts of the TUI's session form, kept in the encrypted file. */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "needlelog/check.h"
#include "needlelog/draft.h"

int draft_save(struct record *s, int64_t series_id, const char *text, struct nl_err *err)
{
	sqlite3_stmt *st;
	bool exists;
	char now[21];
	int rc;

	if (!text)
		text = "";
	if (strlen(text) > DRAFT_MAX_BYTES)
		return nl_error(err, NL_EDATA, "draft: %zu bytes is more than the %d allowed",
				strlen(text), DRAFT_MAX_BYTES);
	if ((rc = core_begin(s, err)) != NL_OK)
		return rc;
	rc = core_exists(s, "series", series_id, &exists, err);
	if (rc == NL_OK && !exists)
		rc = nl_error(err, NL_ENOENT, "no series with id %lld", (long long)series_id);
	if (rc == NL_OK)
		rc = core_prepare(s, "INSERT INTO draft (series_id, saved_at, body) VALUES (?, ?, ?) "
				     "ON CONFLICT (series_id) DO UPDATE SET saved_at = excluded.saved_at, "
				     "body = excluded.body", &st, err);
	if (rc == NL_OK) {
		check_now_utc(now);
		sqlite3_bind_int64(st, 1, series_id);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
		rc = core_exec_stmt(s, st, "saving the draft", err);
	}
	return core_end(s, rc, err);
}

int draft_load(struct record *s, int64_t series_id, char **text, char **saved_at,
	       struct nl_err *err)
{
	sqlite3_stmt *st;
	bool oom = false;
	char *body = NULL, *at = NULL;
	int rc = core_prepare(s, "SELECT body, saved_at FROM draft WHERE series_id = ?", &st, err);

	*text = NULL;
	if (saved_at)
		*saved_at = NULL;
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, series_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		body = core_col_text(st, 0, &oom);
		at = core_col_text(st, 1, &oom);
	}
	core_finalize(s, st);
	if (rc == SQLITE_DONE)
		return nl_error(err, NL_ENOENT, "no draft for series %lld", (long long)series_id);
	if (rc != SQLITE_ROW || oom) {
		free(body);
		free(at);
		return oom ? nl_error(err, NL_ENOMEM, "out of memory")
			   : core_sql_error(s, "reading the draft", err);
	}
	*text = body;
	if (saved_at)
		*saved_at = at;
	else
		free(at);
	return NL_OK;
}

int draft_delete(struct record *s, int64_t series_id, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, "DELETE FROM draft WHERE series_id = ?", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, series_id);
	return core_exec_stmt(s, st, "deleting the draft", err);
}

/* The first column of every row of sql, as ids. */
static int id_column(struct record *s, const char *sql, int64_t **ids, size_t *n,
		     struct nl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = core_prepare(s, sql, &st, err);

	*ids = NULL;
	*n = 0;
	if (rc != NL_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (core_grow((void **)ids, &cap, *n + 1, sizeof(**ids)) != 0) {
			core_finalize(s, st);
			free(*ids);
			*ids = NULL;
			*n = 0;
			return nl_error(err, NL_ENOMEM, "out of memory");
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	core_finalize(s, st);
	if (rc != SQLITE_DONE) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return core_sql_error(s, "listing the drafts", err);
	}
	return NL_OK;
}

int draft_list(struct record *s, int64_t **ids, size_t *n, struct nl_err *err)
{
	return id_column(s, "SELECT series_id FROM draft ORDER BY saved_at DESC", ids, n, err);
}

int draft_patients(struct record *s, int64_t **ids, size_t *n, struct nl_err *err)
{
	return id_column(s,
		"SELECT patient_id FROM draft JOIN series ON series.id = draft.series_id "
		"UNION SELECT ref FROM form_draft WHERE form IN ('patient', 'series-new') AND ref > 0 "
		"UNION SELECT patient_id FROM form_draft JOIN series ON series.id = form_draft.ref "
		"WHERE form = 'series' ORDER BY 1", ids, n, err);
}

/* ---- drafts of the patient and series forms --------------------------- */

int draft_form_save(struct record *s, const char *form, int64_t ref, const char *text,
		    struct nl_err *err)
{
	sqlite3_stmt *st;
	char now[21];
	int rc;

	if (strlen(text) > DRAFT_MAX_BYTES)
		return nl_error(err, NL_EDATA, "draft: %zu bytes is more than the %d allowed",
				strlen(text), DRAFT_MAX_BYTES);
	rc = core_prepare(s, "INSERT INTO form_draft (form, ref, saved_at, body) VALUES (?, ?, ?, ?) "
			     "ON CONFLICT (form, ref) DO UPDATE SET saved_at = excluded.saved_at, "
			     "body = excluded.body", &st, err);
	if (rc != NL_OK)
		return rc;
	check_now_utc(now);
	sqlite3_bind_text(st, 1, form, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ref);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
	return core_exec_stmt(s, st, "saving the form's draft", err);
}

int draft_form_load(struct record *s, const char *form, int64_t ref, char **text,
		    struct nl_err *err)
{
	sqlite3_stmt *st;
	bool oom = false;
	int rc = core_prepare(s, "SELECT body FROM form_draft WHERE form = ? AND ref = ?", &st, err);

	*text = NULL;
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_text(st, 1, form, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ref);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*text = core_col_text(st, 0, &oom);
	core_finalize(s, st);
	if (rc == SQLITE_DONE)
		return nl_error(err, NL_ENOENT, "no %s draft for %lld", form, (long long)ref);
	if (rc != SQLITE_ROW || oom || !*text) {
		core_zfree(*text);
		*text = NULL;
		return oom ? nl_error(err, NL_ENOMEM, "out of memory")
			   : core_sql_error(s, "reading the form's draft", err);
	}
	return NL_OK;
}

int draft_form_delete(struct record *s, const char *form, int64_t ref, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, "DELETE FROM form_draft WHERE form = ? AND ref = ?", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_text(st, 1, form, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ref);
	return core_exec_stmt(s, st, "deleting the form's draft", err);
}
