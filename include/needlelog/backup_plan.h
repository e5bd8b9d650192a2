/* The practice's backup routine, kept in the record file: the remembered
 * folder and retention policy, when the last verified backup was made,
 * whether one is due, one backup run as both faces make it, and what a
 * backup holds before it is restored. The copying, checking and renaming
 * are the store's (backup.h); this module adds what needs the record.
 *
 * Conventions as record.h: NL_OK or a status, err filled; strings passed
 * in are borrowed, strings filled out are owned (free with the _free). */
#ifndef NEEDLELOG_BACKUP_PLAN_H
#define NEEDLELOG_BACKUP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "needlelog/backup.h"
#include "needlelog/record.h"

/* A backup is due when the last verified one is older than this. */
#define BACKUP_DUE_DAYS 7

struct backup_plan {
	char *dir;                   /* the remembered folder, or NULL */
	struct backup_policy policy; /* all 0: none remembered (no pruning) */
	int64_t last_verified;       /* UTC seconds; 0 = never */
	char *last_path;             /* where it went, or NULL */
};

/* Reads the plan. Errors: the store's (NL_EIO, NL_EAUTH, NL_EBUSY). */
int backup_plan_get(struct record *r, struct backup_plan *out, struct nl_err *err);
void backup_plan_free(struct backup_plan *p);

/* Remembers dir (an absolute path: NL_EDATA otherwise) and policy (all 0:
 * copies are never pruned). One transaction. */
int backup_plan_remember(struct record *r, const char *dir,
			 const struct backup_policy *policy, struct nl_err *err);

/* Whether a backup is due: none verified yet, or the last is more than
 * days old at now. days <= 0 means BACKUP_DUE_DAYS. */
struct backup_due {
	bool due;
	bool never;     /* no verified backup at all */
	int age_days;   /* whole days since the last one; -1 when never */
};
int backup_plan_due(struct record *r, int days, time_t now,
		    struct backup_due *out, struct nl_err *err);

/* One backup as `needlelog backup --dir` and the TUI's `b` make it: a
 * dated, verified copy in dir (backup_make), an audit row, the time of
 * the last verified backup remembered, then pruning by policy (NULL or
 * all 0: none). dir NULL: the remembered folder and policy (NL_EUSAGE
 * when none is). out->path is the copy (free with backup_result_free).
 * Errors: backup_make's, backup_prune's, NL_EUSAGE. If the audit row
 * cannot be written (after retries while busy) the copy is removed. */
struct backup_result {
	char *path;
	size_t pruned;
};
int backup_plan_run(struct record *r, const char *dir,
		    const struct backup_policy *policy,
		    const struct store_pass *pass, time_t now,
		    store_progress_fn progress, void *ctx,
		    struct backup_result *out, struct nl_err *err);
void backup_result_free(struct backup_result *res);

/* What a backup holds, after it has been checked (every page, integrity,
 * every signed session against its hash): for restore's preview. The file
 * is opened read as it is: no migration is applied to it. */
struct backup_summary {
	int schema_version;
	int64_t patients, sessions;
	char *last_change;   /* the newest audit row's time, or NULL */
	size_t signed_ok;
	size_t signed_bad;   /* signed sessions whose hash no longer matches */
	/* who can open it once restored: its key slots, as they were when the
	 * backup was made (a restore puts them in place of the current ones) */
	char (*users)[STORE_USER_NAME_MAX + 1];
	size_t nusers;
	bool recovery;       /* its recovery key slot is intact */
};
/* Errors: store_open's and store_check's (the message names the file). A
 * backup whose signatures fail is NL_EAUTH, with the summary filled. */
int backup_inspect(const char *path, const struct store_pass *pass,
		   store_progress_fn progress, void *ctx,
		   struct backup_summary *out, struct nl_err *err);
void backup_summary_free(struct backup_summary *s);

#endif
