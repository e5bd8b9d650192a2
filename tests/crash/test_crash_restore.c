/* Power loss during a backup with pruning, and during a restore, at every
 * I/O operation (the fault model of faultvfs.h, with link(2) wrapped too).
 * The workload, all in one watched directory:
 *   setup:   a record file (state A), two dated copies of A, an update (B);
 *   prune:   a dated copy of B, then pruning to one day: the two copies of
 *            A are removed;
 *   between: an update (C), the file closed;
 *   restore: the copy of B put in place of the file (state C).
 * After a crash in "prune", every variant of the disk must hold the record
 * file at B, at least one copy, every copy (*.nlbak) whole and checking
 * clean (A or B), and the new copy once the step had returned. After a
 * crash in "restore", the record file must open, check clean and hold C or
 * B (B once the step had returned), and a kept .before-restore- file must
 * hold C: the old or the new file complete, never neither.
 * Usage: test_crash_restore [--verbose] */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "faultvfs.h"
#include "needlelog/backup.h"
#include "needlelog/store.h"
#include "workload.h"

#define DB_NAME "rec.nlg"
#define T0 1795990500
#define DAY 86400

enum phase { PH_SETUP, PH_PRUNE, PH_BETWEEN, PH_RESTORE, PH_COUNT };
enum state { ST_A, ST_B, ST_C, ST_COUNT };

struct run {
	long start[PH_COUNT], end[PH_COUNT];
	int ok[PH_COUNT];
	uint8_t digest[ST_COUNT][DIGEST_BYTES];
	char made[PATH_MAX];
};

static char base[PATH_MAX / 2], dir[PATH_MAX / 2 + 8], chk[PATH_MAX / 2 + 8];
static char db[PATH_MAX];
static struct store_pass pw;
static struct run ref;
static int failures, verbose;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	if (failures++ > 40)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int txn(struct store *s, const char *sql)
{
	char *full = sqlite3_mprintf("BEGIN IMMEDIATE; %s; COMMIT", sql);
	int rc = full ? sqlite3_exec(store_db(s), full, NULL, NULL, NULL) : SQLITE_NOMEM;

	sqlite3_free(full);
	if (rc != SQLITE_OK)
		sqlite3_exec(store_db(s), "ROLLBACK", NULL, NULL, NULL);
	return rc == SQLITE_OK ? NL_OK : NL_EIO;
}

static int setup_phase(struct run *r, struct store **s)
{
	struct nl_err err = { 0 };
	char *made = NULL;
	int rc = store_create(db, &pw, STORE_KDF_MIN, s, &err);

	if (rc == NL_OK)
		rc = txn(*s, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
			 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
			 " WHERE i < 40) INSERT INTO t (v) SELECT printf('%0300d', i) FROM n");
	if (rc == NL_OK)
		rc = digest_store(*s, r->digest[ST_A]) == SQLITE_OK ? NL_OK : NL_EIO;
	for (int d = 2; rc == NL_OK && d >= 1; d--) {
		rc = backup_make(*s, dir, &pw, T0 - d * DAY, NULL, NULL, &made, &err);
		free(made);
		made = NULL;
	}
	if (rc == NL_OK)
		rc = txn(*s, "UPDATE t SET v = 'B' || v WHERE id % 3 = 0");
	if (rc == NL_OK)
		rc = digest_store(*s, r->digest[ST_B]) == SQLITE_OK ? NL_OK : NL_EIO;
	return rc;
}

static int prune_phase(struct run *r, struct store *s)
{
	static const struct backup_policy one_day = { .daily = 1 };
	struct nl_err err = { 0 };
	char *made = NULL;
	int rc = backup_make(s, dir, &pw, T0, NULL, NULL, &made, &err);

	if (rc == NL_OK) {
		snprintf(r->made, sizeof(r->made), "%s", made);
		rc = backup_prune(dir, &one_day, strrchr(made, '/') + 1, &pw, NULL, &err);
	}
	free(made);
	return rc;
}

static int between_phase(struct run *r, struct store **s)
{
	int rc = txn(*s, "DELETE FROM t WHERE id > 30; UPDATE t SET v = 'C'");

	if (rc == NL_OK)
		rc = digest_store(*s, r->digest[ST_C]) == SQLITE_OK ? NL_OK : NL_EIO;
	store_close(*s);
	*s = NULL;
	return rc;
}

static int restore_phase(struct run *r)
{
	struct nl_err err = { 0 };
	char *kept = NULL;
	int rc = store_restore(r->made, db, &pw, T0 + DAY, NULL, NULL, &kept, &err);

	free(kept);
	return rc;
}

/* Runs the phases until one fails, marking each one's operations. */
static void workload(struct run *r)
{
	struct store *s = NULL;

	for (int p = 0; p < PH_COUNT; p++) {
		int rc;

		r->start[p] = fault_ops();
		switch (p) {
		case PH_SETUP: rc = setup_phase(r, &s); break;
		case PH_PRUNE: rc = prune_phase(r, s); break;
		case PH_BETWEEN: rc = between_phase(r, &s); break;
		default: rc = restore_phase(r); break;
		}
		r->end[p] = fault_ops();
		r->ok[p] = rc == NL_OK;
		if (!r->ok[p])
			break;
	}
	store_close(s);
}

/* ---- checking a snapshot ---- */

/* Opens and checks name in chk; its state, or -1 (reported). */
static int state_of(const char *where, const char *name)
{
	char path[PATH_MAX + FAULT_NAME_MAX];
	uint8_t d[DIGEST_BYTES];
	struct nl_err err = { 0 };
	struct store *s = NULL;
	int rc, st = -1;

	snprintf(path, sizeof(path), "%s/%s", chk, name);
	rc = store_open(path, &pw, &s, &err);
	if (rc == NL_OK)
		rc = store_check(s, NULL, NULL, &err);
	if (rc == NL_OK && digest_store(s, d) == SQLITE_OK)
		for (int k = 0; k < ST_COUNT; k++)
			if (memcmp(d, ref.digest[k], DIGEST_BYTES) == 0)
				st = k;
	store_close(s);
	if (rc != NL_OK)
		fail("  %s: %s does not open and check clean: %s", where, name, err.msg);
	else if (st < 0)
		fail("  %s: %s holds none of the known states", where, name);
	return rc == NL_OK ? st : -1;
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

static void check_prune(const char *where, const struct fault_image *f, size_t n,
			int returned)
{
	const char *made = strrchr(ref.made, '/') + 1;
	int copies = 0, has_made = 0, st;

	for (size_t i = 0; i < n; i++) {
		if (!ends_with(f[i].name, BACKUP_EXT))
			continue;
		copies++;
		has_made |= strcmp(f[i].name, made) == 0;
		st = state_of(where, f[i].name);
		if (st >= 0 && st != ST_A && st != ST_B)
			fail("  %s: copy %s holds state %c", where, f[i].name, 'A' + st);
	}
	if (copies == 0)
		fail("  %s: no copy is left", where);
	if (returned && !has_made)
		fail("  %s: pruning returned, but the new copy %s is missing", where, made);
	if (state_of(where, DB_NAME) != ST_B)
		fail("  %s: the record file changed during a backup", where);
}

static void check_restore(const char *where, const struct fault_image *f, size_t n,
			  int returned)
{
	int st = state_of(where, DB_NAME);

	if (st >= 0 && st != ST_C && st != ST_B)
		fail("  %s: the record file holds state %c", where, 'A' + st);
	if (returned && st != ST_B)
		fail("  %s: restore returned, but the file is not the backup's", where);
	for (size_t i = 0; i < n; i++)
		if (strstr(f[i].name, ".before-restore-") && state_of(where, f[i].name) != ST_C)
			fail("  %s: the kept file %s is not the file before restore", where,
			     f[i].name);
}

static int phase_of(long n)
{
	for (int p = 0; p < PH_COUNT; p++)
		if (ref.start[p] < n && n <= ref.end[p])
			return p;
	return -1;
}

static void crash_at(long n, int phase)
{
	struct run r;
	char where[128];

	memset(&r, 0, sizeof(r));
	empty_dir(dir);
	fault_begin(dir, n);
	workload(&r);
	fault_end();
	if (!fault_crashed() || fault_model_error()) {
		fail("N=%ld: %s", n, fault_model_error() ? fault_model_error()
							  : "the power never failed");
		return;
	}
	for (int v = 0; v < FAULT_VARIANTS; v++) {
		const struct fault_image *f;
		size_t nf;
		int returned = n == ref.end[phase] && r.ok[phase];

		if (fault_snapshot(v, &f, &nf) != 0)
			continue;
		snprintf(where, sizeof(where), "N=%ld %s variant=%s",
			 n, phase == PH_PRUNE ? "prune" : "restore", fault_variant_name(v));
		if (write_snapshot(chk, f, nf) != 0) {
			fail("  %s: cannot write the snapshot: %s", where, strerror(errno));
			continue;
		}
		if (phase == PH_PRUNE)
			check_prune(where, f, nf, returned);
		else
			check_restore(where, f, nf, returned);
		if (verbose)
			printf("checked %s\n", where);
	}
}

static int setup(void)
{
	struct nl_err err = { 0 };
	char tmpl[PATH_MAX], full[PATH_MAX];

	setenv("NEEDLELOG_TEST_KDF", "min", 0);
	if (store_memory_init(&err) != NL_OK || fault_register() != SQLITE_OK ||
	    store_global_init(&err) != NL_OK ||
	    store_pass_set(&pw, "restore crash pass", 18, &err) != NL_OK)
		return -1;
	snprintf(tmpl, sizeof(tmpl), "%s/nl-crash-restore-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(tmpl) || !realpath(tmpl, full) || strlen(full) >= sizeof(base))
		return -1;
	memcpy(base, full, strlen(full) + 1);
	snprintf(dir, sizeof(dir), "%s/run", base);
	snprintf(chk, sizeof(chk), "%s/chk", base);
	snprintf(db, sizeof(db), "%s/" DB_NAME, dir);
	return mkdir(dir, 0700) == 0 && mkdir(chk, 0700) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	long points = 0;

	verbose = argc > 1 && strcmp(argv[1], "--verbose") == 0;
	if (setup() != 0) {
		fprintf(stderr, "cannot set up: %s\n", strerror(errno));
		return 2;
	}
	fault_begin(dir, 0);
	workload(&ref);
	fault_end();
	if (!ref.ok[PH_RESTORE] || fault_model_error()) {
		fprintf(stderr, "FAIL: the workload without a crash failed (%s; phases ok: "
			"%d %d %d %d)\n", fault_model_error() ? fault_model_error() : "a phase failed",
			ref.ok[0], ref.ok[1], ref.ok[2], ref.ok[3]);
		return 1;
	}
	printf("prune: operations %ld..%ld; restore: %ld..%ld\n", ref.start[PH_PRUNE] + 1,
	       ref.end[PH_PRUNE], ref.start[PH_RESTORE] + 1, ref.end[PH_RESTORE]);
	for (long n = 1; n <= ref.end[PH_RESTORE]; n++) {
		int p = phase_of(n);

		if (p == PH_PRUNE || p == PH_RESTORE) {
			crash_at(n, p);
			points++;
		}
	}
	printf("%ld crash points checked\n", points);
	empty_dir(dir);
	empty_dir(chk);
	rmdir(dir);
	rmdir(chk);
	rmdir(base);
	store_pass_free(&pw);
	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
