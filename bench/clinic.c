/* The clinic-scale benchmark, in process: a generated practice
 * (src/cli/demo_gen.c) and the core calls each screen and command makes.
 *
 *   bench-clinic --db FILE [--patients N] [--years Y] [--seed S]
 *                [--today DATE] [--reps R] [--only GROUPS]
 *
 * FILE is created and filled when it does not exist (timed: "generate"),
 * else opened. GROUPS, comma-separated: core (the screens' calls, R times
 * each), check (signatures and pages, once), audit (every row streamed,
 * with the growth of resident memory). Prints "RESULT op seconds" lines,
 * "INFO key value" lines and, for audit, "RESULT audit-rss-kib KiB".
 * bench/clinic.py runs it on each size and prints the tables. Key
 * derivation is never inside a timed section. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../src/cli/demo_gen.h"
#include "needlelog/audit.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "needlelog/store.h"
#include "needlelog/text.h"

#define PASSPHRASE "bench"

struct bench {
	struct record *r;
	const char *today;
	int reps;
	uint64_t rng;
	int64_t max_patient, max_series, max_session;
	size_t sink;   /* what the calls returned, so nothing is optimised away */
	/* the TUI's loaded list (op_search): rows (names folded), the version */
	struct nl_patient_summary *rows;
	size_t nrows;
	uint64_t version;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t pick(struct bench *b, int64_t max)
{
	b->rng = b->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return max > 0 ? 1 + (int64_t)((b->rng >> 33) % (uint64_t)max) : 1;
}

/* ---- the calls ------------------------------------------------------------ */

static int op_patient_list(struct bench *b, struct nl_err *err)
{
	struct nl_patient_summary *rows;
	size_t n;
	int rc = record_patient_list(b->r, NULL, false, &rows, &n, err);

	if (rc == NL_OK)
		record_patient_list_free(rows, n), b->sink += n;
	return rc;
}

/* What the TUI's search does per keystroke (src/tui/patients.c): the
 * file's version, then the rows it loaded filtered in memory by the core's
 * rule; the list is read (with its names folded, by the core) only when
 * the version moved, here on the first call. */
static int load_list(struct bench *b, struct nl_err *err)
{
	return record_patient_list(b->r, NULL, false, &b->rows, &b->nrows, err);
}

static void free_list(struct bench *b)
{
	record_patient_list_free(b->rows, b->nrows);
}

static int op_search(struct bench *b, struct nl_err *err)
{
	static const char *const keys[] = { "m", "mü", "mül", "müll", "mül" };
	struct nl_patient_search q;
	uint64_t v;
	int rc = record_data_version(b->r, &v, err);

	if (rc == NL_OK && (!b->rows || v != b->version)) {
		b->version = v;
		rc = load_list(b, err);
	}
	if (rc == NL_OK)
		rc = record_patient_search_init(&q, keys[b->rng % 5], err);
	b->rng++;
	if (rc != NL_OK)
		return rc;
	for (size_t i = 0; i < b->nrows; i++)
		b->sink += record_patient_matches(&q, &b->rows[i]);
	record_patient_search_free(&q);
	return NL_OK;
}

static int op_due(struct bench *b, struct nl_err *err)
{
	struct nl_due *rows;
	size_t n;
	int rc = progress_due_list(b->r, b->today, 7, &rows, &n, err);

	if (rc == NL_OK)
		progress_due_list_free(rows, n), b->sink += n;
	return rc;
}

/* What the TUI reads for its first screen after the key (src/tui/
 * patients.c, unsigned.c): every patient with their names folded for the
 * search, and the count of unsigned sessions for the status line. */
static int op_first_screen(struct bench *b, struct nl_err *err)
{
	struct bench fresh = { .r = b->r };
	struct nl_unsigned *uns;
	size_t n;
	int rc = load_list(&fresh, err);

	if (rc == NL_OK)
		rc = record_unsigned_list(b->r, b->today, &uns, &n, err);
	if (rc == NL_OK)
		record_unsigned_list_free(uns, n), b->sink += n + fresh.nrows;
	free_list(&fresh);
	return rc;
}

/* The unsigned live sessions: `due`'s second section, the TUI's count. */
static int op_unsigned(struct bench *b, struct nl_err *err)
{
	struct nl_unsigned *rows;
	size_t n;
	int rc = record_unsigned_list(b->r, b->today, &rows, &n, err);

	if (rc == NL_OK)
		record_unsigned_list_free(rows, n), b->sink += n;
	return rc;
}

/* The patient screen: the profile and the series. */
static int op_open_patient(struct bench *b, struct nl_err *err)
{
	struct nl_patient p;
	struct nl_series *sr;
	size_t n;
	int rc = record_patient_get(b->r, pick(b, b->max_patient), &p, err);

	if (rc != NL_OK)
		return rc;
	rc = record_series_list(b->r, p.id, &sr, &n, err);
	if (rc == NL_OK)
		record_series_list_free(sr, n), b->sink += n;
	record_patient_free(&p);
	return rc;
}

/* The series screen: progress (sessions, depths, scores). */
static int op_open_series(struct bench *b, struct nl_err *err)
{
	struct nl_progress p;
	int rc = progress_series(b->r, pick(b, b->max_series), b->today, &p, err);

	if (rc == NL_OK)
		b->sink += p.nsessions, progress_free(&p);
	return rc;
}

/* session show: the view and its canonical form (signature status). An
 * early session: the case the audit scan made slow. */
static int op_open_session(struct bench *b, struct nl_err *err)
{
	struct nl_session_view v;
	char *text, hex[65];
	int64_t id = pick(b, b->max_session / 10);
	int rc = record_session_get(b->r, id, &v, err);

	if (rc != NL_OK)
		return rc;
	rc = record_session_canonical(b->r, id, &text, hex, err);
	if (rc == NL_OK)
		free(text), b->sink += v.namendments;
	record_session_view_free(&v);
	return rc;
}

static int picklist(struct bench *b, enum record_pick which, struct nl_err *err)
{
	char **v;
	size_t n;
	int rc = record_picklist(b->r, which, NULL, &v, &n, err);

	if (rc == NL_OK)
		record_strings_free(v, n), b->sink += n;
	return rc;
}

static int op_pick_device(struct bench *b, struct nl_err *err)
{
	return picklist(b, RECORD_PICK_DEVICE, err);
}

static int op_pick_cartridge(struct bench *b, struct nl_err *err)
{
	return picklist(b, RECORD_PICK_CARTRIDGE, err);
}

static int op_pick_product(struct bench *b, struct nl_err *err)
{
	return picklist(b, RECORD_PICK_PRODUCT, err);
}

static int op_pick_anesthetic(struct bench *b, struct nl_err *err)
{
	return picklist(b, RECORD_PICK_ANESTHETIC, err);
}

static int op_signatures(struct bench *b, struct nl_err *err)
{
	int64_t *bad = NULL;
	size_t checked = 0, nbad = 0;
	int rc = record_verify_signatures(b->r, &checked, &bad, &nbad, err);

	free(bad);
	b->sink += checked;
	return rc;
}

static int op_pages(struct bench *b, struct nl_err *err)
{
	return store_check(record_store(b->r), NULL, NULL, err);
}

struct op {
	const char *name;
	const char *group;
	int (*fn)(struct bench *b, struct nl_err *err);
};

static const struct op ops[] = {
	{ "patient list", "core", op_patient_list },
	{ "search keystroke", "core", op_search },
	{ "due list", "core", op_due },
	{ "unsigned list", "core", op_unsigned },
	{ "tui first screen (core)", "core", op_first_screen },
	{ "open patient", "core", op_open_patient },
	{ "open series", "core", op_open_series },
	{ "open session", "core", op_open_session },
	{ "pick list: device", "core", op_pick_device },
	{ "pick list: cartridge", "core", op_pick_cartridge },
	{ "pick list: product", "core", op_pick_product },
	{ "pick list: anesthetic", "core", op_pick_anesthetic },
	{ "check: signatures", "check", op_signatures },
	{ "check: pages", "check", op_pages },
};

/* ---- audit, streamed or not, and resident memory ----------------------------- */

static long status_kib(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtol(line + strlen(key), NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* Forgets the peak so far: VmHWM becomes the current RSS (Linux). */
static void reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");

	if (f) {
		fputs("5", f);
		fclose(f);
	}
}

static void audit_line(FILE *out, const struct nl_audit *a)
{
	fprintf(out, "%lld\t%s\t%s\t%s\t%s\t%lld\t%s\n", (long long)a->id, a->at,
		a->who ? a->who : "-", a->action, a->entity, (long long)a->entity_id,
		a->detail ? a->detail : "");
}

struct audit_out {
	FILE *out;
	size_t n;
};

static int audit_row(void *ctx, const struct nl_audit *a)
{
	struct audit_out *o = ctx;

	audit_line(o->out, a);
	o->n++;
	return 0;
}

/* Every row, streamed (audit_each): what `needlelog audit --limit 0` does
 * once the CLI uses it. Before issue 15 this was audit_list, every row in
 * memory at once. */
static int audit_all(struct bench *b, FILE *out, struct nl_err *err)
{
	struct audit_out o = { out, 0 };
	int rc = audit_each(b->r, 0, audit_row, &o, err);

	b->sink += o.n;
	return rc;
}

static int run_audit(struct bench *b, struct nl_err *err)
{
	FILE *out = fopen("/dev/null", "w");
	long before;
	double t0;
	int rc;

	if (!out)
		return nl_error(err, NL_EIO, "cannot open /dev/null");
	reset_peak();
	before = status_kib("VmRSS:");
	t0 = now();
	rc = audit_all(b, out, err);
	if (rc == NL_OK) {
		printf("RESULT audit: every row %.6f\n", now() - t0);
		printf("RESULT audit-rss-kib %ld\n", status_kib("VmHWM:") - before);
	}
	fclose(out);
	return rc;
}

/* ---- setting up ------------------------------------------------------------------ */

static bool has_patient(struct record *r, int64_t id)
{
	struct nl_patient p;
	struct nl_err err;
	bool ok = record_patient_get(r, id, &p, &err) == NL_OK;

	if (ok)
		record_patient_free(&p);
	return ok;
}

static bool has_series(struct record *r, int64_t id)
{
	struct nl_series s;
	struct nl_err err;
	bool ok = record_series_get(r, id, &s, &err) == NL_OK;

	if (ok)
		record_series_free(&s);
	return ok;
}

static bool has_session(struct record *r, int64_t id)
{
	struct nl_session_view v;
	struct nl_err err;
	bool ok = record_session_get(r, id, &v, &err) == NL_OK;

	if (ok)
		record_session_view_free(&v);
	return ok;
}

/* The highest id (ids are dense: nothing is deleted), by doubling then
 * bisecting; the benchmark reads only through the core's API. */
static int64_t highest(struct record *r, bool (*has)(struct record *, int64_t))
{
	int64_t lo = 0, hi = 1;

	while (has(r, hi))
		lo = hi, hi *= 2;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		if (has(r, mid))
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int generate(const char *path, const struct demo_gen_opts *o, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	struct demo_gen_counts n = { 0 };
	struct demo_gen_opts go = *o;
	struct record *r = NULL;
	struct stat st;
	double t0;
	int rc = store_pass_set(&pass, PASSPHRASE, strlen(PASSPHRASE), err);

	if (rc == NL_OK)
		rc = record_create(path, &pass, STORE_KDF_MIN, &r, err);
	store_pass_free(&pass);
	if (rc == NL_OK)
		rc = record_set_actor(r, "Dr Ana Ruiz", err);
	go.counts = &n;
	t0 = now();
	if (rc == NL_OK)
		rc = demo_generate(r, &go, err);
	if (rc == NL_OK)
		printf("RESULT generate %.6f\n", now() - t0);
	record_close(r);
	if (rc != NL_OK) {
		unlink(path);
		return rc;
	}
	stat(path, &st);
	printf("INFO patients %zu\nINFO series %zu\nINFO sessions %zu\nINFO signed %zu\n"
	       "INFO amended %zu\nINFO voided %zu\nINFO archived %zu\nINFO bytes %lld\n",
	       n.patients, n.series, n.sessions, n.signed_sessions, n.amended, n.voided,
	       n.archived, (long long)st.st_size);
	return NL_OK;
}

static bool wanted(const char *only, const char *group)
{
	const char *p = only;
	size_t n = strlen(group);

	if (!only)
		return true;
	while ((p = strstr(p, group))) {
		if ((p == only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

static int run_ops(struct bench *b, const char *only, struct nl_err *err)
{
	int rc = NL_OK;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]) && rc == NL_OK; i++) {
		int reps = strcmp(ops[i].group, "core") == 0 ? b->reps : 1;

		if (!wanted(only, ops[i].group) && !wanted(only, ops[i].name))
			continue;
		for (int k = 0; k < reps && rc == NL_OK; k++) {
			double t0 = now();

			rc = ops[i].fn(b, err);
			if (rc == NL_OK || rc == NL_EAUTH)
				printf("RESULT %s %.6f\n", ops[i].name, now() - t0);
			if (rc == NL_EAUTH && strcmp(ops[i].group, "check") == 0)
				rc = NL_OK;
			fflush(stdout);
		}
	}
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench-clinic --db FILE [--patients N] [--years Y] [--seed S] "
			"[--today DATE] [--reps R] [--only GROUPS]\n");
	return 64;
}

int main(int argc, char **argv)
{
	struct demo_gen_opts o = { .patients = 1000, .years = 10, .seed = 1,
				   .today = "2026-11-25" };
	struct bench b = { .reps = 7, .rng = 42 };
	const char *path = NULL, *only = NULL;
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };
	double t0;
	int rc;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--db") == 0)
			path = argv[i + 1];
		else if (strcmp(argv[i], "--patients") == 0)
			o.patients = (size_t)strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--years") == 0)
			o.years = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--seed") == 0)
			o.seed = strtoull(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--today") == 0)
			o.today = argv[i + 1];
		else if (strcmp(argv[i], "--reps") == 0)
			b.reps = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--only") == 0)
			only = argv[i + 1];
		else
			return usage();
	}
	if (!path || argc % 2 == 0)
		return usage();
	b.today = o.today;
	rc = store_global_init(&err);
	if (rc == NL_OK && access(path, F_OK) != 0)
		rc = generate(path, &o, &err);
	if (rc == NL_OK)
		rc = store_pass_set(&pass, PASSPHRASE, strlen(PASSPHRASE), &err);
	t0 = now();
	if (rc == NL_OK)
		rc = record_open(path, &pass, &b.r, &err);
	if (rc == NL_OK)
		printf("RESULT unlock %.6f\n", now() - t0);
	store_pass_free(&pass);
	if (rc == NL_OK)
		rc = record_set_today(b.r, o.today, &err);
	if (rc == NL_OK && wanted(only, "core")) {
		b.max_patient = highest(b.r, has_patient);
		b.max_series = highest(b.r, has_series);
		b.max_session = highest(b.r, has_session);
	}
	if (rc == NL_OK)
		rc = run_ops(&b, only, &err);
	if (rc == NL_OK && wanted(only, "audit"))
		rc = run_audit(&b, &err);
	free_list(&b);
	record_close(b.r);
	if (rc != NL_OK) {
		fprintf(stderr, "bench-clinic: %s\n", err.msg);
		return 1;
	}
	return 0;
}
