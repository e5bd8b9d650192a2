/* No plaintext on disk (design section 7, item 1): canaries in names,
 * indexed values, overflow blobs, deleted rows and TEMP tables, searched
 * whole and as every 8-byte fragment in the database, in journals copied
 * mid-transaction, and in everything that appears in the database's
 * folder or in TMPDIR. The passphrase and the data key appear nowhere. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "tu.h"
#include "needlelog/crypt.h"
#include "vfs.h"

#define BLOB_LEN 9000 /* more than two pages: overflow chain */

static char tmpdir[TU_PATH_MAX];
static char big[BLOB_LEN + 1];

static const char *const canaries[] = {
	"CanaryTableQwxzpu71",     /* table name */
	"CanaryColumnJvkmrt42",    /* column name */
	"CanaryIndexPlmoqe93",     /* index name */
	"CanaryIndexedValueRtz55", /* a value in an indexed column */
	"CanaryDeletedRowBnmyw27", /* a row then deleted */
	"CanaryTempTableWqhgf88",  /* a TEMP table's name */
	"CanaryTempValueXyzkd36",  /* a value in a TEMP table */
	"CanaryUpdatedAwayGhj64",  /* a value overwritten in a transaction */
	TU_PASS,                   /* the passphrase */
	big,                       /* an overflowing blob */
};
#define N_CANARIES (sizeof(canaries) / sizeof(canaries[0]))

struct scan {
	const uint8_t *dek;
	int files;
	size_t bytes;
};

static void check_bytes(const char *what, const uint8_t *b, size_t n,
			struct scan *sc)
{
	const char *frag = NULL;

	for (size_t c = 0; c < N_CANARIES; c++)
		if (tu_find_fragments(b, n, canaries[c], &frag))
			fail_msg("%s holds plaintext: \"%.8s\" of canary %zu (%.24s...)",
				 what, frag, c, canaries[c]);
	for (size_t i = 0; i + 8 <= NL_KEY_BYTES; i++)
		if (tu_find(b, n, sc->dek + i, 8) >= 0)
			fail_msg("%s holds 8 bytes of the data key at key offset %zu", what, i);
	sc->files++;
	sc->bytes += n;
}

/* Every regular file in dir (and below). */
static void scan_dir(const char *dir, struct scan *sc)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[TU_PATH_MAX];
	struct stat st;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		assert_true(snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) < (int)sizeof(p));
		assert_int_equal(lstat(p, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			scan_dir(p, sc);
		} else if (S_ISREG(st.st_mode)) {
			size_t n;
			uint8_t *b = tu_read(p, &n);

			if (b)
				check_bytes(p, b, n, sc);
			free(b);
		}
	}
	closedir(d);
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

static void scan_everything(const char *dbdir, struct scan *sc)
{
	scan_dir(dbdir, sc);
	scan_dir(tmpdir, sc);
	/* temp_store=MEMORY and the shim's refusals: nothing reaches TMPDIR. */
	assert_int_equal(dir_entries(tmpdir), 0);
}

static const uint8_t *store_dek(struct store *s)
{
	const char *name = sqlite3_db_filename(store_db(s), "main");
	const char *h = sqlite3_uri_parameter(name, "nlkey");
	const uint8_t *dek;

	assert_non_null(h);
	dek = vfs_key_dek(atoi(h));
	assert_non_null(dek);
	assert_false(sodium_is_zero(dek, NL_KEY_BYTES));
	return dek;
}

static void bind_exec(struct store *s, const char *sql, const char *text,
		      const void *blob, int blen)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	if (blob)
		sqlite3_bind_blob(st, 2, blob, blen, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static void no_plaintext(void **state)
{
	char dir[TU_PATH_MAX], path[TU_PATH_MAX], journal[TU_PATH_MAX], sql[512];
	struct store_pass pass;
	struct store *s = NULL;
	struct nl_err err = { 0 };
	struct scan sc = { 0 };
	uint8_t dek[NL_KEY_BYTES];
	uint8_t *snap;
	size_t n;

	(void)state;
	tu_mkdir(dir, sizeof(dir), "leak");
	tu_join(path, sizeof(path), dir, "/records.db");
	tu_join(journal, sizeof(journal), path, "-journal");
	tu_pass(&pass, TU_PASS);
	assert_int_equal(store_create(path, &pass, STORE_KDF_DEFAULT, &s, &err), NL_OK);
	memcpy(dek, store_dek(s), sizeof(dek));
	sc.dek = dek;

	snprintf(sql, sizeof(sql),
		 "CREATE TABLE %s (id INTEGER PRIMARY KEY, %s TEXT, b BLOB);"
		 "CREATE INDEX %s ON %s (%s)",
		 canaries[0], canaries[1], canaries[2], canaries[0], canaries[1]);
	tu_exec(s, sql);
	snprintf(sql, sizeof(sql), "INSERT INTO %s (%s, b) VALUES (?1, ?2)",
		 canaries[0], canaries[1]);
	bind_exec(s, sql, canaries[3], big, BLOB_LEN);
	bind_exec(s, sql, canaries[4], NULL, 0);
	bind_exec(s, sql, canaries[7], big, BLOB_LEN);
	/* Filler rows so the tree has several pages to spill. */
	tu_exec(s, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)"
		   " INSERT INTO CanaryTableQwxzpu71 (CanaryColumnJvkmrt42, b)"
		   " SELECT printf('filler %05d', i), zeroblob(300) FROM n");
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s = '%s'", canaries[0],
		 canaries[1], canaries[4]);
	tu_exec(s, sql);
	snprintf(sql, sizeof(sql), "CREATE TEMP TABLE %s (x); INSERT INTO %s VALUES ('%s')",
		 canaries[5], canaries[5], canaries[6]);
	tu_exec(s, sql);
	scan_everything(dir, &sc);

	/* A transaction that rewrites canary pages with a tiny cache: their
	 * old images go to the journal, new pages spill to the file. Copy
	 * both while it is open. */
	tu_exec(s, "PRAGMA cache_size=2; BEGIN");
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = 'x' || id, b = zeroblob(length(b))",
		 canaries[0], canaries[1]);
	tu_exec(s, sql);
	snap = tu_read(journal, &n);
	assert_non_null(snap);
	assert_true(n > 3 * 4096);
	check_bytes("the journal mid-transaction", snap, n, &sc);
	free(snap);
	snap = tu_read(path, &n);
	check_bytes("the database mid-transaction", snap, n, &sc);
	free(snap);
	scan_everything(dir, &sc);
	tu_exec(s, "ROLLBACK");

	/* Sorts, a new index and VACUUM: all in memory or in the file. */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM (SELECT * FROM %s ORDER BY b, %s DESC);"
		 "CREATE INDEX CanaryIndexTwo ON %s (b, %s); VACUUM",
		 canaries[0], canaries[1], canaries[0], canaries[1]);
	tu_exec(s, sql);
	scan_everything(dir, &sc);
	/* The temp table is still there, in memory. */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE x = '%s'",
		 canaries[5], canaries[6]);
	assert_int_equal(tu_int(store_db(s), sql), 1);
	store_close(s);

	/* Reopened and re-keyed: the new file, new key, still nothing. */
	assert_int_equal(store_open(path, &pass, &s, &err), NL_OK);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE %s = '%s'",
		 canaries[0], canaries[1], canaries[3]);
	assert_int_equal(tu_int(store_db(s), sql), 1);
	assert_int_equal(store_rekey(s, &pass, STORE_KDF_DEFAULT, &err), NL_OK);
	scan_everything(dir, &sc);
	memcpy(dek, store_dek(s), sizeof(dek));
	scan_everything(dir, &sc);
	store_close(s);
	store_pass_free(&pass);
	print_message("no plaintext: %d file images, %zu bytes searched for %zu "
		      "canaries and their 8-byte fragments\n", sc.files, sc.bytes,
		      N_CANARIES + 1);
	assert_true(sc.files >= 8);
	tu_rmdir(dir);
}

/* The search itself must find what it looks for. */
static void scan_finds_plaintext(void **state)
{
	uint8_t buf[200] = { 0 };
	const char *frag = NULL;

	(void)state;
	memcpy(buf + 50, big + 4000, 8);
	assert_true(tu_find_fragments(buf, sizeof(buf), big, &frag));
	assert_memory_equal(frag, big + 4000, 8);
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 10, canaries[2] + 3, 8);
	assert_true(tu_find_fragments(buf, sizeof(buf), canaries[2], NULL));
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 10, canaries[2] + 3, 7);
	assert_false(tu_find_fragments(buf, sizeof(buf), canaries[2], NULL));
}

/* The control: the same rows in a plain SQLite file are found. */
static void plain_sqlite_is_found(void **state)
{
	char dir[TU_PATH_MAX], path[TU_PATH_MAX];
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	uint8_t *b;
	size_t n;

	(void)state;
	tu_mkdir(dir, sizeof(dir), "plain");
	tu_join(path, sizeof(path), dir, "/plain.db");
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
					 "unix"), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (a TEXT, b BLOB)", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?1, ?2)", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, canaries[3], -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, big, BLOB_LEN, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	b = tu_read(path, &n);
	assert_non_null(b);
	assert_true(tu_find_fragments(b, n, canaries[3], NULL));
	assert_true(tu_find_fragments(b, n, big, NULL));
	free(b);
	tu_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scan_finds_plaintext),
		cmocka_unit_test(plain_sqlite_is_found),
		cmocka_unit_test(no_plaintext),
	};
	int len = 0;

	/* Distinct, readable text in every 20-byte cell of the blob. */
	for (int i = 0; len < BLOB_LEN; i++)
		len += snprintf(big + len, sizeof(big) - (size_t)len, "BigBlob%05dCanary|", i);
	big[BLOB_LEN] = '\0';
	/* SQLite reads TMPDIR once, when it initialises. */
	tu_mkdir(tmpdir, sizeof(tmpdir), "tmpdir");
	setenv("TMPDIR", tmpdir, 1);
	setenv("SQLITE_TMPDIR", tmpdir, 1);
	tu_global_init();
	len = cmocka_run_group_tests(tests, NULL, NULL);
	tu_rmdir(tmpdir);
	return len;
}
