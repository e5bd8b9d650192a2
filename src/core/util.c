/* Helpers shared by the core modules: strings, SQL, transactions. */
#include <stdarg.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "needlelog/audit.h"
#include "needlelog/check.h"

char *core_strdup(const char *s, bool *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d && oom)
		*oom = true;
	return d;
}

const char *core_opt(const char *s)
{
	return s && *s ? s : NULL;
}

int core_grow(void **v, size_t *cap, size_t want, size_t size)
{
	size_t ncap = *cap ? *cap : 8;
	void *p;

	if (want <= *cap)
		return 0;
	while (ncap < want)
		ncap *= 2;
	p = realloc(*v, ncap * size);
	if (!p)
		return -1;
	*v = p;
	*cap = ncap;
	return 0;
}

int core_warn(struct nl_warning **w, size_t *n, const char *code,
	      const char *fmt, ...)
{
	struct nl_warning *nw = realloc(*w, (*n + 1) * sizeof(**w));
	char msg[512];
	va_list ap;

	if (!nw)
		return -1;
	*w = nw;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	nw[*n].code = strdup(code);
	nw[*n].message = strdup(msg);
	if (!nw[*n].code || !nw[*n].message) {
		free(nw[*n].code);
		free(nw[*n].message);
		return -1;
	}
	(*n)++;
	return 0;
}

/* ---- SQL ---------------------------------------------------------------- */

int core_sql_error(struct record *s, const char *what, struct nl_err *err)
{
	return store_sqlite_error(s->store, sqlite3_extended_errcode(core_db(s)), what, err);
}

/* The core's writes nest: inside a transaction the caller opened (for
 * example an all-or-nothing import through record_begin), each write is a
 * savepoint that undoes only itself on failure, and the caller decides. */
int core_begin(struct record *s, struct nl_err *err)
{
	sqlite3 *db = core_db(s);
	bool inner = !sqlite3_get_autocommit(db);
	int rc;

	if (s->depth >= CORE_NEST_MAX)
		return nl_error(err, NL_EINTERNAL, "transactions nested too deeply");
	if (inner)
		rc = sqlite3_exec(db, "SAVEPOINT nl_core", NULL, NULL, NULL);
	else if ((rc = sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL)) == SQLITE_OK)
		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return core_sql_error(s, "starting a change", err);
	s->nested[s->depth++] = inner;
	return NL_OK;
}

int core_commit(struct record *s, struct nl_err *err)
{
	sqlite3 *db = core_db(s);
	bool inner = s->depth > 0 && s->nested[s->depth - 1];

	if (sqlite3_exec(db, inner ? "RELEASE nl_core" : "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = core_sql_error(s, "saving the change", err);

		core_rollback(s);
		return rc;
	}
	if (s->depth > 0)
		s->depth--;
	return NL_OK;
}

void core_rollback(struct record *s)
{
	sqlite3 *db = core_db(s);
	bool inner = s->depth > 0 && s->nested[s->depth - 1];

	if (s->depth > 0)
		s->depth--;
	if (inner)
		sqlite3_exec(db, "ROLLBACK TO nl_core; RELEASE nl_core", NULL, NULL, NULL);
	else if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int core_end(struct record *s, int rc, struct nl_err *err)
{
	if (rc == NL_OK)
		return core_commit(s, err);
	core_rollback(s);
	return rc;
}

int record_begin(struct record *s, struct nl_err *err)
{
	sqlite3 *db = core_db(s);

	if (!sqlite3_get_autocommit(db))
		return nl_error(err, NL_EUSAGE, "a change is already open on this record file");
	if (sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return core_sql_error(s, "starting a change", err);
	return NL_OK;
}

int record_commit(struct record *s, struct nl_err *err)
{
	if (sqlite3_get_autocommit(core_db(s)))
		return nl_error(err, NL_EUSAGE, "no change is open to commit");
	if (sqlite3_exec(core_db(s), "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = core_sql_error(s, "saving the changes", err);

		record_rollback(s);
		return rc;
	}
	return NL_OK;
}

void record_rollback(struct record *s)
{
	if (!sqlite3_get_autocommit(core_db(s)))
		sqlite3_exec(core_db(s), "ROLLBACK", NULL, NULL, NULL);
}

int record_snapshot_begin(struct record *s, bool *own, struct nl_err *err)
{
	*own = sqlite3_get_autocommit(core_db(s)) != 0;
	if (*own && sqlite3_exec(core_db(s), "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		*own = false;
		return core_sql_error(s, "starting a read", err);
	}
	return NL_OK;
}

void record_snapshot_end(struct record *s, bool own)
{
	if (own)
		sqlite3_exec(core_db(s), "COMMIT", NULL, NULL, NULL);
}

/* FNV-1a: the cache compares hashes first, then the text. */
static uint64_t sql_hash(const char *sql)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *sql; sql++)
		h = (h ^ (unsigned char)*sql) * 0x100000001b3ULL;
	return h;
}

/* A free cached statement for sql, or NULL. */
static struct core_stmt *stmt_find(struct record *s, const char *sql, uint64_t h)
{
	for (size_t i = 0; i < CORE_STMT_CACHE; i++) {
		struct core_stmt *c = &s->stmts[i];

		if (c->st && !c->busy && c->hash == h && strcmp(sqlite3_sql(c->st), sql) == 0)
			return c;
	}
	return NULL;
}

/* An empty slot, else the least recently used free one (emptied), else
 * NULL when every slot is in use. */
static struct core_stmt *stmt_slot(struct record *s)
{
	struct core_stmt *best = NULL;

	for (size_t i = 0; i < CORE_STMT_CACHE; i++) {
		struct core_stmt *c = &s->stmts[i];

		if (!c->st)
			return c;
		if (!c->busy && (!best || c->used < best->used))
			best = c;
	}
	if (best) {
		sqlite3_finalize(best->st);
		best->st = NULL;
	}
	return best;
}

int core_prepare(struct record *s, const char *sql, sqlite3_stmt **st,
		 struct nl_err *err)
{
	uint64_t h = sql_hash(sql);
	struct core_stmt *c = stmt_find(s, sql, h);

	if (!c) {
		if (sqlite3_prepare_v3(core_db(s), sql, -1, SQLITE_PREPARE_PERSISTENT, st,
				       NULL) != SQLITE_OK) {
			*st = NULL;
			return core_sql_error(s, "preparing a query", err);
		}
		if (!(c = stmt_slot(s)))
			return NL_OK;    /* all in use: this one is finalized after use */
		*c = (struct core_stmt){ .st = *st, .hash = h };
	}
	c->busy = true;
	c->used = ++s->tick;
	*st = c->st;
	return NL_OK;
}

void core_finalize(struct record *s, sqlite3_stmt *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < CORE_STMT_CACHE; i++)
		if (s->stmts[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			s->stmts[i].busy = false;
			return;
		}
	sqlite3_finalize(st);
}

void core_stmt_flush(struct record *s)
{
	for (size_t i = 0; i < CORE_STMT_CACHE; i++) {
		struct core_stmt *c = &s->stmts[i];

		/* one in use stays with its user, who finalizes it */
		if (c->st && !c->busy)
			sqlite3_finalize(c->st);
		memset(c, 0, sizeof(*c));
	}
}

int core_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (!core_opt(v))
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

int core_bind_int(sqlite3_stmt *st, int i, int v, int none)
{
	if (v == none)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_int(st, i, v);
}

char *core_col_text(sqlite3_stmt *st, int col, bool *oom)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return core_strdup((const char *)t, oom);
}

int core_col_int(sqlite3_stmt *st, int col, int none)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return none;
	return sqlite3_column_int(st, col);
}

int core_exec_stmt(struct record *s, sqlite3_stmt *st, const char *what,
		   struct nl_err *err)
{
	int rc = sqlite3_step(st);

	core_finalize(s, st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return core_sql_error(s, what, err);
	return NL_OK;
}

int core_exec_for_id(struct record *s, const char *const *sql, size_t n, int64_t id,
		     const char *what, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = NL_OK;

	for (size_t i = 0; i < n && rc == NL_OK; i++) {
		if ((rc = core_prepare(s, sql[i], &st, err)) != NL_OK)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		rc = core_exec_stmt(s, st, what, err);
	}
	return rc;
}

int core_exists(struct record *s, const char *table, int64_t id, bool *yes,
		struct nl_err *err)
{
	static const char *const sql[][2] = {
		{ "patient", "SELECT 1 FROM patient WHERE id = ?" },
		{ "series", "SELECT 1 FROM series WHERE id = ?" },
		{ "session", "SELECT 1 FROM session WHERE id = ?" },
	};
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < COUNT(sql); i++) {
		if (strcmp(sql[i][0], table) != 0)
			continue;
		if ((rc = core_prepare(s, sql[i][1], &st, err)) != NL_OK)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
		*yes = rc == SQLITE_ROW;
		core_finalize(s, st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return core_sql_error(s, "looking up a record", err);
		return NL_OK;
	}
	return nl_error(err, NL_EINTERNAL, "core_exists: unknown table %s", table);
}

const char *core_who(struct record *s, const char *named, char *buf)
{
	const char *display = core_opt(named) ? named : s->display;

	if (!s->user)
		return core_opt(named) ? named : s->actor;
	if (!display || strcmp(display, s->user) == 0)
		return s->user;
	snprintf(buf, CORE_WHO_MAX, "%s (as %s)", s->user, display);
	return buf;
}

int core_audit(struct record *s, const char *action, const char *entity,
	       int64_t id, const char *who, const char *detail,
	       struct nl_err *err)
{
	char whobuf[CORE_WHO_MAX];
	sqlite3_stmt *st;
	char now[21];
	int rc = core_prepare(s,
			      "INSERT INTO audit (at, who, action, entity, entity_id, detail) "
			      "VALUES (?, ?, ?, ?, ?, ?)", &st, err);

	if (rc != NL_OK)
		return rc;
	check_now_utc(now);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	core_bind_text(st, 2, core_who(s, who, whobuf));
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, entity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, id);
	core_bind_text(st, 6, detail);
	return core_exec_stmt(s, st, "writing the audit trail", err);
}

int core_audit_json(struct record *s, const char *action, const char *entity,
		    int64_t id, const char *who, json_t *detail,
		    struct nl_err *err)
{
	char *text = NULL;
	int rc;

	if (detail) {
		text = json_dumps(detail, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_decref(detail);
		if (!text)
			return nl_error(err, NL_ENOMEM, "out of memory");
	}
	rc = core_audit(s, action, entity, id, who, text, err);
	free(text);
	return rc;
}

/* Records leave the heap zeroed: the TUI frees what it showed when it
 * locks, and glibc keeps freed blocks (and their text) on its free lists.
 * malloc_usable_size covers the whole block, whatever it held. */
void core_zfree(void *p)
{
	if (!p)
		return;
	sodium_memzero(p, malloc_usable_size(p));
	free(p);
}
