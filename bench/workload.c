/* The benchmark workload: the same operations, timed, on one storage engine.
 *
 * This file is compiled twice (bench/meson.build):
 *  - against the system SQLite and needlelog's store, giving the engines
 *    "plain" (SQLite's default unix VFS) and "needlelog" (the encrypting
 *    VFS, through store_create/store_open/store_db);
 *  - against SQLCipher with -DNL_BENCH_SQLCIPHER, giving the engine
 *    "sqlcipher". Both libraries export sqlite3_*, so they cannot share an
 *    executable.
 *
 * One run does, on a fresh file in DIR:
 *   bulk     100k rows of about 300 bytes in one transaction
 *   commits  300 single-row INSERTs, each its own transaction (fsync-bound)
 *   points   10k random point reads by primary key, each its own statement
 *   coldos   a full scan (the sum of an integer column of every row) after
 *            closing and reopening the connection, the file left in the OS
 *            page cache (isolates the CPU cost)
 *   cold     the same after dropping the OS page cache too, when permitted
 *   warm     the same scan again, with SQLite's page cache full
 *   textcold, textwarm
 *            extra: the scan that sums length(note), cold (OS-cached) and
 *            warm; length() walks every byte of the text, so these lines
 *            weigh SQL function speed more than storage
 * and prints one "RESULT engine op seconds" line per measurement (the
 * scans, SCAN_REPS times each). The key
 * derivation (needlelog) and keying (SQLCipher) happen outside every timed
 * section. bench/run.py runs this repeatedly and prints the table. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef NL_BENCH_SQLCIPHER
#include <sqlcipher/sqlite3.h>
#else
#include <sqlite3.h>
#include <sodium.h>
#include "needlelog/store.h"
#endif

#define PAYLOAD 270           /* the note column; with the others, ~300 bytes a row */
#define NAME_LEN 24
#define SCAN_REPS 3           /* scans of each kind per run */

/* The settings needlelog's store gives its connection (src/store/store.c,
 * open_conn), applied to the other engines so that all pay the same
 * durability. The store's own connection keeps what the store chose; each
 * engine prints what it ended up with, and run.py checks they agree. */
static const char store_pragmas[] =
	"PRAGMA journal_mode=DELETE;"
	"PRAGMA synchronous=EXTRA;"
	"PRAGMA temp_store=MEMORY;"
	"PRAGMA cell_size_check=ON;";
/* Every engine: a cache that holds the whole file (about 32 MB), so
 * "warm" means warm. */
static const char cache_pragma[] = "PRAGMA cache_size=-131072;";

struct opts {
	const char *engine;
	const char *dir;
	long rows;
	long commits;
	long points;
	int drop_os_cache;
	int keep;
};

static struct opts opt = {
	.rows = 100000, .commits = 300, .points = 10000, .drop_os_cache = 1,
};

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "workload (%s): %s: %s\n", opt.engine ? opt.engine : "?",
		what, msg ? msg : "failed");
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: the same rows and the same lookups on every engine. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Row text comes from slices of one random pool made before any timing,
 * so generating it costs next to nothing inside the timed sections. */
#define POOL_SIZE 65536
static char pool[POOL_SIZE];

static void fill_pool(void)
{
	static const char alpha[] =
		"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ.,0123456789";

	for (size_t i = 0; i < POOL_SIZE; i++)
		pool[i] = alpha[rng() % (sizeof(alpha) - 1)];
}

static const char *pool_slice(size_t n)
{
	return pool + rng() % (POOL_SIZE - n);
}

/* SQLite's page cache in one block, touched before the first timed
 * section: otherwise every page the cache takes costs a first-touch page
 * fault (slow in a VM), for every engine alike, which only blurs what
 * the engines themselves cost. Room for the whole file, with margin. */
#define CACHE_PAGES 20000
#define CACHE_SLOT (4096 + 512)

static void setup_page_cache(void)
{
	int hdr = 0;
	size_t slot;
	void *mem;

	if (sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &hdr) != SQLITE_OK || hdr <= 0)
		die("sqlite3_config", "no page cache header size");
	slot = (size_t)(4096 + hdr + 7) & ~(size_t)7;
	if (slot > CACHE_SLOT)
		die("sqlite3_config", "page cache header too large");
	mem = malloc(slot * CACHE_PAGES);
	if (!mem)
		die("malloc", "out of memory for the page cache");
	memset(mem, 0, slot * CACHE_PAGES);
	if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, mem, (int)slot, CACHE_PAGES) != SQLITE_OK)
		die("sqlite3_config", "SQLITE_CONFIG_PAGECACHE refused");
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		die(sql, msg);
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die(sql, sqlite3_errmsg(db));
	return st;
}

static long long query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = prepare(db, sql);
	long long v;

	if (sqlite3_step(st) != SQLITE_ROW)
		die(sql, sqlite3_errmsg(db));
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

#ifdef NL_BENCH_SQLCIPHER
static void query_text(sqlite3 *db, const char *sql, char *out, size_t n)
{
	sqlite3_stmt *st = prepare(db, sql);
	const unsigned char *t;

	if (sqlite3_step(st) != SQLITE_ROW)
		die(sql, sqlite3_errmsg(db));
	t = sqlite3_column_text(st, 0);
	snprintf(out, n, "%s", t ? (const char *)t : "");
	sqlite3_finalize(st);
}
#endif

/* ---- Engines: open a connection to the file, close it. ---- */

static char path[4096];

#ifdef NL_BENCH_SQLCIPHER

/* A fixed raw key: 32 bytes in hex, so SQLCipher skips its PBKDF2. */
#define RAW_KEY "x'2DD29CA851E7B56E4697B0E1F08507293D761A05CE4D1B628663F411A8086D99'"

static sqlite3 *engine_open(int create)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);

	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK)
		die("open", db ? sqlite3_errmsg(db) : "out of memory");
	exec(db, "PRAGMA key = \"" RAW_KEY "\";");
	exec(db, "PRAGMA cipher_page_size=4096;");
	exec(db, store_pragmas);
	exec(db, cache_pragma);
	/* Keying is lazy: the first read derives the keys, untimed here. */
	query_int(db, "SELECT count(*) FROM sqlite_master");
	return db;
}

static void engine_close(sqlite3 *db)
{
	if (sqlite3_close(db) != SQLITE_OK)
		die("close", sqlite3_errmsg(db));
}

static void engine_info(sqlite3 *db)
{
	char v[128];

	query_text(db, "PRAGMA cipher_version", v, sizeof(v));
	printf("INFO sqlcipher_version %s (SQLite %s)\n", v, sqlite3_libversion());
}

#else /* plain and needlelog */

static struct store *store;
static struct store_pass pass;
static int is_needlelog;

static sqlite3 *engine_open(int create)
{
	struct nl_err err = { 0 };
	sqlite3 *db = NULL;
	int rc;

	if (is_needlelog) {
		/* The KDF runs here, outside any timed section. */
		if (create)
			rc = store_create(path, &pass, STORE_KDF_MIN, &store, &err);
		else
			rc = store_open(path, &pass, &store, &err);
		if (rc != NL_OK)
			die(create ? "store_create" : "store_open", err.msg);
		db = store_db(store);
	} else {
		int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);

		if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK)
			die("open", db ? sqlite3_errmsg(db) : "out of memory");
		exec(db, "PRAGMA page_size=4096;");
		exec(db, store_pragmas);
	}
	exec(db, cache_pragma);
	query_int(db, "SELECT count(*) FROM sqlite_master");
	return db;
}

static void engine_close(sqlite3 *db)
{
	if (is_needlelog) {
		store_close(store);
		store = NULL;
	} else if (sqlite3_close(db) != SQLITE_OK) {
		die("close", sqlite3_errmsg(db));
	}
}

static void engine_info(sqlite3 *db)
{
	(void)db;
	printf("INFO sqlite_version %s\n", sqlite3_libversion());
	printf("INFO sodium_version %s\n", sodium_version_string());
}

#endif

/* ---- The workload ---- */

static void print_settings(sqlite3 *db)
{
	static const char *const names[] = {
		"page_size", "synchronous", "temp_store", "cell_size_check",
	};
	char mode[32];
	sqlite3_stmt *st = prepare(db, "PRAGMA journal_mode");

	if (sqlite3_step(st) != SQLITE_ROW)
		die("PRAGMA journal_mode", sqlite3_errmsg(db));
	snprintf(mode, sizeof(mode), "%s",
		 sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "?");
	sqlite3_finalize(st);
	printf("INFO settings journal_mode=%s", mode);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA %s", names[i]);
		printf(" %s=%lld", names[i], query_int(db, sql));
	}
	printf("\n");
}

static void report(const char *op, double seconds)
{
	printf("RESULT %s %s %.6f\n", opt.engine, op, seconds);
	fflush(stdout);
}

static void insert_row(sqlite3_stmt *st, sqlite3 *db, long id)
{
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, pool_slice(NAME_LEN), NAME_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, 1700000000 + id * 37);
	sqlite3_bind_text(st, 4, pool_slice(PAYLOAD), PAYLOAD, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		die("insert", sqlite3_errmsg(db));
	sqlite3_reset(st);
}

static void bulk_insert(sqlite3 *db)
{
	sqlite3_stmt *st;
	double t0;

	exec(db, "CREATE TABLE rec(id INTEGER PRIMARY KEY, patient TEXT NOT NULL,"
		 " ts INTEGER NOT NULL, note TEXT NOT NULL)");
	st = prepare(db, "INSERT INTO rec(id, patient, ts, note) VALUES(?1, ?2, ?3, ?4)");
	t0 = now();
	exec(db, "BEGIN");
	for (long i = 1; i <= opt.rows; i++)
		insert_row(st, db, i);
	exec(db, "COMMIT");
	report("bulk", now() - t0);
	sqlite3_finalize(st);
}

static void small_commits(sqlite3 *db)
{
	sqlite3_stmt *st = prepare(db,
		"INSERT INTO rec(id, patient, ts, note) VALUES(?1, ?2, ?3, ?4)");
	double t0 = now();

	for (long i = 1; i <= opt.commits; i++)
		insert_row(st, db, opt.rows + i);
	report("commits", now() - t0);
	sqlite3_finalize(st);
}

static void point_reads(sqlite3 *db)
{
	sqlite3_stmt *st = prepare(db, "SELECT note FROM rec WHERE id = ?1");
	long long bytes = 0;
	long total = opt.rows + opt.commits;
	double t0 = now();

	for (long i = 0; i < opt.points; i++) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)(rng() % (uint64_t)total) + 1);
		if (sqlite3_step(st) != SQLITE_ROW)
			die("point read", sqlite3_errmsg(db));
		bytes += sqlite3_column_bytes(st, 0);
		sqlite3_reset(st);
	}
	report("points", now() - t0);
	sqlite3_finalize(st);
	if (bytes != (long long)opt.points * PAYLOAD)
		die("point read", "wrong data");
}

/* Reads every row: the sum of ts (see insert_row), or with text, the sum
 * of length(note). Either is checked against what was inserted. */
static void full_scan(sqlite3 *db, const char *op, int text)
{
	long long n = opt.rows + opt.commits, got, want;
	double t0 = now();

	if (text) {
		got = query_int(db, "SELECT sum(length(note)) FROM rec");
		want = n * PAYLOAD;
	} else {
		got = query_int(db, "SELECT sum(ts) FROM rec");
		want = 1700000000LL * n + 37LL * n * (n + 1) / 2;
	}
	report(op, now() - t0);
	if (got != want)
		die("full scan", "wrong data");
}

/* Writes the file's dirty pages back and drops the OS page cache, so the
 * next scan reads from the disk. Needs root; says whether it worked. */
static void drop_os_cache(void)
{
	FILE *f;

	sync();
	f = fopen("/proc/sys/vm/drop_caches", "w");
	if (!f || fputs("1\n", f) < 0 || fclose(f) != 0) {
		printf("INFO os_cache_drop no (%s)\n", strerror(errno));
		return;
	}
	printf("INFO os_cache_drop yes\n");
}

static void usage(void)
{
	fprintf(stderr,
		"usage: workload --engine ENGINE --dir DIR [--rows N] [--commits N]"
		" [--points N] [--no-drop] [--keep]\n"
#ifdef NL_BENCH_SQLCIPHER
		"engines: sqlcipher\n"
#else
		"engines: plain, needlelog\n"
#endif
		);
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--no-drop") == 0) {
			opt.drop_os_cache = 0;
			continue;
		}
		if (strcmp(a, "--keep") == 0) {
			opt.keep = 1;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (strcmp(a, "--engine") == 0)
			opt.engine = v;
		else if (strcmp(a, "--dir") == 0)
			opt.dir = v;
		else if (strcmp(a, "--rows") == 0)
			opt.rows = strtol(v, NULL, 10);
		else if (strcmp(a, "--commits") == 0)
			opt.commits = strtol(v, NULL, 10);
		else if (strcmp(a, "--points") == 0)
			opt.points = strtol(v, NULL, 10);
		else
			usage();
	}
	if (!opt.engine || !opt.dir || opt.rows < 1 || opt.commits < 0 || opt.points < 0)
		usage();
#ifdef NL_BENCH_SQLCIPHER
	if (strcmp(opt.engine, "sqlcipher") != 0)
		usage();
#else
	if (strcmp(opt.engine, "plain") != 0 && strcmp(opt.engine, "needlelog") != 0)
		usage();
	is_needlelog = strcmp(opt.engine, "needlelog") == 0;
#endif
}

static void remove_files(void)
{
	char j[sizeof(path) + 16];

	snprintf(j, sizeof(j), "%s-journal", path);
	unlink(path);
	unlink(j);
}

int main(int argc, char **argv)
{
	sqlite3 *db;

	parse_args(argc, argv);
	setup_page_cache();
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.db", opt.dir, opt.engine) >= sizeof(path))
		die("path", "too long");
	remove_files();
#ifndef NL_BENCH_SQLCIPHER
	if (is_needlelog) {
		struct nl_err err = { 0 };

		if (store_global_init(&err) != NL_OK)
			die("store_global_init", err.msg);
		if (store_pass_set(&pass, "bench passphrase", 16, &err) != NL_OK)
			die("store_pass_set", err.msg);
	}
#endif
	rng_state = 0x9E3779B97F4A7C15ULL;
	fill_pool();
	db = engine_open(1);
	engine_info(db);
	bulk_insert(db);
	print_settings(db);
	small_commits(db);
	point_reads(db);
	printf("INFO pages %lld\n", query_int(db, "PRAGMA page_count"));

	/* Cold: SQLite's cache emptied by a close and reopen, the file still in
	 * the OS cache, so the scan shows the CPU cost of reading pages. The
	 * scans are repeated: the first scan in a process is sometimes much
	 * slower on a VM, for every engine, and the median should not be that
	 * accident. */
	for (int i = 0; i < SCAN_REPS; i++) {
		engine_close(db);
		db = engine_open(0);
		full_scan(db, "coldos", 0);
	}
	/* Cold: the same, with the OS cache dropped too when allowed; then
	 * warm: every page is now in SQLite's cache. */
	for (int i = 0; i < SCAN_REPS; i++) {
		engine_close(db);
		if (opt.drop_os_cache)
			drop_os_cache();
		db = engine_open(0);
		full_scan(db, "cold", 0);
		full_scan(db, "warm", 0);
	}
	/* Extra: the text scan, cold (OS-cached) and warm. */
	for (int i = 0; i < SCAN_REPS; i++) {
		engine_close(db);
		db = engine_open(0);
		full_scan(db, "textcold", 1);
		full_scan(db, "textwarm", 1);
	}
	engine_close(db);
	if (!opt.keep)
		remove_files();
#ifndef NL_BENCH_SQLCIPHER
	if (is_needlelog)
		store_pass_free(&pass);
#endif
	return 0;
}
