/* Crash at every I/O operation: a scripted workload through the public
 * store API runs once to count its M operations, then once for each N in
 * 1..M with the power failing after operation N (see faultvfs.h). Every
 * variant of the disk the crash may leave is then checked:
 *   - no canary, passphrase or SQLite header in any file, before or after
 *     recovery;
 *   - exactly the expected passphrases open the file (around store_passwd
 *     and store_rekey the old, the new or both, as the header writes and
 *     the rename landed);
 *   - store_check passes: every page authenticates, integrity_check ok;
 *   - the content equals the state before or after the step in progress,
 *     and only the state after when that step had returned success.
 * Where a snapshot holds a hot journal, the power fails again after each
 * operation of its recovery (store_open's rollback), and every variant
 * of that second crash passes the same checks.
 *
 * Usage: test_crash [--shard I/N] [--only N] [--verbose]
 * With a shard, only the crash points with N % shards == I are tested;
 * --verbose also shows SQLite's log. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "faultvfs.h"
#include "needlelog/store.h"
#include "workload.h"

#define DB_NAME "rec.nlg"
#define NPASS 6
#define OWNER "owner"
#define MAX_STEPS 32
#define MAX_REPORTED 40

/* How a step changes the key slots: SWAP writes a new slot and then wipes
 * the old (passwd); ADD and REMOVE make one write; REKEY renames. */
enum step_kind { STEP_CREATE, STEP_DATA, STEP_SWAP, STEP_ADD, STEP_REMOVE, STEP_REKEY };

/* The credentials: the owner's three passphrases in turn, bob's, the
 * recovery key (made during the run), and the owner's after recovery. */
enum { P_FIRST, P_SECOND, P_THIRD, P_BOB, P_RECOVERY, P_RECOVERED };
#define C(p) (1u << (p))

struct work {
	char path[PATH_MAX];
	struct store *s;
	struct store_pass pass[NPASS];
	char key[STORE_RECOVERY_TEXT + 1];
	struct nl_err err;
};

struct step {
	const char *name;
	enum step_kind kind;
	unsigned creds; /* which credentials open the file afterwards */
	int (*run)(struct work *w);
};

/* What one pass of the workload did. */
struct record {
	long ops_start, ops_end; /* operations (ops_start, ops_end] are its */
	int ok;                  /* the step returned success */
	uint8_t digest[DIGEST_BYTES];
};

static const char *const passwords[NPASS] = {
	"first correct horse battery", "second Tr0ub4dor&3 passphrase",
	"third after rekey, quite long", "bob's own passphrase here",
	"(the recovery key, set by its step)", "owner's after recovery",
};
static const char *const users[NPASS] = { OWNER, OWNER, OWNER, "bob", "", OWNER };

static int failures, reported;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	failures++;
	if (reported++ >= MAX_REPORTED)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- The workload ---- */

static int sql_error(struct work *w, int rc, const char *what)
{
	return store_sqlite_error(w->s, rc, what, &w->err);
}

/* Runs sql as one transaction. */
static int txn(struct work *w, const char *sql)
{
	sqlite3 *db = store_db(w->s);
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return 0;
	rc = sql_error(w, sqlite3_extended_errcode(db), "workload");
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int step_create(struct work *w)
{
	return store_create(w->path, &w->pass[0], STORE_KDF_MIN, &w->s, &w->err);
}

static int step_migrate1(struct work *w)
{
	static const struct store_migration m[] = { {
		1, "001_crash.sql",
		"CREATE TABLE patient_" CANARY " (id INTEGER PRIMARY KEY,"
		" name_" CANARY " TEXT NOT NULL, note TEXT, photo BLOB);"
		"CREATE INDEX idx_" CANARY " ON patient_" CANARY " (name_" CANARY ");"
	} };

	return store_migrate(w->s, m, 1, &w->err);
}

static int step_insert_few(struct work *w)
{
	return txn(w, "INSERT INTO patient_" CANARY " (name_" CANARY ", note) VALUES"
		   " ('Ada " CANARY " one', 'cheek 1.0 mm'),"
		   " ('Bea " CANARY " two', 'forehead 0.5 mm'),"
		   " ('Cai " CANARY " three', NULL)");
}

/* A blob over three pages, the canary all through it. */
static int step_insert_blob(struct work *w)
{
	enum { BLOB = 3 * 4096 + 300 };
	static uint8_t blob[BLOB];
	sqlite3 *db = store_db(w->s);
	sqlite3_stmt *q = NULL;
	int rc;

	for (size_t i = 0; i < BLOB; i++)
		blob[i] = (uint8_t)CANARY[i % (sizeof(CANARY) - 1)];
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO patient_" CANARY
					" (name_" CANARY ", photo) VALUES ('blob " CANARY "', ?1)",
					-1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(q, 1, blob, BLOB, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(db);
	sqlite3_finalize(q);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return 0;
	rc = sql_error(w, sqlite3_extended_errcode(db), "workload: blob");
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Enough rows for several leaf and index pages. */
static int step_insert_many(struct work *w)
{
	return txn(w, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
		   " WHERE i < 80) INSERT INTO patient_" CANARY " (name_" CANARY ", note)"
		   " SELECT printf('P%03d " CANARY "', i), printf('%0200d " CANARY "', i)"
		   " FROM n");
}

static int step_update(struct work *w)
{
	return txn(w, "UPDATE patient_" CANARY " SET note = coalesce(note, '')"
		   " || ' updated " CANARY "' WHERE id % 3 = 0");
}

/* Frees pages; the next insert takes them back from the free list. */
static int step_delete(struct work *w)
{
	return txn(w, "DELETE FROM patient_" CANARY " WHERE id % 2 = 0 AND photo IS NULL");
}

static int step_insert_again(struct work *w)
{
	return txn(w, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
		   " WHERE i < 30) INSERT INTO patient_" CANARY " (name_" CANARY ", note)"
		   " SELECT printf('R%03d " CANARY "', i), printf('%0300d again', i) FROM n");
}

static int step_vacuum(struct work *w)
{
	int rc = sqlite3_exec(store_db(w->s), "VACUUM", NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sql_error(w, rc, "workload: vacuum");
}

static int step_passwd(struct work *w)
{
	return store_passwd(w->s, &w->pass[1], STORE_KDF_MIN, &w->err);
}

static int step_after_passwd(struct work *w)
{
	return txn(w, "INSERT INTO patient_" CANARY " (name_" CANARY ", note)"
		   " VALUES ('after passwd " CANARY "', 'new slot');"
		   "DELETE FROM patient_" CANARY " WHERE id % 5 = 1 AND photo IS NULL");
}

static int step_rekey(struct work *w)
{
	return store_rekey(w->s, &w->pass[2], STORE_KDF_MIN, &w->err);
}

static int step_after_rekey(struct work *w)
{
	return txn(w, "UPDATE patient_" CANARY " SET note = 'rekeyed " CANARY "'"
		   " WHERE id % 4 = 0;"
		   "DELETE FROM patient_" CANARY " WHERE photo IS NOT NULL");
}

static int step_migrate2(struct work *w)
{
	static const struct store_migration m[] = {
		{ 1, "001_crash.sql", "" },
		{ 2, "002_crash.sql",
		  "CREATE TABLE visit_" CANARY " (id INTEGER PRIMARY KEY,"
		  " patient INTEGER, depth_" CANARY " REAL);"
		  "INSERT INTO visit_" CANARY " (patient, depth_" CANARY ")"
		  " SELECT id, 0.25 * (id % 7) FROM patient_" CANARY ";" },
	};

	return store_migrate(w->s, m, 2, &w->err);
}

static int step_user_add(struct work *w)
{
	return store_user_add(w->s, "bob", &w->pass[P_BOB], STORE_KDF_MIN, &w->err);
}

/* The key is made before any write, so a crashed run knows it too. */
static int step_recovery_new(struct work *w)
{
	int rc = store_recovery_new(w->s, STORE_KDF_MIN, w->key, &w->err);
	struct nl_err err = { 0 };

	store_pass_free(&w->pass[P_RECOVERY]);
	if (store_recovery_parse(w->key, &w->pass[P_RECOVERY], &err) != NL_OK) {
		fprintf(stderr, "FAIL: the recovery key made does not parse: %s\n", err.msg);
		exit(2);
	}
	return rc;
}

/* The owner forgot: the recovery key, in a second handle, sets a new one. */
static int step_recover(struct work *w)
{
	struct store *r = NULL;
	int rc = store_open(w->path, &w->pass[P_RECOVERY], &r, &w->err);

	if (rc == NL_OK)
		rc = store_user_passwd(r, OWNER, &w->pass[P_RECOVERED], STORE_KDF_MIN, &w->err);
	store_close(r);
	return rc;
}

static int step_user_remove(struct work *w)
{
	return store_user_remove(w->s, "bob", &w->err);
}

static int step_after_users(struct work *w)
{
	return txn(w, "INSERT INTO visit_" CANARY " (patient, depth_" CANARY ")"
		   " VALUES (1, 1.5)");
}

static const struct step steps[] = {
	{ "store_create", STEP_CREATE, C(P_FIRST), step_create },
	{ "migration 1", STEP_DATA, C(P_FIRST), step_migrate1 },
	{ "insert 3 rows", STEP_DATA, C(P_FIRST), step_insert_few },
	{ "insert a 12 KiB blob", STEP_DATA, C(P_FIRST), step_insert_blob },
	{ "insert 80 rows", STEP_DATA, C(P_FIRST), step_insert_many },
	{ "update", STEP_DATA, C(P_FIRST), step_update },
	{ "delete", STEP_DATA, C(P_FIRST), step_delete },
	{ "insert 30 rows", STEP_DATA, C(P_FIRST), step_insert_again },
	{ "VACUUM", STEP_DATA, C(P_FIRST), step_vacuum },
	{ "store_passwd", STEP_SWAP, C(P_SECOND), step_passwd },
	{ "insert+delete", STEP_DATA, C(P_SECOND), step_after_passwd },
	{ "store_rekey", STEP_REKEY, C(P_THIRD), step_rekey },
	{ "update+delete blob", STEP_DATA, C(P_THIRD), step_after_rekey },
	{ "migration 2", STEP_DATA, C(P_THIRD), step_migrate2 },
	{ "user add", STEP_ADD, C(P_THIRD) | C(P_BOB), step_user_add },
	{ "recovery-key new", STEP_ADD, C(P_THIRD) | C(P_BOB) | C(P_RECOVERY),
	  step_recovery_new },
	{ "passwd by the recovery key", STEP_SWAP,
	  C(P_RECOVERED) | C(P_BOB) | C(P_RECOVERY), step_recover },
	{ "user remove", STEP_REMOVE, C(P_RECOVERED) | C(P_RECOVERY), step_user_remove },
	{ "insert after the users", STEP_DATA, C(P_RECOVERED) | C(P_RECOVERY),
	  step_after_users },
};

#define NSTEPS ((int)(sizeof(steps) / sizeof(steps[0])))

/* Runs the steps until one fails; returns how many returned success. */
static int run_workload(struct work *w, struct record *rec)
{
	int i;

	for (i = 0; i < NSTEPS; i++) {
		rec[i].ops_start = fault_ops();
		rec[i].ok = steps[i].run(w) == NL_OK;
		rec[i].ops_end = fault_ops();
		if (!rec[i].ok || digest_store(w->s, rec[i].digest) != SQLITE_OK)
			break;
	}
	store_close(w->s);
	w->s = NULL;
	return i;
}

/* ---- Checking one snapshot ---- */

struct expect {
	int step;                 /* the step in progress at the crash */
	int returned;             /* ... and it had returned success */
	int pass_ok[NPASS];       /* which passphrases must open the file */
	const uint8_t *state[2];  /* acceptable digests (NULL: absent) */
};

struct ctx {
	char base[PATH_MAX / 2], run[PATH_MAX / 2 + 16], check[PATH_MAX / 2 + 16];
	char rec[PATH_MAX / 2 + 16];
	struct work w;
	struct record ref[MAX_STEPS];
	struct fault_op *ref_ops;
	long m;
	long points, snapshots, variant_seen[FAULT_VARIANTS];
	long recovery_points, recovery_snapshots;
	int verbose;
};

static void describe_op(long n, char *out, size_t len)
{
	const struct fault_op *op = fault_op_get(n);

	if (!op) {
		snprintf(out, len, "op %ld", n);
		return;
	}
	snprintf(out, len, "op %ld %s %s%s%s off=%lld len=%d", n,
		 fault_kind_name(op->kind), op->name, op->name2[0] ? " -> " : "",
		 op->name2, (long long)op->off, op->len);
}

/* No plaintext in any file: canary, passphrases, SQLite's header. */
static void scan_plaintext(const char *where, const char *name,
			   const uint8_t *buf, size_t len)
{
	const char *needles[2 + NPASS] = { CANARY, "SQLite format 3" };

	for (int p = 0; p < NPASS; p++)
		needles[2 + p] = passwords[p];
	for (int i = 0; i < 2 + NPASS; i++) {
		long at = find_fragment(buf, len, needles[i]);

		if (at >= 0) {
			fail("  %s: %s holds plaintext from \"%s\" at byte %ld",
			     where, name, needles[i], at);
			return;
		}
	}
}

/* What store_open says of a file whose store_create never finished: an
 * empty file, a torn header, or a header with no pages behind it. */
static int is_stub(int rc)
{
	return rc == NL_ENOTFILE || rc == NL_EHEADER || rc == NL_EAUTH;
}

static int digest_ok(const struct expect *e, const uint8_t *d)
{
	for (int i = 0; i < 2; i++)
		if (e->state[i] && memcmp(e->state[i], d, DIGEST_BYTES) == 0)
			return 1;
	return 0;
}

/* Opens with one passphrase that must work, checks, compares the data. */
static void check_open(const struct ctx *c, const char *where,
		       const struct expect *e, int p, int allow_stub)
{
	char path[PATH_MAX + 16], hex[2 * DIGEST_BYTES + 1];
	uint8_t d[DIGEST_BYTES];
	struct store *s = NULL;
	struct nl_err err = { 0 };
	int rc;

	snprintf(path, sizeof(path), "%s/" DB_NAME, c->check);
	rc = store_open(path, &c->w.pass[p], &s, &err);
	if (allow_stub && is_stub(rc))
		return;
	if (rc != NL_OK) {
		fail("  %s: passphrase %d must open the file: status %d: %s",
		     where, p + 1, rc, err.msg);
		return;
	}
	rc = store_check(s, NULL, NULL, &err);
	if (rc != NL_OK)
		fail("  %s: store_check failed: status %d: %s", where, rc, err.msg);
	rc = digest_store(s, d);
	if (rc != SQLITE_OK) {
		fail("  %s: cannot read the data: %s", where, sqlite3_errstr(rc));
	} else if (!digest_ok(e, d)) {
		digest_hex(d, hex);
		fail("  %s: data %.16s... is neither the state before nor after "
		     "step \"%s\"%s", where, hex, steps[e->step].name,
		     e->returned ? " (it had returned: only after is valid)" : "");
	}
	store_close(s);
}

static void check_refused(const struct ctx *c, const char *where, int p,
			  int allow_stub)
{
	char path[PATH_MAX + 16];
	struct store *s = NULL;
	struct nl_err err = { 0 };
	int rc;

	snprintf(path, sizeof(path), "%s/" DB_NAME, c->check);
	rc = store_open(path, &c->w.pass[p], &s, &err);
	if (rc == NL_EPASS)
		return;
	if (allow_stub && is_stub(rc))
		return;
	fail("  %s: passphrase %d must not open the file, got status %d: %s",
	     where, p + 1, rc, rc == NL_OK ? "it opened" : err.msg);
	store_close(s);
}

/* After recovery nothing is left to replay (a journal whose header is
 * still zero is not hot: SQLite leaves it for the next writer), and
 * still no plaintext. */
static void check_after_recovery(const struct ctx *c, const char *where,
				 const struct fault_image *f, size_t n)
{
	char path[PATH_MAX + FAULT_NAME_MAX];
	size_t len;
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/" DB_NAME "-journal", c->check);
	buf = read_file(path, &len);
	if (buf && len > 0 && buf[0] != 0)
		fail("  %s: a hot %zu-byte journal is left after recovery", where, len);
	free(buf);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", c->check, f[i].name);
		buf = read_file(path, &len);
		if (buf)
			scan_plaintext(where, f[i].name, buf, len);
		free(buf);
	}
}

/* NL_CRASH_KEEP=1: a failing snapshot is kept as it was before recovery. */
static void keep_snapshot(const struct ctx *c, long n, enum fault_variant v,
			  const struct fault_image *f, size_t nf)
{
	char dir[PATH_MAX];

	if (!getenv("NL_CRASH_KEEP"))
		return;
	snprintf(dir, sizeof(dir), "%s/keep-%ld-%s", c->base, n, fault_variant_name(v));
	if (mkdir(dir, 0700) == 0 && write_snapshot(dir, f, nf) == 0)
		fprintf(stderr, "  kept in %s\n", dir);
}

static int has_db(const struct fault_image *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].name, DB_NAME) == 0)
			return 1;
	return 0;
}

static int same_images(const struct fault_image *a, size_t na,
		       const struct fault_image *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++) {
		size_t j;

		for (j = 0; j < nb; j++)
			if (strcmp(a[i].name, b[j].name) == 0)
				break;
		if (j == nb || a[i].len != b[j].len ||
		    memcmp(a[i].data, b[j].data, a[i].len) != 0)
			return 0;
	}
	return 1;
}

/* Every check on one set of files, as a reboot would find them. */
static void check_files(const struct ctx *c, const char *where,
			const struct expect *e, const struct fault_image *f,
			size_t nf)
{
	int stub_ok;

	for (size_t i = 0; i < nf; i++)
		scan_plaintext(where, f[i].name, f[i].data, f[i].len);
	if (write_snapshot(c->check, f, nf) != 0) {
		fail("  %s: cannot write the snapshot in %s: %s", where, c->check,
		     strerror(errno));
		return;
	}
	if (!has_db(f, nf)) {
		if (e->step != 0 || e->returned)
			fail("  %s: the record file is gone", where);
		return;
	}
	/* A crash inside store_create may leave an empty or half-written
	 * header: an unusable stub, but no data lost. */
	stub_ok = e->step == 0 && !e->returned;
	for (int p = 0; p < NPASS; p++)
		if (!e->pass_ok[p])
			check_refused(c, where, p, stub_ok);
	for (int p = 0; p < NPASS; p++)
		if (e->pass_ok[p])
			check_open(c, where, e, p, stub_ok);
	check_after_recovery(c, where, f, nf);
}

static int has_hot_journal(const struct fault_image *f, size_t nf)
{
	for (size_t i = 0; i < nf; i++)
		if (strcmp(f[i].name, DB_NAME "-journal") == 0 && f[i].len > 0 &&
		    f[i].data[0] != 0)
			return 1;
	return 0;
}

static struct fault_image *copy_images(const struct fault_image *f, size_t nf)
{
	struct fault_image *copy = calloc(nf ? nf : 1, sizeof(*copy));

	for (size_t i = 0; copy && i < nf; i++) {
		copy[i] = f[i];
		copy[i].data = malloc(f[i].len ? f[i].len : 1);
		if (!copy[i].data) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		memcpy(copy[i].data, f[i].data, f[i].len);
	}
	return copy;
}

static void free_images(struct fault_image *f, size_t nf)
{
	for (size_t i = 0; f && i < nf; i++)
		free(f[i].data);
	free(f);
}

/* Opens the files in c->rec with passphrase p, the power failing after
 * operation crash (0: never); returns how many operations there were. */
static long recover_once(const struct ctx *c, const struct fault_image *f,
			 size_t nf, int p, long crash)
{
	char path[PATH_MAX];
	struct store *s = NULL;
	struct nl_err err = { 0 };

	snprintf(path, sizeof(path), "%s/" DB_NAME, c->rec);
	if (write_snapshot(c->rec, f, nf) != 0)
		fail("cannot write the snapshot in %s: %s", c->rec, strerror(errno));
	fault_begin(c->rec, crash);
	if (store_open(path, &c->w.pass[p], &s, &err) == NL_OK)
		store_close(s);
	fault_end();
	return fault_ops();
}

/* A second power failure, during the rollback of the hot journal: after
 * each of the recovery's operations, every variant must still give the
 * same answers. */
static void crash_recovery(struct ctx *c, const char *where,
			   const struct expect *e, const struct fault_image *f,
			   size_t nf)
{
	struct fault_image *orig = copy_images(f, nf);
	char where2[1024], op[256];
	long ops;
	int p = 0;

	while (p < NPASS && !e->pass_ok[p])
		p++;
	ops = p < NPASS && orig ? recover_once(c, orig, nf, p, 0) : 0;
	for (long r = 1; r <= ops; r++) {
		const struct fault_image *g[FAULT_VARIANTS];
		size_t ng[FAULT_VARIANTS];

		recover_once(c, orig, nf, p, r);
		c->recovery_points++;
		describe_op(r, op, sizeof(op));
		for (int v = 0; v < FAULT_VARIANTS; v++) {
			int dup = fault_snapshot(v, &g[v], &ng[v]) != 0 ||
				  same_images(g[v], ng[v], orig, nf);

			for (int u = 0; u < v && !dup; u++)
				dup = g[u] && same_images(g[u], ng[u], g[v], ng[v]);
			if (dup) {
				g[v] = NULL;
				continue;
			}
			snprintf(where2, sizeof(where2), "%s, then during recovery %s variant=%s",
				 where, op, fault_variant_name(v));
			check_files(c, where2, e, g[v], ng[v]);
			c->recovery_snapshots++;
		}
	}
	free_images(orig, nf);
}

static void check_snapshot(struct ctx *c, long n, const char *op,
			   enum fault_variant v, const struct expect *e,
			   const struct fault_image *f, size_t nf, int nested)
{
	char where[512];
	int before = failures;

	snprintf(where, sizeof(where), "N=%ld (%s) variant=%s step=\"%s\"",
		 n, op, fault_variant_name(v), steps[e->step].name);
	check_files(c, where, e, f, nf);
	if (failures > before)
		keep_snapshot(c, n, v, f, nf);
	else if (nested)
		crash_recovery(c, where, e, f, nf);
	if (failures > before && reported <= MAX_REPORTED) {
		fprintf(stderr, "FAIL at %s (expected credential(s):", where);
		for (int p = 0; p < NPASS; p++)
			if (e->pass_ok[p])
				fprintf(stderr, " %d", p + 1);
		fprintf(stderr, ")\n");
	}
	else if (c->verbose)
		printf("ok %s\n", where);
}

/* ---- What a crash may leave, from the reference run ---- */

static int step_of(const struct ctx *c, long n)
{
	for (int k = 0; k < NSTEPS; k++)
		if (c->ref[k].ops_start < n && n <= c->ref[k].ops_end)
			return k;
	return -1;
}

/* The first and second writes into the container header during step k. */
static long header_write(const struct ctx *c, int k, int which)
{
	for (long i = c->ref[k].ops_start + 1; i <= c->ref[k].ops_end; i++) {
		const struct fault_op *op = &c->ref_ops[i - 1];

		if (op->kind == FAULT_WRITE && strcmp(op->name, DB_NAME) == 0 &&
		    op->off < 4096 && which-- == 0)
			return i;
	}
	return 0;
}

static long rename_op(const struct ctx *c, int k)
{
	for (long i = c->ref[k].ops_start + 1; i <= c->ref[k].ops_end; i++)
		if (c->ref_ops[i - 1].kind == FAULT_RENAME)
			return i;
	return 0;
}

/* Which credentials open the file: those the step keeps always; those
 * it adds once their write (or the rename) landed whole; those it removes
 * until the wipe (or the rename) landed at all. */
static void expect_passes(const struct ctx *c, enum fault_variant v,
			  struct expect *e)
{
	int k = e->step;
	unsigned before = steps[k > 0 ? k - 1 : 0].creds, after = steps[k].creds;
	unsigned ok = before & after, added = after & ~before, removed = before & ~after;
	long w1 = 0, w2 = 0;

	switch (steps[k].kind) {
	case STEP_SWAP:
		/* The new slot is written and synced, then the old one zeroed. */
		w1 = header_write(c, k, 0);
		w2 = header_write(c, k, 1);
		if (!w1 || !w2)
			fail("step \"%s\" made %s header writes: the test cannot follow it",
			     steps[k].name, w1 ? "one" : "no");
		ok |= fault_landed(v, w1) == FAULT_FULL ? added : 0;
		ok |= fault_landed(v, w2) == FAULT_NONE ? removed : 0;
		break;
	case STEP_ADD:
	case STEP_REMOVE:
		w1 = header_write(c, k, 0);
		if (!w1 || header_write(c, k, 1))
			fail("step \"%s\" did not make one header write", steps[k].name);
		ok |= fault_landed(v, w1) == FAULT_FULL ? added : 0;
		ok |= fault_landed(v, w1) == FAULT_NONE ? removed : 0;
		break;
	case STEP_REKEY:
		w1 = rename_op(c, k);
		if (!w1)
			fail("store_rekey made no rename: the test cannot follow it");
		ok |= fault_landed(v, w1) == FAULT_FULL ? added : removed;
		break;
	default:
		ok = before;
		break;
	}
	for (int p = 0; p < NPASS; p++)
		e->pass_ok[p] = (ok >> p) & 1;
}

static void expect_for(const struct ctx *c, long n, int returned,
		       enum fault_variant v, struct expect *e)
{
	int k = step_of(c, n);

	e->step = k;
	e->returned = returned;
	e->state[0] = k > 0 && !returned ? c->ref[k - 1].digest : NULL;
	e->state[1] = c->ref[k].digest;
	expect_passes(c, v, e);
}

/* ---- Driving the runs ---- */


/* The operations up to the crash must be those of the reference run. */
static int same_ops(const struct ctx *c, long n)
{
	for (long i = 1; i <= n; i++) {
		const struct fault_op *a = fault_op_get(i), *b = &c->ref_ops[i - 1];

		if (!a || a->kind != b->kind || strcmp(a->name, b->name) != 0 ||
		    strcmp(a->name2, b->name2) != 0 || a->off != b->off ||
		    a->len != b->len) {
			char d[256];

			describe_op(i, d, sizeof(d));
			fail("FAIL N=%ld: the workload is not deterministic: %s, "
			     "the reference run had %s %s off=%lld len=%d", n, d,
			     fault_kind_name(b->kind), b->name, (long long)b->off, b->len);
			return 0;
		}
	}
	return 1;
}

static void crash_at(struct ctx *c, long n)
{
	struct record rec[MAX_STEPS];
	const struct fault_image *f[FAULT_VARIANTS];
	struct fault_image *mine[FAULT_VARIANTS] = { NULL };
	struct expect e[FAULT_VARIANTS];
	size_t nf[FAULT_VARIANTS];
	char op[256];
	int done, nested = -1, k = step_of(c, n);

	empty_dir(c->run);
	memset(rec, 0, sizeof(rec));
	fault_begin(c->run, n);
	done = run_workload(&c->w, rec);
	fault_end();
	c->points++;
	if (!fault_crashed()) {
		fail("FAIL N=%ld: the power never failed (the workload made %ld operations)",
		     n, fault_ops());
		return;
	}
	if (fault_model_error()) {
		fail("FAIL N=%ld: the fault model lost track: %s", n, fault_model_error());
		return;
	}
	if (!same_ops(c, n) || k < 0)
		return;
	describe_op(n, op, sizeof(op));
	/* Everything taken from the model first: checking a snapshot with a
	 * hot journal crashes its recovery too, and that starts the model
	 * over. */
	for (int v = 0; v < FAULT_VARIANTS; v++) {
		int dup = 0;

		if (fault_snapshot(v, &f[v], &nf[v]) != 0) {
			f[v] = NULL;
			continue;
		}
		for (int u = 0; u < v && !dup; u++)
			dup = f[u] && same_images(f[u], nf[u], f[v], nf[v]);
		if (dup)
			continue;
		/* A step's own operations end at ops_end, so it returned only
		 * if the crash came at its last one and it said so. */
		expect_for(c, n, done > k, v, &e[v]);
		mine[v] = copy_images(f[v], nf[v]);
	}
	/* The recovery is crashed from one variant with a hot journal (the
	 * last, torn if it has one): the others replay much the same. */
	for (int v = 0; v < FAULT_VARIANTS; v++)
		if (mine[v] && has_hot_journal(mine[v], nf[v]))
			nested = v;
	for (int v = 0; v < FAULT_VARIANTS; v++) {
		if (!mine[v])
			continue;
		check_snapshot(c, n, op, v, &e[v], mine[v], nf[v], v == nested);
		free_images(mine[v], nf[v]);
		c->snapshots++;
		c->variant_seen[v]++;
	}
}

static int reference_run(struct ctx *c)
{
	int done;

	empty_dir(c->run);
	fault_begin(c->run, 0);
	done = run_workload(&c->w, c->ref);
	fault_end();
	if (done != NSTEPS) {
		fprintf(stderr, "FAIL: the workload without a crash stopped at step \"%s\": %s\n",
			steps[done].name, c->w.err.msg);
		return -1;
	}
	if (fault_model_error()) {
		fprintf(stderr, "FAIL: the fault model lost track: %s\n", fault_model_error());
		return -1;
	}
	c->m = fault_ops();
	c->ref_ops = calloc((size_t)c->m, sizeof(*c->ref_ops));
	if (!c->ref_ops)
		return -1;
	for (long i = 1; i <= c->m; i++)
		c->ref_ops[i - 1] = *fault_op_get(i);
	for (int k = 0; k < NSTEPS; k++)
		printf("step %2d %-22s operations %4ld..%4ld\n", k, steps[k].name,
		       c->ref[k].ops_start + 1, c->ref[k].ops_end);
	for (long i = 1; c->verbose && i <= c->m; i++) {
		char d[256];

		describe_op(i, d, sizeof(d));
		printf("  %s\n", d);
	}
	return 0;
}

/* Everything under a fresh directory with no symbolic links in its path,
 * as SQLite names the files: on tmpfs when there is one (the checks
 * fsync for real). */
static int make_dirs(struct ctx *c)
{
	const char *root = getenv("NL_CRASH_DIR");
	char tmpl[PATH_MAX], full[PATH_MAX];
	struct stat st;

	if (!root)
		root = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
		       access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	snprintf(tmpl, sizeof(tmpl), "%s/nl-crash-XXXXXX", root ? root : "/tmp");
	if (!mkdtemp(tmpl) || !realpath(tmpl, full) || strlen(full) >= sizeof(c->base)) {
		fprintf(stderr, "cannot make a directory in %s: %s\n", tmpl, strerror(errno));
		return -1;
	}
	memcpy(c->base, full, strlen(full) + 1);
	snprintf(c->run, sizeof(c->run), "%s/run", c->base);
	snprintf(c->check, sizeof(c->check), "%s/check", c->base);
	snprintf(c->rec, sizeof(c->rec), "%s/recovery", c->base);
	snprintf(c->w.path, sizeof(c->w.path), "%s/" DB_NAME, c->run);
	if (mkdir(c->run, 0700) != 0 || mkdir(c->check, 0700) != 0 ||
	    mkdir(c->rec, 0700) != 0)
		return -1;
	return 0;
}

static void remove_dirs(const struct ctx *c)
{
	empty_dir(c->run);
	empty_dir(c->check);
	empty_dir(c->rec);
	rmdir(c->run);
	rmdir(c->check);
	rmdir(c->rec);
	rmdir(c->base);
}

static int setup(struct ctx *c)
{
	struct nl_err err = { 0 };

	/* The MIN Argon2id limits, honoured by a -Dtest_kdf=true build. */
	setenv("NEEDLELOG_TEST_KDF", "min", 0);
	/* SQLite's allocator is set before the fault VFS starts SQLite */
	if (store_memory_init(&err) != NL_OK || fault_register() != SQLITE_OK ||
	    store_global_init(&err) != NL_OK) {
		fprintf(stderr, "cannot set up the VFS stack: %s\n", err.msg);
		return -1;
	}
	for (int p = 0; p < NPASS; p++)
		if (store_pass_set(&c->w.pass[p], passwords[p], strlen(passwords[p]),
				   &err) != NL_OK ||
		    store_pass_user(&c->w.pass[p], users[p], &err) != NL_OK)
			return -1;
	c->w.pass[P_RECOVERY].recovery = true;
	/* The scan must see a fragment cut short by a page end. */
	if (find_fragment((const uint8_t *)"..." CANARY, 11, CANARY) != 3 ||
	    find_fragment((const uint8_t *)CANARY + 9, 9, CANARY) != 0) {
		fprintf(stderr, "FAIL: the plaintext scan misses fragments\n");
		return -1;
	}
	return make_dirs(c);
}

static void log_sqlite(void *ctx, int rc, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "    sqlite log %d: %s\n", rc, msg);
}

static int parse_args(int argc, char **argv, long *shard, long *shards,
		      int *verbose, long *only)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
			*only = atol(argv[++i]);
			continue;
		}
		if (strcmp(argv[i], "--shard") == 0 && i + 1 < argc &&
		    sscanf(argv[++i], "%ld/%ld", shard, shards) == 2 &&
		    *shards > 0 && *shard >= 0 && *shard < *shards)
			continue;
		if (strcmp(argv[i], "--verbose") == 0) {
			*verbose = 1;
			sqlite3_config(SQLITE_CONFIG_LOG, log_sqlite, NULL);
			continue;
		}
		fprintf(stderr, "usage: test_crash [--shard I/N] [--only N] [--verbose]\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct ctx c;
	long shard = 0, shards = 1, only = 0;
	struct timespec t0, t1;

	if (parse_args(argc, argv, &shard, &shards, &c.verbose, &only) != 0 || setup(&c) != 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (reference_run(&c) != 0) {
		remove_dirs(&c);
		return 1;
	}
	for (long n = 1; n <= c.m; n++)
		if (n % shards == shard && (only == 0 || n == only))
			crash_at(&c, n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%ld operations; %ld crash points (shard %ld/%ld); %ld distinct "
	       "snapshots checked (synced %ld, synced+dirs %ld, all-writes %ld, "
	       "torn %ld); recovery crashed at %ld points, %ld more snapshots; "
	       "%.1f s\n", c.m, c.points, shard, shards, c.snapshots,
	       c.variant_seen[FAULT_SYNCED], c.variant_seen[FAULT_DIRS],
	       c.variant_seen[FAULT_ALL], c.variant_seen[FAULT_TORN],
	       c.recovery_points, c.recovery_snapshots,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (c.points == 0 || c.snapshots < c.points)
		fail("FAIL: too few snapshots were checked");
	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	if (getenv("NL_CRASH_KEEP"))
		printf("kept %s\n", c.base);
	else
		remove_dirs(&c);
	free(c.ref_ops);
	for (int p = 0; p < NPASS; p++)
		store_pass_free(&c.w.pass[p]);
	return failures ? 1 : 0;
}
