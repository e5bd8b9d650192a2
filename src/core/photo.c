/* Clinical photographs: their facts in `photo`, their bytes in `photo_blob`
 * (schema 007), written together in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "needlelog/check.h"
#include "needlelog/photo.h"
#include "needlelog/text.h"
#include "needlelog/value.h"
#include "needlelog/vocab.h"

const struct clin_code photo_views[] = {
	{ "frontal", "face, frontal" },
	{ "oblique-l", "face, left oblique (45°)" },
	{ "oblique-r", "face, right oblique (45°)" },
	{ "lateral-l", "face, left lateral (90°)" },
	{ "lateral-r", "face, right lateral (90°)" },
	{ "vertex", "scalp from above" },
	{ "hairline", "frontal hairline" },
	{ "part", "midline part" },
	{ "temporal-l", "left temporal" },
	{ "temporal-r", "right temporal" },
	{ "occipital", "occipital scalp" },
	{ "marked-site", "the marked hair-count site" },
	{ PHOTO_VIEW_SITE, "a body area or scar (needs --area; --label names it)" },
};
const size_t photo_view_count = COUNT(photo_views);

const struct clin_code photo_timepoints[] = {
	{ "baseline", "before the first session" },
	{ "session", "before a session" },
	{ "follow-up", "after the last session" },
};
const size_t photo_timepoint_count = COUNT(photo_timepoints);

#define PHOTO_COLS "id, patient_id, series_id, session_id, view, area, label, timepoint, " \
	"taken, taken_by, source, width, height, bytes, created_at"

/* What a photo's check needs to know about the record around it. */
struct photo_ctx {
	char *dob;
	char *today;
	int sessions;   /* live sessions of the series so far */
};

/* One row's text column into *dst. */
static int one_text(struct record *r, const char *sql, int64_t id, bool *found,
		    char **dst, struct nl_err *err)
{
	sqlite3_stmt *st;
	bool oom = false;
	int rc = core_prepare(r, sql, &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found && dst)
		*dst = core_col_text(st, 0, &oom);
	core_finalize(r, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return core_sql_error(r, "reading the photo's record", err);
	return oom ? nl_error(err, NL_ENOMEM, "out of memory") : NL_OK;
}

/* One row's integer column. */
static int one_int(struct record *r, const char *sql, int64_t id, bool *found,
		   int64_t *v, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(r, sql, &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found)
		*v = sqlite3_column_int64(st, 0);
	core_finalize(r, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return core_sql_error(r, "reading the photo's record", err);
	return NL_OK;
}

/* The patient exists; the series is theirs; the session is the series'. */
static int check_owners(struct record *r, const struct nl_photo *in, struct photo_ctx *ctx,
			struct nl_err *err)
{
	bool found;
	int64_t owner = 0;
	int rc = one_text(r, "SELECT dob FROM patient WHERE id = ?", in->patient_id, &found,
			  &ctx->dob, err);

	if (rc == NL_OK && !found)
		return nl_error(err, NL_ENOENT, "no patient with id %lld", (long long)in->patient_id);
	if (rc == NL_OK && in->series_id) {
		rc = one_int(r, "SELECT patient_id FROM series WHERE id = ?", in->series_id,
			     &found, &owner, err);
		if (rc == NL_OK && !found)
			return nl_error(err, NL_ENOENT, "no series with id %lld",
					(long long)in->series_id);
		if (rc == NL_OK && owner != in->patient_id)
			return nl_error(err, NL_EDATA, "series: series %lld is not patient %lld's",
					(long long)in->series_id, (long long)in->patient_id);
	}
	if (rc == NL_OK && in->session_id) {
		if (!in->series_id)
			return nl_error(err, NL_EDATA, "session: give the session's series too");
		rc = one_int(r, "SELECT series_id FROM session WHERE id = ?", in->session_id,
			     &found, &owner, err);
		if (rc == NL_OK && !found)
			return nl_error(err, NL_ENOENT, "no session with id %lld",
					(long long)in->session_id);
		if (rc == NL_OK && owner != in->series_id)
			return nl_error(err, NL_EDATA, "session: session %lld is not of series %lld",
					(long long)in->session_id, (long long)in->series_id);
	}
	if (rc == NL_OK && in->series_id)
		rc = one_int(r, "SELECT count(*) FROM session WHERE series_id = ? AND voided = 0",
			     in->series_id, &found, &owner, err);
	ctx->sessions = in->series_id ? (int)owner : 0;
	return rc;
}

/* View, area, label and timepoint against their vocabularies. */
static int check_words(const struct nl_photo *in, struct nl_err *err)
{
	char q[NL_QUOTE_BUF];

	if (!core_opt(in->view) || !clin_find(photo_views, photo_view_count, in->view))
		return nl_error(err, NL_EDATA, "view: '%s' is not a view: use frontal, oblique-l, "
				"oblique-r, lateral-l, lateral-r, vertex, hairline, part, temporal-l, "
				"temporal-r, occipital, marked-site or site",
				nl_quote_value(in->view ? in->view : "", q, sizeof(q)));
	if (core_opt(in->area) && !vocab_area_find(in->area))
		return nl_error(err, NL_EDATA, "area: unknown area '%s' (see `needlelog vocab`)",
				nl_quote_value(in->area, q, sizeof(q)));
	if (strcmp(in->view, PHOTO_VIEW_SITE) == 0 && !core_opt(in->area))
		return nl_error(err, NL_EDATA, "area: a 'site' photo needs its area "
				"(see `needlelog vocab`)");
	if (core_opt(in->timepoint) &&
	    !clin_find(photo_timepoints, photo_timepoint_count, in->timepoint))
		return nl_error(err, NL_EDATA, "timepoint: '%s' is not a timepoint: use baseline, "
				"session or follow-up", nl_quote_value(in->timepoint, q, sizeof(q)));
	return check_text("label", "label", in->label, err);
}

/* Taken: a real date, not after today, not before birth. */
static int check_taken(const char *taken, const struct photo_ctx *ctx, struct nl_err *err)
{
	int32_t day;
	int rc = check_date_parse("taken", taken, &day, err);

	if (rc != NL_OK)
		return rc;
	if (strcmp(taken, ctx->today) > 0)
		return nl_error(err, NL_EDATA, "taken: %s is after today (%s)", taken, ctx->today);
	if (ctx->dob && strcmp(taken, ctx->dob) < 0)
		return nl_error(err, NL_EDATA, "taken: %s is before the patient's date of birth (%s)",
				taken, ctx->dob);
	return NL_OK;
}

/* Clinical-photography consent in force the day it was taken and today. */
static int check_photo_consent(struct record *r, const struct nl_photo *in, const char *taken,
			       const char *today, struct nl_err *err)
{
	const char *days[2] = { taken, today };
	bool yes = false;
	int rc = NL_OK;

	for (size_t i = 0; rc == NL_OK && i < 2; i++) {
		rc = record_photo_consent(r, in->patient_id, in->series_id, days[i], false, &yes, err);
		if (rc == NL_OK && !yes)
			return nl_error(err, NL_EDATA, "consent: patient %lld has no clinical-photography "
					"consent in force on %s%s; nothing stored (record one with "
					"`needlelog consent add --patient %lld --kind photography-clinical`)",
					(long long)in->patient_id, days[i],
					in->series_id ? " covering this series' indication" : "",
					(long long)in->patient_id);
	}
	return rc;
}

static int check_all(struct record *r, const struct nl_photo *in, struct photo_ctx *ctx,
		     struct nl_err *err)
{
	const char *taken;
	int rc = check_words(in, err);

	ctx->today = core_strdup(record_today(r), NULL);
	if (!ctx->today)
		return nl_error(err, NL_ENOMEM, "out of memory");
	taken = core_opt(in->taken) ? in->taken : ctx->today;
	if (rc == NL_OK)
		rc = check_owners(r, in, ctx, err);
	if (rc == NL_OK)
		rc = check_taken(taken, ctx, err);
	if (rc == NL_OK)
		rc = check_text("taken by", "practitioner", in->taken_by, err);
	if (rc == NL_OK)
		rc = check_photo_consent(r, in, taken, ctx->today, err);
	return rc;
}

static void ctx_free(struct photo_ctx *ctx)
{
	free(ctx->dob);
	free(ctx->today);
}

int photo_check(struct record *r, const struct nl_photo *in, struct nl_err *err)
{
	struct photo_ctx ctx = { 0 };
	int rc = check_all(r, in, &ctx, err);

	ctx_free(&ctx);
	return rc;
}

/* The timepoint nl_photo documents when none is given. */
static const char *timepoint_of(const struct nl_photo *in, const struct photo_ctx *ctx)
{
	if (core_opt(in->timepoint))
		return in->timepoint;
	if (in->session_id)
		return "session";
	return ctx->sessions == 0 ? "baseline" : "follow-up";
}

static int insert_blob(struct record *r, int64_t id, const char *kind,
		       const unsigned char *data, size_t len, struct nl_err *err)
{
	unsigned char digest[32];
	sqlite3_stmt *st;
	int rc = core_prepare(r, "INSERT INTO photo_blob (photo_id, kind, digest, data) "
			      "VALUES (?, ?, ?, ?)", &st, err);

	if (rc != NL_OK)
		return rc;
	crypto_generichash(digest, sizeof(digest), data, len, NULL, 0);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, digest, sizeof(digest), SQLITE_TRANSIENT);
	sqlite3_bind_blob64(st, 4, data, len, SQLITE_STATIC);
	return core_exec_stmt(r, st, "storing the photograph", err);
}

static void bind_id(sqlite3_stmt *st, int i, int64_t id)
{
	if (id)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

static int insert_row(struct record *r, const struct nl_photo *in, const struct photo_bytes *b,
		      const char *timepoint, const char *who, int64_t *id, struct nl_err *err)
{
	char now[21];
	sqlite3_stmt *st;
	int rc = core_prepare(r, "INSERT INTO photo (patient_id, series_id, session_id, view, "
			      "area, label, timepoint, taken, taken_by, source, width, height, bytes, "
			      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st, err);

	if (rc != NL_OK)
		return rc;
	check_now_utc(now);
	sqlite3_bind_int64(st, 1, in->patient_id);
	bind_id(st, 2, in->series_id);
	bind_id(st, 3, in->session_id);
	core_bind_text(st, 4, in->view);
	core_bind_text(st, 5, in->area);
	core_bind_text(st, 6, in->label);
	core_bind_text(st, 7, timepoint);
	core_bind_text(st, 8, in->taken);
	core_bind_text(st, 9, who);
	core_bind_text(st, 10, b->source);
	sqlite3_bind_int(st, 11, b->width);
	sqlite3_bind_int(st, 12, b->height);
	sqlite3_bind_int64(st, 13, (sqlite3_int64)b->image_len);
	core_bind_text(st, 14, now);
	rc = core_exec_stmt(r, st, "storing the photograph", err);
	*id = sqlite3_last_insert_rowid(core_db(r));
	return rc;
}

static int audit_add(struct record *r, int64_t id, const struct nl_photo *in,
		     const char *timepoint, const char *who, struct nl_err *err)
{
	json_t *d = json_pack("{s:I, s:s, s:s, s:s}", "patient_id", (json_int_t)in->patient_id,
			      "view", in->view, "timepoint", timepoint, "taken", in->taken);

	if (d && in->series_id)
		json_object_set_new(d, "series_id", json_integer(in->series_id));
	if (d && in->session_id)
		json_object_set_new(d, "session_id", json_integer(in->session_id));
	return core_audit_json(r, "create", "photo", id, who, d, err);
}

int photo_add(struct record *r, const struct nl_photo *in, const struct photo_bytes *b,
	      int64_t *id, struct nl_err *err)
{
	struct photo_ctx ctx = { 0 };
	const char *who = core_opt(in->taken_by) ? in->taken_by : record_actor(r);
	int rc;

	*id = 0;
	if (!core_opt(in->taken))
		return nl_error(err, NL_EDATA, "taken: the date taken is required");
	if (!b->image || !b->image_len || !b->preview || !b->preview_len || !b->source ||
	    b->width <= 0 || b->height <= 0)
		return nl_error(err, NL_EUSAGE, "photo_add: no image bytes");
	if ((rc = core_begin(r, err)) != NL_OK)
		return rc;
	rc = check_all(r, in, &ctx, err);
	if (rc == NL_OK)
		rc = insert_row(r, in, b, timepoint_of(in, &ctx), who, id, err);
	if (rc == NL_OK)
		rc = insert_blob(r, *id, "image", b->image, b->image_len, err);
	if (rc == NL_OK)
		rc = insert_blob(r, *id, "preview", b->preview, b->preview_len, err);
	if (rc == NL_OK)
		rc = audit_add(r, *id, in, timepoint_of(in, &ctx), who, err);
	ctx_free(&ctx);
	rc = core_end(r, rc, err);
	if (rc != NL_OK)
		*id = 0;
	return rc;
}

/* ---- reading ---------------------------------------------------------------- */

static int read_row(sqlite3_stmt *st, struct nl_photo *p)
{
	bool oom = false;

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	p->patient_id = sqlite3_column_int64(st, 1);
	p->series_id = sqlite3_column_int64(st, 2);
	p->session_id = sqlite3_column_int64(st, 3);
	p->view = core_col_text(st, 4, &oom);
	p->area = core_col_text(st, 5, &oom);
	p->label = core_col_text(st, 6, &oom);
	p->timepoint = core_col_text(st, 7, &oom);
	p->taken = core_col_text(st, 8, &oom);
	p->taken_by = core_col_text(st, 9, &oom);
	p->source = core_col_text(st, 10, &oom);
	p->width = sqlite3_column_int(st, 11);
	p->height = sqlite3_column_int(st, 12);
	p->bytes = sqlite3_column_int64(st, 13);
	p->created_at = core_col_text(st, 14, &oom);
	return oom ? -1 : 0;
}

/* Every row of a prepared select of PHOTO_COLS. */
static int read_rows(struct record *r, sqlite3_stmt *st, struct nl_photo **out, size_t *n,
		     struct nl_err *err)
{
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (core_grow((void **)out, &cap, *n + 1, sizeof(**out)) != 0 ||
		    read_row(st, &(*out)[(*n)++]) != 0) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	core_finalize(r, st);
	if (rc == SQLITE_DONE)
		return NL_OK;
	photo_list_free(*out, *n);
	*out = NULL;
	*n = 0;
	return rc == SQLITE_NOMEM ? nl_error(err, NL_ENOMEM, "out of memory")
				  : core_sql_error(r, "reading the photographs", err);
}

int photo_get(struct record *r, int64_t id, struct nl_photo *out, struct nl_err *err)
{
	struct nl_photo *v = NULL;
	sqlite3_stmt *st;
	size_t n = 0;
	int rc = core_prepare(r, "SELECT " PHOTO_COLS " FROM photo WHERE id = ?", &st, err);

	memset(out, 0, sizeof(*out));
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = read_rows(r, st, &v, &n, err)) != NL_OK)
		return rc;
	if (n == 0) {
		free(v);
		return nl_error(err, NL_ENOENT, "no photo with id %lld", (long long)id);
	}
	*out = v[0];
	free(v);
	return NL_OK;
}

int photo_list(struct record *r, int64_t patient_id, int64_t series_id, const char *view,
	       struct nl_photo **out, size_t *n, struct nl_err *err)
{
	sqlite3_stmt *st;
	bool exists = false;
	int rc = core_exists(r, "patient", patient_id, &exists, err);

	*out = NULL;
	*n = 0;
	if (rc == NL_OK && !exists)
		return nl_error(err, NL_ENOENT, "no patient with id %lld", (long long)patient_id);
	if (rc == NL_OK)
		rc = core_prepare(r, "SELECT " PHOTO_COLS " FROM photo WHERE patient_id = ?1 "
				  "AND (?2 = 0 OR series_id = ?2) AND (?3 IS NULL OR view = ?3) "
				  "ORDER BY taken, id", &st, err);
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, patient_id);
	sqlite3_bind_int64(st, 2, series_id);
	core_bind_text(st, 3, view);
	return read_rows(r, st, out, n, err);
}

int photo_series_view(struct record *r, int64_t series_id, const char *view,
		      struct nl_photo **out, size_t *n, struct nl_err *err)
{
	sqlite3_stmt *st;
	bool exists = false;
	int rc = core_exists(r, "series", series_id, &exists, err);

	*out = NULL;
	*n = 0;
	if (rc == NL_OK && !exists)
		return nl_error(err, NL_ENOENT, "no series with id %lld", (long long)series_id);
	if (rc == NL_OK)
		rc = core_prepare(r, "SELECT " PHOTO_COLS " FROM photo WHERE series_id = ? "
				  "AND view = ? ORDER BY taken, id", &st, err);
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, series_id);
	core_bind_text(st, 2, view);
	return read_rows(r, st, out, n, err);
}

int photo_series_views(struct record *r, int64_t series_id, char ***views, size_t *n,
		       struct nl_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = core_prepare(r, "SELECT 1 FROM photo WHERE series_id = ? AND view = ? LIMIT 1",
			      &st, err);

	*views = NULL;
	*n = 0;
	for (size_t i = 0; rc == NL_OK && i < photo_view_count; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, series_id);
		sqlite3_bind_text(st, 2, photo_views[i].code, -1, SQLITE_STATIC);
		int step = sqlite3_step(st);

		if (step == SQLITE_ROW)
			rc = value_strv_add(views, n, photo_views[i].code, err);
		else if (step != SQLITE_DONE)
			rc = core_sql_error(r, "reading the photographs", err);
	}
	core_finalize(r, st);
	if (rc != NL_OK) {
		record_strings_free(*views, *n);
		*views = NULL;
		*n = 0;
	}
	return rc;
}

void photo_pair(const struct nl_photo *v, size_t n, long *base, long *now)
{
	*base = n ? 0 : -1;
	*now = n ? (long)n - 1 : -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i].timepoint && strcmp(v[i].timepoint, "baseline") == 0) {
			*base = (long)i;
			break;
		}
	}
}

int photo_read(struct record *r, int64_t id, enum photo_kind kind, unsigned char **data,
	       size_t *len, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(r, "SELECT data FROM photo_blob WHERE photo_id = ? AND kind = ?",
			      &st, err);

	*data = NULL;
	*len = 0;
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, kind == PHOTO_PREVIEW ? "preview" : "image", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		size_t sz = (size_t)sqlite3_column_bytes(st, 0);

		*data = malloc(sz ? sz : 1);
		if (*data) {
			memcpy(*data, sqlite3_column_blob(st, 0), sz);
			*len = sz;
		}
	}
	core_finalize(r, st);
	if (rc == SQLITE_DONE)
		return nl_error(err, NL_ENOENT, "no photo with id %lld", (long long)id);
	if (rc != SQLITE_ROW)
		return core_sql_error(r, "reading the photograph", err);
	return *data ? NL_OK : nl_error(err, NL_ENOMEM, "out of memory");
}

void photo_data_free(unsigned char *data, size_t len)
{
	if (data)
		sodium_memzero(data, len);
	free(data);
}

int photo_audit_export(struct record *r, int64_t id, const char *dest, struct nl_err *err)
{
	int rc = core_begin(r, err);

	if (rc == NL_OK)
		rc = core_audit_json(r, "export", "photo", id, NULL,
				     json_pack("{s:s}", "to", dest ? dest : ""), err);
	return core_end(r, rc, err);
}

int photo_verify(struct record *r, size_t *checked, int64_t **bad, size_t *nbad,
		 struct nl_err *err)
{
	unsigned char digest[32];
	sqlite3_stmt *st;
	size_t cap = 0;
	int64_t last = 0;
	int rc = core_prepare(r, "SELECT photo_id, digest, data FROM photo_blob "
			      "ORDER BY photo_id, kind", &st, err);

	*checked = 0;
	*bad = NULL;
	*nbad = 0;
	if (rc != NL_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const void *data = sqlite3_column_blob(st, 2);

		crypto_generichash(digest, sizeof(digest), data,
				   (size_t)sqlite3_column_bytes(st, 2), NULL, 0);
		*checked += id != last;
		if (sqlite3_column_bytes(st, 1) != (int)sizeof(digest) ||
		    sodium_memcmp(digest, sqlite3_column_blob(st, 1), sizeof(digest)) != 0) {
			if ((*nbad == 0 || (*bad)[*nbad - 1] != id) &&
			    core_grow((void **)bad, &cap, *nbad + 1, sizeof(**bad)) == 0)
				(*bad)[(*nbad)++] = id;
		}
		last = id;
	}
	core_finalize(r, st);
	if (rc != SQLITE_DONE)
		return core_sql_error(r, "verifying the photographs", err);
	if (*nbad)
		return nl_error(err, NL_EAUTH, "%zu photograph%s changed since stored "
				"(first: photo %lld)", *nbad, *nbad == 1 ? " has" : "s have",
				(long long)(*bad)[0]);
	return NL_OK;
}

int photo_export_allowed(struct record *r, int64_t patient_id, int64_t series_id, bool *yes,
			 struct nl_err *err)
{
	return record_photo_consent(r, patient_id, series_id, record_today(r), false, yes, err);
}

void photo_free(struct nl_photo *p)
{
	if (!p)
		return;
	free(p->view);
	free(p->area);
	free(p->label);
	free(p->timepoint);
	free(p->taken);
	free(p->taken_by);
	free(p->source);
	free(p->created_at);
	memset(p, 0, sizeof(*p));
}

void photo_list_free(struct nl_photo *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		photo_free(&v[i]);
	free(v);
}
