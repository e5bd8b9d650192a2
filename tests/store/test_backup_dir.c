/* Backups in a folder (backup.h): dated copies, the listing, the retention
 * policy as a pure function, pruning, restore, and the bad cases: a
 * missing parent, a read-only folder, a full disk (ENOSPC through
 * RLIMIT_FSIZE is not ENOSPC, so the fault is a tiny tmpfs when mount
 * works, else skipped), a damaged backup, a busy target, a zero policy. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "needlelog/backup.h"
#include "tu.h"

#define T0 1795990500 /* 2026-11-29T22:15:00Z */
#define DAY 86400

static struct store *open_db(const char *path)
{
	struct store_pass p;
	struct nl_err err = { 0 };
	struct store *s = NULL;

	tu_pass(&p, TU_PASS);
	if (store_open(path, &p, &s, &err) != NL_OK)
		fail_msg("open %s: %s", path, err.msg);
	store_pass_free(&p);
	return s;
}

static char *make_one(struct store *s, const char *dir, time_t when, int want,
		      struct nl_err *err)
{
	struct store_pass p;
	char *made = NULL;

	tu_pass(&p, TU_PASS);
	assert_int_equal(backup_make(s, dir, &p, when, NULL, NULL, &made, err), want);
	store_pass_free(&p);
	return made;
}

static void dated_copy(void **state)
{
	struct tu_files f;
	char dir[TU_PATH_MAX], want[TU_PATH_MAX];
	uint8_t a[32], b[32];
	struct nl_err err = { 0 };
	struct stat st;
	struct store *s;
	char *made, *second;

	(void)state;
	tu_files_init(&f, "bdir");
	tu_join(dir, sizeof(dir), f.dir, "/backups");
	tu_make_db(f.db, 40, 200);
	s = open_db(f.db);
	made = make_one(s, dir, T0, NL_OK, &err);
	tu_join(want, sizeof(want), dir, "/records-2026-11-29T221500Z.nlbak");
	assert_string_equal(made, want);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(made, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* The same second again: a second name, never over the first. */
	second = make_one(s, dir, T0, NL_OK, &err);
	assert_non_null(strstr(second, "T221500Z-1.nlbak"));
	store_close(s);
	tu_good_digest(f.db, a);
	tu_good_digest(made, b);
	assert_memory_equal(a, b, 32);
	free(made);
	free(second);
	tu_rmdir(dir);
	tu_rmdir(f.dir);
}

static void listing(void **state)
{
	static const char *const names[] = {
		"records-2026-01-02T000000Z.nlbak", "records-2025-12-31T235959Z.nlbak",
		"records-2026-01-02T000000Z-2.nlbak", "notes.txt",
		"records-2026-01-02T000000Z.nlbak.part", "records-2026-13-01T000000Z.nlbak",
	};
	char dir[TU_PATH_MAX], path[TU_PATH_MAX + 64];
	struct backup_copy *v;
	struct nl_err err = { 0 };
	size_t n;

	(void)state;
	tu_mkdir(dir, sizeof(dir), "blist");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		tu_write(path, (const uint8_t *)"x", 1);
	}
	assert_int_equal(backup_list(dir, &v, &n, &err), NL_OK);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].name, names[1]);
	assert_string_equal(v[1].name, names[0]);
	assert_string_equal(v[2].name, names[2]);
	assert_int_equal(v[1].when, 1767312000);
	assert_int_equal(v[2].size, 1);
	backup_list_free(v, n);
	tu_rmdir(dir);
	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(backup_list(path, &v, &n, &err), NL_ENOENT);
	assert_non_null(strstr(err.msg, path));
}

/* Copies at the given day offsets before T0 (hours past midnight ignored). */
static size_t fake_list(struct backup_copy *v, const int *days, size_t n)
{
	static char names[64][48];

	for (size_t i = 0; i < n; i++) {
		char stamp[20];

		v[i] = (struct backup_copy){ 0 };
		v[i].when = T0 - (int64_t)days[n - 1 - i] * DAY;
		backup_stamp((time_t)v[i].when, stamp);
		snprintf(names[i], sizeof(names[i]), "records-%s.nlbak", stamp);
		v[i].name = names[i];
		v[i].state = BACKUP_GOOD;
	}
	return n;
}

/* The day offsets kept, newest first, as "0 8 29". */
static void kept_days(const bool *keep, const int *days, size_t n, char *out,
		      size_t len)
{
	out[0] = '\0';
	for (size_t i = n; i-- > 0;)
		if (keep[i])
			snprintf(out + strlen(out), len - strlen(out), "%s%d",
				 out[0] ? " " : "", days[n - 1 - i]);
}

static void policy(void **state)
{
	/* Newest first: today (Sunday of ISO week 48), then back 100 days. */
	static const int days[] = { 0, 1, 2, 3, 5, 8, 9, 15, 22, 29, 40, 70, 100 };
	struct backup_copy v[16];
	bool keep[16];
	char got[128];
	struct nl_err err = { 0 };
	size_t n = fake_list(v, days, sizeof(days) / sizeof(days[0]));
	struct backup_policy p = { .daily = 3 };

	(void)state;
	assert_int_equal(backup_policy_apply(&p, v, n, NULL, keep, &err), NL_OK);
	kept_days(keep, days, n, got, sizeof(got));
	assert_string_equal(got, "0 1 2");
	/* Weekly and monthly keep the newest of each older period. */
	p = (struct backup_policy){ .daily = 1, .weekly = 2, .monthly = 3 };
	assert_int_equal(backup_policy_apply(&p, v, n, NULL, keep, &err), NL_OK);
	kept_days(keep, days, n, got, sizeof(got));
	assert_string_equal(got, "0 8 29 70");
	p = (struct backup_policy){ .weekly = 4 };
	assert_int_equal(backup_policy_apply(&p, v, n, NULL, keep, &err), NL_OK);
	kept_days(keep, days, n, got, sizeof(got));
	assert_string_equal(got, "0 8 15 22");
	/* The copy just made is always kept, whatever the policy says. */
	p = (struct backup_policy){ .daily = 1 };
	assert_int_equal(backup_policy_apply(&p, v, n, v[0].name, keep, &err), NL_OK);
	kept_days(keep, days, n, got, sizeof(got));
	assert_string_equal(got, "0 100");
	/* The only copy that passes check stays. */
	for (size_t i = 0; i < n; i++)
		v[i].state = i == 3 ? BACKUP_GOOD : BACKUP_BAD;
	assert_int_equal(backup_policy_apply(&p, v, n, NULL, keep, &err), NL_OK);
	kept_days(keep, days, n, got, sizeof(got));
	assert_string_equal(got, "0 29");
	/* All zeros keeps nothing: refused. */
	p = (struct backup_policy){ 0 };
	assert_int_equal(backup_policy_apply(&p, v, n, NULL, keep, &err), NL_EUSAGE);
	assert_non_null(strstr(err.msg, "keeps no copy"));
}

static void pruning(void **state)
{
	struct tu_files f;
	char dir[TU_PATH_MAX];
	struct backup_policy p = { .daily = 2 };
	struct backup_copy *v;
	struct store_pass pass;
	struct nl_err err = { 0 };
	size_t n, removed;
	struct store *s;
	char *made = NULL;

	(void)state;
	tu_files_init(&f, "bprune");
	tu_join(dir, sizeof(dir), f.dir, "/b");
	tu_make_db(f.db, 10, 100);
	s = open_db(f.db);
	for (int d = 5; d >= 0; d--) {
		free(made);
		made = make_one(s, dir, T0 - d * DAY, NL_OK, &err);
	}
	store_close(s);
	tu_pass(&pass, TU_PASS);
	p = (struct backup_policy){ 0 };
	assert_int_equal(backup_prune(dir, &p, NULL, &pass, &removed, &err), NL_EUSAGE);
	p = (struct backup_policy){ .daily = 2 };
	assert_int_equal(backup_prune(dir, &p, strrchr(made, '/') + 1, &pass, &removed,
				      &err), NL_OK);
	assert_int_equal(removed, 4);
	assert_int_equal(backup_list(dir, &v, &n, &err), NL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[1].path, made);
	/* Damage the newest: pruning to one day verifies and keeps the other. */
	tu_flip(v[1].path, 4096 + 200, 1);
	p = (struct backup_policy){ .daily = 1 };
	assert_int_equal(backup_prune(dir, &p, NULL, &pass, &removed, &err), NL_OK);
	assert_int_equal(removed, 0);
	assert_int_equal(backup_verify(&v[0], &pass, &err), NL_OK);
	assert_int_equal(backup_verify(&v[1], &pass, &err), NL_EAUTH);
	assert_int_equal(v[1].state, BACKUP_BAD);
	/* Without a passphrase nothing known good: refused, nothing removed. */
	assert_int_equal(backup_prune(dir, &p, NULL, NULL, &removed, &err), NL_EUSAGE);
	backup_list_free(v, n);
	store_pass_free(&pass);
	free(made);
	tu_rmdir(dir);
	tu_rmdir(f.dir);
}

static void bad_folders(void **state)
{
	struct tu_files f;
	char dir[TU_PATH_MAX], file[TU_PATH_MAX];
	struct nl_err err = { 0 };
	struct store *s;

	(void)state;
	tu_files_init(&f, "bbad");
	tu_make_db(f.db, 5, 50);
	s = open_db(f.db);
	/* A parent that is missing: an unmounted disk, never made. */
	tu_join(dir, sizeof(dir), f.dir, "/not-mounted/needlelog");
	assert_null(make_one(s, dir, T0, NL_ENOENT, &err));
	assert_non_null(strstr(err.msg, "is the disk mounted"));
	assert_false(tu_exists(dir));
	/* A file where the folder should be. */
	tu_join(file, sizeof(file), f.dir, "/plain");
	tu_write(file, (const uint8_t *)"x", 1);
	assert_null(make_one(s, file, T0, NL_ENOTFILE, &err));
	/* A read-only folder (root writes anyway: only checked when not root). */
	tu_join(dir, sizeof(dir), f.dir, "/ro");
	assert_int_equal(mkdir(dir, 0500), 0);
	if (geteuid() != 0) {
		assert_null(make_one(s, dir, T0, NL_EIO, &err));
		assert_non_null(strstr(err.msg, dir));
	}
	chmod(dir, 0700);
	store_close(s);
	tu_rmdir(dir);
	tu_rmdir(f.dir);
}

/* A 64 KiB tmpfs: the copy cannot fit. Skipped where mount is refused. */
static void full_disk(void **state)
{
	struct tu_files f;
	char dir[TU_PATH_MAX], made_dir[TU_PATH_MAX];
	struct backup_copy *v;
	struct nl_err err = { 0 };
	struct store *s;
	size_t n;

	(void)state;
	tu_files_init(&f, "bfull");
	tu_join(dir, sizeof(dir), f.dir, "/small");
	assert_int_equal(mkdir(dir, 0700), 0);
	if (mount("nltest", dir, "tmpfs", 0, "size=64k") != 0) {
		tu_rmdir(dir);
		tu_rmdir(f.dir);
		skip();
	}
	tu_make_db(f.db, 200, 1000);
	s = open_db(f.db);
	tu_join(made_dir, sizeof(made_dir), dir, "/b");
	assert_null(make_one(s, made_dir, T0, NL_EIO, &err));
	assert_non_null(strstr(err.msg, "full"));
	assert_int_equal(backup_list(made_dir, &v, &n, &err), NL_OK);
	assert_int_equal(n, 0); /* nothing half-made left, not even .part */
	backup_list_free(v, n);
	rmdir(made_dir);
	store_close(s);
	umount(dir);
	tu_rmdir(dir);
	tu_rmdir(f.dir);
}

static int restore(const char *backup, const char *target, char **kept,
		   struct nl_err *err)
{
	struct store_pass p;
	int rc;

	tu_pass(&p, TU_PASS);
	rc = store_restore(backup, target, &p, T0, NULL, NULL, kept, err);
	store_pass_free(&p);
	return rc;
}

static void restoring(void **state)
{
	struct tu_files f;
	char dir[TU_PATH_MAX], want[TU_PATH_MAX + 64];
	uint8_t before[32], backed[32], got[32], raw[32];
	struct nl_err err = { 0 };
	struct store *s;
	char *made, *kept = NULL;

	(void)state;
	tu_files_init(&f, "brestore");
	tu_join(dir, sizeof(dir), f.dir, "/b");
	tu_make_db(f.db, 30, 100);
	s = open_db(f.db);
	made = make_one(s, dir, T0, NL_OK, &err);
	tu_digest(s, backed);
	/* Open elsewhere (this store): refused, nothing changed. */
	tu_hash(f.db, raw);
	assert_int_equal(restore(made, f.db, &kept, &err), NL_EBUSY);
	assert_non_null(strstr(err.msg, "open in another"));
	tu_exec(s, "DELETE FROM t WHERE id > 5");
	tu_digest(s, before);
	store_close(s);
	/* A damaged backup: refused, nothing changed. */
	tu_hash(f.db, raw);
	tu_flip(made, 4096 * 2 + 10, 0);
	assert_int_equal(restore(made, f.db, &kept, &err), NL_EAUTH);
	assert_non_null(strstr(err.msg, made));
	tu_hash(f.db, got);
	assert_memory_equal(raw, got, 32);
	tu_flip(made, 4096 * 2 + 10, 0);
	/* The real thing. */
	assert_int_equal(restore(made, f.db, &kept, &err), NL_OK);
	snprintf(want, sizeof(want), "%s.before-restore-2026-11-29T221500Z", f.db);
	assert_string_equal(kept, want);
	tu_good_digest(f.db, got);
	assert_memory_equal(got, backed, 32);
	tu_good_digest(kept, got);
	assert_memory_equal(got, before, 32);
	/* Again in the same second: the kept name is taken. */
	free(kept);
	assert_int_equal(restore(made, f.db, &kept, &err), NL_EEXIST);
	/* No record file at all: restored, nothing kept. */
	unlink(f.db);
	assert_int_equal(restore(made, f.db, &kept, &err), NL_OK);
	assert_null(kept);
	tu_good_digest(f.db, got);
	assert_memory_equal(got, backed, 32);
	free(made);
	tu_rmdir(dir);
	tu_rmdir(f.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dated_copy),
		cmocka_unit_test(listing),
		cmocka_unit_test(policy),
		cmocka_unit_test(pruning),
		cmocka_unit_test(bad_folders),
		cmocka_unit_test(full_disk),
		cmocka_unit_test(restoring),
	};

	tu_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
