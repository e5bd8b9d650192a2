/* Backups in a folder: dated copies, the listing, verification, the
 * retention policy (a pure function) and pruning. See backup.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "needlelog/backup.h"

#define SEQ_MAX 99

void backup_stamp(time_t t, char out[20])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%dT%H%M%SZ", &tm);
}

/* Syncs the folder itself, so a new or removed name survives a power loss. */
static int sync_folder(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The folder exists, is a folder, and we may write in it; a missing one is
 * made (0700) if its parent exists. */
static int folder_ready(const char *dir, struct nl_err *err)
{
	char *copy = strdup(dir);
	struct stat st;
	int rc = NL_OK;

	if (!copy)
		return nl_error(err, NL_ENOMEM, "out of memory");
	if (stat(dir, &st) != 0 && errno == ENOENT) {
		const char *parent = dirname(copy);

		if (stat(parent, &st) != 0)
			rc = nl_error(err, NL_ENOENT, "backup folder %s: its parent %s does not "
				      "exist (is the disk mounted?); nothing was written",
				      dir, parent);
		else if (mkdir(dir, 0700) != 0)
			rc = nl_error(err, NL_EIO, "cannot create the backup folder %s: %s",
				      dir, strerror(errno));
	}
	free(copy);
	if (rc == NL_OK && stat(dir, &st) != 0)
		rc = nl_error(err, NL_EIO, "backup folder %s: %s", dir, strerror(errno));
	else if (rc == NL_OK && !S_ISDIR(st.st_mode))
		rc = nl_error(err, NL_ENOTFILE, "backup folder %s is not a folder", dir);
	else if (rc == NL_OK && access(dir, W_OK | X_OK) != 0)
		rc = nl_error(err, NL_EIO, "cannot write in the backup folder %s: %s; "
			      "nothing was written", dir, strerror(errno));
	return rc;
}

/* dir/records-STAMP[-N].nlbak that no file has yet. */
static char *free_name(const char *dir, time_t now, struct nl_err *err)
{
	size_t n = strlen(dir) + 64;
	char stamp[20], *path = malloc(n);
	struct stat st;

	if (!path) {
		nl_error(err, NL_ENOMEM, "out of memory");
		return NULL;
	}
	backup_stamp(now, stamp);
	for (unsigned seq = 0; seq <= SEQ_MAX; seq++) {
		if (seq == 0)
			snprintf(path, n, "%s/" BACKUP_PREFIX "%s" BACKUP_EXT, dir, stamp);
		else
			snprintf(path, n, "%s/" BACKUP_PREFIX "%s-%u" BACKUP_EXT, dir, stamp, seq);
		if (lstat(path, &st) != 0 && errno == ENOENT)
			return path;
	}
	free(path);
	nl_error(err, NL_EEXIST, "backup folder %s already holds %d copies made at %s",
		 dir, SEQ_MAX + 1, stamp);
	return NULL;
}

/* Prefixes err's message with what, keeping its status. */
static int wrap(struct nl_err *err, int rc, const char *what)
{
	char why[sizeof(err->msg)];

	if (!err)
		return rc;
	snprintf(why, sizeof(why), "%s", err->msg);
	return nl_error(err, rc, "%s: %s", what, why);
}

/* The copy is written as NAME.part, verified, then renamed: a crash never
 * leaves a half-made file under a copy's name. */
static int make_at(struct store *s, const char *final, const struct store_pass *pass,
		   store_progress_fn progress, void *ctx, struct nl_err *err)
{
	size_t n = strlen(final) + sizeof(BACKUP_PART);
	char *part = malloc(n), *copy = strdup(final);
	int rc = NL_OK;

	if (!part || !copy)
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	if (rc == NL_OK) {
		snprintf(part, n, "%s" BACKUP_PART, final);
		unlink(part); /* left by a backup that was cut short */
		rc = store_backup(s, part, pass, progress, ctx, err);
		if (rc != NL_OK)
			wrap(err, rc, final);
	}
	if (rc == NL_OK && rename(part, final) != 0) {
		rc = nl_error(err, NL_EIO, "cannot name the copy %s: %s", final, strerror(errno));
		unlink(part);
	}
	if (rc == NL_OK && sync_folder(dirname(copy)) != 0)
		rc = nl_error(err, NL_EIO, "cannot sync the backup folder of %s: %s",
			      final, strerror(errno));
	free(part);
	free(copy);
	return rc;
}

int backup_make(struct store *s, const char *dir, const struct store_pass *pass,
		time_t now, store_progress_fn progress, void *ctx, char **made,
		struct nl_err *err)
{
	char *path;
	int rc;

	*made = NULL;
	rc = folder_ready(dir, err);
	if (rc != NL_OK)
		return rc;
	path = free_name(dir, now, err);
	if (!path)
		return err ? err->status : NL_EEXIST;
	rc = make_at(s, path, pass, progress, ctx, err);
	if (rc != NL_OK) {
		free(path);
		return rc;
	}
	*made = path;
	return NL_OK;
}

/* ---- the listing ---- */

/* records-YYYY-MM-DDTHHMMSSZ[-N].nlbak: its time and N; -1 if not ours. */
static int parse_name(const char *name, int64_t *when, unsigned *seq)
{
	struct tm tm = { 0 };
	char tail[16] = "";
	int used = 0;

	*seq = 0;
	if (sscanf(name, BACKUP_PREFIX "%4d-%2d-%2dT%2d%2d%2dZ%n", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6 ||
	    used != (int)strlen(BACKUP_PREFIX) + 18)
		return -1;
	if (strcmp(name + used, BACKUP_EXT) != 0 &&
	    (sscanf(name + used, "-%u%15s", seq, tail) != 2 || strcmp(tail, BACKUP_EXT) != 0 ||
	     *seq == 0 || *seq > SEQ_MAX))
		return -1;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*when = (int64_t)timegm(&tm);
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct backup_copy *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Appends the entry if it is one of ours; -1 on out of memory. */
static int add_entry(const char *dir, const char *name, struct backup_copy **v,
		     size_t *n, size_t *cap)
{
	struct backup_copy c = { 0 };
	size_t len = strlen(dir) + strlen(name) + 2;
	struct stat st;

	if (parse_name(name, &c.when, &c.seq) != 0)
		return 0;
	c.path = malloc(len);
	if (!c.path)
		return -1;
	snprintf(c.path, len, "%s/%s", dir, name);
	if (lstat(c.path, &st) != 0 || !S_ISREG(st.st_mode)) {
		free(c.path);
		return 0;
	}
	c.size = (int64_t)st.st_size;
	if (*n == *cap) {
		struct backup_copy *grown = realloc(*v, (*cap ? *cap * 2 : 16) * sizeof(**v));

		if (!grown) {
			free(c.path);
			return -1;
		}
		*v = grown;
		*cap = *cap ? *cap * 2 : 16;
	}
	c.name = c.path + strlen(dir) + 1;
	(*v)[(*n)++] = c;
	return 0;
}

int backup_list(const char *dir, struct backup_copy **out, size_t *n,
		struct nl_err *err)
{
	DIR *d = opendir(dir);
	const struct dirent *e;
	size_t cap = 0;
	int rc = NL_OK;

	*out = NULL;
	*n = 0;
	if (!d) {
		if (errno == ENOENT)
			return nl_error(err, NL_ENOENT, "no backup folder at %s", dir);
		if (errno == ENOTDIR)
			return nl_error(err, NL_ENOTFILE, "backup folder %s is not a folder", dir);
		return nl_error(err, NL_EIO, "cannot read the backup folder %s: %s", dir,
				strerror(errno));
	}
	while (rc == NL_OK && (e = readdir(d)) != NULL)
		if (add_entry(dir, e->d_name, out, n, &cap) != 0)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	closedir(d);
	if (rc != NL_OK) {
		backup_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return rc;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), by_time);
	return NL_OK;
}

void backup_list_free(struct backup_copy *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path); /* name points into path */
	free(v);
}

int backup_verify(struct backup_copy *c, const struct store_pass *pass,
		  struct nl_err *err)
{
	struct nl_err mine = { 0 };
	struct store *s = NULL;
	int rc = store_open(c->path, pass, &s, &mine);

	if (rc == NL_OK)
		rc = store_check(s, NULL, NULL, &mine);
	store_close(s);
	c->state = rc == NL_OK ? BACKUP_GOOD : BACKUP_BAD;
	snprintf(c->why, sizeof(c->why), "%.199s", rc == NL_OK ? "" : mine.msg);
	if (rc != NL_OK)
		nl_error(err, rc, "%s", mine.msg);
	return rc;
}
