/* kill -9 soak: a child loops over transactions that keep an invariant
 * (transfers between accounts: the total never changes; a commit counter;
 * a ledger row per commit) and reports each counter value on a pipe once
 * COMMIT has returned. The parent kills it with SIGKILL after a random
 * delay, then scans the files for plaintext, reopens the record file with
 * store_open, runs store_check and checks that:
 *   - the total is unchanged and the ledger agrees with the counter;
 *   - no acknowledged commit was lost: counter >= the last value acked;
 *   - at most the one commit in flight was not acked: counter <= acked + 1;
 *   - the counter never goes back.
 *
 * Usage: soak [--kills N] [--max-delay-ms MS] [--seed S] */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "needlelog/store.h"
#include "workload.h"

#define ACCOUNTS 40
#define OPENING_BALANCE 1000
#define TOTAL ((long long)ACCOUNTS * OPENING_BALANCE)
#define LEDGER_KEEP 300
#define PASSWORD "soak passphrase, not in the file"

struct opts {
	long kills;
	long max_delay_ms;
	unsigned long long seed;
};

struct stats {
	long long commits_acked;
	long hot_journals;   /* kills that left a journal to replay */
	long early_kills;    /* kills before the first acknowledged commit */
};

static unsigned long long rng_state;

static unsigned long long rng(void)
{
	/* xorshift64*: reproducible from the printed seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- The child ---- */

static int exec1(sqlite3 *db, const char *sql, long long a, long long b,
		 long long *out)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(q, 1, a);
	sqlite3_bind_int64(q, 2, b);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && out)
		*out = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* One transfer; returns the new counter, or -1. */
static long long transfer(sqlite3 *db)
{
	long long from = (long long)(rng() % ACCOUNTS) + 1;
	long long to = (long long)(rng() % (ACCOUNTS - 1)) + 1;
	long long amount = (long long)(rng() % 100) + 1, counter = -1;
	int rc;

	if (to >= from)
		to++;
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = exec1(db, "UPDATE acct SET bal = bal - ?2 WHERE id = ?1", from, amount, NULL);
	if (rc == SQLITE_OK)
		rc = exec1(db, "UPDATE acct SET bal = bal + ?2 WHERE id = ?1", to, amount, NULL);
	if (rc == SQLITE_OK)
		rc = exec1(db, "UPDATE counter SET n = n + 1 RETURNING n", 0, 0, &counter);
	if (rc == SQLITE_OK)
		rc = exec1(db, "INSERT INTO ledger (n, note) VALUES (?1, printf("
			   "'%d from %d to %d " CANARY " %.*c', ?1, ?2, ?2, ?2 % 300, 'x'))",
			   counter, from, NULL);
	/* Churn: old ledger rows go, so pages are freed and reused. */
	if (rc == SQLITE_OK && counter % 50 == 0)
		rc = exec1(db, "DELETE FROM ledger WHERE n <= ?1", counter - LEDGER_KEEP, 0, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc == SQLITE_OK ? counter : -1;
}

static void child(const char *path, int out, unsigned long long seed)
{
	struct store_pass pass;
	struct store *s;
	struct nl_err err = { 0 };

	rng_state = seed | 1;
	if (store_pass_set(&pass, PASSWORD, strlen(PASSWORD), &err) != NL_OK ||
	    store_open(path, &pass, &s, &err) != NL_OK) {
		fprintf(stderr, "soak child: %s\n", err.msg);
		_exit(3);
	}
	for (;;) {
		long long n = transfer(store_db(s));

		if (n < 0) {
			fprintf(stderr, "soak child: %s\n", sqlite3_errmsg(store_db(s)));
			_exit(4);
		}
		if (write(out, &n, sizeof(n)) != (ssize_t)sizeof(n))
			_exit(5);
	}
}

/* ---- The parent ---- */

struct acks {
	long long last;
	long count;
	unsigned char buf[sizeof(long long)];
	size_t have;
};

static void add_bytes(struct acks *a, const unsigned char *p, ssize_t n)
{
	for (ssize_t i = 0; i < n; i++) {
		a->buf[a->have++] = p[i];
		if (a->have == sizeof(a->buf)) {
			memcpy(&a->last, a->buf, sizeof(a->last));
			a->count++;
			a->have = 0;
		}
	}
}

/* Once the child is dead: everything up to the end of the pipe. */
static void take_acks(int fd, struct acks *a)
{
	unsigned char chunk[4096];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		add_bytes(a, chunk, n);
}

/* Reads acks until the deadline (or the first ack, if until_ack), so the
 * child never blocks on the pipe. */
static void wait_reading(int fd, double deadline, int until_ack, struct acks *a)
{
	double left;

	while ((left = deadline - now_ms()) > 0 && !(until_ack && a->count > 0)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		unsigned char chunk[4096];
		ssize_t n;

		/* One read per wake-up: the child is alive, a second could block. */
		if (poll(&p, 1, (int)left + 1) > 0 &&
		    (n = read(fd, chunk, sizeof(chunk))) > 0)
			add_bytes(a, chunk, n);
	}
}

static int query_ll(sqlite3 *db, const char *sql, long long *out)
{
	long long v = -1;
	int rc = exec1(db, sql, 0, 0, &v);

	*out = v;
	return rc;
}

static int fail(long round, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(long round, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL after kill %ld: ", round);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* No plaintext in the files the kill left, hot journal included. */
static int scan_files(const char *path, long round, struct stats *st)
{
	const char *needles[] = { CANARY, PASSWORD, "SQLite format 3" };
	char jpath[PATH_MAX + 32];
	const char *files[] = { path, jpath };

	snprintf(jpath, sizeof(jpath), "%s-journal", path);
	for (int f = 0; f < 2; f++) {
		size_t len;
		uint8_t *buf = read_file(files[f], &len);

		if (!buf)
			continue;
		if (f == 1 && len > 0)
			st->hot_journals++;
		for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++) {
			long at = find_fragment(buf, len, needles[i]);

			if (at >= 0) {
				free(buf);
				return fail(round, "%s holds plaintext from \"%s\" at byte %ld",
					    files[f], needles[i], at);
			}
		}
		free(buf);
	}
	return 0;
}

static int check_invariants(sqlite3 *db, long round, long long *counter)
{
	long long total, accounts, top;

	if (query_ll(db, "SELECT n FROM counter", counter) != SQLITE_OK ||
	    query_ll(db, "SELECT sum(bal) FROM acct", &total) != SQLITE_OK ||
	    query_ll(db, "SELECT count(*) FROM acct", &accounts) != SQLITE_OK ||
	    query_ll(db, "SELECT coalesce(max(n), 0) FROM ledger", &top) != SQLITE_OK)
		return fail(round, "cannot read the state: %s", sqlite3_errmsg(db));
	if (accounts != ACCOUNTS || total != TOTAL)
		return fail(round, "%lld accounts holding %lld; expected %d holding %lld",
			    accounts, total, ACCOUNTS, TOTAL);
	if (top != *counter)
		return fail(round, "the last ledger row is commit %lld, the counter says %lld",
			    top, *counter);
	return 0;
}

/* After a kill: reopen, check every page, then the invariants. */
static int check_file(const char *path, const struct store_pass *pass,
		      long round, long long acked, long long *prev,
		      struct stats *st)
{
	struct store *s = NULL;
	struct nl_err err = { 0 };
	long long counter = -1;
	int rc;

	if (scan_files(path, round, st) != 0)
		return -1;
	rc = store_open(path, pass, &s, &err);
	if (rc != NL_OK)
		return fail(round, "store_open: status %d: %s", rc, err.msg);
	rc = store_check(s, NULL, NULL, &err);
	if (rc != NL_OK)
		rc = fail(round, "store_check: status %d: %s", rc, err.msg);
	if (rc == NL_OK)
		rc = check_invariants(store_db(s), round, &counter);
	store_close(s);
	if (rc != NL_OK)
		return -1;
	if (counter < acked)
		return fail(round, "commit %lld was acknowledged, the file has only %lld",
			    acked, counter);
	if (counter > acked + 1)
		return fail(round, "the file has commit %lld, but only %lld was acknowledged "
			    "and one more can be in flight", counter, acked);
	if (counter < *prev)
		return fail(round, "the counter went back from %lld to %lld", *prev, counter);
	*prev = counter;
	return 0;
}

/* One child, killed after delay_ms; a negative delay kills it at its
 * first acknowledged commit and says in *delay_ms how long that took. */
static int one_kill(const char *path, const struct store_pass *pass,
		    double *delay_ms, long round, long long *prev,
		    struct stats *st)
{
	struct acks a = { .last = *prev };
	int fds[2], status, calibrate = *delay_ms < 0;
	double t0;
	pid_t pid;

	if (pipe(fds) != 0)
		return fail(round, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return fail(round, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		child(path, fds[1], rng());
	}
	close(fds[1]);
	t0 = now_ms();
	wait_reading(fds[0], t0 + (calibrate ? 30000 : *delay_ms), calibrate, &a);
	if (calibrate)
		*delay_ms = now_ms() - t0;
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return fail(round, "waitpid: %s", strerror(errno));
	take_acks(fds[0], &a);
	close(fds[0]);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return fail(round, "the child stopped by itself (status %d) before the kill", status);
	st->commits_acked += a.count;
	st->early_kills += a.count == 0;
	return check_file(path, pass, round, a.last, prev, st);
}

static int make_file(const char *path, const struct store_pass *pass)
{
	static const struct store_migration m[] = { {
		1, "001_soak.sql",
		"CREATE TABLE acct (id INTEGER PRIMARY KEY, bal INTEGER NOT NULL);"
		"CREATE TABLE counter (n INTEGER NOT NULL);"
		"CREATE TABLE ledger (n INTEGER PRIMARY KEY, note TEXT);"
		"CREATE INDEX ledger_note_" CANARY " ON ledger (note);"
		"INSERT INTO counter VALUES (0);"
		"WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 40)"
		" INSERT INTO acct SELECT k, 1000 FROM i;"
	} };
	struct store *s;
	struct nl_err err = { 0 };
	int rc = store_create(path, pass, STORE_KDF_MIN, &s, &err);

	if (rc == NL_OK)
		rc = store_migrate(s, m, 1, &err);
	store_close(s);
	if (rc != NL_OK)
		fprintf(stderr, "FAIL: cannot create the record file: %s\n", err.msg);
	return rc;
}

static int parse(int argc, char **argv, struct opts *o)
{
	o->kills = 150;
	o->max_delay_ms = 60;
	o->seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20);
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--kills") == 0)
			o->kills = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--max-delay-ms") == 0)
			o->max_delay_ms = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--seed") == 0)
			o->seed = strtoull(argv[i + 1], NULL, 0);
		else
			return -1;
	}
	if (argc % 2 == 0 || o->kills < 1 || o->max_delay_ms < 0)
		return -1;
	return 0;
}

static int make_dir(char *dir, size_t n)
{
	const char *root = getenv("NL_CRASH_DIR");
	char tmpl[PATH_MAX];

	if (!root)
		root = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	snprintf(tmpl, sizeof(tmpl), "%s/nl-soak-XXXXXX", root ? root : "/tmp");
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(dir, n, "%s", tmpl);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct stats st = { 0 };
	struct store_pass pass;
	struct nl_err err = { 0 };
	char dir[PATH_MAX], path[PATH_MAX + 16];
	long long prev = 0;
	double t0 = now_ms(), first;
	int rc = 0;
	long k;

	if (parse(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: soak [--kills N] [--max-delay-ms MS] [--seed S]\n");
		return 2;
	}
	setenv("NEEDLELOG_TEST_KDF", "min", 0);
	signal(SIGPIPE, SIG_IGN);
	rng_state = o.seed | 1;
	printf("seed %llu, %ld kills, delays up to %ld ms\n", o.seed, o.kills, o.max_delay_ms);
	if (store_global_init(&err) != NL_OK ||
	    store_pass_set(&pass, PASSWORD, strlen(PASSWORD), &err) != NL_OK ||
	    make_dir(dir, sizeof(dir)) != 0) {
		fprintf(stderr, "FAIL: set-up: %s\n", err.msg);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/soak.nlg", dir);
	if (make_file(path, &pass) != NL_OK)
		rc = -1;
	/* Kill 0 times the child's way to its first commit (slower under a
	 * sanitizer); the others fall at random over twice that span (the
	 * machine's load varies) and max-delay-ms more: in the open, the
	 * recovery and the transfers. */
	first = -1;
	if (rc == 0)
		rc = one_kill(path, &pass, &first, 0, &prev, &st);
	if (rc == 0)
		printf("first commit acknowledged after %.1f ms\n", first);
	for (k = 1; rc == 0 && k <= o.kills; k++) {
		double delay = (double)(rng() % 1000000) / 1e6 *
			       (2 * first + (double)o.max_delay_ms);

		rc = one_kill(path, &pass, &delay, k, &prev, &st);
	}
	printf("%ld kills, %lld commits acknowledged, final counter %lld, %ld kills "
	       "left a journal to replay, %ld came before any commit; %.1f s\n",
	       k - 1, st.commits_acked, prev, st.hot_journals, st.early_kills,
	       (now_ms() - t0) / 1e3);
	/* Kills in the middle of the transfers are the point. */
	if (rc == 0 && k - 1 - st.early_kills < o.kills / 10)
		rc = fail(k, "only %ld kills came after a commit: the soak tested too little",
			  k - 1 - st.early_kills);
	/* ... and so are kills inside one: a hot journal to roll back. */
	if (rc == 0 && o.kills >= 50 && st.hot_journals == 0)
		rc = fail(k, "no kill left a journal to roll back: the soak tested too little");
	empty_dir(dir);
	rmdir(dir);
	store_pass_free(&pass);
	return rc == 0 ? 0 : 1;
}
