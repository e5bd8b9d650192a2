/* Backups a practice keeps: dated copies of the record file in a folder,
 * a listing of them, verification, a retention policy, pruning, and a
 * restore that checks first and swaps atomically.
 *
 * Store level: it copies, checks and renames encrypted files and knows
 * nothing of what they hold. Folder layout and names: docs/export-and-
 * backup.md ("Backups"). Every time is UTC seconds since the epoch. */
#ifndef NEEDLELOG_BACKUP_H
#define NEEDLELOG_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "needlelog/err.h"
#include "needlelog/store.h"

/* records-2026-11-29T221500Z.nlbak, or ...Z-2.nlbak for a second copy made
 * in the same second: names sort by time. */
#define BACKUP_PREFIX "records-"
#define BACKUP_EXT ".nlbak"
/* A copy being written; never listed, removed by the next backup_make. */
#define BACKUP_PART ".part"

/* Keep the newest copy of each of the last N days, ISO weeks and months
 * (UTC) that have copies, as restic's --keep-daily/-weekly/-monthly. */
struct backup_policy {
	unsigned daily, weekly, monthly;
};

/* What verification said of a copy. */
enum backup_state {
	BACKUP_UNCHECKED = 0,
	BACKUP_GOOD,
	BACKUP_BAD,
};

struct backup_copy {
	char *name;             /* file name inside the folder */
	char *path;             /* folder/name */
	int64_t when;           /* from the name */
	unsigned seq;           /* 0, or N of a "-N" name */
	int64_t size;           /* bytes */
	enum backup_state state;
	char why[200];          /* BACKUP_BAD: what verification said (cut) */
};

/* Creates dir with mode 0700 when it is missing (its parent must exist:
 * a backup never lands on the wrong disk because one was not mounted),
 * then copies s into a new file there named for now (mode 0600, never
 * over another), verified as store_backup does, under a temporary name
 * renamed into place once sound. *made is its path (caller frees).
 * Errors: NL_ENOENT (dir's parent is missing), NL_ENOTFILE (dir is not a
 * folder), NL_EIO (cannot create or write there; the disk is full),
 * NL_EAUTH (the copy failed verification), NL_EBUSY, NL_ENOMEM. Nothing
 * is left behind on error. */
int backup_make(struct store *s, const char *dir, const struct store_pass *pass,
		time_t now, store_progress_fn progress, void *ctx, char **made,
		struct nl_err *err);

/* The copies in dir (files named as above), oldest first, unchecked.
 * Errors: NL_ENOENT (no such folder), NL_ENOTFILE (not a folder), NL_EIO,
 * NL_ENOMEM. */
int backup_list(const char *dir, struct backup_copy **out, size_t *n,
		struct nl_err *err);
void backup_list_free(struct backup_copy *v, size_t n);

/* Opens path with pass and checks it as store_check does (every page
 * authenticated, SQLite's integrity check). Sets c->state and c->why.
 * Returns the verification's status (NL_EPASS, NL_EAUTH, NL_EHEADER...). */
int backup_verify(struct backup_copy *c, const struct store_pass *pass,
		  struct nl_err *err);

/* Whether the policy keeps nothing: refused as bad input. */
bool backup_policy_empty(const struct backup_policy *p);

/* The policy, as a pure function. v holds n copies oldest first; keep[i]
 * is set for each copy kept. Always kept: the copy named by just_made
 * (NULL: none), and the newest copy known GOOD when the policy would keep
 * no GOOD copy. Errors: NL_EUSAGE (a policy of all zeros). */
int backup_policy_apply(const struct backup_policy *p,
			const struct backup_copy *v, size_t n,
			const char *just_made, bool *keep, struct nl_err *err);

/* Applies the policy to dir and removes what it does not keep. just_made
 * (a name in dir, or NULL) counts as GOOD. When no GOOD copy would be
 * kept, copies are verified with pass, newest first, until one passes
 * (pass NULL: NL_EUSAGE, nothing removed). *removed (may be NULL) gets how
 * many were removed. Errors: as backup_list and backup_policy_apply;
 * NL_EIO naming a copy that could not be removed (those before it are). */
int backup_prune(const char *dir, const struct backup_policy *p,
		 const char *just_made, const struct store_pass *pass,
		 size_t *removed, struct nl_err *err);

/* Puts the backup in place of the record file target:
 * 1. opens the backup with pass and checks it (nothing is touched when
 *    it fails);
 * 2. refuses while any process has target open (NL_EBUSY): every store
 *    holds a shared lock on its file, and SQLite's own locks are probed;
 * 3. copies the backup under a new data key next to target (same
 *    passphrase), and checks the copy;
 * 4. keeps target, if there is one, as target.before-restore-<UTC time>
 *    (a second name for the same file: no copy, nothing to lose);
 * 5. renames the copy over target and syncs the directory. A crash at any
 *    point leaves target whole: the old file or the restored one.
 * *kept (may be NULL) is the name kept, or NULL when there was no target
 * (caller frees). Errors: NL_ENOENT (no backup), NL_EPASS, NL_EAUTH,
 * NL_EHEADER, NL_ENOTFILE (the backup is damaged or no record file),
 * NL_EBUSY, NL_EEXIST (the kept name is taken), NL_EIO, NL_ENOMEM. */
int store_restore(const char *backup, const char *target,
		  const struct store_pass *pass, time_t now,
		  store_progress_fn progress, void *ctx, char **kept,
		  struct nl_err *err);

/* "2026-11-29T221500Z" for t: the time in names (out: 18 bytes + NUL). */
void backup_stamp(time_t t, char out[20]);

#endif
