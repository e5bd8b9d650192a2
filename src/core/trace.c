/* Traceability of single-use items: the device's serial, the cartridge's
 * lot and expiry, each product's lot and expiry (hooks of session.c); the
 * batch advisory's query; the defaults a new session takes (never a lot);
 * and the sessions left unsigned, chased for signing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/text.h"
#include "needlelog/value.h"

/* ---- hooks of session.c -------------------------------------------------------- */

int check_session_trace(const struct nl_session *ses, struct nl_err *err)
{
	int32_t day;
	char field[96];
	int rc = check_text("device serial", "device-serial", ses->device_serial, err);

	if (rc == NL_OK)
		rc = check_text("cartridge lot", "lot", ses->cartridge_lot, err);
	if (rc == NL_OK && core_opt(ses->cartridge_expiry))
		rc = check_date_parse("cartridge expiry", ses->cartridge_expiry, &day, err);
	if (rc == NL_OK && ses->nproduct_lots && ses->nproduct_lots != ses->nproducts)
		rc = nl_error(err, NL_EDATA, "product lots: %zu given for %zu products; give one "
			      "(maybe empty) for each product, or none", ses->nproduct_lots,
			      ses->nproducts);
	for (size_t i = 0; rc == NL_OK && i < ses->nproduct_lots; i++) {
		const struct nl_product_lot *l = &ses->product_lots[i];

		snprintf(field, sizeof(field), "product %.60s lot", ses->products[i]);
		rc = check_text(field, "lot", l->lot, err);
		snprintf(field, sizeof(field), "product %.60s expiry", ses->products[i]);
		if (rc == NL_OK && core_opt(l->expiry))
			rc = check_date_parse(field, l->expiry, &day, err);
	}
	return rc;
}

static bool lots_empty(const struct nl_session *in)
{
	for (size_t i = 0; i < in->nproduct_lots; i++)
		if (core_opt(in->product_lots[i].lot) || core_opt(in->product_lots[i].expiry))
			return false;
	return true;
}

int trace_write(struct record *s, int64_t id, const struct nl_session *in, struct nl_err *err)
{
	static const char *const clear[] = {
		"DELETE FROM session_trace WHERE session_id = ?",
		"DELETE FROM session_product_lot WHERE session_id = ?",
	};
	sqlite3_stmt *st;
	int rc = core_exec_for_id(s, clear, COUNT(clear), id, "saving the lots", err);

	if (rc == NL_OK && (core_opt(in->device_serial) || core_opt(in->cartridge_lot) ||
			    core_opt(in->cartridge_expiry))) {
		if ((rc = core_prepare(s, "INSERT INTO session_trace (session_id, device_serial, "
					  "cartridge_lot, cartridge_expiry) VALUES (?, ?, ?, ?)",
				       &st, err)) != NL_OK)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		core_bind_text(st, 2, in->device_serial);
		core_bind_text(st, 3, in->cartridge_lot);
		core_bind_text(st, 4, in->cartridge_expiry);
		rc = core_exec_stmt(s, st, "saving the lots", err);
	}
	for (size_t i = 0; rc == NL_OK && !lots_empty(in) && i < in->nproduct_lots; i++) {
		if ((rc = core_prepare(s, "INSERT INTO session_product_lot (session_id, pos, lot, "
					  "expiry) VALUES (?, ?, ?, ?)", &st, err)) != NL_OK)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		core_bind_text(st, 3, in->product_lots[i].lot);
		core_bind_text(st, 4, in->product_lots[i].expiry);
		rc = core_exec_stmt(s, st, "saving the lots", err);
	}
	return rc;
}

void trace_session_row(struct nl_session *ses, sqlite3_stmt *st, int c, bool *oom)
{
	ses->device_serial = core_col_text(st, c, oom);
	ses->cartridge_lot = core_col_text(st, c + 1, oom);
	ses->cartridge_expiry = core_col_text(st, c + 2, oom);
}

void trace_product_lot_row(struct nl_session *ses, sqlite3_stmt *st, int c, bool *oom)
{
	size_t pos = (size_t)sqlite3_column_int64(st, c);

	if (pos >= ses->nproducts)
		return;
	if (!ses->product_lots) {
		ses->product_lots = calloc(ses->nproducts, sizeof(*ses->product_lots));
		if (!ses->product_lots) {
			*oom = true;
			return;
		}
		ses->nproduct_lots = ses->nproducts;
	}
	ses->product_lots[pos].lot = core_col_text(st, c + 1, oom);
	ses->product_lots[pos].expiry = core_col_text(st, c + 2, oom);
}

int trace_read(struct record *s, struct nl_session *ses, bool *oom, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, "SELECT device_serial, cartridge_lot, cartridge_expiry FROM "
				 "session_trace WHERE session_id = ?", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ses->id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		trace_session_row(ses, st, 0, oom);
	core_finalize(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return core_sql_error(s, "reading the lots", err);
	if ((rc = core_prepare(s, "SELECT pos, lot, expiry FROM session_product_lot WHERE "
				  "session_id = ? ORDER BY pos", &st, err)) != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ses->id);
	while (!*oom && (rc = sqlite3_step(st)) == SQLITE_ROW)
		trace_product_lot_row(ses, st, 0, oom);
	core_finalize(s, st);
	return *oom || rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "reading the lots", err);
}

/* ---- building a session -------------------------------------------------------------- */

int clin_product_add(struct nl_session *ses, const char *spec, struct nl_err *err)
{
	char q[NL_QUOTE_BUF], *copy = strdup(spec ? spec : ""), *lot = NULL, *exp = NULL, *c;
	struct nl_product_lot *lots;
	char **names;
	int32_t day;
	bool oom = false;

	if (!copy)
		return nl_error(err, NL_ENOMEM, "out of memory");
	if ((c = strchr(copy, ':'))) {
		*c = '\0';
		lot = c + 1;
		if ((c = strchr(lot, ':'))) {
			*c = '\0';
			exp = c + 1;
		}
	}
	if (!core_opt(copy) || (core_opt(exp) && check_date_parse("product expiry", exp, &day,
								   NULL) != NL_OK)) {
		nl_error(err, NL_EDATA, "product: '%s' is not NAME[:LOT[:EXPIRY]] (expiry "
			 "YYYY-MM-DD)", nl_quote_value(spec, q, sizeof(q)));
		free(copy);
		return NL_EDATA;
	}
	names = realloc(ses->products, (ses->nproducts + 1) * sizeof(*names));
	if (names)
		ses->products = names;
	lots = names ? realloc(ses->product_lots, (ses->nproducts + 1) * sizeof(*lots)) : NULL;
	if (lots) {
		ses->product_lots = lots;
		/* lots are kept for every product once any has one */
		for (size_t i = ses->nproduct_lots; i < ses->nproducts; i++)
			lots[i] = (struct nl_product_lot){ NULL, NULL };
		lots[ses->nproducts] = (struct nl_product_lot){
			core_opt(lot) ? core_strdup(lot, &oom) : NULL,
			core_opt(exp) ? core_strdup(exp, &oom) : NULL };
		names[ses->nproducts] = core_strdup(copy, &oom);
		ses->nproducts++;
		ses->nproduct_lots = ses->nproducts;
	}
	free(copy);
	return !lots || oom ? nl_error(err, NL_ENOMEM, "out of memory") : NL_OK;
}

/* ---- defaults ------------------------------------------------------------------------- */

static int copy_str(char **dst, const char *src, bool *oom)
{
	*dst = core_opt(src) ? core_strdup(src, oom) : NULL;
	return 0;
}

int record_session_defaults(struct record *s, int64_t series_id, struct nl_session *out,
			    struct nl_err *err)
{
	struct nl_session *rows;
	struct nl_series sr;
	size_t n;
	bool oom = false;
	int rc;

	record_session_init(out);
	if ((rc = record_series_get(s, series_id, &sr, err)) != NL_OK)
		return rc;
	if ((rc = record_session_list(s, series_id, false, &rows, &n, err)) != NL_OK) {
		record_series_free(&sr);
		return rc;
	}
	out->series_id = series_id;
	copy_str(&out->date, record_today(s), &oom);
	if (n > 0) {
		const struct nl_session *p = &rows[n - 1];

		copy_str(&out->practitioner, p->practitioner, &oom);
		copy_str(&out->device, p->device, &oom);
		copy_str(&out->device_serial, p->device_serial, &oom);
		copy_str(&out->cartridge, p->cartridge, &oom);
		copy_str(&out->anesthetic, p->anesthetic, &oom);
		out->anesthetic_minutes = p->anesthetic_minutes;
		copy_str(&out->endpoint, p->endpoint, &oom);
		/* names only: a lot or an expiry is never carried over */
		for (size_t i = 0; !oom && i < p->nproducts; i++)
			oom = value_strv_add(&out->products, &out->nproducts, p->products[i],
					     NULL) != NL_OK;
		out->areas = calloc(p->nareas ? p->nareas : 1, sizeof(*out->areas));
		oom = oom || !out->areas;
		for (size_t i = 0; !oom && i < p->nareas; i++) {
			out->areas[i] = p->areas[i];
			out->areas[i].area = core_strdup(p->areas[i].area, &oom);
			out->areas[i].label = core_opt(p->areas[i].label)
				? core_strdup(p->areas[i].label, &oom) : NULL;
			out->nareas = i + 1;
		}
	} else {
		out->areas = calloc(sr.nareas ? sr.nareas : 1, sizeof(*out->areas));
		oom = !out->areas;
		for (size_t i = 0; !oom && i < sr.nareas; i++) {
			out->areas[i].area = core_strdup(sr.areas[i], &oom);
			out->nareas = i + 1;
		}
	}
	record_session_list_free(rows, n);
	record_series_free(&sr);
	if (oom) {
		record_session_free(out);
		return nl_error(err, NL_ENOMEM, "out of memory");
	}
	return NL_OK;
}

/* ---- the batch advisory ------------------------------------------------------------- */

void record_trace_free(struct nl_trace_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		core_zfree(rows[i].patient_name);
		core_zfree(rows[i].phone);
		core_zfree(rows[i].what);
		core_zfree(rows[i].item);
		core_zfree(rows[i].lot);
		core_zfree(rows[i].expiry);
	}
	core_zfree(rows);
}

/* Every use in one statement: the cartridge and product lots as stored,
 * those set by an amendment (the latest amendment of the field wins), and
 * old free text naming the lot. ?1 is the lot, trimmed. */
static const char trace_sql[] =
	"WITH amended AS ("
	"  SELECT a.session_id AS sid, c.field AS field, c.new_json AS js,"
	"    row_number() OVER (PARTITION BY a.session_id, c.field ORDER BY a.id DESC) AS k"
	"  FROM amendment a JOIN amendment_change c ON c.amendment_id = a.id"
	"  WHERE c.field IN ('cartridge_lot', 'cartridge_expiry', 'product_lots', 'products',"
	"    'cartridge', 'device', 'notes')),"
	" latest AS (SELECT sid, field, js FROM amended WHERE k = 1),"
	" uses (sid, what, item, lot, expiry) AS ("
	"  SELECT t.session_id, 'cartridge', x.cartridge, t.cartridge_lot, t.cartridge_expiry"
	"  FROM session_trace t JOIN session x ON x.id = t.session_id"
	"  WHERE t.cartridge_lot = ?1 COLLATE NOCASE"
	"  UNION ALL"
	"  SELECT l.session_id, 'product', p.product, l.lot, l.expiry"
	"  FROM session_product_lot l JOIN session_product p"
	"    ON p.session_id = l.session_id AND p.pos = l.pos"
	"  WHERE l.lot = ?1 COLLATE NOCASE"
	"  UNION ALL"
	"  SELECT m.sid, 'cartridge', coalesce((SELECT json_extract(c.js, '$') FROM latest c"
	"      WHERE c.sid = m.sid AND c.field = 'cartridge'), x.cartridge),"
	"    json_extract(m.js, '$'), coalesce((SELECT json_extract(e.js, '$') FROM latest e"
	"      WHERE e.sid = m.sid AND e.field = 'cartridge_expiry'),"
	"      (SELECT cartridge_expiry FROM session_trace WHERE session_id = m.sid))"
	"  FROM latest m JOIN session x ON x.id = m.sid"
	"  WHERE m.field = 'cartridge_lot' AND json_extract(m.js, '$') = ?1 COLLATE NOCASE"
	"  UNION ALL"
	"  SELECT m.sid, 'product', json_extract(pn.js, '$[' || j.key || ']'),"
	"    json_extract(j.value, '$.lot'), json_extract(j.value, '$.expiry')"
	"  FROM latest m JOIN json_each(m.js) j"
	"  LEFT JOIN latest pn ON pn.sid = m.sid AND pn.field = 'products'"
	"  WHERE m.field = 'product_lots' AND json_extract(j.value, '$.lot') = ?1 COLLATE NOCASE"
	"  UNION ALL"
	"  SELECT x.id, 'text', f.name, ?1, NULL"
	"  FROM session x JOIN (SELECT 'device' AS name UNION ALL SELECT 'cartridge'"
	"    UNION ALL SELECT 'notes' UNION ALL SELECT 'product') f"
	"  WHERE instr(lower(CASE f.name WHEN 'device' THEN x.device"
	"    WHEN 'cartridge' THEN x.cartridge WHEN 'notes' THEN x.notes"
	"    ELSE (SELECT group_concat(product, ' ') FROM session_product"
	"      WHERE session_id = x.id) END), lower(?1)) > 0"
	"  UNION ALL"
	"  SELECT m.sid, 'text', m.field, ?1, NULL FROM latest m"
	"  WHERE m.field IN ('cartridge', 'products', 'device', 'notes')"
	"    AND instr(lower(m.js), lower(?1)) > 0)"
	" SELECT DISTINCT p.id, p.name, p.phone, r.id, x.id, " EFFECTIVE_DATE ", u.what, u.item,"
	"  u.lot, u.expiry, x.signed, x.voided"
	" FROM uses u JOIN session x ON x.id = u.sid JOIN series r ON r.id = x.series_id"
	" JOIN patient p ON p.id = r.patient_id"
	" ORDER BY 6, p.name, x.id, u.what, u.item";

static int trace_row(sqlite3_stmt *st, struct nl_trace_row *t, bool *oom)
{
	const char *date = (const char *)sqlite3_column_text(st, 5);

	memset(t, 0, sizeof(*t));
	t->patient_id = sqlite3_column_int64(st, 0);
	t->patient_name = core_col_text(st, 1, oom);
	t->phone = core_col_text(st, 2, oom);
	t->series_id = sqlite3_column_int64(st, 3);
	t->session_id = sqlite3_column_int64(st, 4);
	snprintf(t->date, sizeof(t->date), "%s", date ? date : "");
	t->what = core_col_text(st, 6, oom);
	t->item = core_col_text(st, 7, oom);
	t->lot = core_col_text(st, 8, oom);
	t->expiry = core_col_text(st, 9, oom);
	t->is_signed = sqlite3_column_int(st, 10) != 0;
	t->voided = sqlite3_column_int(st, 11) != 0;
	return 0;
}

int record_trace_lot(struct record *s, const char *lot, struct nl_trace_row **rows, size_t *n,
		     struct nl_err *err)
{
	char *want = NULL;
	size_t cap = 0, len;
	sqlite3_stmt *st;
	bool oom = false;
	int rc = check_text("lot", "lot", lot, err);

	*rows = NULL;
	*n = 0;
	if (rc != NL_OK)
		return rc;
	while (lot && (*lot == ' ' || *lot == '\t'))
		lot++;
	len = lot ? strlen(lot) : 0;
	while (len && (lot[len - 1] == ' ' || lot[len - 1] == '\t'))
		len--;
	if (len == 0)
		return nl_error(err, NL_EDATA, "lot: a lot number is required");
	if (!(want = strndup(lot, len)))
		return nl_error(err, NL_ENOMEM, "out of memory");
	rc = core_prepare(s, trace_sql, &st, err);
	if (rc == NL_OK) {
		sqlite3_bind_text(st, 1, want, -1, SQLITE_TRANSIENT);
		while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (core_grow((void **)rows, &cap, *n + 1, sizeof(**rows)) != 0) {
				oom = true;
				break;
			}
			trace_row(st, &(*rows)[(*n)++], &oom);
		}
		core_finalize(s, st);
		rc = oom ? nl_error(err, NL_ENOMEM, "out of memory")
			 : rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "tracing the lot", err);
	}
	free(want);
	if (rc != NL_OK) {
		record_trace_free(*rows, *n);
		*rows = NULL;
		*n = 0;
	}
	return rc;
}

/* ---- unsigned sessions ---------------------------------------------------------------- */

void record_unsigned_list_free(struct nl_unsigned *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		core_zfree(rows[i].patient_name);
		core_zfree(rows[i].practitioner);
	}
	core_zfree(rows);
}

/* Only the unsigned live sessions are read, through the partial index
 * session_unsigned (schema/008_unsigned.sql), never every session. */
const char core_sql_unsigned[] =
	"SELECT x.id, x.series_id, p.id, p.name, x.practitioner, " EFFECTIVE_DATE " AS d "
	"FROM session x JOIN series r ON r.id = x.series_id "
	"JOIN patient p ON p.id = r.patient_id "
	"WHERE x.signed = 0 AND x.voided = 0 AND p.archived = 0 "
	"AND d <= date(?, ?) ORDER BY d, x.id";

int record_unsigned_list(struct record *s, const char *today, struct nl_unsigned **rows,
			 size_t *n, struct nl_err *err)
{
	size_t cap = 0;
	sqlite3_stmt *st;
	bool oom = false;
	int32_t day;
	int rc = check_date_parse("today", today, &day, err);

	*rows = NULL;
	*n = 0;
	if (rc != NL_OK)
		return rc;
	rc = core_prepare(s, core_sql_unsigned, &st, err);
	if (rc != NL_OK)
		return rc;
	{
		char back[16];

		snprintf(back, sizeof(back), "-%d days", CLIN_UNSIGNED_AFTER_DAYS);
		sqlite3_bind_text(st, 1, today, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, back, -1, SQLITE_TRANSIENT);
	}
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct nl_unsigned *u;

		if (core_grow((void **)rows, &cap, *n + 1, sizeof(**rows)) != 0) {
			oom = true;
			break;
		}
		u = &(*rows)[(*n)++];
		memset(u, 0, sizeof(*u));
		u->session_id = sqlite3_column_int64(st, 0);
		u->series_id = sqlite3_column_int64(st, 1);
		u->patient_id = sqlite3_column_int64(st, 2);
		u->patient_name = core_col_text(st, 3, &oom);
		u->practitioner = core_col_text(st, 4, &oom);
		snprintf(u->date, sizeof(u->date), "%s", (const char *)sqlite3_column_text(st, 5));
		check_date_diff(u->date, today, &u->days, NULL);
	}
	core_finalize(s, st);
	rc = oom ? nl_error(err, NL_ENOMEM, "out of memory")
		 : rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "listing unsigned sessions", err);
	if (rc != NL_OK) {
		record_unsigned_list_free(*rows, *n);
		*rows = NULL;
		*n = 0;
	}
	return rc;
}
