/* The backup routine kept in the record file (schema/004_backup.sql) and
 * the parts of a backup or restore that need the record. See
 * backup_plan.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core.h"
#include "needlelog/audit.h"
#include "needlelog/backup_plan.h"

#define AUDIT_TRIES 10

enum key { K_DIR, K_DAILY, K_WEEKLY, K_MONTHLY, K_LAST, K_LAST_PATH, K_COUNT };

/* Each setting, and where it lands in struct backup_plan. */
static const struct {
	const char *key;
	enum { S_TEXT, S_UINT, S_I64 } kind;
	size_t off;
} settings[K_COUNT] = {
	[K_DIR] = { "backup.dir", S_TEXT, offsetof(struct backup_plan, dir) },
	[K_DAILY] = { "backup.keep_daily", S_UINT,
		      offsetof(struct backup_plan, policy.daily) },
	[K_WEEKLY] = { "backup.keep_weekly", S_UINT,
		       offsetof(struct backup_plan, policy.weekly) },
	[K_MONTHLY] = { "backup.keep_monthly", S_UINT,
			offsetof(struct backup_plan, policy.monthly) },
	[K_LAST] = { "backup.last_verified", S_I64,
		     offsetof(struct backup_plan, last_verified) },
	[K_LAST_PATH] = { "backup.last_path", S_TEXT,
			  offsetof(struct backup_plan, last_path) },
};

static int set_field(struct backup_plan *p, const char *key, const char *value)
{
	for (size_t i = 0; i < K_COUNT; i++) {
		char *at = (char *)p + settings[i].off;

		if (strcmp(settings[i].key, key) != 0)
			continue;
		if (settings[i].kind == S_TEXT) {
			free(*(char **)at);
			return (*(char **)at = strdup(value)) ? 0 : -1;
		}
		if (settings[i].kind == S_UINT)
			*(unsigned *)at = (unsigned)strtoul(value, NULL, 10);
		else
			*(int64_t *)at = strtoll(value, NULL, 10);
	}
	return 0;
}

int backup_plan_get(struct record *r, struct backup_plan *out, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(r, "SELECT key, value FROM setting WHERE key LIKE 'backup.%'",
			      &st, err);

	memset(out, 0, sizeof(*out));
	if (rc != NL_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (set_field(out, (const char *)sqlite3_column_text(st, 0),
			      (const char *)sqlite3_column_text(st, 1)) != 0)
			break;
	core_finalize(r, st);
	if (rc == SQLITE_DONE)
		return NL_OK;
	backup_plan_free(out);
	return rc == SQLITE_ROW ? nl_error(err, NL_ENOMEM, "out of memory")
				: core_sql_error(r, "reading the backup settings", err);
}

void backup_plan_free(struct backup_plan *p)
{
	free(p->dir);
	free(p->last_path);
	memset(p, 0, sizeof(*p));
}

/* One setting, inside the caller's transaction. */
static int put(struct record *r, enum key k, const char *value, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(r, "INSERT INTO setting (key, value) VALUES (?1, ?2) "
			      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			      &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_text(st, 1, settings[k].key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
	return core_exec_stmt(r, st, "saving a backup setting", err);
}

static int put_uint(struct record *r, enum key k, unsigned v, struct nl_err *err)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%u", v);
	return put(r, k, buf, err);
}

int backup_plan_remember(struct record *r, const char *dir,
			 const struct backup_policy *policy, struct nl_err *err)
{
	int rc;

	if (!dir || dir[0] != '/')
		return nl_error(err, NL_EDATA, "the backup folder to remember must be an "
				"absolute path, not '%s'", dir ? dir : "");
	rc = core_begin(r, err);
	if (rc != NL_OK)
		return rc;
	rc = put(r, K_DIR, dir, err);
	if (rc == NL_OK)
		rc = put_uint(r, K_DAILY, policy->daily, err);
	if (rc == NL_OK)
		rc = put_uint(r, K_WEEKLY, policy->weekly, err);
	if (rc == NL_OK)
		rc = put_uint(r, K_MONTHLY, policy->monthly, err);
	return core_end(r, rc, err);
}

int backup_plan_due(struct record *r, int days, time_t now,
		    struct backup_due *out, struct nl_err *err)
{
	struct backup_plan p;
	int rc = backup_plan_get(r, &p, err);

	memset(out, 0, sizeof(*out));
	if (rc != NL_OK)
		return rc;
	if (days <= 0)
		days = BACKUP_DUE_DAYS;
	out->never = p.last_verified == 0;
	out->age_days = out->never ? -1
		: (int)(((int64_t)now - p.last_verified) / 86400);
	out->due = out->never || (int64_t)now - p.last_verified > (int64_t)days * 86400;
	backup_plan_free(&p);
	return NL_OK;
}

/* The audit row and the remembered time, in one transaction, retried while
 * another writer holds the file (the copy is already made). */
static int record_done(struct record *r, const char *path, time_t now,
		       struct nl_err *err)
{
	char when[24], *abs = realpath(path, NULL);
	json_t *d = json_pack("{s:s,s:s}", "from", store_path(r->store), "to",
			      abs ? abs : path);
	int rc = NL_EBUSY;

	free(abs);
	if (!d)
		return nl_error(err, NL_ENOMEM, "out of memory");
	snprintf(when, sizeof(when), "%lld", (long long)now);
	for (int tries = 0; rc == NL_EBUSY && tries < AUDIT_TRIES; tries++) {
		if (tries)
			usleep(100000);
		rc = core_begin(r, err);
		if (rc != NL_OK)
			continue;
		rc = core_audit_json(r, AUDIT_BACKUP, AUDIT_FILE, 0, NULL, json_incref(d), err);
		if (rc == NL_OK)
			rc = put(r, K_LAST, when, err);
		if (rc == NL_OK)
			rc = put(r, K_LAST_PATH, path, err);
		rc = core_end(r, rc, err);
	}
	json_decref(d);
	return rc;
}

/* The folder and policy a run uses: the ones given, else the remembered. */
static int resolve(struct record *r, const char **dir,
		   const struct backup_policy **policy, struct backup_plan *plan,
		   struct nl_err *err)
{
	int rc;

	memset(plan, 0, sizeof(*plan));
	if (*dir)
		return NL_OK;
	rc = backup_plan_get(r, plan, err);
	if (rc != NL_OK)
		return rc;
	if (!plan->dir)
		return nl_error(err, NL_EUSAGE, "no backup folder is remembered; give "
				"one (backup --dir DIR --remember)");
	*dir = plan->dir;
	*policy = &plan->policy;
	return NL_OK;
}

int backup_plan_run(struct record *r, const char *dir,
		    const struct backup_policy *policy,
		    const struct store_pass *pass, time_t now,
		    store_progress_fn progress, void *ctx,
		    struct backup_result *out, struct nl_err *err)
{
	struct backup_plan plan;
	int rc = resolve(r, &dir, &policy, &plan, err);

	memset(out, 0, sizeof(*out));
	if (rc == NL_OK)
		rc = backup_make(r->store, dir, pass, now, progress, ctx, &out->path, err);
	if (rc == NL_OK && (rc = record_done(r, out->path, now, err)) != NL_OK) {
		unlink(out->path);
		backup_result_free(out);
	}
	if (rc == NL_OK && policy && !backup_policy_empty(policy))
		rc = backup_prune(dir, policy, strrchr(out->path, '/') + 1, pass,
				  &out->pruned, err);
	backup_plan_free(&plan);
	return rc;
}

void backup_result_free(struct backup_result *res)
{
	free(res->path);
	memset(res, 0, sizeof(*res));
}
