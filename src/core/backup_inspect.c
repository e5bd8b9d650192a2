/* What a backup holds, checked: restore's preview. The backup is opened
 * as it is (no migration), so looking never changes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "needlelog/backup_plan.h"

/* The clinical schema (002) is where patients and sessions start. */
#define CLINICAL_VERSION 2

/* One integer from a one-row query. */
static int count(struct record *r, const char *sql, int64_t *out, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(r, sql, &st, err);

	if (rc != NL_OK)
		return rc;
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	core_finalize(r, st);
	return rc == SQLITE_ROW ? NL_OK : core_sql_error(r, "reading the backup", err);
}

static int last_change(struct record *r, char **out, struct nl_err *err)
{
	sqlite3_stmt *st;
	bool oom = false;
	int rc = core_prepare(r, "SELECT max(at) FROM audit", &st, err);

	if (rc != NL_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = core_col_text(st, 0, &oom);
	core_finalize(r, st);
	if (oom)
		return nl_error(err, NL_ENOMEM, "out of memory");
	return rc == SQLITE_ROW ? NL_OK : core_sql_error(r, "reading the backup", err);
}

/* Counts and signatures, over a handle that borrows the store. */
static int summarise(struct record *r, struct backup_summary *out, struct nl_err *err)
{
	int64_t *bad = NULL;
	int rc;

	rc = count(r, "SELECT count(*) FROM patient", &out->patients, err);
	if (rc == NL_OK)
		rc = count(r, "SELECT count(*) FROM session", &out->sessions, err);
	if (rc == NL_OK)
		rc = last_change(r, &out->last_change, err);
	if (rc == NL_OK)
		rc = record_verify_signatures(r, &out->signed_ok, &bad, &out->signed_bad, err);
	free(bad);
	if (rc == NL_OK)
		out->signed_ok -= out->signed_bad;
	if (rc == NL_OK && out->signed_bad > 0)
		return nl_error(err, NL_EAUTH, "%zu signed session%s in the backup no longer "
				"match%s its hash", out->signed_bad,
				out->signed_bad == 1 ? "" : "s", out->signed_bad == 1 ? "es" : "");
	return rc;
}

/* The users and the recovery key the backup's header holds. */
static int slots(struct store *st, struct backup_summary *out, struct nl_err *err)
{
	struct store_slot_report rep = { 0 };
	int rc = store_users(st, &out->users, &out->nusers, err);

	if (rc == NL_OK)
		rc = store_slot_report(st, &rep, err);
	out->recovery = rc == NL_OK && rep.recovery;
	return rc;
}

/* Prefixes err's message with the backup's name. */
static int name_it(const char *path, int rc, struct nl_err *err)
{
	char why[sizeof(err->msg)];

	if (!err || rc == NL_OK)
		return rc;
	snprintf(why, sizeof(why), "%s", err->msg);
	return nl_error(err, rc, "the backup %s: %s", path, why);
}

int backup_inspect(const char *path, const struct store_pass *pass,
		   store_progress_fn progress, void *ctx,
		   struct backup_summary *out, struct nl_err *err)
{
	struct record r = { 0 };
	int rc = store_global_init(err);

	memset(out, 0, sizeof(*out));
	if (rc == NL_OK)
		rc = store_open(path, pass, &r.store, err);
	if (rc == NL_OK)
		rc = store_check(r.store, progress, ctx, err);
	if (rc == NL_OK)
		rc = store_schema_version(r.store, &out->schema_version, err);
	if (rc == NL_OK && out->schema_version >= CLINICAL_VERSION)
		rc = summarise(&r, out, err);
	if (rc == NL_OK)
		rc = slots(r.store, out, err);
	/* the borrowing handle's cached statements, or the close leaves the
	 * connection open */
	core_stmt_flush(&r);
	store_close(r.store);
	return rc == NL_EPASS ? rc : name_it(path, rc, err);
}

void backup_summary_free(struct backup_summary *s)
{
	free(s->last_change);
	free(s->users);
	memset(s, 0, sizeof(*s));
}
