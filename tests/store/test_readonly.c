/* Read-only record files: store_open_ro reads and checks a file while
 * writing nothing, in it or beside it; every write fails with NL_EIO
 * saying "read-only"; a hot journal that only a write could roll back is
 * a clear error, never a read of uncommitted pages.
 *
 * `test_store_readonly` runs the cases that need no privilege (a file
 * 0400 in a folder 0500; root writes there anyway, so those cases only
 * check what chmod can show). `test_store_readonly mount` runs the same
 * against a real read-only bind mount in a private mount namespace: it
 * needs root and mount(2), and exits 77 (skipped) without them. The
 * ignored source and type arguments are "none", not NULL, so valgrind does
 * not read them as unaddressable. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tu.h"

#define SKIP 77

/* The record file as the test reads it: its own path, or the same file
 * seen through a read-only mount. */
struct ro_case {
	struct tu_files f;     /* where the file is written (writable) */
	char mnt[TU_PATH_MAX]; /* the read-only view of f.dir, or "" */
	char db[TU_PATH_MAX];  /* the path the store opens */
};

static bool use_mount;

static void open_pass(struct store_pass *p)
{
	tu_pass(p, TU_PASS);
}

/* Binds dir read-only at mnt (a new empty folder). */
static int bind_ro(const char *dir, const char *mnt)
{
	if (mount(dir, mnt, "none", MS_BIND, NULL) != 0)
		return -1;
	if (mount("none", mnt, "none", MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0) {
		umount2(mnt, MNT_DETACH);
		return -1;
	}
	return 0;
}

/* A record file (ref: the digest of its records), with a hot journal
 * if asked, then made unwritable: by a read-only mount of its folder, or
 * by chmod. */
static void case_init(struct ro_case *c, const char *tag, bool hot,
		      uint8_t ref[32])
{
	tu_files_init(&c->f, tag);
	tu_make_db(c->f.db, 40, 300);
	tu_good_digest(c->f.db, ref);
	if (hot)
		tu_make_hot_journal(c->f.db, true);
	c->mnt[0] = '\0';
	if (use_mount) {
		tu_mkdir(c->mnt, sizeof(c->mnt), "romnt");
		if (bind_ro(c->f.dir, c->mnt) != 0)
			fail_msg("read-only bind mount of %s: %s", c->f.dir, strerror(errno));
		tu_join(c->db, sizeof(c->db), c->mnt, "/records.db");
	} else {
		assert_int_equal(chmod(c->f.db, 0400), 0);
		if (hot)
			assert_int_equal(chmod(c->f.journal, 0400), 0);
		assert_int_equal(chmod(c->f.dir, 0500), 0);
		tu_join(c->db, sizeof(c->db), c->f.dir, "/records.db");
	}
}

static void case_done(struct ro_case *c)
{
	if (c->mnt[0]) {
		assert_int_equal(umount2(c->mnt, 0), 0);
		assert_int_equal(rmdir(c->mnt), 0);
	}
	chmod(c->f.dir, 0700);
	tu_rmdir(c->f.dir);
}

/* Whether this process could write there anyway (root, without a mount). */
static bool writes_anyway(void)
{
	return !use_mount && geteuid() == 0;
}

static int dir_count(const char *dir)
{
	char cmd[TU_PATH_MAX + 32];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static void expect_readonly(int rc, const struct nl_err *err, const char *what)
{
	if (rc != NL_EIO || !strstr(err->msg, "read-only"))
		fail_msg("%s: status %d, want NL_EIO saying read-only: %s", what, rc, err->msg);
}

/* Reads, checks and refuses every write; the file's bytes and its folder
 * stay exactly as they were. */
static void ro_reads_writes_nothing(void **state)
{
	struct ro_case c;
	struct store_pass p;
	struct nl_err err = { 0 };
	struct store *s = NULL;
	uint8_t ref[32], got[32], before[32], after[32];
	int entries, rc;

	(void)state;
	case_init(&c, "roread", false, ref);
	tu_hash(c.f.db, before);
	entries = dir_count(c.f.dir);
	if (!writes_anyway())
		assert_false(store_path_writable(c.db));
	open_pass(&p);
	/* The ordinary open needs to write: it says so and changes nothing. */
	if (!writes_anyway()) {
		assert_int_equal(store_open(c.db, &p, &s, &err), NL_EIO);
		assert_null(s);
	}
	rc = store_open_ro(c.db, &p, &s, &err);
	if (rc != NL_OK)
		fail_msg("store_open_ro: %s", err.msg);
	assert_true(store_readonly(s));
	assert_int_equal(store_check(s, NULL, NULL, &err), NL_OK);
	tu_digest(s, got);
	assert_memory_equal(got, ref, 32);

	rc = sqlite3_exec(store_db(s), "UPDATE t SET v = zeroblob(10) WHERE id = 1",
			  NULL, NULL, NULL);
	assert_int_equal(rc & 0xff, SQLITE_READONLY);
	expect_readonly(store_sqlite_error(s, sqlite3_extended_errcode(store_db(s)),
					   "updating", &err), &err, "an UPDATE");
	expect_readonly(store_passwd(s, &p, STORE_KDF_MIN, &err), &err, "passwd");
	expect_readonly(store_rekey(s, &p, STORE_KDF_MIN, &err), &err, "rekey");
	/* Still readable after the refusals. */
	assert_int_equal(tu_int(store_db(s), "SELECT count(*) FROM t"), 40);
	store_close(s);
	store_pass_free(&p);

	tu_hash(c.f.db, after);
	assert_memory_equal(before, after, 32);
	assert_false(tu_exists(c.f.journal));
	assert_int_equal(dir_count(c.f.dir), entries);
	case_done(&c);
}

/* A hot journal beside a file that cannot be written: a clear error that
 * names it, both files untouched; on writable storage it rolls back. */
static void ro_hot_journal(void **state)
{
	struct ro_case c;
	struct store_pass p;
	struct nl_err err = { 0 };
	struct store *s = NULL;
	uint8_t ref[32], got[32], dbh[32], jh[32], dbh2[32], jh2[32];
	int rc;

	(void)state;
	case_init(&c, "rohot", true, ref);
	tu_hash(c.f.db, dbh);
	tu_hash(c.f.journal, jh);
	open_pass(&p);
	rc = store_open_ro(c.db, &p, &s, &err);
	assert_null(s);
	if (rc != NL_EIO || !strstr(err.msg, "hot journal") ||
	    !strstr(err.msg, "cannot be rolled back on read-only media"))
		fail_msg("status %d, want NL_EIO naming the hot journal: %s", rc, err.msg);
	if (!strstr(err.msg, c.db))
		fail_msg("the message does not name %s: %s", c.db, err.msg);
	tu_hash(c.f.db, dbh2);
	tu_hash(c.f.journal, jh2);
	assert_memory_equal(dbh, dbh2, 32);
	assert_memory_equal(jh, jh2, 32);
	store_pass_free(&p);

	/* Back on writable storage, the journal rolls back as ever. */
	if (c.mnt[0]) {
		assert_int_equal(umount2(c.mnt, 0), 0);
		assert_int_equal(rmdir(c.mnt), 0);
		c.mnt[0] = '\0';
	}
	chmod(c.f.dir, 0700);
	chmod(c.f.db, 0600);
	chmod(c.f.journal, 0600);
	tu_good_digest(c.f.db, got);
	assert_memory_equal(got, ref, 32);
	assert_false(tu_exists(c.f.journal));
	case_done(&c);
}

/* A writable file opened read-only on purpose: the same rules. */
static void ro_on_writable_storage(void **state)
{
	struct tu_files f;
	struct store_pass p;
	struct nl_err err = { 0 };
	struct store *s = NULL;
	uint8_t before[32], after[32];

	(void)state;
	tu_files_init(&f, "rowritable");
	tu_make_db(f.db, 10, 100);
	assert_true(store_path_writable(f.db));
	assert_false(store_path_writable(f.journal)); /* absent */
	tu_hash(f.db, before);
	open_pass(&p);
	assert_int_equal(store_open_ro(f.db, &p, &s, &err), NL_OK);
	assert_int_equal(store_check(s, NULL, NULL, &err), NL_OK);
	assert_int_not_equal(sqlite3_exec(store_db(s), "DELETE FROM t", NULL, NULL, NULL),
			     SQLITE_OK);
	expect_readonly(store_passwd(s, &p, STORE_KDF_MIN, &err), &err, "passwd");
	store_close(s);
	store_pass_free(&p);
	tu_hash(f.db, after);
	assert_memory_equal(before, after, 32);
	assert_false(tu_exists(f.journal));
	tu_rmdir(f.dir);
}

/* A private mount namespace, so no mount outlives the test. */
static const char *mount_unavailable(void)
{
	static char why[256];
	char dir[TU_PATH_MAX], mnt[TU_PATH_MAX];

	if (geteuid() != 0)
		return "not root";
	if (unshare(CLONE_NEWNS) != 0) {
		snprintf(why, sizeof(why), "unshare(CLONE_NEWNS): %s", strerror(errno));
		return why;
	}
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0) {
		snprintf(why, sizeof(why), "making / private: %s", strerror(errno));
		return why;
	}
	tu_mkdir(dir, sizeof(dir), "roprobe");
	tu_mkdir(mnt, sizeof(mnt), "roprobemnt");
	if (bind_ro(dir, mnt) != 0)
		snprintf(why, sizeof(why), "read-only bind mount: %s", strerror(errno));
	else
		why[0] = '\0';
	umount2(mnt, MNT_DETACH);
	rmdir(mnt);
	rmdir(dir);
	return why[0] ? why : NULL;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ro_reads_writes_nothing),
		cmocka_unit_test(ro_hot_journal),
		cmocka_unit_test(ro_on_writable_storage),
	};

	tu_global_init();
	use_mount = argc > 1 && strcmp(argv[1], "mount") == 0;
	if (use_mount) {
		const char *why = mount_unavailable();

		if (why) {
			printf("SKIP: no read-only mount here (%s)\n", why);
			return SKIP;
		}
		return cmocka_run_group_tests_name("store_readonly_mount", tests, NULL, NULL);
	}
	if (geteuid() == 0)
		printf("note: running as root, where chmod does not stop writes; "
		       "`test_store_readonly mount` tests a real read-only mount\n");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
