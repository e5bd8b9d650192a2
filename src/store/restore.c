/* Restore: a checked backup put in place of the record file, atomically,
 * the current file kept under a second name. See backup.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "needlelog/backup.h"

/* Where SQLite's unix VFS takes its POSIX locks (PENDING_BYTE onwards:
 * pending, reserved and the shared range). */
#define SQLITE_LOCK_START 0x40000000L
#define SQLITE_LOCK_LEN 512L

#define RESTORING ".restoring"
#define BEFORE ".before-restore-"

static int sync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1, rc;

	free(copy);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Takes target's flock exclusively (every open store holds it shared) and
 * asks whether any process holds a SQLite lock on it. *fd is -1 when there
 * is no target; else it holds the lock until closed. */
static int claim_target(const char *target, int *fd, struct nl_err *err)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			   .l_start = SQLITE_LOCK_START, .l_len = SQLITE_LOCK_LEN };

	*fd = open(target, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return errno == ENOENT ? NL_OK
		       : nl_error(err, NL_EIO, "cannot open %s: %s", target, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0 ||
	    (fcntl(*fd, F_GETLK, &l) == 0 && l.l_type != F_UNLCK))
		return nl_error(err, NL_EBUSY, "%s is open in another needlelog (or "
				"another program); close it and try again; nothing was "
				"changed", target);
	return NL_OK;
}

/* Opens the backup and checks every page; the message names the backup. */
static int check_backup(const char *backup, const struct store_pass *pass,
			store_progress_fn progress, void *ctx, struct store **b,
			struct nl_err *err)
{
	char why[sizeof(err->msg)];
	int rc = store_open(backup, pass, b, err);

	if (rc == NL_OK)
		rc = store_check(*b, progress, ctx, err);
	if (rc == NL_OK || rc == NL_EPASS || !err)
		return rc;
	snprintf(why, sizeof(why), "%s", err->msg);
	return nl_error(err, rc, "the backup %s failed its check, so it was not "
			"restored; nothing was changed: %s", backup, why);
}

/* "<target><suffix><stamp>" in new memory. */
static char *with_suffix(const char *target, const char *suffix, const char *stamp)
{
	size_t n = strlen(target) + strlen(suffix) + strlen(stamp) + 1;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s%s", target, suffix, stamp);
	return s;
}

/* The current file gets a second name; the first is then replaced. */
static int swap_in(const char *tmp, const char *target, const char *keep,
		   struct nl_err *err)
{
	if (keep && link(target, keep) != 0)
		return nl_error(err, errno == EEXIST ? NL_EEXIST : NL_EIO,
				"cannot keep the current file as %s: %s; nothing was changed",
				keep, strerror(errno));
	if (keep && sync_dir_of(target) != 0) {
		unlink(keep);
		return nl_error(err, NL_EIO, "cannot sync the folder of %s: %s; nothing "
				"was changed", target, strerror(errno));
	}
	if (rename(tmp, target) != 0) {
		int e = errno;

		if (keep)
			unlink(keep);
		return nl_error(err, NL_EIO, "cannot put the backup in place of %s: %s; "
				"nothing was changed", target, strerror(e));
	}
	if (sync_dir_of(target) != 0)
		return nl_error(err, NL_EIO, "restored %s, but syncing its folder failed: %s",
				target, strerror(errno));
	return NL_OK;
}

static int same_file(const char *a, const char *b)
{
	struct stat x, y;

	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev &&
	       x.st_ino == y.st_ino;
}

int store_restore(const char *backup, const char *target,
		  const struct store_pass *pass, time_t now,
		  store_progress_fn progress, void *ctx, char **kept,
		  struct nl_err *err)
{
	char stamp[20], *tmp = NULL, *keep = NULL;
	struct store *b = NULL;
	int fd = -1, claimed = 0, rc;

	if (kept)
		*kept = NULL;
	if (same_file(backup, target))
		return nl_error(err, NL_EUSAGE, "%s is the record file itself", backup);
	backup_stamp(now, stamp);
	rc = check_backup(backup, pass, progress, ctx, &b, err);
	if (rc == NL_OK)
		rc = claim_target(target, &fd, err);
	if (rc == NL_OK && (!(tmp = with_suffix(target, RESTORING, "")) ||
			    (fd >= 0 && !(keep = with_suffix(target, BEFORE, stamp)))))
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	if (rc == NL_OK && keep && access(keep, F_OK) == 0)
		rc = nl_error(err, NL_EEXIST, "%s already exists; nothing was changed", keep);
	if (rc == NL_OK) {
		claimed = 1;
		unlink(tmp); /* left by a restore that was cut short */
		rc = store_backup(b, tmp, pass, progress, ctx, err);
	}
	store_close(b);
	if (rc == NL_OK)
		rc = swap_in(tmp, target, keep, err);
	if (rc != NL_OK && claimed)
		unlink(tmp);
	if (fd >= 0)
		close(fd);
	if (rc == NL_OK && kept)
		*kept = keep;
	else
		free(keep);
	free(tmp);
	return rc;
}
