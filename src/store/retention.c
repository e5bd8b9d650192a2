/* The retention policy, as a pure function over a listing, and pruning,
 * which applies it to a folder. See backup.h. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "needlelog/backup.h"

/* A copy's day, ISO week or month (UTC), as a number that changes when
 * the period does. */
static long day_key(time_t t)
{
	return (long)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
}

static long week_key(time_t t)
{
	struct tm tm;
	char buf[16];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%G%V", &tm); /* ISO year and week */
	return strtol(buf, NULL, 10);
}

static long month_key(time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	return (long)tm.tm_year * 12 + tm.tm_mon;
}

static const struct {
	size_t count_off;
	long (*key)(time_t t);
} periods[] = {
	{ offsetof(struct backup_policy, daily), day_key },
	{ offsetof(struct backup_policy, weekly), week_key },
	{ offsetof(struct backup_policy, monthly), month_key },
};

bool backup_policy_empty(const struct backup_policy *p)
{
	return p->daily == 0 && p->weekly == 0 && p->monthly == 0;
}

/* Newest first, the newest copy of each of the last `want` periods. */
static void keep_per_period(unsigned want, long (*key)(time_t),
			    const struct backup_copy *v, size_t n, bool *keep)
{
	long last = 0;
	unsigned got = 0;

	for (size_t i = n; i-- > 0 && got < want;) {
		long k = key((time_t)v[i].when);

		if (got > 0 && k == last)
			continue;
		keep[i] = true;
		last = k;
		got++;
	}
}

/* When no kept copy is known GOOD, the newest GOOD one stays. */
static void keep_last_good(const struct backup_copy *v, size_t n, bool *keep)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] && v[i].state == BACKUP_GOOD)
			return;
	for (size_t i = n; i-- > 0;) {
		if (v[i].state == BACKUP_GOOD) {
			keep[i] = true;
			return;
		}
	}
}

int backup_policy_apply(const struct backup_policy *p,
			const struct backup_copy *v, size_t n,
			const char *just_made, bool *keep, struct nl_err *err)
{
	if (backup_policy_empty(p))
		return nl_error(err, NL_EUSAGE, "a retention policy that keeps no copy "
				"(daily, weekly and monthly all 0) is refused; keep at "
				"least one");
	for (size_t i = 0; i < n; i++)
		keep[i] = just_made && strcmp(v[i].name, just_made) == 0;
	for (size_t k = 0; k < sizeof(periods) / sizeof(periods[0]); k++) {
		unsigned want = *(const unsigned *)((const char *)p + periods[k].count_off);

		keep_per_period(want, periods[k].key, v, n, keep);
	}
	keep_last_good(v, n, keep);
	return NL_OK;
}

/* Verifies copies newest first until one is GOOD; 0 when one is. */
static int find_good(struct backup_copy *v, size_t n, const bool *keep,
		     const struct store_pass *pass, const char *dir,
		     struct nl_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] && v[i].state == BACKUP_GOOD)
			return NL_OK;
	if (!pass)
		return nl_error(err, NL_EUSAGE, "pruning %s: no copy is known to pass "
				"check, and there is no passphrase to verify one", dir);
	for (size_t i = n; i-- > 0;)
		if (backup_verify(&v[i], pass, NULL) == NL_OK)
			return NL_OK;
	return NL_OK; /* none is GOOD: keep_last_good keeps nothing more */
}

static int remove_copies(const char *dir, const struct backup_copy *v, size_t n,
			 const bool *keep, size_t *removed, struct nl_err *err)
{
	int rc = NL_OK, fd;

	for (size_t i = 0; i < n && rc == NL_OK; i++) {
		if (keep[i])
			continue;
		if (unlink(v[i].path) != 0)
			rc = nl_error(err, NL_EIO, "cannot remove the old copy %s: %s",
				      v[i].path, strerror(errno));
		else if (removed)
			(*removed)++;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return rc;
}

int backup_prune(const char *dir, const struct backup_policy *p,
		 const char *just_made, const struct store_pass *pass,
		 size_t *removed, struct nl_err *err)
{
	struct backup_copy *v = NULL;
	bool *keep = NULL;
	size_t n = 0;
	int rc;

	if (removed)
		*removed = 0;
	if (backup_policy_empty(p))
		return backup_policy_apply(p, NULL, 0, NULL, NULL, err);
	rc = backup_list(dir, &v, &n, err);
	if (rc == NL_OK && !(keep = calloc(n ? n : 1, sizeof(*keep))))
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	for (size_t i = 0; rc == NL_OK && just_made && i < n; i++)
		if (strcmp(v[i].name, just_made) == 0)
			v[i].state = BACKUP_GOOD;
	if (rc == NL_OK)
		rc = backup_policy_apply(p, v, n, just_made, keep, err);
	if (rc == NL_OK)
		rc = find_good(v, n, keep, pass, dir, err);
	if (rc == NL_OK)
		backup_policy_apply(p, v, n, just_made, keep, NULL);
	if (rc == NL_OK)
		rc = remove_copies(dir, v, n, keep, removed, err);
	free(keep);
	backup_list_free(v, n);
	return rc;
}
