/* Helpers shared by the core modules: strings, SQL, transactions. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- case folding ------------------------------------------------------ */

static size_t utf8_decode(const unsigned char *s, unsigned *cp)
{
	if (s[0] < 0x80)
		return *cp = s[0], 1;
	if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80)
		return *cp = ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu), 2;
	if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80)
		return *cp = ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu), 3;
	if ((s[0] & 0xf8) == 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
	    (s[3] & 0xc0) == 0x80)
		return *cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3fu) << 12) |
			     ((s[2] & 0x3fu) << 6) | (s[3] & 0x3fu), 4;
	return *cp = s[0], 1; /* not UTF-8: the byte as it is */
}

static size_t utf8_encode(unsigned cp, char *out)
{
	if (cp < 0x80)
		return out[0] = (char)cp, 1;
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Upper-case ranges that map to lower case by a fixed offset, or (step 2)
 * by alternating pairs; a table rather than a locale, so search works the
 * same whatever LC_CTYPE the program runs under. */
static const struct fold_range {
	unsigned lo, hi;
	int delta;
	int step;
} fold_ranges[] = {
	{ 0x0041, 0x005a, 32, 1 },    /* A-Z */
	{ 0x00c0, 0x00d6, 32, 1 },    /* À-Ö */
	{ 0x00d8, 0x00de, 32, 1 },    /* Ø-Þ */
	{ 0x0100, 0x012f, 1, 2 },     /* Ā-į */
	{ 0x0132, 0x0137, 1, 2 },
	{ 0x0139, 0x0148, 1, 2 },     /* odd upper: Ĺ ... Ň */
	{ 0x014a, 0x0177, 1, 2 },
	{ 0x0179, 0x017e, 1, 2 },     /* Ź ... Ž */
	{ 0x0386, 0x0386, 38, 1 },
	{ 0x0388, 0x038a, 37, 1 },
	{ 0x038c, 0x038c, 64, 1 },
	{ 0x038e, 0x038f, 63, 1 },
	{ 0x0391, 0x03a1, 32, 1 },    /* Α-Ρ */
	{ 0x03a3, 0x03ab, 32, 1 },    /* Σ-Ϋ */
	{ 0x0400, 0x040f, 80, 1 },    /* Ѐ-Џ */
	{ 0x0410, 0x042f, 32, 1 },    /* А-Я */
	{ 0x0460, 0x0481, 1, 2 },
	{ 0x048a, 0x04bf, 1, 2 },
	{ 0x04d0, 0x052f, 1, 2 },
	{ 0x1e00, 0x1e95, 1, 2 },     /* Latin Extended Additional (Vietnamese...) */
	{ 0x1ea0, 0x1eff, 1, 2 },
};

/* Latin letters with diacritics, U+00C0..U+017F, to their base letter
 * ('.' = no base letter: kept), so "zoe" finds "Zoë" and "lukasz" finds
 * "Łukasz": accents are hard to type at a terminal. */
static const char strip_table[] =
	"aaaaaa.ceeeeiiii.nooooo.ouuuuy.." /* U+00C0 */
	"aaaaaa.ceeeeiiii.nooooo.ouuuuy.y" /* U+00E0 */
	"aaaaaaccccccccddddeeeeeeeeeegggg" /* U+0100 */
	"gggghhhhiiiiiiiiii..jjkk.lllllll" /* U+0120 */
	"lllnnnnnn...oooooo..rrrrrrssssss" /* U+0140 */
	"ssttttttuuuuuuuuuuuuwwyyyzzzzzzs" /* U+0160 */;

static unsigned strip_cp(unsigned cp)
{
	if (cp >= 0xc0 && cp < 0xc0 + sizeof(strip_table) - 1 && strip_table[cp - 0xc0] != '.')
		return (unsigned char)strip_table[cp - 0xc0];
	return cp;
}

static unsigned fold_cp(unsigned cp)
{
	if (cp == 0x0178)
		return 0x00ff;    /* Ÿ */
	if (cp == 0x03c2)
		return 0x03c3;    /* final sigma */
	if (cp == 0x0130)
		return 'i';       /* İ */
	for (size_t i = 0; i < COUNT(fold_ranges); i++) {
		const struct fold_range *r = &fold_ranges[i];

		if (cp < r->lo || cp > r->hi)
			continue;
		if (r->step == 1)
			return cp + (unsigned)r->delta;
		return ((cp - r->lo) % 2 == 0) ? cp + 1 : cp;
	}
	return cp;
}

char *core_fold(const char *s)
{
	size_t len = strlen(s), o = 0;
	char *out = malloc(len * 2 + 1);  /* folding never more than doubles */

	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		unsigned cp;
		size_t k = utf8_decode(p, &cp);

		o += utf8_encode(strip_cp(fold_cp(cp)), out + o);
		p += k;
	}
	out[o] = '\0';
	return out;
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

int core_audit(struct record *s, const char *action, const char *entity,
	       int64_t id, const char *who, const char *detail,
	       struct nl_err *err)
{
	sqlite3_stmt *st;
	char now[21];
	int rc = core_prepare(s,
			      "INSERT INTO audit (at, who, action, entity, entity_id, detail) "
			      "VALUES (?, ?, ?, ?, ?, ?)", &st, err);

	if (rc != NL_OK)
		return rc;
	check_now_utc(now);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	core_bind_text(st, 2, core_opt(who) ? who : s->actor);
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
