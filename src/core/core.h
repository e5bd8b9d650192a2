/* Internal to src/core: shared helpers for SQL, transactions, strings and
 * the field tables that drive diffs, amendments and canonical forms. */
#ifndef NL_CORE_H
#define NL_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "needlelog/err.h"
#include "needlelog/record.h"
#include "needlelog/store.h"
#include "needlelog/vocab.h"

struct core_due_row;
struct nl_consent;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the record handle ------------------------------------------------ */
#define CORE_NEST_MAX 16

/* A prepared statement kept for the next call with the same SQL: the
 * core's calls prepare the same few dozen statements over and over, and
 * preparing cost more than running them (two thirds of adding a session). */
#define CORE_STMT_CACHE 64
struct core_stmt {
	sqlite3_stmt *st;       /* NULL: a free slot */
	uint64_t hash;          /* of its SQL text */
	uint64_t used;          /* when last handed out, for replacement */
	bool busy;              /* handed out and not yet given back */
};

/* What record.h calls struct record: the store and everything a face used
 * to keep in process globals. */
struct record {
	struct core_stmt stmts[CORE_STMT_CACHE];
	uint64_t tick;
	struct store *store;
	char *actor;            /* the audit "who" when a call names none */
	char *user;             /* the user whose key opened the file, or NULL */
	char *display;          /* a display name the face adds to the user's */
	char *practice;         /* the practice name for summaries, or NULL */
	char *recipient;        /* who a summary is for, or NULL */
	char fixed_today[11];   /* "" = the machine's local date */
	char today[11];         /* what record_today last returned */
	int depth;              /* open core transactions */
	bool nested[CORE_NEST_MAX]; /* each: a savepoint inside another */
};

static inline sqlite3 *core_db(struct record *r)
{
	return store_db(r->store);
}

/* ---- strings --------------------------------------------------------- */
/* strdup that passes NULL through; *oom set on failure when given. */
char *core_strdup(const char *s, bool *oom);
/* NULL for NULL or "" (optional text is stored as NULL). */
const char *core_opt(const char *s);
/* Appends a warning (copies code and message). */
int core_warn(struct nl_warning **w, size_t *n, const char *code,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Grows *v to hold at least want elements of size; -1 on out of memory. */
int core_grow(void **v, size_t *cap, size_t want, size_t size);

/* ---- SQL ------------------------------------------------------------- */
/* PRAGMA foreign_keys=ON, then BEGIN IMMEDIATE. */
int core_begin(struct record *s, struct nl_err *err);
int core_commit(struct record *s, struct nl_err *err);
void core_rollback(struct record *s);
/* Ends a write: commit when rc is NL_OK, else roll back; returns rc (or the
 * commit's failure). */
int core_end(struct record *s, int rc, struct nl_err *err);
/* A statement for sql, from the handle's cache when one is free there.
 * Give it back with core_finalize, never sqlite3_finalize. */
int core_prepare(struct record *s, const char *sql, sqlite3_stmt **st,
		 struct nl_err *err);
/* Gives st back: reset, bindings cleared, kept for the next core_prepare of
 * the same SQL; finalized when it is not one of the cache's. NULL allowed. */
void core_finalize(struct record *s, sqlite3_stmt *st);
/* Finalizes every cached statement not in use (before a whole-file
 * operation, and on close). */
void core_stmt_flush(struct record *s);
/* Maps the connection's current error for what. */
int core_sql_error(struct record *s, const char *what, struct nl_err *err);
/* Binds text (NULL/"" as NULL), an int (none as NULL), an id. */
int core_bind_text(sqlite3_stmt *st, int i, const char *v);
int core_bind_int(sqlite3_stmt *st, int i, int v, int none);
/* A copy of a text column (NULL for NULL); *oom set on failure. */
char *core_col_text(sqlite3_stmt *st, int col, bool *oom);
/* Zeroes a malloc'd block (the whole of it) and frees it: for anything
 * that held a record's text. */
void core_zfree(void *p);
int core_col_int(sqlite3_stmt *st, int col, int none);
/* Steps st to SQLITE_DONE and finalizes it. */
int core_exec_stmt(struct record *s, sqlite3_stmt *st, const char *what,
		   struct nl_err *err);
/* Runs each of the n statements in sql with ?1 bound to id (a row's
 * children cleared before they are written again), stopping at the first
 * error. */
int core_exec_for_id(struct record *s, const char *const *sql, size_t n, int64_t id,
		     const char *what, struct nl_err *err);
/* Whether row id exists in table (one of our table names). */
int core_exists(struct record *s, const char *table, int64_t id, bool *yes,
		struct nl_err *err);

/* Who an audit row, a signature or a void names: without a user (a store
 * adopted by a test), named or else the actor; with one, the user, and
 * "USER (as NAME)" when a display name (named, else the handle's) differs
 * from it: a practitioner's name is shown, never put in the user's place.
 * Written into buf (CORE_WHO_MAX bytes). */
#define CORE_WHO_MAX 600
const char *core_who(struct record *s, const char *named, char *buf);

/* The audit row, inside the caller's transaction. detail may be NULL. */
int core_audit(struct record *s, const char *action, const char *entity,
	       int64_t id, const char *who, const char *detail,
	       struct nl_err *err);
/* Same, with detail as JSON (taken: json_decref'd here; NULL allowed). */
int core_audit_json(struct record *s, const char *action, const char *entity,
		    int64_t id, const char *who, json_t *detail,
		    struct nl_err *err);

/* ---- field tables ---------------------------------------------------- */
enum core_fkind {
	CF_TEXT,     /* char * */
	CF_INT,      /* int, with none = absent */
	CF_STRINGS,  /* char **, count at count_off */
	CF_SCORES,   /* struct nl_score *, count at count_off */
	CF_AREAS,    /* struct nl_treatment *, count at count_off */
	CF_FLAGS,    /* struct nl_flag *, count at count_off */
	/* clinical.h's lists (field_clinical.c): */
	CF_ALLERGIES,   /* struct nl_allergy * */
	CF_MEDICATIONS, /* struct nl_medication * */
	CF_LOTS,        /* struct nl_product_lot * */
	CF_PHASES,      /* struct nl_phase * */
};

struct core_field {
	const char *name;
	enum core_fkind kind;
	size_t off;
	size_t count_off;
	int none;
	/* Left out of the canonical form when empty: fields added after
	 * sessions were first signed, so those signatures still verify. */
	bool omit_empty;
};

extern const struct core_field core_session_fields[];
extern const size_t core_session_field_count;
extern const struct core_field core_patient_fields[];
extern const size_t core_patient_field_count;
extern const struct core_field core_series_fields[];
extern const size_t core_series_field_count;

/* The field's value as JSON (new reference; NULL on out of memory). */
json_t *core_field_json(const struct core_field *f, const void *rec);
/* Replaces the field's value in rec (freeing the old) from JSON. */
int core_field_set(const struct core_field *f, void *rec, const json_t *v);
/* The field's value for people; NULL when empty. Caller frees. */
char *core_field_text(const struct core_field *f, const void *rec);
/* {"field": {"old": .., "new": ..}, ...} for the fields that differ, or an
 * empty object; NULL on out of memory. */
json_t *core_diff(const struct core_field *fs, size_t n, const void *old,
		  const void *new);
/* All fields as one JSON object. */
json_t *core_record_json(const struct core_field *fs, size_t n,
			 const void *rec);

/* clinical.h's list kinds, element by element (field_clinical.c). */
bool cfx_kind(enum core_fkind k);
size_t cfx_elem_size(enum core_fkind k);
json_t *cfx_elem_json(enum core_fkind k, const void *base, size_t i);
int cfx_elem_set(enum core_fkind k, void *base, size_t i, const json_t *e);
void cfx_elem_free(enum core_fkind k, void *base, size_t i);
void cfx_elem_text(enum core_fkind k, const void *base, size_t i, char *buf,
		   size_t size);

/* Hooks of clinical.h into the existing modules (clinical.c, plan.c,
 * trace.c): each runs inside the caller's transaction. */
int clin_patient_write(struct record *s, int64_t id, const struct nl_patient *in,
		       struct nl_err *err);
int clin_patient_read(struct record *s, struct nl_patient *p, struct nl_err *err);
void clin_patient_free(struct nl_patient *p);
int plan_write(struct record *s, int64_t id, const struct nl_series *in,
	       struct nl_err *err);
int plan_read(struct record *s, struct nl_series *sr, struct nl_err *err);
void plan_free(struct nl_series *sr);
/* The values a series stores for planned and interval_days. */
int plan_check(const struct nl_series *sr, struct nl_err *err);
void plan_stored(const struct nl_series *in, int *planned, int *interval);
/* Recomputes each row's next due date with the interval of the phase the
 * next session falls in (one query for every series' phases). */
int plan_due_rows(struct record *s, struct core_due_row *rows, size_t n,
		  struct nl_err *err);
int trace_write(struct record *s, int64_t id, const struct nl_session *in,
		struct nl_err *err);
/* A session's traceability from a row's columns c.. (device serial,
 * cartridge lot, expiry), and one product lot (pos, lot, expiry). */
void trace_session_row(struct nl_session *ses, sqlite3_stmt *st, int c, bool *oom);
void trace_product_lot_row(struct nl_session *ses, sqlite3_stmt *st, int c, bool *oom);
int trace_read(struct record *s, struct nl_session *ses, bool *oom,
	       struct nl_err *err);
int check_session_trace(const struct nl_session *ses, struct nl_err *err);
/* A patient's consent records for the warnings (clinical.c). */
int clin_consents_load(struct record *s, int64_t patient_id,
		       struct nl_consent **out, size_t *n, struct nl_err *err);

/* Sorts scores by scale code (canonical order). */
void core_sort_scores(struct nl_score *sc, size_t n);


/* ---- shared between modules --------------------------------------------- */

/* An active series' due facts, read in one query (progress.c). */
struct core_due_row {
	int64_t series_id, patient_id;
	char *indication;
	char *status;
	char *patient_name;
	char *phone;
	bool archived;
	int planned, interval_days, done;
	char start_date[11];
	char last_date[11];   /* "" when none */
	char next_due[11];    /* "" when complete */
};
/* Every active series (patient_id 0), or all of one patient's, with its
 * due facts. */
int core_due_rows(struct record *s, int64_t patient_id, struct core_due_row **rows,
		  size_t *n, struct nl_err *err);
void core_due_rows_free(struct core_due_row *rows, size_t n);
/* A live session's effective date: its latest amended date, else its own
 * (an amendment can move a session; new_json holds a JSON string). */
#define EFFECTIVE_DATE \
	"coalesce((SELECT substr(c.new_json, 2, 10) FROM amendment a JOIN amendment_change c " \
	"ON c.amendment_id = a.id WHERE a.session_id = x.id AND c.field = 'date' " \
	"ORDER BY a.id DESC LIMIT 1), x.date)"

/* ---- the queries whose plans matter at scale ------------------------------
 * Named so that tests/unit/test_scale.c can assert their EXPLAIN QUERY
 * PLAN: an index that stops being used is a regression. */
extern const char core_sql_signed_through[];  /* session.c: ?1 session id */
extern const char core_sql_batch_through[];   /* session.c: ?1..?2 session ids */
extern const char core_sql_sign_audit[];      /* session.c: every signing row */
extern const char *const core_sql_due[2];     /* progress.c: the active series, one patient's */
extern const char *const core_sql_audit_each[4]; /* audit.c: all, entity, entity+id, id */
const char *core_sql_pick(enum record_pick which); /* session.c: a pick list's */
extern const char core_sql_unsigned[];        /* trace.c: ?1 today, ?2 "-N days" */

/* The next due date: last + interval, or start when no sessions; "" when
 * done >= planned. */
void core_next_due(const char *start, const char *last, int interval, int done,
		   int planned, char out[11]);

#endif
