/* Passphrases (design section 7, items 6 and 7): a wrong one is a distinct
 * error that changes nothing; store_passwd rewraps the data key in the
 * header only; store_rekey rotates the key by a copy and a rename. (Crash
 * safety of passwd is in tests/crash.) */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "tu.h"

#define HDR 4096
/* Format 2: twelve 320-byte slots from 256 (docs/file-format.md). */
#define SLOT0 256
#define SLOT1 576
#define SLOT_SIZE 320
#define SLOTS_END (SLOT1 + SLOT_SIZE)

struct files {
	char dir[TU_PATH_MAX];
	char db[TU_PATH_MAX];
	char journal[TU_PATH_MAX];
};

static void files_init(struct files *f, const char *tag)
{
	tu_mkdir(f->dir, sizeof(f->dir), tag);
	tu_join(f->db, sizeof(f->db), f->dir, "/records.db");
	tu_join(f->journal, sizeof(f->journal), f->db, "-journal");
	tu_make_db(f->db, 30, 200);
}

static int open_with(const char *path, const char *pass, struct store **s,
		     struct nl_err *err)
{
	struct store_pass p;
	int rc;

	tu_pass(&p, pass);
	rc = store_open(path, &p, s, err);
	store_pass_free(&p);
	return rc;
}

static void digest_with(const char *path, const char *pass, uint8_t out[32])
{
	struct nl_err err = { 0 };
	struct store *s;

	if (open_with(path, pass, &s, &err) != NL_OK)
		fail_msg("%s should open: %s", path, err.msg);
	assert_int_equal(store_check(s, NULL, NULL, &err), NL_OK);
	tu_digest(s, out);
	store_close(s);
}

static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	return sodium_is_zero(p, n) == 1;
}

static uint64_t slot_seq(const uint8_t *file, int off)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | file[off + i];
	return v;
}

/* ---- Wrong passphrase ---- */

static void wrong_passphrase(void **state)
{
	static const char *const wrong[] = {
		"correct horse battery stapl",     /* a prefix */
		"correct horse battery staple ",   /* one more character */
		"Correct horse battery staple",    /* one letter's case */
		"x",
	};
	struct files f;
	struct nl_err err;
	struct store *s;
	uint8_t before[32], after[32];
	struct stat st0, st1;

	(void)state;
	files_init(&f, "wrongpw");
	tu_hash(f.db, before);
	assert_int_equal(stat(f.db, &st0), 0);
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(open_with(f.db, wrong[i], &s, &err), NL_EPASS);
		assert_null(s);
		assert_int_equal(err.status, NL_EPASS);
		assert_non_null(strstr(err.msg, "wrong passphrase"));
		/* Distinct from damage: not an authentication or header error. */
		assert_null(strstr(err.msg, "tamper"));
		assert_null(strstr(err.msg, "damaged"));
		tu_hash(f.db, after);
		assert_memory_equal(before, after, 32);
		assert_false(tu_exists(f.journal));
		assert_int_equal(dir_entries(f.dir), 1);
	}
	assert_int_equal(stat(f.db, &st1), 0);
	assert_int_equal(st0.st_size, st1.st_size);
	assert_int_equal(st0.st_mtim.tv_sec, st1.st_mtim.tv_sec);
	assert_int_equal(st0.st_mtim.tv_nsec, st1.st_mtim.tv_nsec);
	/* And the right one still opens. */
	digest_with(f.db, TU_PASS, after);
	tu_rmdir(f.dir);
}

/* ---- store_passwd ---- */

static void passwd(struct store *s, const char *newpass)
{
	struct store_pass p;
	struct nl_err err = { 0 };

	tu_pass(&p, newpass);
	if (store_passwd(s, &p, STORE_KDF_DEFAULT, &err) != NL_OK)
		fail_msg("store_passwd: %s", err.msg);
	store_pass_free(&p);
}

/* Only the two slots changed: the old one zeroed, the new one written. */
static void expect_slot_move(const uint8_t *a, const uint8_t *b, size_t len,
			     int from, int to)
{
	assert_memory_equal(a, b, SLOT0);                     /* fixed part */
	assert_memory_equal(a + SLOTS_END, b + SLOTS_END, HDR - SLOTS_END); /* other slots */
	assert_memory_equal(a + HDR, b + HDR, len - HDR);     /* every page */
	assert_true(all_zero(b + from, SLOT_SIZE));
	assert_false(all_zero(b + to, SLOT_SIZE));
	assert_int_equal(slot_seq(b, to), slot_seq(a, from) + 1);
}

static void passwd_rewraps(void **state)
{
	struct files f;
	struct nl_err err = { 0 };
	struct store *s;
	uint8_t ref[32], got[32], *a, *b, *c;
	size_t la, lb, lc;

	(void)state;
	files_init(&f, "passwd");
	digest_with(f.db, TU_PASS, ref);
	a = tu_read(f.db, &la);
	assert_false(all_zero(a + SLOT0, SLOT_SIZE));
	assert_true(all_zero(a + SLOT1, SLOT_SIZE));
	assert_int_equal(slot_seq(a, SLOT0), 1);

	assert_int_equal(open_with(f.db, TU_PASS, &s, &err), NL_OK);
	passwd(s, "second passphrase");
	/* The open connection goes on working. */
	tu_exec(s, "SELECT count(*) FROM t");
	store_close(s);
	b = tu_read(f.db, &lb);
	assert_int_equal(la, lb);
	expect_slot_move(a, b, la, SLOT0, SLOT1);
	assert_false(tu_exists(f.journal));

	assert_int_equal(open_with(f.db, TU_PASS, &s, &err), NL_EPASS);
	digest_with(f.db, "second passphrase", got);
	assert_memory_equal(ref, got, 32);

	/* Again: back to slot 0, with the next sequence number. */
	assert_int_equal(open_with(f.db, "second passphrase", &s, &err), NL_OK);
	passwd(s, "third passphrase");
	store_close(s);
	c = tu_read(f.db, &lc);
	expect_slot_move(b, c, lb, SLOT1, SLOT0);
	assert_int_equal(open_with(f.db, "second passphrase", &s, &err), NL_EPASS);
	assert_int_equal(open_with(f.db, TU_PASS, &s, &err), NL_EPASS);
	digest_with(f.db, "third passphrase", got);
	assert_memory_equal(ref, got, 32);

	/* The documented caveat, and why --rekey exists: an old copy of the
	 * header still opens the file with the old passphrase. */
	memcpy(c, a, HDR);
	tu_write(f.db, c, lc);
	digest_with(f.db, TU_PASS, got);
	assert_memory_equal(ref, got, 32);
	free(a);
	free(b);
	free(c);
	tu_rmdir(f.dir);
}

/* ---- store_rekey ---- */

static void rekey_rotates(void **state)
{
	struct files f;
	struct nl_err err = { 0 };
	struct store_pass p;
	struct store *s;
	struct stat st;
	uint8_t ref[32], got[32], *a, *b;
	size_t la, lb;

	(void)state;
	files_init(&f, "rekey");
	digest_with(f.db, TU_PASS, ref);
	a = tu_read(f.db, &la);

	assert_int_equal(open_with(f.db, TU_PASS, &s, &err), NL_OK);
	tu_pass(&p, "rotated passphrase");
	if (store_rekey(s, &p, STORE_KDF_DEFAULT, &err) != NL_OK)
		fail_msg("store_rekey: %s", err.msg);
	store_pass_free(&p);
	/* The store is open on the new file and writable. */
	tu_digest(s, got);
	assert_memory_equal(ref, got, 32);
	tu_exec(s, "INSERT INTO t (id, v) VALUES (1000, x'00ff')");
	store_close(s);

	/* Nothing left over: only the record file in its folder, still 0600. */
	assert_int_equal(dir_entries(f.dir), 1);
	assert_int_equal(stat(f.db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(open_with(f.db, TU_PASS, &s, &err), NL_EPASS);
	assert_int_equal(open_with(f.db, "rotated passphrase", &s, &err), NL_OK);
	assert_int_equal(store_check(s, NULL, NULL, &err), NL_OK);
	assert_int_equal(tu_int(store_db(s), "SELECT count(*) FROM t"), 31);
	tu_exec(s, "DELETE FROM t WHERE id = 1000");
	tu_digest(s, got);
	assert_memory_equal(ref, got, 32);
	store_close(s);

	/* A new file id and a new key: the old header no longer opens it,
	 * not even with the old passphrase. */
	b = tu_read(f.db, &lb);
	assert_memory_not_equal(a + 32, b + 32, 16);
	memcpy(b, a, HDR);
	tu_write(f.db, b, lb);
	assert_int_equal(open_with(f.db, TU_PASS, &s, &err), NL_EAUTH);
	assert_null(s);
	free(a);
	free(b);
	tu_rmdir(f.dir);
}

/* STORE_PASS_MAX bytes is the limit: one more is refused (NL_EUSAGE),
 * never cut, and leaves the passphrase empty. */
static void pass_max(void **state)
{
	char *long_pass = malloc(STORE_PASS_MAX + 2);
	struct store_pass p = { 0 };
	struct nl_err err = { 0 };

	(void)state;
	assert_non_null(long_pass);
	memset(long_pass, 'x', STORE_PASS_MAX + 1);
	long_pass[STORE_PASS_MAX + 1] = '\0';
	assert_int_equal(store_pass_set(&p, long_pass, STORE_PASS_MAX, &err), NL_OK);
	assert_int_equal(p.len, STORE_PASS_MAX);
	store_pass_free(&p);
	assert_int_equal(store_pass_set(&p, long_pass, STORE_PASS_MAX + 1, &err),
			 NL_EUSAGE);
	assert_null(p.buf);
	assert_int_equal(p.len, 0);
	assert_non_null(strstr(err.msg, "longer than 1023 bytes"));
	store_pass_free(&p);
	free(long_pass);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pass_max),
		cmocka_unit_test(wrong_passphrase),
		cmocka_unit_test(passwd_rewraps),
		cmocka_unit_test(rekey_rotates),
	};

	tu_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
