/* Decrypt-ahead (src/store/readahead.c): a scan is served from windows
 * read and decrypted ahead, and those windows never outlive the lock or a
 * write that could make them stale. Each test checks that windows were
 * really used, so none can pass by the feature being off. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tu.h"
#include "readahead.h"

#define ROWS 2000
#define VLEN 1000 /* four rows a page: about 500 pages */
#define PAGE 4096

static struct store *open_store(const char *path)
{
	struct store_pass p;
	struct store *s = NULL;
	struct nl_err err = { 0 };

	tu_pass(&p, TU_PASS);
	assert_int_equal(store_open(path, &p, &s, &err), NL_OK);
	store_pass_free(&p);
	return s;
}

/* How many rows with id > from have v of all-zero bytes. */
static long long zero_rows(sqlite3 *db, int from)
{
	char sql[128];

	snprintf(sql, sizeof(sql),
		 "SELECT sum(v = zeroblob(%d)) FROM t WHERE id > %d", VLEN, from);
	return tu_int(db, sql);
}

/* Steps a scan of the 200 rows after id 1000, then ends it: the windows
 * are left holding the pages just ahead of where it stopped. Fails the
 * test unless the scan was served from windows. */
static void partial_scan(sqlite3 *db)
{
	unsigned long before = ra_pages_served();
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT length(v) FROM t WHERE id > 1000", -1, &st, NULL), SQLITE_OK);
	for (int i = 0; i < 200; i++)
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	sqlite3_finalize(st);
	if (ra_pages_served() - before < 30)
		fail_msg("the partial scan was not served ahead");
}

static void scan_is_served_ahead(void **state)
{
	struct tu_files f;
	struct store *s;
	unsigned long before;
	uint8_t a[32], b[32];

	(void)state;
	tu_files_init(&f, "ra-scan");
	tu_make_db(f.db, ROWS, VLEN);
	s = open_store(f.db);
	before = ra_pages_served();
	assert_int_equal(tu_int(store_db(s), "SELECT sum(length(v)) FROM t"),
			 (long long)ROWS * VLEN);
	/* Nearly every page of the scan came from a window. */
	if (ra_pages_served() - before < 400)
		fail_msg("only %lu pages served ahead", ra_pages_served() - before);
	tu_digest(s, a);
	store_close(s);
	/* The same records as a fresh connection that reads page by page
	 * (each statement of tu_digest is a new scan). */
	s = open_store(f.db);
	tu_digest(s, b);
	assert_memory_equal(a, b, 32);
	store_close(s);
	tu_rmdir(f.dir);
}

/* A page that fails authentication inside a window is never served: the
 * ordinary path reads it again and reports it by number. */
static void bad_page_mid_scan(void **state)
{
	struct tu_files f;
	struct store *s;
	struct nl_err err = { 0 };
	unsigned long before;
	const unsigned bad = 300;
	int rc;

	(void)state;
	tu_files_init(&f, "ra-bad");
	tu_make_db(f.db, ROWS, VLEN);
	tu_flip(f.db, (size_t)bad * PAGE + 2000, 3);
	s = open_store(f.db);
	before = ra_pages_served();
	rc = sqlite3_exec(store_db(s), "SELECT sum(length(v)) FROM t", NULL, NULL, NULL);
	assert_int_not_equal(rc, SQLITE_OK);
	assert_int_equal(store_sqlite_error(s, rc, "scan", &err), NL_EAUTH);
	if (!tu_names_page(&err, "database", bad))
		fail_msg("message does not name database page %u: %s", bad, err.msg);
	if (ra_pages_served() - before < 200)
		fail_msg("only %lu pages served ahead before the bad one",
			 ra_pages_served() - before);
	store_close(s);
	tu_rmdir(f.dir);
}

/* Another connection changes the pages just ahead of where a scan
 * stopped; the next scan from there must read them again, not the
 * windows left over from before the lock was released. */
static void stale_after_unlock(void **state)
{
	struct tu_files f;
	struct store *a, *b;
	char sql[128];

	(void)state;
	tu_files_init(&f, "ra-unlock");
	tu_make_db(f.db, ROWS, VLEN);
	a = open_store(f.db);
	b = open_store(f.db);
	partial_scan(store_db(a));
	snprintf(sql, sizeof(sql),
		 "UPDATE t SET v = zeroblob(%d) WHERE id > 1000", VLEN);
	tu_exec(b, sql);
	assert_int_equal(zero_rows(store_db(a), 1000), ROWS - 1000);
	store_close(b);
	store_close(a);
	tu_rmdir(f.dir);
}

/* Within one transaction, with a cache too small to hold the change, the
 * connection's own writes spill to the file and are read back: never the
 * plaintext a window held from before the write. The rows just ahead of a
 * partial scan are updated one by one from the last down, an order that
 * does not move the windows on, so they still cover the spilled pages
 * when the next scan reads them. */
static void stale_after_own_write(void **state)
{
	struct tu_files f;
	struct store *s;
	sqlite3 *db;
	sqlite3_stmt *st;
	char sql[128];

	(void)state;
	tu_files_init(&f, "ra-write");
	tu_make_db(f.db, ROWS, VLEN);
	s = open_store(f.db);
	db = store_db(s);
	tu_exec(s, "PRAGMA cache_size = 10");
	tu_exec(s, "BEGIN");
	partial_scan(db);
	snprintf(sql, sizeof(sql), "UPDATE t SET v = zeroblob(%d) WHERE id = ?1", VLEN);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	for (int id = 1440; id > 1200; id--) {
		sqlite3_bind_int(st, 1, id);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	assert_int_equal(zero_rows(db, 1200), 240);
	tu_exec(s, "ROLLBACK");
	assert_int_equal(zero_rows(db, 1000), 0);
	store_close(s);
	tu_rmdir(f.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scan_is_served_ahead),
		cmocka_unit_test(bad_page_mid_scan),
		cmocka_unit_test(stale_after_unlock),
		cmocka_unit_test(stale_after_own_write),
	};

	tu_global_init();
	return cmocka_run_group_tests_name("store_readahead", tests, NULL, NULL);
}
