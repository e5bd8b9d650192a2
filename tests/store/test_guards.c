/* The shim's guards and its sub-page reads (design section 7, items 8
 * and 9): no WAL, no mmap, 512-byte journal headers even with psow=0, no
 * temporary files, no page 1 without reserve 40; and reads that are not
 * one whole page give the same bytes as the plaintext image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "tu.h"
#include "needlelog/crypt.h"
#include "vfs.h"

#define PAGE 4096
#define HDR 4096

static char tmpdir[TU_PATH_MAX];
static char last_log[512];
static int refusals;

static void logger(void *ctx, int code, const char *msg)
{
	(void)ctx;
	(void)code;
	if (strstr(msg, "needlelog: refused")) {
		snprintf(last_log, sizeof(last_log), "%s", msg);
		refusals++;
	}
}

struct fx {
	char dir[TU_PATH_MAX];
	char db[TU_PATH_MAX];
	char journal[TU_PATH_MAX];
	struct store *s;
};

static void fx_open(struct fx *f, const char *tag, int rows)
{
	struct nl_err err = { 0 };

	tu_mkdir(f->dir, sizeof(f->dir), tag);
	tu_join(f->db, sizeof(f->db), f->dir, "/records.db");
	tu_join(f->journal, sizeof(f->journal), f->db, "-journal");
	tu_make_db(f->db, rows, 300);
	if (tu_open_check(f->db, &f->s, &err) != NL_OK)
		fail_msg("open: %s", err.msg);
}

static void fx_close(struct fx *f)
{
	store_close(f->s);
	tu_rmdir(f->dir);
}

static const char *text1(sqlite3 *db, const char *sql, char *buf, size_t n)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return buf;
}

static sqlite3_file *file_of(sqlite3 *db)
{
	sqlite3_file *f = NULL;

	assert_int_equal(sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f),
			 SQLITE_OK);
	assert_non_null(f);
	assert_true(vfs_file_is_ours(f));
	return f;
}

/* ---- Guards ---- */

static void no_wal(void **state)
{
	struct fx f;
	char buf[32], wal[TU_PATH_MAX], shm[TU_PATH_MAX];

	(void)state;
	fx_open(&f, "wal", 5);
	tu_join(wal, sizeof(wal), f.db, "-wal");
	tu_join(shm, sizeof(shm), f.db, "-shm");
	assert_string_equal(text1(store_db(f.s), "PRAGMA journal_mode=WAL", buf, sizeof(buf)),
			    "delete");
	assert_string_equal(text1(store_db(f.s), "PRAGMA journal_mode", buf, sizeof(buf)),
			    "delete");
	tu_exec(f.s, "INSERT INTO t (v) VALUES (x'01')");
	assert_false(tu_exists(wal));
	assert_false(tu_exists(shm));
	fx_close(&f);
}

/* Whether this process has a mapping of path. */
static bool mapped(const char *path)
{
	size_t n;
	uint8_t *maps = tu_read("/proc/self/maps", &n);
	bool found;

	if (!maps) {
		/* /proc files report size 0: read them as a stream. */
		FILE *fp = fopen("/proc/self/maps", "r");
		char line[1024];

		assert_non_null(fp);
		found = false;
		while (fgets(line, sizeof(line), fp))
			if (strstr(line, path))
				found = true;
		fclose(fp);
		return found;
	}
	found = tu_find(maps, n, path, strlen(path)) >= 0;
	free(maps);
	return found;
}

static void no_mmap(void **state)
{
	struct fx f;
	sqlite3 *db;

	(void)state;
	fx_open(&f, "mmap", 40);
	db = store_db(f.s);
	tu_exec(f.s, "PRAGMA mmap_size=268435456");
	assert_int_equal(tu_int(db, "PRAGMA mmap_size"), 0);
	assert_int_equal(tu_int(db, "SELECT count(*) FROM t WHERE length(v) = 300"), 40);
	tu_exec(f.s, "UPDATE t SET v = randomblob(300) WHERE id < 10");
	assert_false(mapped(f.db));
	assert_int_equal(tu_int(db, "PRAGMA mmap_size"), 0);
	fx_close(&f);
}

static void psow0_journal_header(void **state)
{
	struct fx f;
	char uri[TU_PATH_MAX + 64];
	const char *handle;
	sqlite3 *db = NULL;
	uint8_t *j;
	size_t n;
	uint32_t sector, pgno;

	(void)state;
	fx_open(&f, "psow", 40);
	handle = sqlite3_uri_parameter(sqlite3_db_filename(store_db(f.s), "main"), "nlkey");
	assert_non_null(handle);
	assert_true(snprintf(uri, sizeof(uri), "file:%s?nlkey=%s&psow=0", f.db, handle) <
		    (int)sizeof(uri));
	assert_int_equal(sqlite3_open_v2(uri, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI,
					 NL_VFS_NAME), SQLITE_OK);
	assert_false(sqlite3_uri_boolean(sqlite3_db_filename(db, "main"), "psow", 1));
	assert_int_equal(sqlite3_exec(db, "PRAGMA cache_size=2; BEGIN;"
				      "UPDATE t SET v = zeroblob(300)", NULL, NULL, NULL),
			 SQLITE_OK);
	j = tu_read(f.journal, &n);
	assert_non_null(j);
	assert_true(n > 512 + 4104);
	sector = (uint32_t)j[20] << 24 | (uint32_t)j[21] << 16 | (uint32_t)j[22] << 8 | j[23];
	pgno = (uint32_t)j[512] << 24 | (uint32_t)j[513] << 16 | (uint32_t)j[514] << 8 | j[515];
	assert_int_equal(sector, 512);
	for (int i = 28; i < 512; i++)
		assert_int_equal(j[i], 0);
	assert_true(pgno >= 1 && pgno <= 40);
	free(j);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	assert_int_equal(tu_int(store_db(f.s), "SELECT count(*) FROM t WHERE v = zeroblob(300)"),
			 40);
	fx_close(&f);
}

static int tmpdir_entries(void)
{
	char cmd[TU_PATH_MAX + 32];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", tmpdir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static void temp_files_refused(void **state)
{
	struct fx f;
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc, before = refusals;

	(void)state;
	fx_open(&f, "temp", 5);
	db = store_db(f.s);
	tu_exec(f.s, "PRAGMA temp_store=FILE; PRAGMA cache_size=10");
	/* A sort far bigger than the cache: the sorter needs a temp file. */
	assert_int_equal(sqlite3_prepare_v2(db,
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
		" SELECT i, randomblob(200) AS r FROM n ORDER BY r", -1, &st, NULL), SQLITE_OK);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		fail_msg("a 4 MB sort with temp_store=FILE succeeded");
	assert_int_equal(rc & 0xff, SQLITE_CANTOPEN);
	assert_true(refusals > before);
	assert_non_null(strstr(last_log, "refused"));
	/* A TEMP table that outgrows its cache needs a temporary database
	 * file: refused too. */
	before = refusals;
	rc = sqlite3_exec(db, "PRAGMA temp.cache_size=10; CREATE TEMP TABLE x AS"
			  " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
			  " WHERE i < 20000) SELECT i, randomblob(200) FROM n", NULL, NULL, NULL);
	assert_int_equal(rc & 0xff, SQLITE_CANTOPEN);
	assert_true(refusals > before);
	assert_int_equal(tmpdir_entries(), 0);
	/* Back to memory, the same work succeeds. */
	tu_exec(f.s, "PRAGMA temp_store=MEMORY; CREATE TEMP TABLE y (a)");
	fx_close(&f);
}

/* Seals a plaintext page 1 into the file, as the shim would. */
static void plant_page1(const char *path, const uint8_t *dek, uint8_t *page1)
{
	size_t n;
	uint8_t *file = tu_read(path, &n), sealed[PAGE];

	assert_non_null(file);
	crypt_page_seal(dek, file + 32, NULL, CRYPT_KIND_DB, 1, page1, sealed);
	memcpy(file + HDR, sealed, PAGE);
	tu_write(path, file, n);
	free(file);
}

static void reserve_guard(void **state)
{
	struct fx f;
	struct nl_err err = { 0 };
	struct store_pass pass;
	uint8_t dek[NL_KEY_BYTES], page1[PAGE], ref[32], after[32];
	uint8_t *before_file, *after_file;
	size_t before_len, after_len;
	sqlite3_file *file;
	int rc, before_refusals;

	(void)state;
	fx_open(&f, "reserve", 10);
	tu_digest(f.s, ref);
	/* The page size cannot change either: VACUUM would write 8192-byte
	 * pages and a page 1 that says so. */
	before_refusals = refusals;
	rc = sqlite3_exec(store_db(f.s), "PRAGMA page_size=8192; VACUUM", NULL, NULL, NULL);
	assert_int_equal(rc, SQLITE_IOERR_WRITE);
	assert_true(refusals > before_refusals);
	assert_int_equal(tu_int(store_db(f.s), "PRAGMA page_size"), 4096);

	/* Page 1 in plaintext, and the key, from the open store. */
	file = file_of(store_db(f.s));
	tu_exec(f.s, "BEGIN; SELECT count(*) FROM t");
	assert_int_equal(file->pMethods->xRead(file, page1, PAGE, 0), SQLITE_OK);
	tu_exec(f.s, "COMMIT");
	assert_int_equal(page1[20], 40);
	memcpy(dek, vfs_key_dek(atoi(sqlite3_uri_parameter(
		sqlite3_db_filename(store_db(f.s), "main"), "nlkey"))), sizeof(dek));
	store_close(f.s);
	f.s = NULL;

	/* A well-sealed page 1 that says reserve 32. */
	page1[20] = 32;
	plant_page1(f.db, dek, page1);
	before_file = tu_read(f.db, &before_len);
	before_refusals = refusals;
	/* SQLite's integrity check sees the odd usable size... */
	assert_int_equal(tu_open_check(f.db, &f.s, &err), NL_EAUTH);
	assert_non_null(strstr(err.msg, "integrity check"));
	/* ...and a write, which always rewrites page 1, is refused. */
	tu_pass(&pass, TU_PASS);
	assert_int_equal(store_open(f.db, &pass, &f.s, &err), NL_OK);
	store_pass_free(&pass);
	rc = sqlite3_exec(store_db(f.s), "INSERT INTO t (v) VALUES (x'02')", NULL, NULL, NULL);
	assert_int_equal(rc, SQLITE_IOERR_WRITE);
	store_close(f.s);
	f.s = NULL;
	assert_true(refusals > before_refusals);
	assert_non_null(strstr(last_log, "reserve 40"));
	/* Page 1 was never written. (The rollback may rewrite other pages
	 * with fresh nonces; their records are checked below.) */
	after_file = tu_read(f.db, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before_file + HDR, after_file + HDR, PAGE);
	free(before_file);
	free(after_file);

	/* Put back reserve 40: the file opens with the same records. */
	page1[20] = 40;
	unlink(f.journal);
	plant_page1(f.db, dek, page1);
	if (tu_open_check(f.db, &f.s, &err) != NL_OK)
		fail_msg("repaired file: %s", err.msg);
	tu_digest(f.s, after);
	assert_memory_equal(ref, after, 32);
	sodium_memzero(dek, sizeof(dek));
	fx_close(&f);
}

/* ---- Sub-page reads ---- */

static void sub_page_reads(void **state)
{
	static const struct { sqlite3_int64 off; int amt; } reads[] = {
		{ 0, 100 },       /* the header read at open */
		{ 24, 16 },       /* the change-counter check */
		{ 4000, 200 },    /* across the page 1 / page 2 boundary */
		{ 8190, 4100 },   /* across two boundaries */
		{ 4096, 1 },
		{ 12287, 2 },
	};
	struct fx f;
	struct nl_err err = { 0 };
	sqlite3_file *file;
	sqlite3_int64 size;
	unsigned char *image, *img2 = NULL;
	sqlite3 *mem = NULL;
	sqlite3_backup *b;
	uint8_t buf[8192];

	(void)state;
	fx_open(&f, "subpage", 40);
	store_close(f.s); /* a cold cache: pages come from the file */
	assert_int_equal(tu_open_check(f.db, &f.s, &err), NL_OK);
	file = file_of(store_db(f.s));
	tu_exec(f.s, "BEGIN; SELECT count(*) FROM t");
	image = sqlite3_serialize(store_db(f.s), "main", &size, 0);
	assert_non_null(image);
	assert_true(size >= 4 * PAGE);
	assert_int_equal(file->pMethods->xFileSize(file, &size), SQLITE_OK);
	/* The backup route gives the same plaintext (page 1's cookies aside). */
	assert_int_equal(sqlite3_open(":memory:", &mem), SQLITE_OK);
	b = sqlite3_backup_init(mem, "main", store_db(f.s), "main");
	assert_non_null(b);
	assert_int_equal(sqlite3_backup_step(b, -1), SQLITE_DONE);
	sqlite3_backup_finish(b);
	img2 = sqlite3_serialize(mem, "main", NULL, 0);
	assert_non_null(img2);
	assert_memory_equal(image + 100, img2 + 100, (size_t)size - 100);

	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(file->pMethods->xRead(file, buf, reads[i].amt, reads[i].off),
				 SQLITE_OK);
		assert_memory_equal(buf, image + reads[i].off, (size_t)reads[i].amt);
		if (reads[i].off >= 100)
			assert_memory_equal(buf, img2 + reads[i].off, (size_t)reads[i].amt);
	}
	/* The same through whole-page reads. */
	for (sqlite3_int64 off = 0; off < size; off += PAGE) {
		assert_int_equal(file->pMethods->xRead(file, buf, PAGE, off), SQLITE_OK);
		assert_memory_equal(buf, image + off, PAGE);
	}
	/* Past the end: a short read, the missing part zeroed. */
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(file->pMethods->xRead(file, buf, 100, size - 50),
			 SQLITE_IOERR_SHORT_READ);
	assert_memory_equal(buf, image + size - 50, 50);
	for (int i = 50; i < 100; i++)
		assert_int_equal(buf[i], 0);
	tu_exec(f.s, "COMMIT");

	/* Damage page 1: the (0,100) read at open becomes a zeroed short read
	 * (a hot journal may yet restore it); any other read of it fails. */
	tu_flip(f.db, HDR + 2000, 1);
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(file->pMethods->xRead(file, buf, 100, 0), SQLITE_IOERR_SHORT_READ);
	for (int i = 0; i < 100; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(file->pMethods->xRead(file, buf, 16, 24), SQLITE_IOERR_DATA);
	assert_int_equal(file->pMethods->xRead(file, buf, 200, 4000), SQLITE_IOERR_DATA);
	assert_int_equal(file->pMethods->xRead(file, buf, PAGE, 0), SQLITE_IOERR_DATA);
	tu_flip(f.db, HDR + 2000, 1);
	/* Damage page 3: a read across pages 2 and 3 fails, page 2 alone not. */
	tu_flip(f.db, HDR + 2 * PAGE + 10, 6);
	assert_int_equal(file->pMethods->xRead(file, buf, 200, 2 * PAGE - 100),
			 SQLITE_IOERR_DATA);
	assert_int_equal(file->pMethods->xRead(file, buf, 100, PAGE + 10), SQLITE_OK);
	assert_memory_equal(buf, image + PAGE + 10, 100);
	tu_flip(f.db, HDR + 2 * PAGE + 10, 6);

	sqlite3_free(image);
	sqlite3_free(img2);
	sqlite3_close(mem);
	fx_close(&f);
}

/* ---- Nonces ---- */

/* The nonce of page pgno as the file holds it now. */
static void page_nonce(const char *path, unsigned pgno, uint8_t out[NL_NONCE_BYTES])
{
	size_t n;
	uint8_t *file = tu_read(path, &n);

	assert_non_null(file);
	assert_true(n >= HDR + (size_t)pgno * PAGE);
	memcpy(out, file + HDR + (size_t)(pgno - 1) * PAGE + NL_PAGE_DATA,
	       NL_NONCE_BYTES);
	free(file);
}

/* Runs "UPDATE t SET v = 'tag-n' WHERE id = 1": a new value each time, or
 * SQLite would write nothing (an unchanged cell dirties no page). */
static int update_row1(struct store *s, const char *tag, int n)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "UPDATE t SET v = '%s-%d' WHERE id = 1", tag, n);
	return sqlite3_exec(store_db(s), sql, NULL, NULL, NULL);
}

/* Every write of a page gets a nonce never used before, and a forked
 * child that writes through its parent's connection draws a new prefix
 * instead of repeating the parent's sequence. */
static void nonces_fresh(void **state)
{
	uint8_t seen[32][NL_NONCE_BYTES], child[NL_NONCE_BYTES], parent[NL_NONCE_BYTES];
	struct fx f;
	int status;
	pid_t pid;

	(void)state;
	fx_open(&f, "nonces", 20);
	for (int i = 0; i < 32; i++) {
		assert_int_equal(update_row1(f.s, "parent", i), SQLITE_OK);
		page_nonce(f.db, 1, seen[i]);
		for (int k = 0; k < i; k++)
			assert_memory_not_equal(seen[k], seen[i], NL_NONCE_BYTES);
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(update_row1(f.s, "child", 0) == SQLITE_OK ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	page_nonce(f.db, 1, child);
	assert_int_equal(update_row1(f.s, "parent", 32), SQLITE_OK);
	page_nonce(f.db, 1, parent);
	assert_memory_not_equal(child, parent, NL_NONCE_PREFIX);
	assert_memory_not_equal(child, seen[0], NL_NONCE_PREFIX);
	assert_memory_equal(parent, seen[0], NL_NONCE_PREFIX);
	fx_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_wal),
		cmocka_unit_test(no_mmap),
		cmocka_unit_test(psow0_journal_header),
		cmocka_unit_test(temp_files_refused),
		cmocka_unit_test(reserve_guard),
		cmocka_unit_test(sub_page_reads),
		cmocka_unit_test(nonces_fresh),
	};
	int rc;

	/* Before SQLite initialises: its log, and the TMPDIR it reads once. */
	sqlite3_config(SQLITE_CONFIG_LOG, logger, NULL);
	tu_mkdir(tmpdir, sizeof(tmpdir), "gtmp");
	setenv("TMPDIR", tmpdir, 1);
	setenv("SQLITE_TMPDIR", tmpdir, 1);
	tu_global_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tu_rmdir(tmpdir);
	return rc;
}
