/* The record handle: the store, the schema brought up to date, and the
 * state every call on one record file shares (no process globals). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "needlelog/check.h"
#include "needlelog/schema.h"
#include "needlelog/text.h"

int record_adopt(struct store *s, struct record **out, struct nl_err *err)
{
	struct record *r;
	int rc;

	*out = NULL;
	rc = store_migrate(s, schema_migrations, schema_migration_count, err);
	if (rc != NL_OK) {
		store_close(s);
		return rc;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		store_close(s);
		return nl_error(err, NL_ENOMEM, "out of memory");
	}
	r->store = s;
	*out = r;
	return NL_OK;
}

/* The user whose key opened the file names every change (core_who). */
static int take_user(struct record *r, struct nl_err *err)
{
	const char *u = store_user(r->store);

	if (!*u)
		return NL_OK; /* the recovery key: no user */
	r->user = strdup(u);
	return r->user ? NL_OK : nl_error(err, NL_ENOMEM, "out of memory");
}

int record_open(const char *path, const struct store_pass *pass,
		struct record **out, struct nl_err *err)
{
	struct store *s = NULL;
	int rc = store_global_init(err);

	*out = NULL;
	/* Where the file or its folder cannot be written (read-only media, a
	 * 0400 backup), it is opened read-only: reading works, a write says
	 * "read-only". */
	if (rc == NL_OK && store_path_writable(path))
		rc = store_open(path, pass, &s, err);
	else if (rc == NL_OK)
		rc = store_open_ro(path, pass, &s, err);
	if (rc == NL_OK && (rc = record_adopt(s, out, err)) == NL_OK)
		rc = take_user(*out, err);
	return rc;
}

int record_create(const char *path, const struct store_pass *pass,
		  enum store_kdf kdf, struct record **out, struct nl_err *err)
{
	struct store *s = NULL;
	int rc = store_global_init(err);

	*out = NULL;
	if (rc == NL_OK)
		rc = store_create(path, pass, kdf, &s, err);
	if (rc == NL_OK && (rc = record_adopt(s, out, err)) == NL_OK)
		rc = take_user(*out, err);
	return rc;
}

void record_close(struct record *r)
{
	if (!r)
		return;
	core_stmt_flush(r);
	store_close(r->store);
	free(r->actor);
	free(r->user);
	free(r->display);
	free(r->practice);
	free(r->recipient);
	free(r);
}

struct store *record_store(struct record *r)
{
	/* whole-file operations may close the connection (rekey): no cached
	 * statement may hold it open */
	core_stmt_flush(r);
	return r->store;
}

int record_file_id(struct record *r, char out[37], struct nl_err *err)
{
	uint8_t u[STORE_FILE_ID_BYTES];

	if (store_file_id(r->store, u) != NL_OK)
		return nl_error(err, NL_EINTERNAL, "the record file has no file id");
	/* The 16 random bytes as RFC 4122 text, marked as a random (v4) UUID
	 * so that the urn:uuid: made of them is a well-formed one. */
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
		 u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	return NL_OK;
}

/* Replaces *dst with a copy of s (NULL for NULL or ""). */
static int set_copy(char **dst, const char *s, struct nl_err *err)
{
	char *d = NULL;

	if (core_opt(s) && !(d = strdup(s)))
		return nl_error(err, NL_ENOMEM, "out of memory");
	free(*dst);
	*dst = d;
	return NL_OK;
}

int record_set_actor(struct record *r, const char *who, struct nl_err *err)
{
	return set_copy(&r->actor, who, err);
}

const char *record_actor(const struct record *r)
{
	return r->actor;
}

const char *record_user(const struct record *r)
{
	return r->user;
}

int record_set_display(struct record *r, const char *name, struct nl_err *err)
{
	return set_copy(&r->display, name, err);
}

int record_set_practice(struct record *r, const char *name, struct nl_err *err)
{
	return set_copy(&r->practice, name, err);
}

const char *record_practice(const struct record *r)
{
	return r->practice;
}

int record_set_recipient(struct record *r, const char *who, struct nl_err *err)
{
	return set_copy(&r->recipient, who, err);
}

const char *record_recipient(const struct record *r)
{
	return r->recipient;
}

int record_set_today(struct record *r, const char *date, struct nl_err *err)
{
	int32_t day;
	int rc;

	if (!core_opt(date)) {
		r->fixed_today[0] = '\0';
		return NL_OK;
	}
	if ((rc = check_date_parse("today", date, &day, err)) != NL_OK)
		return rc;
	snprintf(r->fixed_today, sizeof(r->fixed_today), "%s", date);
	return NL_OK;
}

const char *record_today(struct record *r)
{
	if (r->fixed_today[0])
		memcpy(r->today, r->fixed_today, sizeof(r->today));
	else
		nl_today_local(r->today);
	return r->today;
}

/* PRAGMA data_version moves when another connection commits; this
 * connection's own commits move sqlite3_total_changes64. Both only grow, so
 * their sum moves whenever either does. */
int record_data_version(struct record *r, uint64_t *v, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(r, "PRAGMA data_version", &st, err);

	*v = 0;
	if (rc != NL_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = (uint64_t)sqlite3_column_int64(st, 0) +
		     (uint64_t)sqlite3_total_changes64(core_db(r));
	core_finalize(r, st);
	return rc == SQLITE_ROW ? NL_OK : core_sql_error(r, "reading the data version", err);
}

void record_wait_busy(struct record *r, bool wait)
{
	store_busy_wait(record_store(r), wait ? STORE_BUSY_WAIT_MS : 0);
}

int record_poll_version(struct record *r, uint64_t *v, struct nl_err *err)
{
	int rc;

	record_wait_busy(r, false);
	rc = record_data_version(r, v, err);
	record_wait_busy(r, true);
	return rc;
}
