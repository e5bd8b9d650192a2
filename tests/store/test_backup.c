/* store_backup: a verified copy under its own key, and a copy even when a
 * free-list leaf was torn by a power loss (the backup API reads free pages,
 * which check skips; the store falls back to VACUUM INTO). */
#include <stdlib.h>
#include <string.h>

#include "tu.h"

static void backup_ok(const char *src, const char *dest)
{
	struct store_pass p;
	struct nl_err err = { 0 };
	struct store *s = NULL;
	uint8_t a[32], b[32];

	tu_good_digest(src, a);
	tu_pass(&p, TU_PASS);
	assert_int_equal(store_open(src, &p, &s, &err), NL_OK);
	if (store_backup(s, dest, &p, NULL, NULL, &err) != NL_OK)
		fail_msg("backup failed: %s", err.msg);
	store_close(s);
	store_pass_free(&p);
	tu_good_digest(dest, b);
	assert_memory_equal(a, b, sizeof(a));
}

static void copy_is_verified(void **state)
{
	struct tu_files f;
	char dest[TU_PATH_MAX];
	struct store_pass p;
	struct nl_err err = { 0 };
	struct store *s = NULL;

	(void)state;
	tu_files_init(&f, "backup");
	tu_join(dest, sizeof(dest), f.dir, "/copy.db");
	tu_make_db(f.db, 50, 300);
	backup_ok(f.db, dest);
	/* Never over an existing file. */
	tu_pass(&p, TU_PASS);
	assert_int_equal(store_open(f.db, &p, &s, &err), NL_OK);
	assert_int_equal(store_backup(s, dest, &p, NULL, NULL, &err), NL_EEXIST);
	store_close(s);
	store_pass_free(&p);
	tu_rmdir(f.dir);
}

/* The first free-list leaf's page number, from the plaintext image. */
static unsigned first_free_leaf(const char *path)
{
	struct store_pass p;
	struct nl_err err = { 0 };
	struct store *s = NULL;
	sqlite3 *mem;
	sqlite3_backup *b;
	sqlite3_int64 size;
	unsigned char *img;
	unsigned trunk, leaf;

	tu_pass(&p, TU_PASS);
	assert_int_equal(store_open(path, &p, &s, &err), NL_OK);
	store_pass_free(&p);
	assert_int_equal(sqlite3_open(":memory:", &mem), SQLITE_OK);
	b = sqlite3_backup_init(mem, "main", store_db(s), "main");
	assert_non_null(b);
	assert_int_equal(sqlite3_backup_step(b, -1), SQLITE_DONE);
	sqlite3_backup_finish(b);
	store_close(s);
	img = sqlite3_serialize(mem, "main", &size, 0);
	assert_non_null(img);
	trunk = (unsigned)img[32] << 24 | img[33] << 16 | img[34] << 8 | img[35];
	assert_true(trunk >= 2 && (sqlite3_int64)trunk * 4096 <= size);
	const unsigned char *t = img + (size_t)(trunk - 1) * 4096;
	assert_true(t[4] | t[5] | t[6] | t[7]); /* the trunk lists leaves */
	leaf = (unsigned)t[8] << 24 | t[9] << 16 | t[10] << 8 | t[11];
	sqlite3_free(img);
	sqlite3_close(mem);
	return leaf;
}

static void torn_free_leaf(void **state)
{
	struct tu_files f;
	char dest[TU_PATH_MAX];
	struct store_pass p;
	struct nl_err err = { 0 };
	struct store *s = NULL;
	unsigned leaf;

	(void)state;
	tu_files_init(&f, "backup-leaf");
	tu_join(dest, sizeof(dest), f.dir, "/copy.db");
	tu_make_db(f.db, 120, 900);
	tu_pass(&p, TU_PASS);
	assert_int_equal(store_open(f.db, &p, &s, &err), NL_OK);
	tu_exec(s, "DELETE FROM t WHERE id > 10");
	store_close(s);
	store_pass_free(&p);
	leaf = first_free_leaf(f.db);
	/* Page n is at physical n * 4096: damage the leaf's ciphertext. */
	tu_flip(f.db, (size_t)leaf * 4096 + 100, 3);
	backup_ok(f.db, dest);
	tu_rmdir(f.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copy_is_verified),
		cmocka_unit_test(torn_free_leaf),
	};

	tu_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
