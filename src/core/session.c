/* Sessions: add, read (original, effective, amendments), edit while
 * unsigned, amend, sign (hash + database lock), void, verify.
 *
 * Policy: an unsigned session without amendments may be edited in place
 * (audited with old and new values). Once signed, or once amended, it
 * changes only by amendments, which keep the original readable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "needlelog/text.h"
#include "needlelog/audit.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/vocab.h"

/* ---- freeing ------------------------------------------------------------ */

void record_warnings_free(struct nl_warning *w, size_t n)
{
	for (size_t i = 0; w && i < n; i++) {
		core_zfree(w[i].code);
		core_zfree(w[i].message);
	}
	core_zfree(w);
}

void record_strings_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		core_zfree(v[i]);
	core_zfree(v);
}

void record_session_free(struct nl_session *ses)
{
	if (!ses)
		return;
	for (size_t i = 0; i < core_session_field_count; i++)
		core_field_set(&core_session_fields[i], ses, NULL);
	record_warnings_free(ses->warnings, ses->nwarnings);
	core_zfree(ses->signed_at);
	core_zfree(ses->signed_by);
	core_zfree(ses->hash);
	core_zfree(ses->void_reason);
	core_zfree(ses->voided_at);
	core_zfree(ses->voided_by);
	core_zfree(ses->created_at);
	core_zfree(ses->updated_at);
	memset(ses, 0, sizeof(*ses));
}

void record_session_list_free(struct nl_session *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		record_session_free(&rows[i]);
	core_zfree(rows);
}

void record_amendment_free(struct nl_amendment *a)
{
	if (!a)
		return;
	free(a->at);
	free(a->practitioner);
	free(a->reason);
	for (size_t i = 0; i < a->nchanges; i++) {
		free(a->changes[i].field);
		free(a->changes[i].old_value);
		free(a->changes[i].new_value);
	}
	free(a->changes);
	record_warnings_free(a->warnings, a->nwarnings);
	memset(a, 0, sizeof(*a));
}

void record_session_view_free(struct nl_session_view *v)
{
	if (!v)
		return;
	record_session_free(&v->original);
	record_session_free(&v->effective);
	for (size_t i = 0; i < v->namendments; i++)
		record_amendment_free(&v->amendments[i]);
	free(v->amendments);
	memset(v, 0, sizeof(*v));
}

void record_session_init(struct nl_session *ses)
{
	memset(ses, 0, sizeof(*ses));
	ses->pain = -1;
	ses->anesthetic_minutes = -1;
}

/* ---- copying -------------------------------------------------------------- */

static int copy_warnings(struct nl_warning **dst, size_t *n, const struct nl_warning *w,
			 size_t wn)
{
	for (size_t i = 0; i < wn; i++)
		if (core_warn(dst, n, w[i].code, "%s", w[i].message) != 0)
			return -1;
	return 0;
}

int record_session_copy(struct nl_session *dst, const struct nl_session *src,
			struct nl_err *err)
{
	bool oom = false;

	record_session_init(dst);
	dst->id = src->id;
	dst->series_id = src->series_id;
	for (size_t i = 0; i < core_session_field_count && !oom; i++) {
		json_t *v = core_field_json(&core_session_fields[i], src);

		oom = !v || core_field_set(&core_session_fields[i], dst, v) != 0;
		json_decref(v);
	}
	oom = oom || copy_warnings(&dst->warnings, &dst->nwarnings, src->warnings,
				   src->nwarnings) != 0;
	dst->is_signed = src->is_signed;
	dst->signed_at = core_strdup(src->signed_at, &oom);
	dst->signed_by = core_strdup(src->signed_by, &oom);
	dst->hash = core_strdup(src->hash, &oom);
	dst->voided = src->voided;
	dst->void_reason = core_strdup(src->void_reason, &oom);
	dst->voided_at = core_strdup(src->voided_at, &oom);
	dst->voided_by = core_strdup(src->voided_by, &oom);
	dst->amendment_count = src->amendment_count;
	dst->created_at = core_strdup(src->created_at, &oom);
	dst->updated_at = core_strdup(src->updated_at, &oom);
	if (oom) {
		record_session_free(dst);
		return nl_error(err, NL_ENOMEM, "out of memory");
	}
	return NL_OK;
}

/* ---- reading ---------------------------------------------------------------- */

/* One child row onto a session, its columns from c on; *cap is the
 * array's capacity. For the single reads below and the batched ones of
 * record_verify_signatures. */
static void add_area(struct nl_session *ses, size_t *cap, sqlite3_stmt *st, int c, bool *oom)
{
	struct nl_treatment *t;

	if (core_grow((void **)&ses->areas, cap, ses->nareas + 1, sizeof(*t)) != 0) {
		*oom = true;
		return;
	}
	t = &ses->areas[ses->nareas++];
	t->area = core_col_text(st, c, oom);
	t->label = core_col_text(st, c + 1, oom);
	t->depth_mm = sqlite3_column_double(st, c + 2);
	t->passes = core_col_int(st, c + 3, 0);
}

static void add_product(struct nl_session *ses, size_t *cap, sqlite3_stmt *st, int c, bool *oom)
{
	if (core_grow((void **)&ses->products, cap, ses->nproducts + 1, sizeof(char *))) {
		*oom = true;
		return;
	}
	ses->products[ses->nproducts] = core_col_text(st, c, oom);
	if (ses->products[ses->nproducts])
		ses->nproducts++;
}

static void add_score(struct nl_session *ses, size_t *cap, sqlite3_stmt *st, int c, bool *oom)
{
	if (core_grow((void **)&ses->scores, cap, ses->nscores + 1, sizeof(*ses->scores))) {
		*oom = true;
		return;
	}
	ses->scores[ses->nscores].scale = core_col_text(st, c, oom);
	ses->scores[ses->nscores].value = sqlite3_column_double(st, c + 1);
	if (ses->scores[ses->nscores].scale)
		ses->nscores++;
}

static void add_warning(struct nl_session *ses, size_t *cap, sqlite3_stmt *st, int c, bool *oom)
{
	(void)cap;
	if (core_warn(&ses->warnings, &ses->nwarnings, (const char *)sqlite3_column_text(st, c),
		      "%s", (const char *)sqlite3_column_text(st, c + 1)) != 0)
		*oom = true;
}

static int read_areas(struct record *s, struct nl_session *ses, bool *oom,
		      struct nl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = core_prepare(s, "SELECT area, label, depth_mm, passes FROM session_area "
				 "WHERE session_id = ? ORDER BY pos", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ses->id);
	while (!*oom && (rc = sqlite3_step(st)) == SQLITE_ROW)
		add_area(ses, &cap, st, 0, oom);
	core_finalize(s, st);
	return *oom || rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "reading the areas", err);
}

static int read_products(struct record *s, struct nl_session *ses, bool *oom,
			 struct nl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = core_prepare(s, "SELECT product FROM session_product WHERE session_id = ? "
				 "ORDER BY pos", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ses->id);
	while (!*oom && (rc = sqlite3_step(st)) == SQLITE_ROW)
		add_product(ses, &cap, st, 0, oom);
	core_finalize(s, st);
	return *oom || rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "reading the products", err);
}

static int read_scores(struct record *s, struct nl_session *ses, bool *oom,
		       struct nl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = core_prepare(s, "SELECT scale, value FROM session_score WHERE session_id = ? "
				 "ORDER BY scale", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ses->id);
	while (!*oom && (rc = sqlite3_step(st)) == SQLITE_ROW)
		add_score(ses, &cap, st, 0, oom);
	core_finalize(s, st);
	return *oom || rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "reading the scores", err);
}

/* Warnings of the session itself (amendment 0) or of one amendment. */
static int read_warnings(struct record *s, int64_t session_id, int64_t amendment_id,
			 struct nl_warning **w, size_t *n, bool *oom, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, "SELECT code, message FROM session_warning WHERE session_id = ? "
				 "AND amendment_id IS ? ORDER BY pos", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, session_id);
	if (amendment_id)
		sqlite3_bind_int64(st, 2, amendment_id);
	while (!*oom && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (core_warn(w, n, (const char *)sqlite3_column_text(st, 0), "%s",
			      (const char *)sqlite3_column_text(st, 1)) != 0)
			*oom = true;
	core_finalize(s, st);
	return *oom || rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "reading the warnings", err);
}

/* The session's own columns; session_row reads them, then the amendment
 * count. */
#define SESSION_COLUMNS \
	"series_id, date, practitioner, device, cartridge, anesthetic, anesthetic_minutes, " \
	"endpoint, pain, reaction, adverse, aftercare, notes, signed, signed_at, signed_by, hash, " \
	"voided, void_reason, voided_at, voided_by, created_at, updated_at"

static void session_row(sqlite3_stmt *st, int64_t id, struct nl_session *ses, bool *oom)
{
	ses->id = id;
	ses->series_id = sqlite3_column_int64(st, 0);
	ses->date = core_col_text(st, 1, oom);
	ses->practitioner = core_col_text(st, 2, oom);
	ses->device = core_col_text(st, 3, oom);
	ses->cartridge = core_col_text(st, 4, oom);
	ses->anesthetic = core_col_text(st, 5, oom);
	ses->anesthetic_minutes = core_col_int(st, 6, -1);
	ses->endpoint = core_col_text(st, 7, oom);
	ses->pain = core_col_int(st, 8, -1);
	ses->reaction = core_col_text(st, 9, oom);
	ses->adverse = core_col_text(st, 10, oom);
	ses->aftercare = core_col_text(st, 11, oom);
	ses->notes = core_col_text(st, 12, oom);
	ses->is_signed = sqlite3_column_int(st, 13) != 0;
	ses->signed_at = core_col_text(st, 14, oom);
	ses->signed_by = core_col_text(st, 15, oom);
	ses->hash = core_col_text(st, 16, oom);
	ses->voided = sqlite3_column_int(st, 17) != 0;
	ses->void_reason = core_col_text(st, 18, oom);
	ses->voided_at = core_col_text(st, 19, oom);
	ses->voided_by = core_col_text(st, 20, oom);
	ses->created_at = core_col_text(st, 21, oom);
	ses->updated_at = core_col_text(st, 22, oom);
	ses->amendment_count = (size_t)sqlite3_column_int64(st, 23);
}

static int read_original(struct record *s, int64_t id, struct nl_session *ses,
			 struct nl_err *err)
{
	sqlite3_stmt *st;
	bool oom = false;
	int rc = core_prepare(s,
		"SELECT " SESSION_COLUMNS ", (SELECT count(*) FROM amendment a "
		"WHERE a.session_id = session.id) FROM session WHERE id = ?", &st, err);

	memset(ses, 0, sizeof(*ses));
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		session_row(st, id, ses, &oom);
	core_finalize(s, st);
	if (rc == SQLITE_DONE)
		return nl_error(err, NL_ENOENT, "no session with id %lld", (long long)id);
	if (rc != SQLITE_ROW)
		return core_sql_error(s, "reading the session", err);
	rc = read_areas(s, ses, &oom, err);
	if (rc == NL_OK)
		rc = read_products(s, ses, &oom, err);
	if (rc == NL_OK)
		rc = read_scores(s, ses, &oom, err);
	if (rc == NL_OK)
		rc = trace_read(s, ses, &oom, err);
	if (rc == NL_OK)
		rc = read_warnings(s, id, 0, &ses->warnings, &ses->nwarnings, &oom, err);
	if (rc == NL_OK && oom)
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	if (rc != NL_OK)
		record_session_free(ses);
	return rc;
}

static const struct core_field *session_field(const char *name)
{
	for (size_t i = 0; i < core_session_field_count; i++)
		if (strcmp(core_session_fields[i].name, name) == 0)
			return &core_session_fields[i];
	return NULL;
}

/* Reads one amendment's changes and applies their new values to eff. */
static int read_changes(struct record *s, struct nl_amendment *a, struct nl_session *eff,
			bool *oom, struct nl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = core_prepare(s, "SELECT field, old_text, new_text, new_json FROM amendment_change "
				 "WHERE amendment_id = ? ORDER BY pos", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, a->id);
	while (!*oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const struct core_field *f = session_field((const char *)sqlite3_column_text(st, 0));
		json_t *v = json_loads((const char *)sqlite3_column_text(st, 3), JSON_DECODE_ANY,
				       NULL);
		struct nl_change *c;

		if (f && v && core_field_set(f, eff, v) != 0)
			*oom = true;
		json_decref(v);
		if (core_grow((void **)&a->changes, &cap, a->nchanges + 1, sizeof(*c)) != 0) {
			*oom = true;
			break;
		}
		c = &a->changes[a->nchanges++];
		c->field = core_col_text(st, 0, oom);
		c->old_value = core_col_text(st, 1, oom);
		c->new_value = core_col_text(st, 2, oom);
	}
	core_finalize(s, st);
	return *oom || rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "reading an amendment", err);
}

static int read_amendments(struct record *s, struct nl_session_view *v, struct nl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	bool oom = false;
	int rc = core_prepare(s, "SELECT id, at, practitioner, reason FROM amendment "
				 "WHERE session_id = ? ORDER BY id", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, v->original.id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct nl_amendment *a;

		if (core_grow((void **)&v->amendments, &cap, v->namendments + 1, sizeof(*a))) {
			oom = true;
			break;
		}
		a = &v->amendments[v->namendments++];
		memset(a, 0, sizeof(*a));
		a->id = sqlite3_column_int64(st, 0);
		a->session_id = v->original.id;
		a->at = core_col_text(st, 1, &oom);
		a->practitioner = core_col_text(st, 2, &oom);
		a->reason = core_col_text(st, 3, &oom);
	}
	core_finalize(s, st);
	if (!oom && rc != SQLITE_DONE)
		return core_sql_error(s, "reading the amendments", err);
	rc = NL_OK;
	for (size_t i = 0; i < v->namendments && rc == NL_OK && !oom; i++) {
		struct nl_amendment *a = &v->amendments[i];

		rc = read_changes(s, a, &v->effective, &oom, err);
		if (rc == NL_OK)
			rc = read_warnings(s, a->session_id, a->id, &a->warnings, &a->nwarnings,
					   &oom, err);
	}
	if (rc == NL_OK && oom)
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	return rc;
}

int record_session_get(struct record *s, int64_t id, struct nl_session_view *out,
		       struct nl_err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = read_original(s, id, &out->original, err);
	if (rc == NL_OK)
		rc = record_session_copy(&out->effective, &out->original, err);
	if (rc == NL_OK)
		rc = read_amendments(s, out, err);
	if (rc == NL_OK && out->namendments > 0) {
		struct nl_amendment *last = &out->amendments[out->namendments - 1];

		record_warnings_free(out->effective.warnings, out->effective.nwarnings);
		out->effective.warnings = NULL;
		out->effective.nwarnings = 0;
		if (copy_warnings(&out->effective.warnings, &out->effective.nwarnings,
				  last->warnings, last->nwarnings) != 0)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	}
	if (rc != NL_OK)
		record_session_view_free(out);
	return rc;
}

static int session_cmp(const void *a, const void *b)
{
	const struct nl_session *x = a, *y = b;
	int c = strcmp(x->date ? x->date : "", y->date ? y->date : "");

	return c ? c : (x->id > y->id) - (x->id < y->id);
}

int record_session_list(struct record *s, int64_t series_id, bool include_voided,
			struct nl_session **out, size_t *n, struct nl_err *err)
{
	struct nl_session *rows = NULL;
	int64_t *ids = NULL;
	size_t cap = 0, nids = 0, count = 0;
	sqlite3_stmt *st;
	bool exists;
	int rc = core_exists(s, "series", series_id, &exists, err);

	*out = NULL;
	*n = 0;
	if (rc != NL_OK)
		return rc;
	if (!exists)
		return nl_error(err, NL_ENOENT, "no series with id %lld", (long long)series_id);
	if ((rc = core_prepare(s, "SELECT id FROM session WHERE series_id = ? AND (voided = 0 OR ?) "
				  "ORDER BY id", &st, err)) != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, series_id);
	sqlite3_bind_int(st, 2, include_voided);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (core_grow((void **)&ids, &cap, nids + 1, sizeof(*ids)) != 0)
			break;
		ids[nids++] = sqlite3_column_int64(st, 0);
	}
	core_finalize(s, st);
	if (rc != SQLITE_DONE) {
		free(ids);
		return rc == SQLITE_ROW ? nl_error(err, NL_ENOMEM, "out of memory")
					: core_sql_error(s, "listing the sessions", err);
	}
	rows = calloc(nids ? nids : 1, sizeof(*rows));
	rc = rows ? NL_OK : nl_error(err, NL_ENOMEM, "out of memory");
	for (size_t i = 0; i < nids && rc == NL_OK; i++) {
		struct nl_session_view v;

		if ((rc = record_session_get(s, ids[i], &v, err)) != NL_OK)
			break;
		rows[count++] = v.effective;
		memset(&v.effective, 0, sizeof(v.effective));
		record_session_view_free(&v);
	}
	free(ids);
	if (rc != NL_OK) {
		record_session_list_free(rows, count);
		return rc;
	}
	qsort(rows, count, sizeof(*rows), session_cmp);
	*out = rows;
	*n = count;
	return NL_OK;
}

/* ---- checks against the record --------------------------------------------- */

struct context {
	struct nl_patient patient;
	struct nl_series series;
	char prev_date[11];
	struct nl_consent *consents;
	size_t nconsents;
	struct check_context ctx;
};

static void context_free(struct context *c)
{
	record_patient_free(&c->patient);
	record_series_free(&c->series);
	record_consent_list_free(c->consents, c->nconsents);
}

/* Loads what the warnings need for a session in series_id on date,
 * leaving self_id out. */
static int context_load(struct record *s, int64_t series_id, const char *date,
			int64_t self_id, struct context *c, struct nl_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = record_series_get(s, series_id, &c->series, err);
	if (rc == NL_OK)
		rc = record_patient_get(s, c->series.patient_id, &c->patient, err);
	if (rc == NL_OK)
		rc = clin_consents_load(s, c->patient.id, &c->consents, &c->nconsents, err);
	if (rc == NL_OK)
		rc = core_prepare(s, "SELECT " EFFECTIVE_DATE " FROM session x WHERE x.series_id = ? "
				     "AND x.voided = 0 AND x.id != ?", &st, err);
	if (rc != NL_OK) {
		context_free(c);
		return rc;
	}
	sqlite3_bind_int64(st, 1, series_id);
	sqlite3_bind_int64(st, 2, self_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 0);

		c->ctx.prior_count++;
		if (d && strcmp(d, date) <= 0)
			c->ctx.number++;
		if (d && strcmp(d, date) <= 0 && strcmp(d, c->prev_date) > 0)
			snprintf(c->prev_date, sizeof(c->prev_date), "%s", d);
	}
	core_finalize(s, st);
	if (rc != SQLITE_DONE) {
		context_free(c);
		return core_sql_error(s, "reading the series' sessions", err);
	}
	c->ctx.patient = &c->patient;
	c->ctx.series = &c->series;
	c->ctx.prev_date = c->prev_date[0] ? c->prev_date : NULL;
	c->ctx.number++;   /* this session's own place */
	c->ctx.consents = c->consents;
	c->ctx.nconsents = c->nconsents;
	c->ctx.consents_loaded = true;
	return NL_OK;
}

/* Dates that cannot be true are refused, not warned (DOMAIN.md): a session
 * after today or before the patient's date of birth. */
static int session_dates(struct record *s, const struct nl_patient *p, const char *date,
			 struct nl_err *err)
{
	struct nl_dated d[] = {
		{ NL_DATE_SESSION, "date", date, true },
		{ NL_DATE_DOB, "dob", p->dob, false },
	};

	return nl_dates_plausible(d, COUNT(d), record_today(s), err);
}

static int warnings_for(struct record *s, int64_t series_id, const struct nl_session *ses,
			int64_t self_id, struct nl_warning **w, size_t *n, struct nl_err *err)
{
	struct context c;
	int rc = context_load(s, series_id, ses->date, self_id, &c, err);

	*w = NULL;
	*n = 0;
	if (rc != NL_OK)
		return rc;
	rc = session_dates(s, &c.patient, ses->date, err);
	if (rc == NL_OK)
		rc = check_session_warnings(&c.ctx, ses, w, n, err);
	context_free(&c);
	if (rc != NL_OK) {
		record_warnings_free(*w, *n);
		*w = NULL;
		*n = 0;
	}
	return rc;
}

int check_session_preview(struct record *s, const struct nl_session *ses, int64_t self_id,
			  struct nl_warning **w, size_t *n, struct nl_err *err)
{
	int rc = check_session(ses, err);

	*w = NULL;
	*n = 0;
	if (rc != NL_OK)
		return rc;
	return warnings_for(s, ses->series_id, ses, self_id, w, n, err);
}

/* ---- writing ------------------------------------------------------------------ */

static int write_warnings(struct record *s, int64_t id, int64_t amendment_id,
			  const struct nl_warning *w, size_t n, struct nl_err *err)
{
	int rc = NL_OK;

	for (size_t i = 0; i < n && rc == NL_OK; i++) {
		sqlite3_stmt *st;

		rc = core_prepare(s, "INSERT INTO session_warning (session_id, amendment_id, pos, "
				     "code, message) VALUES (?, ?, ?, ?, ?)", &st, err);
		if (rc != NL_OK)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		if (amendment_id)
			sqlite3_bind_int64(st, 2, amendment_id);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
		core_bind_text(st, 4, w[i].code);
		core_bind_text(st, 5, w[i].message);
		rc = core_exec_stmt(s, st, "saving the warnings", err);
	}
	return rc;
}

/* Replaces areas, products, scores and the session's own warnings. */
static int write_children(struct record *s, int64_t id, const struct nl_session *in,
			  const struct nl_warning *w, size_t nw, struct nl_err *err)
{
	static const char *const clear[] = {
		"DELETE FROM session_area WHERE session_id = ?",
		"DELETE FROM session_product WHERE session_id = ?",
		"DELETE FROM session_score WHERE session_id = ?",
		"DELETE FROM session_warning WHERE session_id = ? AND amendment_id IS NULL",
	};
	sqlite3_stmt *st;
	int rc = core_exec_for_id(s, clear, COUNT(clear), id, "saving the session", err);

	for (size_t i = 0; i < in->nareas && rc == NL_OK; i++) {
		const struct nl_treatment *t = &in->areas[i];

		if ((rc = core_prepare(s, "INSERT INTO session_area (session_id, pos, area, label, "
					  "depth_mm, passes) VALUES (?, ?, ?, ?, ?, ?)", &st, err)))
			return rc;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		core_bind_text(st, 3, t->area);
		core_bind_text(st, 4, t->label);
		sqlite3_bind_double(st, 5, t->depth_mm);
		core_bind_int(st, 6, t->passes, 0);
		rc = core_exec_stmt(s, st, "saving the areas", err);
	}
	for (size_t i = 0; i < in->nproducts && rc == NL_OK; i++) {
		if ((rc = core_prepare(s, "INSERT INTO session_product (session_id, pos, product) "
					  "VALUES (?, ?, ?)", &st, err)))
			return rc;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		core_bind_text(st, 3, in->products[i]);
		rc = core_exec_stmt(s, st, "saving the products", err);
	}
	for (size_t i = 0; i < in->nscores && rc == NL_OK; i++) {
		if ((rc = core_prepare(s, "INSERT INTO session_score (session_id, scale, value) "
					  "VALUES (?, ?, ?)", &st, err)))
			return rc;
		sqlite3_bind_int64(st, 1, id);
		core_bind_text(st, 2, in->scores[i].scale);
		sqlite3_bind_double(st, 3, in->scores[i].value);
		rc = core_exec_stmt(s, st, "saving the scores", err);
	}
	if (rc == NL_OK)
		rc = trace_write(s, id, in, err);
	if (rc == NL_OK)
		rc = write_warnings(s, id, 0, w, nw, err);
	return rc;
}

static void bind_fields(sqlite3_stmt *st, const struct nl_session *in)
{
	core_bind_text(st, 1, in->date);
	core_bind_text(st, 2, in->practitioner);
	core_bind_text(st, 3, in->device);
	core_bind_text(st, 4, in->cartridge);
	core_bind_text(st, 5, in->anesthetic);
	core_bind_int(st, 6, in->anesthetic_minutes, -1);
	core_bind_text(st, 7, in->endpoint);
	core_bind_int(st, 8, in->pain, -1);
	core_bind_text(st, 9, in->reaction);
	core_bind_text(st, 10, in->adverse);
	core_bind_text(st, 11, in->aftercare);
	core_bind_text(st, 12, in->notes);
}

static int sign_locked(struct record *s, int64_t id, const char *by, struct nl_err *err);

int record_session_add(struct record *s, const struct nl_session *in, bool sign,
		       struct nl_warning **warnings, size_t *nwarnings, int64_t *id,
		       struct nl_err *err)
{
	struct nl_warning *w = NULL;
	size_t nw = 0;
	sqlite3_stmt *st;
	char now[21];
	int64_t new_id = 0;
	int rc = check_session(in, err);

	if (warnings) {
		*warnings = NULL;
		*nwarnings = 0;
	}
	if (rc == NL_OK && sign && !core_opt(in->practitioner))
		rc = nl_error(err, NL_EDATA, "practitioner: signing needs the practitioner's name");
	if (rc != NL_OK || (rc = core_begin(s, err)) != NL_OK)
		return rc;
	rc = warnings_for(s, in->series_id, in, 0, &w, &nw, err);
	if (rc == NL_OK)
		rc = core_prepare(s, "INSERT INTO session (date, practitioner, device, cartridge, "
				     "anesthetic, anesthetic_minutes, endpoint, pain, reaction, adverse, "
				     "aftercare, notes, series_id, created_at, updated_at) VALUES (?, ?, "
				     "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?14, ?14)", &st, err);
	if (rc == NL_OK) {
		bind_fields(st, in);
		sqlite3_bind_int64(st, 13, in->series_id);
		check_now_utc(now);
		sqlite3_bind_text(st, 14, now, -1, SQLITE_TRANSIENT);
		rc = core_exec_stmt(s, st, "adding the session", err);
	}
	if (rc == NL_OK) {
		new_id = sqlite3_last_insert_rowid(core_db(s));
		rc = write_children(s, new_id, in, w, nw, err);
	}
	if (rc == NL_OK)
		rc = core_audit_json(s, AUDIT_CREATE, AUDIT_SESSION, new_id, in->practitioner,
				     json_pack("{s:I,s:s,s:i}", "series", (json_int_t)in->series_id,
					       "date", in->date, "warnings", (int)nw), err);
	if (rc == NL_OK && sign)
		rc = sign_locked(s, new_id, in->practitioner, err);
	rc = core_end(s, rc, err);
	if (rc == NL_OK && id)
		*id = new_id;
	if (rc == NL_OK && warnings) {
		*warnings = w;
		*nwarnings = nw;
	} else {
		record_warnings_free(w, nw);
	}
	return rc;
}

/* Reads the session for a change and refuses what the state forbids. */
static int get_changeable(struct record *s, int64_t id, bool need_unsigned,
			  struct nl_session_view *v, struct nl_err *err)
{
	int rc = record_session_get(s, id, v, err);

	if (rc != NL_OK)
		return rc;
	if (v->original.voided)
		rc = nl_error(err, NL_EUSAGE, "session %lld is voided (%s); it cannot change",
			      (long long)id, v->original.void_reason);
	else if (need_unsigned && v->original.is_signed)
		rc = nl_error(err, NL_EUSAGE,
			      "session %lld is signed; correct it with an amendment "
			      "(`needlelog session amend %lld --reason ...`)", (long long)id,
			      (long long)id);
	else if (need_unsigned && v->namendments > 0)
		rc = nl_error(err, NL_EUSAGE,
			      "session %lld has amendments; correct it with another amendment",
			      (long long)id);
	if (rc != NL_OK)
		record_session_view_free(v);
	return rc;
}

int record_session_edit(struct record *s, const struct nl_session *in,
			struct nl_warning **warnings, size_t *nwarnings, struct nl_err *err)
{
	struct nl_session_view v;
	struct nl_warning *w = NULL;
	size_t nw = 0;
	sqlite3_stmt *st;
	json_t *diff = NULL;
	char now[21];
	int rc = check_session(in, err);

	if (warnings) {
		*warnings = NULL;
		*nwarnings = 0;
	}
	if (rc != NL_OK || (rc = core_begin(s, err)) != NL_OK)
		return rc;
	if ((rc = get_changeable(s, in->id, true, &v, err)) != NL_OK)
		return core_end(s, rc, err);
	rc = warnings_for(s, v.original.series_id, in, in->id, &w, &nw, err);
	if (rc == NL_OK && !(diff = core_diff(core_session_fields, core_session_field_count,
					      &v.original, in)))
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	if (rc == NL_OK)
		rc = core_prepare(s, "UPDATE session SET date = ?, practitioner = ?, device = ?, "
				     "cartridge = ?, anesthetic = ?, anesthetic_minutes = ?, endpoint = ?, "
				     "pain = ?, reaction = ?, adverse = ?, aftercare = ?, notes = ?, "
				     "updated_at = ? WHERE id = ?", &st, err);
	if (rc == NL_OK) {
		bind_fields(st, in);
		check_now_utc(now);
		sqlite3_bind_text(st, 13, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 14, in->id);
		rc = core_exec_stmt(s, st, "changing the session", err);
	}
	if (rc == NL_OK)
		rc = write_children(s, in->id, in, w, nw, err);
	if (rc == NL_OK && json_object_size(diff) > 0) {
		rc = core_audit_json(s, AUDIT_CHANGE, AUDIT_SESSION, in->id, in->practitioner, diff,
				     err);
		diff = NULL;
	}
	json_decref(diff);
	record_session_view_free(&v);
	rc = core_end(s, rc, err);
	if (rc == NL_OK && warnings) {
		*warnings = w;
		*nwarnings = nw;
	} else {
		record_warnings_free(w, nw);
	}
	return rc;
}

/* Writes the amendment rows for the fields that differ; *changed counts. */
static int write_amendment(struct record *s, int64_t id, const struct nl_session *old,
			   const struct nl_session *in, const char *reason,
			   const char *practitioner, int64_t *aid, size_t *changed,
			   struct nl_err *err)
{
	sqlite3_stmt *st;
	char now[21];
	int rc = core_prepare(s, "INSERT INTO amendment (session_id, at, practitioner, reason) "
				 "VALUES (?, ?, ?, ?)", &st, err);

	if (rc != NL_OK)
		return rc;
	check_now_utc(now);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	core_bind_text(st, 3, practitioner);
	core_bind_text(st, 4, reason);
	if ((rc = core_exec_stmt(s, st, "saving the amendment", err)) != NL_OK)
		return rc;
	*aid = sqlite3_last_insert_rowid(core_db(s));
	*changed = 0;
	for (size_t i = 0; i < core_session_field_count && rc == NL_OK; i++) {
		const struct core_field *f = &core_session_fields[i];
		json_t *a = core_field_json(f, old), *b = core_field_json(f, in);
		char *js = b ? json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		char *ot = core_field_text(f, old), *nt = core_field_text(f, in);
		bool same = a && b && json_equal(a, b);

		if (!a || !b || !js)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
		if (rc == NL_OK && !same)
			rc = core_prepare(s, "INSERT INTO amendment_change (amendment_id, pos, field, "
					     "old_text, new_text, new_json) VALUES (?, ?, ?, ?, ?, ?)",
					  &st, err);
		if (rc == NL_OK && !same) {
			sqlite3_bind_int64(st, 1, *aid);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)(*changed)++);
			sqlite3_bind_text(st, 3, f->name, -1, SQLITE_STATIC);
			core_bind_text(st, 4, ot);
			core_bind_text(st, 5, nt);
			sqlite3_bind_text(st, 6, js, -1, SQLITE_TRANSIENT);
			rc = core_exec_stmt(s, st, "saving the amendment", err);
		}
		json_decref(a);
		json_decref(b);
		free(js);
		free(ot);
		free(nt);
	}
	return rc;
}

int record_session_amend(struct record *s, int64_t id, const struct nl_session *in,
			 const char *reason, const char *practitioner,
			 struct nl_warning **warnings, size_t *nwarnings, int64_t *amendment_id,
			 struct nl_err *err)
{
	struct nl_session_view v;
	struct nl_warning *w = NULL;
	size_t nw = 0, changed = 0;
	int64_t aid = 0;
	json_t *diff = NULL;
	int rc;

	if (warnings) {
		*warnings = NULL;
		*nwarnings = 0;
	}
	if ((rc = check_text("reason", "reason", reason, err)) != NL_OK)
		return nl_error(err, NL_EDATA, "reason: an amendment needs a reason");
	if ((rc = check_text("practitioner", "practitioner", practitioner, err)) ||
	    (rc = check_session(in, err)) || (rc = core_begin(s, err)))
		return rc;
	if ((rc = get_changeable(s, id, false, &v, err)) != NL_OK)
		return core_end(s, rc, err);
	rc = warnings_for(s, v.original.series_id, in, id, &w, &nw, err);
	if (rc == NL_OK) {
		diff = core_diff(core_session_fields, core_session_field_count, &v.effective, in);
		if (!diff)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
		else if (json_object_size(diff) == 0)
			rc = nl_error(err, NL_EDATA,
				      "amendment: nothing differs from session %lld as it stands",
				      (long long)id);
	}
	if (rc == NL_OK)
		rc = write_amendment(s, id, &v.effective, in, reason, practitioner, &aid, &changed,
				     err);
	if (rc == NL_OK)
		rc = write_warnings(s, id, aid, w, nw, err);
	if (rc == NL_OK) {
		json_t *detail = json_pack("{s:I,s:s,s:o}", "amendment", (json_int_t)aid,
					   "reason", reason, "changes", diff);

		diff = NULL;
		rc = core_audit_json(s, AUDIT_AMEND, AUDIT_SESSION, id, practitioner, detail, err);
	}
	json_decref(diff);
	record_session_view_free(&v);
	rc = core_end(s, rc, err);
	if (rc == NL_OK && amendment_id)
		*amendment_id = aid;
	if (rc == NL_OK && warnings) {
		*warnings = w;
		*nwarnings = nw;
	} else {
		record_warnings_free(w, nw);
	}
	return rc;
}

/* ---- signing ------------------------------------------------------------------ */

static void hash_hex(const char *text, char out[65])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)text, strlen(text), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* A string, or JSON null when absent (json_string(NULL) fails). A value
 * that is present is encoded as it always was, so signed sessions' hashes
 * are unchanged. */
static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The canonical form: the original values as stored, the warnings, the
 * signature's who and when (null while unsigned) and, when the session was
 * amended before it was signed, those amendments; JSON with sorted keys and
 * no spaces. */
static char *canonical(const struct nl_session *ses, json_t *amendments)
{
	json_t *o = core_record_json(core_session_fields, core_session_field_count, ses);
	json_t *w = json_array();
	char *text = NULL;
	bool ok = o && w;

	/* a warning that cannot be added fails the form: never hash a partial one */
	for (size_t i = 0; ok && i < ses->nwarnings; i++)
		ok = json_array_append_new(w, json_pack("{s:s,s:s}", "code",
							ses->warnings[i].code, "message",
							ses->warnings[i].message)) == 0;
	/* json_object_set_new takes w, even when it fails */
	if (ok && json_object_set_new(o, "warnings", w) == 0 &&
	    json_object_set_new(o, "id", json_integer(ses->id)) == 0 &&
	    json_object_set_new(o, "series_id", json_integer(ses->series_id)) == 0 &&
	    json_object_set_new(o, "created_at", string_or_null(ses->created_at)) == 0 &&
	    json_object_set_new(o, "signed_at", string_or_null(ses->signed_at)) == 0 &&
	    json_object_set_new(o, "signed_by", string_or_null(ses->signed_by)) == 0 &&
	    json_object_set_new(o, "format", json_string("needlelog-session-1")) == 0 &&
	    (!amendments || json_object_set(o, "amendments", amendments) == 0))
		text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	else if (!ok)
		json_decref(w);
	json_decref(o);
	return text;
}

/* The changes of one amendment as JSON: [{field, new}] in order. */
static int changes_json(struct record *s, int64_t aid, json_t *out, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, "SELECT field, new_json FROM amendment_change "
				 "WHERE amendment_id = ? ORDER BY pos", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, aid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (json_array_append_new(out, json_pack("{s:s,s:s}", "field",
							 (const char *)sqlite3_column_text(st, 0), "new",
							 (const char *)sqlite3_column_text(st, 1))))
			break;
	core_finalize(s, st);
	if (rc == SQLITE_ROW)
		return nl_error(err, NL_ENOMEM, "out of memory");
	return rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "reading an amendment", err);
}

/* The session's amendments with ids up to through, as JSON (NULL when
 * through is 0: the form then has no "amendments" key). */
static int amendments_json(struct record *s, int64_t id, int64_t through, json_t **out,
			   struct nl_err *err)
{
	sqlite3_stmt *st;
	json_t *a;
	int rc;

	*out = NULL;
	if (through <= 0)
		return NL_OK;
	if ((rc = core_prepare(s, "SELECT id, at, practitioner, reason FROM amendment "
				  "WHERE session_id = ? AND id <= ? ORDER BY id", &st, err)) != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, through);
	a = json_array();
	while (a && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *who = (const char *)sqlite3_column_text(st, 2);
		json_t *changes = json_array();
		json_t *e = json_pack("{s:I,s:s,s:s?,s:s,s:o}", "id",
				      (json_int_t)sqlite3_column_int64(st, 0), "at",
				      (const char *)sqlite3_column_text(st, 1), "practitioner", who,
				      "reason", (const char *)sqlite3_column_text(st, 3), "changes",
				      changes);

		if (!e || json_array_append_new(a, e) != 0 ||
		    (rc = changes_json(s, sqlite3_column_int64(st, 0), changes, err)) != NL_OK) {
			core_finalize(s, st);
			json_decref(a);
			return rc == NL_OK || rc == SQLITE_ROW ? nl_error(err, NL_ENOMEM, "out of memory")
							       : rc;
		}
	}
	core_finalize(s, st);
	if (!a)
		return nl_error(err, NL_ENOMEM, "out of memory");
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return core_sql_error(s, "reading the amendments", err);
	}
	*out = a;
	return NL_OK;
}

/* One integer from a query with one bound id (0 when NULL or no row). */
static int query_id(struct record *s, const char *sql, int64_t id, int64_t *out,
		    struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, sql, &st, err);

	*out = 0;
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	core_finalize(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? NL_OK
						     : core_sql_error(s, "reading the session", err);
}

/* The last amendment a signed session's signature covers, as its audit
 * row recorded it at signing: one search of the index audit_entity. */
const char core_sql_signed_through[] =
	"SELECT detail FROM audit WHERE entity = 'session' AND entity_id = ? "
	"AND action = 'sign' ORDER BY id DESC LIMIT 1";

static int signed_through(struct record *s, int64_t id, int64_t *through, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, core_sql_signed_through, &st, err);

	*through = 0;
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		json_t *d = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);

		*through = json_integer_value(json_object_get(d, "amendments_through"));
		json_decref(d);
	}
	core_finalize(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? NL_OK
						     : core_sql_error(s, "reading the audit trail", err);
}

/* The canonical text and hash of a stored session covering amendments up
 * to through. */
static int canonical_hash(struct record *s, const struct nl_session *ses, int64_t through,
			  char **text, char hex[65], struct nl_err *err)
{
	json_t *amend;
	int rc = amendments_json(s, ses->id, through, &amend, err);

	*text = NULL;
	if (rc != NL_OK)
		return rc;
	*text = canonical(ses, amend);
	json_decref(amend);
	if (!*text)
		return nl_error(err, NL_ENOMEM, "out of memory");
	hash_hex(*text, hex);
	return NL_OK;
}

#define LAST_AMENDMENT "SELECT max(id) FROM amendment WHERE session_id = ?"

int record_session_canonical(struct record *s, int64_t id, char **text, char hex[65],
			     struct nl_err *err)
{
	struct nl_session ses;
	int64_t through = 0;
	int rc = read_original(s, id, &ses, err);

	*text = NULL;
	if (rc != NL_OK)
		return rc;
	/* signed: what the signature covers; else what signing now would */
	rc = ses.is_signed ? signed_through(s, id, &through, err)
			   : query_id(s, LAST_AMENDMENT, id, &through, err);
	if (rc == NL_OK)
		rc = canonical_hash(s, &ses, through, text, hex, err);
	record_session_free(&ses);
	return rc;
}

/* Stores a signature: the flag, who and when, the hash, and the audit row
 * that remembers the hash and the amendments it covers. */
static int store_signature(struct record *s, int64_t id, const char *now, const char *by,
			   const char *named, const char *hex, int64_t through,
			   struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, "UPDATE session SET signed = 1, signed_at = ?, signed_by = ?, "
				 "hash = ?, updated_at = ?1 WHERE id = ?", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, id);
	if ((rc = core_exec_stmt(s, st, "signing the session", err)) != NL_OK)
		return rc;
	return core_audit_json(s, AUDIT_SIGN, AUDIT_SESSION, id, named,
			       json_pack("{s:s,s:I}", "hash", hex, "amendments_through",
					 (json_int_t)through), err);
}

/* Signs inside the caller's transaction. With no name given the signer is
 * the session's practitioner. */
static int sign_locked(struct record *s, int64_t id, const char *by, struct nl_err *err)
{
	struct nl_session ses;
	char now[21], hex[65], *text, whobuf[CORE_WHO_MAX];
	int64_t through = 0;
	int rc = read_original(s, id, &ses, err);

	if (rc != NL_OK)
		return rc;
	if (ses.voided || ses.is_signed) {
		rc = nl_error(err, NL_EUSAGE, "session %lld is already %s", (long long)id,
			      ses.voided ? "voided" : "signed");
		record_session_free(&ses);
		return rc;
	}
	if (!core_opt(by))
		by = ses.practitioner;    /* owned by ses: used only while ses lives */
	if (!core_opt(by) || check_text("signed by", "signed-by", by, err) != NL_OK) {
		record_session_free(&ses);
		return nl_error(err, NL_EDATA,
				"signed by: signing needs the practitioner's name (valid UTF-8, "
				"at most %d bytes)", VOCAB_NAME_MAX);
	}
	check_now_utc(now);
	free(ses.signed_at);
	free(ses.signed_by);
	ses.signed_at = strdup(now);
	/* the user whose key opened the file signs; the name is shown */
	ses.signed_by = strdup(core_who(s, by, whobuf));
	/* amendments made before signing are part of what is signed */
	rc = query_id(s, LAST_AMENDMENT, id, &through, err);
	if (rc == NL_OK && (!ses.signed_at || !ses.signed_by))
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	if (rc == NL_OK)
		rc = canonical_hash(s, &ses, through, &text, hex, err);
	if (rc == NL_OK) {
		free(text);
		/* the signer as hashed, and ses still alive: by may point into it */
		rc = store_signature(s, id, now, ses.signed_by, by, hex, through, err);
	}
	record_session_free(&ses);
	return rc;
}

int record_session_sign(struct record *s, int64_t id, const char *by, struct nl_err *err)
{
	int rc = core_begin(s, err);

	if (rc != NL_OK)
		return rc;
	return core_end(s, sign_locked(s, id, by, err), err);
}

int record_session_void(struct record *s, int64_t id, const char *reason, const char *who,
			struct nl_err *err)
{
	struct nl_session_view v;
	sqlite3_stmt *st;
	char now[21], whobuf[CORE_WHO_MAX];
	int rc;

	if (check_text("reason", "reason", reason, err) != NL_OK)
		return nl_error(err, NL_EDATA, "reason: voiding a session needs a reason");
	if ((rc = core_begin(s, err)) != NL_OK)
		return rc;
	if ((rc = get_changeable(s, id, false, &v, err)) != NL_OK)
		return core_end(s, rc, err);
	record_session_view_free(&v);
	rc = core_prepare(s, "UPDATE session SET voided = 1, void_reason = ?, voided_at = ?, "
			     "voided_by = ?, updated_at = ?2 WHERE id = ?", &st, err);
	if (rc == NL_OK) {
		check_now_utc(now);
		core_bind_text(st, 1, reason);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
		core_bind_text(st, 3, core_who(s, who, whobuf));
		sqlite3_bind_int64(st, 4, id);
		rc = core_exec_stmt(s, st, "voiding the session", err);
	}
	if (rc == NL_OK)
		rc = core_audit_json(s, AUDIT_VOID, AUDIT_SESSION, id, who,
				     json_pack("{s:s}", "reason", reason), err);
	return core_end(s, rc, err);
}

static bool has_id(const int64_t *v, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

/* The audit trail remembers every signature and its hash: a session it
 * shows as signed must still be signed, with that hash (an unsigned flag
 * or a recomputed hash would otherwise hide an edit). */
const char core_sql_sign_audit[] =
	"SELECT a.entity_id, a.detail, s.signed, s.hash FROM audit a "
	"LEFT JOIN session s ON s.id = a.entity_id "
	"WHERE a.entity = 'session' AND a.action = 'sign' ORDER BY a.entity_id";

/* In session order, straight off audit_entity: no sort of every signing
 * row in memory, and the sessions are read in id order. */
static int check_sign_audit(struct record *s, int64_t **wrong, size_t *nw, size_t *cap,
			    struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, core_sql_sign_audit, &st, err);

	if (rc != NL_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *detail = (const char *)sqlite3_column_text(st, 1);
		const char *hash = (const char *)sqlite3_column_text(st, 3);
		json_t *d = detail ? json_loads(detail, 0, NULL) : NULL;
		const char *signed_hash = json_string_value(json_object_get(d, "hash"));
		bool bad = sqlite3_column_int(st, 2) != 1 || !hash || !signed_hash ||
			   strcmp(hash, signed_hash) != 0;

		json_decref(d);
		if (!bad || has_id(*wrong, *nw, id))
			continue;
		if (core_grow((void **)wrong, cap, *nw + 1, sizeof(**wrong)) != 0) {
			core_finalize(s, st);
			return nl_error(err, NL_ENOMEM, "out of memory");
		}
		(*wrong)[(*nw)++] = id;
	}
	core_finalize(s, st);
	if (rc != SQLITE_DONE)
		return core_sql_error(s, "reading the audit trail", err);
	return NL_OK;
}

/* ---- verifying in batches --------------------------------------------------
 * check reads every signed session once: a batch of them in id order, then
 * each child table (areas, products, scores, warnings) and the signing
 * audit rows once for the batch's id range, through their indexes, merged
 * onto the sessions by id. Only the rare session amended before it was
 * signed reads its amendments alone. */
#define VERIFY_BATCH 256

struct batch {
	struct nl_session ses[VERIFY_BATCH];
	int64_t through[VERIFY_BATCH];
	size_t cap[VERIFY_BATCH];  /* the child array being filled */
	size_t n;
};

typedef void (*add_child_fn)(struct nl_session *ses, size_t *cap, sqlite3_stmt *st, int c,
			     bool *oom);

static void add_trace(struct nl_session *ses, size_t *cap, sqlite3_stmt *st, int c, bool *oom)
{
	(void)cap;
	trace_session_row(ses, st, c, oom);
}

/* After the products (the table's order): a lot belongs to one of them. */
static void add_product_lot(struct nl_session *ses, size_t *cap, sqlite3_stmt *st, int c,
			    bool *oom)
{
	(void)cap;
	trace_product_lot_row(ses, st, c, oom);
}

/* Each child table's rows for a range of sessions: ?1..?2, session id first. */
static const struct {
	const char *sql;
	add_child_fn add;
} batch_children[] = {
	{ "SELECT session_id, area, label, depth_mm, passes FROM session_area "
	  "WHERE session_id BETWEEN ?1 AND ?2 ORDER BY session_id, pos", add_area },
	{ "SELECT session_id, product FROM session_product "
	  "WHERE session_id BETWEEN ?1 AND ?2 ORDER BY session_id, pos", add_product },
	{ "SELECT session_id, scale, value FROM session_score "
	  "WHERE session_id BETWEEN ?1 AND ?2 ORDER BY session_id, scale", add_score },
	{ "SELECT session_id, code, message FROM session_warning WHERE session_id BETWEEN ?1 "
	  "AND ?2 AND amendment_id IS NULL ORDER BY session_id, pos", add_warning },
	/* traceability (migration 5), signed with the session when present */
	{ "SELECT session_id, device_serial, cartridge_lot, cartridge_expiry FROM session_trace "
	  "WHERE session_id BETWEEN ?1 AND ?2", add_trace },
	{ "SELECT session_id, pos, lot, expiry FROM session_product_lot "
	  "WHERE session_id BETWEEN ?1 AND ?2 ORDER BY session_id, pos", add_product_lot },
};

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		record_session_free(&b->ses[i]);
	b->n = 0;
}

static ssize_t batch_find(const struct batch *b, int64_t id)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->ses[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < b->n && b->ses[lo].id == id ? (ssize_t)lo : -1;
}

/* The next signed sessions after id `after`, their own columns only. */
static int batch_sessions(struct record *s, int64_t after, struct batch *b, struct nl_err *err)
{
	sqlite3_stmt *st;
	bool oom = false;
	int rc = core_prepare(s, "SELECT " SESSION_COLUMNS ", 0, id FROM session "
				 "WHERE signed = 1 AND id > ? ORDER BY id LIMIT ?", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, VERIFY_BATCH);
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&b->ses[b->n], 0, sizeof(b->ses[b->n]));
		b->through[b->n] = 0;
		session_row(st, sqlite3_column_int64(st, 24), &b->ses[b->n++], &oom);
	}
	core_finalize(s, st);
	if (oom)
		return nl_error(err, NL_ENOMEM, "out of memory");
	return rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "reading the signed sessions", err);
}

/* One child table's rows for the whole batch. */
static int batch_child(struct record *s, struct batch *b, size_t which, struct nl_err *err)
{
	sqlite3_stmt *st;
	bool oom = false;
	int rc = core_prepare(s, batch_children[which].sql, &st, err);

	if (rc != NL_OK)
		return rc;
	memset(b->cap, 0, sizeof(b->cap));
	sqlite3_bind_int64(st, 1, b->ses[0].id);
	sqlite3_bind_int64(st, 2, b->ses[b->n - 1].id);
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ssize_t i = batch_find(b, sqlite3_column_int64(st, 0));

		if (i >= 0)   /* else an unsigned session between two signed ones */
			batch_children[which].add(&b->ses[i], &b->cap[i], st, 1, &oom);
	}
	core_finalize(s, st);
	if (oom)
		return nl_error(err, NL_ENOMEM, "out of memory");
	return rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "reading the signed sessions", err);
}

/* What each signature covers, from the latest signing audit row of each
 * session in the batch (signed_through, for the whole batch at once). */
const char core_sql_batch_through[] =
	"SELECT entity_id, detail FROM audit WHERE entity = 'session' "
	"AND entity_id BETWEEN ?1 AND ?2 AND action = 'sign' ORDER BY entity_id, id";

static int batch_through(struct record *s, struct batch *b, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, core_sql_batch_through, &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, b->ses[0].id);
	sqlite3_bind_int64(st, 2, b->ses[b->n - 1].id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ssize_t i = batch_find(b, sqlite3_column_int64(st, 0));
		const char *detail = (const char *)sqlite3_column_text(st, 1);
		json_t *d;

		if (i < 0 || !detail)
			continue;
		d = json_loads(detail, 0, NULL);
		b->through[i] = json_integer_value(json_object_get(d, "amendments_through"));
		json_decref(d);
	}
	core_finalize(s, st);
	return rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "reading the audit trail", err);
}

static int add_id(int64_t **v, size_t *n, size_t *cap, int64_t id, struct nl_err *err)
{
	if (core_grow((void **)v, cap, *n + 1, sizeof(**v)) != 0)
		return nl_error(err, NL_ENOMEM, "out of memory");
	(*v)[(*n)++] = id;
	return NL_OK;
}

/* Recomputes each hash of the batch; the ids that differ go to wrong. */
static int batch_verify(struct record *s, struct batch *b, int64_t **wrong, size_t *nw,
			size_t *wcap, struct nl_err *err)
{
	int rc = NL_OK;

	for (size_t i = 0; i < b->n && rc == NL_OK; i++) {
		char *text, hex[65];

		rc = canonical_hash(s, &b->ses[i], b->through[i], &text, hex, err);
		if (rc != NL_OK)
			break;
		free(text);
		if (!b->ses[i].hash || strcmp(hex, b->ses[i].hash) != 0)
			rc = add_id(wrong, nw, wcap, b->ses[i].id, err);
	}
	return rc;
}

/* Every signed session, batch by batch; *n counts them. */
static int verify_all(struct record *s, size_t *n, int64_t **wrong, size_t *nw, size_t *wcap,
		      struct nl_err *err)
{
	struct batch *b = calloc(1, sizeof(*b));
	int64_t after = 0;
	int rc = b ? NL_OK : nl_error(err, NL_ENOMEM, "out of memory");

	while (rc == NL_OK && (rc = batch_sessions(s, after, b, err)) == NL_OK && b->n > 0) {
		for (size_t k = 0; k < COUNT(batch_children) && rc == NL_OK; k++)
			rc = batch_child(s, b, k, err);
		if (rc == NL_OK)
			rc = batch_through(s, b, err);
		if (rc == NL_OK)
			rc = batch_verify(s, b, wrong, nw, wcap, err);
		*n += b->n;
		after = b->ses[b->n - 1].id;
		batch_free(b);
	}
	if (b)
		batch_free(b);
	free(b);
	return rc;
}

int record_verify_signatures(struct record *s, size_t *checked, int64_t **bad, size_t *nbad,
			     struct nl_err *err)
{
	int64_t *wrong = NULL;
	size_t n = 0, nw = 0, wcap = 0;
	bool own;
	int rc;

	if (checked)
		*checked = 0;
	if (bad) {
		*bad = NULL;
		*nbad = 0;
	}
	/* one snapshot: the batches and the audit pass see the same record */
	if ((rc = record_snapshot_begin(s, &own, err)) != NL_OK)
		return rc;
	rc = verify_all(s, &n, &wrong, &nw, &wcap, err);
	if (rc == NL_OK)
		rc = check_sign_audit(s, &wrong, &nw, &wcap, err);
	record_snapshot_end(s, own);
	if (rc == NL_OK && checked)
		*checked = n;
	if (rc == NL_OK && nw > 0)
		rc = nl_error(err, NL_EAUTH,
			      "%zu signed session%s no longer match%s %s signature (first: session "
			      "%lld); the record was changed outside needlelog: restore a backup",
			      nw, nw == 1 ? "" : "s", nw == 1 ? "es" : "", nw == 1 ? "its" : "their",
			      (long long)wrong[0]);
	if (bad && rc != NL_ENOMEM) {
		*bad = wrong;
		*nbad = nw;
	} else {
		free(wrong);
	}
	return rc;
}

/* ---- pick lists ---------------------------------------------------------------- */

/* Distinct values of the sessions entered last (ids above the newest less
 * the window: a range of the primary key, never a scan of the table), in
 * SQL, most recent first, at most RECORD_PICK_MAX. ?1 practitioner or NULL,
 * ?2 the window, ?3 the limit. */
#define PICK_RECENT "(SELECT coalesce(max(id), 0) FROM session) - ?2"
#define PICK_COLUMN(col) \
	"SELECT " col " FROM session WHERE id > " PICK_RECENT " AND " col " IS NOT NULL " \
	"AND (?1 IS NULL OR practitioner = ?1) GROUP BY " col " ORDER BY max(id) DESC LIMIT ?3"

static const struct {
	const char *sql;
	const char *const *fixed;
	const size_t *nfixed;
} picks[] = {
	[RECORD_PICK_DEVICE] = { PICK_COLUMN("device"), vocab_devices, &vocab_device_count },
	[RECORD_PICK_CARTRIDGE] = { PICK_COLUMN("cartridge"), vocab_cartridges,
				    &vocab_cartridge_count },
	[RECORD_PICK_PRODUCT] = { "SELECT p.product FROM session_product p JOIN session s ON "
				  "s.id = p.session_id WHERE p.session_id > " PICK_RECENT " AND "
				  "(?1 IS NULL OR s.practitioner = ?1) GROUP BY p.product "
				  "ORDER BY max(p.session_id) DESC LIMIT ?3",
				  vocab_products, &vocab_product_count },
	[RECORD_PICK_ANESTHETIC] = { PICK_COLUMN("anesthetic"), NULL, NULL },
};

const char *core_sql_pick(enum record_pick which)
{
	return (unsigned)which < COUNT(picks) ? picks[which].sql : NULL;
}

/* Appends s unless present: the list is at most RECORD_PICK_MAX plus a
 * vocabulary's few entries long. */
static int add_unique(char ***v, size_t *n, size_t *cap, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return 0;
	if (core_grow((void **)v, cap, *n + 1, sizeof(char *)) != 0 || !((*v)[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

int record_picklist(struct record *s, enum record_pick which, const char *practitioner,
		    char ***out, size_t *n, struct nl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	bool oom = false;
	int rc;

	*out = NULL;
	*n = 0;
	if ((unsigned)which >= COUNT(picks))
		return nl_error(err, NL_EUSAGE, "no such pick list");
	if ((rc = core_prepare(s, picks[which].sql, &st, err)) != NL_OK)
		return rc;
	core_bind_text(st, 1, practitioner);
	sqlite3_bind_int(st, 2, RECORD_PICK_WINDOW);
	sqlite3_bind_int(st, 3, RECORD_PICK_MAX);
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW)
		oom = add_unique(out, n, &cap, (const char *)sqlite3_column_text(st, 0)) != 0;
	core_finalize(s, st);
	if (!oom && rc != SQLITE_DONE) {
		record_strings_free(*out, *n);
		*out = NULL;
		*n = 0;
		return core_sql_error(s, "reading the pick list", err);
	}
	for (size_t i = 0; !oom && picks[which].fixed && i < *picks[which].nfixed; i++)
		oom = add_unique(out, n, &cap, picks[which].fixed[i]) != 0;
	if (oom) {
		record_strings_free(*out, *n);
		*out = NULL;
		*n = 0;
		return nl_error(err, NL_ENOMEM, "out of memory");
	}
	return NL_OK;
}
