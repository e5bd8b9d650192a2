#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "tu.h"

double tu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

size_t tu_stride(void)
{
	const char *v = getenv("TU_STRIDE");
	long n = v ? strtol(v, NULL, 10) : 1;

	return n > 1 ? (size_t)n : 1;
}

void tu_global_init(void)
{
	struct nl_err err = { 0 };
	cpu_set_t one;
	int cpu = sched_getcpu();

	/* One CPU: every open maps, protects and unmaps guarded key memory,
	 * and on several CPUs each of those is a TLB shootdown. */
	CPU_ZERO(&one);
	CPU_SET(cpu >= 0 ? cpu : 0, &one);
	sched_setaffinity(0, sizeof(one), &one);
	/* Meson's test_env sets this; a hand-run binary gets it too. */
	setenv("NEEDLELOG_TEST_KDF", "min", 0);
	if (store_global_init(&err) != NL_OK) {
		fprintf(stderr, "store_global_init: %s\n", err.msg);
		exit(1);
	}
}

static const char *scratch_root(void)
{
	const char *r = getenv("TU_SCRATCH");
	struct stat st;

	if (r && *r)
		return r;
	/* tmpfs: the flip loops fsync thousands of times. */
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
	    access("/dev/shm", W_OK) == 0)
		return "/dev/shm";
	r = getenv("TMPDIR");
	return r && *r ? r : "/tmp";
}

void tu_mkdir(char *out, size_t n, const char *tag)
{
	int len = snprintf(out, n, "%s/nlstore-%s-XXXXXX", scratch_root(), tag);

	assert_true(len > 0 && (size_t)len < n);
	assert_non_null(mkdtemp(out));
}

void tu_join(char *out, size_t n, const char *a, const char *b)
{
	int len = snprintf(out, n, "%s%s", a, b);

	assert_true(len > 0 && (size_t)len < n);
}

void tu_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[TU_PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >= (int)sizeof(p))
			continue;
		if (unlink(p) != 0 && errno == EISDIR)
			tu_rmdir(p);
	}
	closedir(d);
	rmdir(dir);
}

void tu_pass(struct store_pass *p, const char *s)
{
	assert_int_equal(store_pass_set(p, s, strlen(s), NULL), NL_OK);
}

uint8_t *tu_read(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;
	size_t done = 0;

	*len = 0;
	if (fd < 0)
		return NULL;
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	while (done < (size_t)st.st_size) {
		ssize_t r = pread(fd, buf + done, (size_t)st.st_size - done, (off_t)done);

		assert_true(r > 0);
		done += (size_t)r;
	}
	close(fd);
	*len = done;
	return buf;
}

void tu_write(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t done = 0;

	assert_true(fd >= 0);
	while (done < len) {
		ssize_t w = pwrite(fd, buf + done, len - done, (off_t)done);

		assert_true(w > 0);
		done += (size_t)w;
	}
	close(fd);
}

void tu_copy(const char *from, const char *to)
{
	size_t n;
	uint8_t *b = tu_read(from, &n);

	assert_non_null(b);
	tu_write(to, b, n);
	free(b);
}

bool tu_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

void tu_hash(const char *path, uint8_t out[32])
{
	size_t n;
	uint8_t *b = tu_read(path, &n);

	memset(out, 0, 32);
	if (!b)
		return;
	crypto_generichash(out, 32, b, n, NULL, 0);
	free(b);
}

void tu_flip(const char *path, size_t off, int bit)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	uint8_t c;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, (off_t)off), 1);
	c ^= (uint8_t)(1u << bit);
	assert_int_equal(pwrite(fd, &c, 1, (off_t)off), 1);
	close(fd);
}

long tu_find(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	const uint8_t *p = memmem(hay, n, needle, m);

	return p ? (long)(p - hay) : -1;
}

bool tu_find_fragments(const uint8_t *hay, size_t n, const char *s,
		       const char **where)
{
	size_t len = strlen(s), w = len < 8 ? len : 8;

	for (size_t i = 0; i + w <= len; i++) {
		if (tu_find(hay, n, s + i, w) >= 0) {
			if (where)
				*where = s + i;
			return true;
		}
	}
	return false;
}

void tu_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(store_db(s), sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		print_error("SQL failed (%d: %s): %s\n", rc, msg ? msg : "", sql);
	sqlite3_free(msg);
	assert_int_equal(rc, SQLITE_OK);
}

long long tu_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void digest_rows(sqlite3 *db, const char *sql,
			crypto_generichash_state *h)
{
	sqlite3_stmt *st;
	int rc;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			uint8_t type = (uint8_t)sqlite3_column_type(st, c);
			const void *b = sqlite3_column_blob(st, c);
			uint32_t n = (uint32_t)sqlite3_column_bytes(st, c);

			crypto_generichash_update(h, &type, 1);
			crypto_generichash_update(h, (const uint8_t *)&n, sizeof(n));
			if (b)
				crypto_generichash_update(h, b, n);
		}
	}
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(st);
}

void tu_digest(struct store *s, uint8_t out[32])
{
	sqlite3 *db = store_db(s);
	crypto_generichash_state h;
	sqlite3_stmt *st;
	char sql[256];

	crypto_generichash_init(&h, NULL, 0, 32);
	digest_rows(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name", &h);
	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
		-1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY rowid",
			 (const char *)sqlite3_column_text(st, 0));
		digest_rows(db, sql, &h);
	}
	sqlite3_finalize(st);
	crypto_generichash_final(&h, out, 32);
}

void tu_make_db(const char *path, int n, int vlen)
{
	struct store_pass p;
	struct store *s = NULL;
	struct nl_err err = { 0 };
	sqlite3_stmt *st;
	uint8_t *v = malloc((size_t)vlen);

	assert_non_null(v);
	tu_pass(&p, TU_PASS);
	assert_int_equal(store_create(path, &p, STORE_KDF_DEFAULT, &s, &err), NL_OK);
	store_pass_free(&p);
	tu_exec(s, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)");
	tu_exec(s, "BEGIN");
	assert_int_equal(sqlite3_prepare_v2(store_db(s),
		"INSERT INTO t (id, v) VALUES (?1, ?2)", -1, &st, NULL), SQLITE_OK);
	for (int i = 1; i <= n; i++) {
		for (int k = 0; k < vlen; k++)
			v[k] = (uint8_t)('a' + (i * 7 + k) % 26);
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_blob(st, 2, v, vlen, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	tu_exec(s, "COMMIT");
	store_close(s);
	free(v);
}

/* The child: no cmocka here, only exit codes. */
static void hot_child(const char *path, bool kill9)
{
	struct store_pass p;
	struct store *s = NULL;
	sqlite3 *db;

	if (store_pass_set(&p, TU_PASS, strlen(TU_PASS), NULL) != NL_OK ||
	    store_open(path, &p, &s, NULL) != NL_OK)
		_exit(2);
	db = store_db(s);
	if (sqlite3_exec(db, "PRAGMA cache_size=1; BEGIN;"
			 "UPDATE t SET v = zeroblob(length(v)) WHERE id % 2 = 1;"
			 "UPDATE t SET v = randomblob(length(v)) WHERE id % 2 = 0",
			 NULL, NULL, NULL) != SQLITE_OK)
		_exit(3);
	if (kill9)
		raise(SIGKILL);
	_exit(0);
}

void tu_make_hot_journal(const char *path, bool kill9)
{
	char journal[TU_PATH_MAX];
	uint8_t before[32], after[32];
	int status = 0;
	pid_t pid;

	tu_join(journal, sizeof(journal), path, "-journal");
	tu_hash(path, before);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		hot_child(path, kill9);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (kill9)
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	else
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(tu_exists(journal));
	tu_hash(path, after);
	/* Pages spilled: the database file holds uncommitted pages. */
	assert_memory_not_equal(before, after, 32);
}

int tu_open_check(const char *path, struct store **out, struct nl_err *err)
{
	/* One guarded allocation for the whole run: the flip loops call this
	 * thousands of times. */
	static struct store_pass p;
	int rc;

	*out = NULL;
	if (!p.buf)
		tu_pass(&p, TU_PASS);
	rc = store_open(path, &p, out, err);
	if (rc == NL_OK)
		rc = store_check(*out, NULL, NULL, err);
	if (rc != NL_OK && *out) {
		store_close(*out);
		*out = NULL;
	}
	return rc;
}

void tu_files_init(struct tu_files *f, const char *tag)
{
	tu_mkdir(f->dir, sizeof(f->dir), tag);
	tu_join(f->db, sizeof(f->db), f->dir, "/records.db");
	tu_join(f->journal, sizeof(f->journal), f->db, "-journal");
}

void tu_good_digest(const char *path, uint8_t out[32])
{
	struct nl_err err = { 0 };
	struct store *s;

	if (tu_open_check(path, &s, &err) != NL_OK)
		fail_msg("%s should open and check clean: %s", path, err.msg);
	tu_digest(s, out);
	store_close(s);
}

bool tu_names_page(const struct nl_err *err, const char *kind, unsigned pgno)
{
	char want[64];

	snprintf(want, sizeof(want), "%s page %u ", kind, pgno);
	return strstr(err->msg, want) != NULL;
}
