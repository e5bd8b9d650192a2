/* Issue 15, clinic scale: each fix held in place by a test that does not
 * time anything. Query plans (EXPLAIN QUERY PLAN) where an index is the
 * fix; the batched signature check across batch boundaries and with
 * tampering; the patient list's join by id; pick lists bounded and
 * de-duplicated; the audit trail streamed; the data version; and the
 * practice generator (counts, determinism by seed). */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "needlelog/draft.h"
#include "../../src/core/core.h"
#include "../../src/cli/demo_gen.h"

/* The query plan of sql, one detail per line. */
static char *plan(struct record *r, const char *sql)
{
	char *q = NULL, *out = calloc(1, 4096);
	sqlite3_stmt *st;
	size_t len = 0;

	assert_non_null(out);
	assert_true(asprintf(&q, "EXPLAIN QUERY PLAN %s", sql) > 0);
	assert_int_equal(sqlite3_prepare_v2(core_db(r), q, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && len < 4000)
		len += (size_t)snprintf(out + len, 4096 - len, "%s\n",
					(const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	free(q);
	return out;
}

#define assert_plan_has(p, s) \
	do { if (!strstr((p), (s))) fail_msg("plan lacks \"%s\":\n%s", (s), (p)); } while (0)
#define assert_plan_lacks(p, s) \
	do { if (strstr((p), (s))) fail_msg("plan has \"%s\":\n%s", (s), (p)); } while (0)

/* ---- query plans --------------------------------------------------------- */

static void plan_signature_lookup(void **state)
{
	struct fx *f = *state;
	char *p = plan(f->s, core_sql_signed_through);

	assert_plan_has(p, "USING INDEX audit_entity (entity=? AND entity_id=? AND action=?)");
	assert_plan_lacks(p, "SCAN audit");
	free(p);
	p = plan(f->s, core_sql_batch_through);
	assert_plan_has(p, "USING INDEX audit_entity (entity=? AND entity_id>? AND entity_id<?)");
	assert_plan_lacks(p, "SCAN audit");
	free(p);
	/* every signing row, in session order off the index: nothing sorted */
	p = plan(f->s, core_sql_sign_audit);
	assert_plan_has(p, "USING INDEX audit_entity (entity=?)");
	assert_plan_lacks(p, "TEMP B-TREE");
	free(p);
}

static void plan_due_facts(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < 2; i++) {
		char *p = plan(f->s, core_sql_due[i]);

		/* one maintained row per series: no session is read at all */
		assert_plan_has(p, "SEARCH d USING INTEGER PRIMARY KEY (rowid=?)");
		/* the lists' variant reads the active series from their index */
		if (i == 0)
			assert_plan_has(p, "SCAN s USING COVERING INDEX series_active");
		assert_plan_lacks(p, "session");
		assert_plan_lacks(p, "CORRELATED");
		free(p);
	}
}

/* The unsigned live sessions (`due`, the TUI's count) come from the
 * partial index of unsigned live sessions, never from a scan of every
 * session. */
static void plan_unsigned(void **state)
{
	struct fx *f = *state;
	char *p = plan(f->s, core_sql_unsigned);

	assert_plan_has(p, "USING INDEX session_unsigned");
	assert_plan_lacks(p, "SCAN x\n");
	free(p);
}

/* The facts the database maintains equal the facts computed from the
 * sessions, after adds, an edit that moves a date, a void, an amendment
 * that moves a date and one that does not. */
#define FACTS_DIFFER \
	"SELECT count(*) FROM series y LEFT JOIN series_due d ON d.series_id = y.id " \
	"WHERE coalesce(d.done, 0) IS NOT (SELECT count(*) FROM session x " \
	"WHERE x.series_id = y.id AND x.voided = 0) OR d.last_date IS NOT (SELECT " \
	"max(" EFFECTIVE_DATE ") FROM session x WHERE x.series_id = y.id AND x.voided = 0)"

static void due_facts_maintained(void **state)
{
	struct fx *f = *state;
	int64_t p = fx_patient(f->s, "Facts Test");
	int64_t s1 = fx_series(f->s, p, "acne-scars", "2026-01-01");
	int64_t s2 = fx_series(f->s, p, "texture", "2026-01-01");
	int64_t a = fx_session_add(f->s, s1, "2026-01-05", "cheek-l", 1.0);
	int64_t b = fx_session_add(f->s, s1, "2026-02-05", "cheek-l", 1.0);
	int64_t c = fx_session_add(f->s, s2, "2026-03-05", "cheek-l", 1.0);
	struct nl_session_view v;
	struct nl_err err = { 0 };

	assert_int_equal(fx_count(f->s, FACTS_DIFFER), 0);
	assert_int_equal(fx_count(f->s, "SELECT done FROM series_due WHERE series_id = 1"), 2);
	assert_int_equal(record_session_get(f->s, b, &v, &err), NL_OK);     /* edit: date */
	free(v.original.date);
	v.original.date = strdup("2026-02-20");
	assert_int_equal(record_session_edit(f->s, &v.original, NULL, NULL, &err), NL_OK);
	record_session_view_free(&v);
	assert_int_equal(fx_count(f->s, FACTS_DIFFER), 0);
	assert_int_equal(record_session_sign(f->s, a, "Dr Test", &err), NL_OK);
	assert_int_equal(record_session_get(f->s, a, &v, &err), NL_OK);     /* amend: date */
	free(v.effective.date);
	v.effective.date = strdup("2026-03-01");
	assert_int_equal(record_session_amend(f->s, a, &v.effective, "wrong day", NULL, NULL,
					      NULL, NULL, &err), NL_OK);
	record_session_view_free(&v);
	assert_int_equal(fx_count(f->s, FACTS_DIFFER), 0);
	assert_int_equal(record_session_void(f->s, c, "entered twice", NULL, &err), NL_OK);
	assert_int_equal(fx_count(f->s, FACTS_DIFFER), 0);
	assert_int_equal(fx_count(f->s, "SELECT done FROM series_due WHERE series_id = 2"), 0);
	(void)s2;
}

static void plan_pick_lists(void **state)
{
	struct fx *f = *state;

	for (int w = RECORD_PICK_DEVICE; w <= RECORD_PICK_ANESTHETIC; w++) {
		char *p = plan(f->s, core_sql_pick((enum record_pick)w));

		/* a range of the newest ids: never the whole table */
		if (w == RECORD_PICK_PRODUCT)
			assert_plan_has(p, "(session_id>?)");
		else
			assert_plan_has(p, "SEARCH session USING INTEGER PRIMARY KEY (rowid>?)");
		assert_plan_lacks(p, "SCAN session\n");
		free(p);
	}
	assert_null(core_sql_pick((enum record_pick)99));
}

static void plan_audit_filtered(void **state)
{
	struct fx *f = *state;
	char *p = plan(f->s, core_sql_audit_each[2]);

	assert_plan_has(p, "USING INDEX audit_entity (entity=? AND entity_id=?)");
	free(p);
}

/* ---- signatures, in batches ------------------------------------------------ */

static int64_t signed_session(struct record *r, int64_t series, const char *date, bool sign)
{
	struct fx_session s;
	struct nl_err err = { 0 };
	int64_t id = 0;

	fx_session_init(&s, series, date, "cheek-l", 1.0);
	s.ses.practitioner = "Dr Test";
	if (record_session_add(r, &s.ses, sign, NULL, NULL, &id, &err) != NL_OK)
		fail_msg("%s", err.msg);
	return id;
}

/* More signed sessions than one batch holds, unsigned ones between them,
 * one amended before it was signed: all verify; then one edited behind
 * the core's back in the second batch is named. */
static void verify_across_batches(void **state)
{
	struct fx *f = *state;
	int64_t series = fx_series(f->s, fx_patient(f->s, "Batch Test"), "acne-scars",
				   "2026-01-01");
	struct nl_session_view v;
	struct nl_err err = { 0 };
	int64_t *bad = NULL, target = 0, amended;
	size_t checked = 0, nbad = 0, nsigned = 0;
	char sql[160];

	assert_int_equal(record_begin(f->s, &err), NL_OK);
	for (int i = 0; i < 600; i++) {
		int64_t id = signed_session(f->s, series, "2026-02-01", i % 5 != 3);

		nsigned += i % 5 != 3;
		if (i == 400)
			target = id;
	}
	amended = signed_session(f->s, series, "2026-03-01", false);
	assert_int_equal(record_session_get(f->s, amended, &v, &err), NL_OK);
	v.effective.notes = strdup("before signing");
	assert_int_equal(record_session_amend(f->s, amended, &v.effective, "late note", NULL, NULL,
					      NULL, NULL, &err), NL_OK);
	record_session_view_free(&v);
	assert_int_equal(record_session_sign(f->s, amended, "Dr Test", &err), NL_OK);
	assert_int_equal(record_commit(f->s, &err), NL_OK);
	assert_int_equal(record_verify_signatures(f->s, &checked, &bad, &nbad, &err), NL_OK);
	assert_int_equal(checked, nsigned + 1);
	assert_int_equal(nbad, 0);
	free(bad);

	snprintf(sql, sizeof(sql), "DROP TRIGGER session_area_lock_upd; UPDATE session_area "
		 "SET depth_mm = 2.5 WHERE session_id = %lld", (long long)target);
	assert_int_equal(sqlite3_exec(core_db(f->s), sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(record_verify_signatures(f->s, &checked, &bad, &nbad, &err), NL_EAUTH);
	assert_int_equal(nbad, 1);
	assert_int_equal(bad[0], target);
	free(bad);
}

/* ---- the patient list: series joined by id ---------------------------------- */

static void list_joins_by_id(void **state)
{
	struct fx *f = *state;
	/* ids in the opposite order of names */
	int64_t z = fx_patient(f->s, "Zed"), m = fx_patient(f->s, "Mia"),
		a = fx_patient(f->s, "Abe");
	int64_t sz = fx_series(f->s, z, "acne-scars", "2026-01-01");
	int64_t sa = fx_series(f->s, a, "fine-lines", "2026-02-01");
	struct nl_patient_summary *rows;
	struct nl_err err = { 0 };
	size_t n;

	fx_series(f->s, a, "texture", "2026-03-01");
	assert_int_equal(record_patient_list(f->s, NULL, false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].name, "Abe");
	assert_int_equal(rows[0].active_series, 2);
	assert_int_equal(rows[0].series_id, sa);       /* due soonest */
	assert_int_equal(rows[1].id, m);
	assert_int_equal(rows[1].series_id, 0);
	assert_int_equal(rows[1].active_series, 0);
	assert_int_equal(rows[2].series_id, sz);
	assert_string_equal(rows[2].indication, "acne-scars");
	record_patient_list_free(rows, n);
}

/* ---- pick lists ------------------------------------------------------------------ */

static void pick_list_bounded(void **state)
{
	struct fx *f = *state;
	int64_t series = fx_series(f->s, fx_patient(f->s, "Pick Test"), "acne-scars",
				   "2026-01-01");
	struct nl_err err = { 0 };
	char **v, device[32];
	size_t n;

	assert_int_equal(record_begin(f->s, &err), NL_OK);
	for (int i = 0; i < 2 * RECORD_PICK_MAX + 20; i++) {
		struct fx_session s;

		fx_session_init(&s, series, "2026-02-01", "cheek-l", 1.0);
		snprintf(device, sizeof(device), "pen lot %04d", i % 2 ? i : 0);
		s.ses.device = device;
		assert_int_equal(record_session_add(f->s, &s.ses, false, NULL, NULL, NULL, &err),
				 NL_OK);
	}
	assert_int_equal(record_commit(f->s, &err), NL_OK);
	assert_int_equal(record_picklist(f->s, RECORD_PICK_DEVICE, NULL, &v, &n, &err), NL_OK);
	assert_int_equal(n, RECORD_PICK_MAX + vocab_device_count);
	assert_string_equal(v[0], "pen lot 0219");   /* the most recent first */
	assert_string_equal(v[1], "pen lot 0000");   /* once, though used 110 times */
	assert_string_equal(v[2], "pen lot 0217");
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(v[i], v[j]);
	record_strings_free(v, n);
}

/* ---- the audit trail, streamed ------------------------------------------------------ */

struct seen {
	size_t n;
	int64_t last_id;
	bool ordered;
	int stop_at;
	size_t sessions;
};

static int see(void *ctx, const struct nl_audit *a)
{
	struct seen *s = ctx;

	s->ordered = s->ordered && (s->n == 0 || a->id < s->last_id);
	s->last_id = a->id;
	s->sessions += strcmp(a->entity, AUDIT_SESSION) == 0;
	s->n++;
	return s->stop_at && (int)s->n == s->stop_at ? (s->stop_at > 3 ? -1 : 1) : 0;
}

static void audit_streamed(void **state)
{
	struct fx *f = *state;
	int64_t series = fx_series(f->s, fx_patient(f->s, "Audit Test"), "acne-scars",
				   "2026-01-01");
	int64_t sid = signed_session(f->s, series, "2026-02-01", true);
	struct seen s = { .ordered = true };
	struct nl_err err = { 0 };
	int64_t total = fx_count(f->s, "SELECT count(*) FROM audit");

	signed_session(f->s, series, "2026-03-01", false);
	total = fx_count(f->s, "SELECT count(*) FROM audit");
	assert_int_equal(audit_each(f->s, 0, see, &s, &err), NL_OK);
	assert_int_equal(s.n, total);
	assert_true(s.ordered);
	assert_int_equal(s.last_id, 1);
	s = (struct seen){ .ordered = true };
	assert_int_equal(audit_each(f->s, 2, see, &s, &err), NL_OK);
	assert_int_equal(s.n, 2);
	s = (struct seen){ .ordered = true, .stop_at = 3 };
	assert_int_equal(audit_each(f->s, 0, see, &s, &err), NL_OK);   /* stopped early */
	assert_int_equal(s.n, 3);
	s = (struct seen){ .ordered = true, .stop_at = 4 };
	assert_int_equal(audit_each(f->s, 0, see, &s, &err), NL_EUSAGE);
	s = (struct seen){ .ordered = true };
	assert_int_equal(audit_each_filtered(f->s, 0, AUDIT_SESSION, sid, see, &s, &err), NL_OK);
	assert_int_equal(s.n, 2);   /* create and sign */
	assert_int_equal(s.sessions, 2);
}

/* ---- the data version ------------------------------------------------------------------ */

static void data_version_moves(void **state)
{
	struct fx *f = *state;
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };
	struct record *other = NULL;
	uint64_t v0, v1, v2, v3;

	assert_int_equal(record_data_version(f->s, &v0, &err), NL_OK);
	assert_int_equal(record_data_version(f->s, &v1, &err), NL_OK);
	assert_true(v0 == v1);                  /* nothing changed: no reload */
	fx_patient(f->s, "Own Change");
	assert_int_equal(record_data_version(f->s, &v2, &err), NL_OK);
	assert_true(v2 != v1);                  /* this handle's change */
	assert_int_equal(store_pass_set(&pass, "test", 4, &err), NL_OK);
	assert_int_equal(record_open(f->path, &pass, &other, &err), NL_OK);
	store_pass_free(&pass);
	fx_patient(other, "Another Process");
	record_close(other);
	assert_int_equal(record_data_version(f->s, &v3, &err), NL_OK);
	assert_true(v3 != v2);                  /* another connection's commit */
}

/* Another process's long write: a second connection holds the file
 * EXCLUSIVE until the poll has answered, or for at most two seconds. */
struct holder {
	const char *path;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool held, polled;
};

static void *hold_exclusive(void *arg)
{
	struct holder *h = arg;
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };
	struct record *other = NULL;
	struct timespec until;

	assert_int_equal(store_pass_set(&pass, "test", 4, &err), NL_OK);
	assert_int_equal(record_open(h->path, &pass, &other, &err), NL_OK);
	store_pass_free(&pass);
	assert_int_equal(sqlite3_exec(store_db(record_store(other)),
				      "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&h->mu);
	h->held = true;
	pthread_cond_broadcast(&h->cv);
	while (!h->polled && pthread_cond_timedwait(&h->cv, &h->mu, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&h->mu);
	sqlite3_exec(store_db(record_store(other)), "COMMIT", NULL, NULL, NULL);
	record_close(other);
	return NULL;
}

/* Holds the file EXCLUSIVE from another thread, as h says. */
static void hold_start(struct holder *h, pthread_t *th)
{
	assert_int_equal(pthread_create(th, NULL, hold_exclusive, h), 0);
	pthread_mutex_lock(&h->mu);
	while (!h->held)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
}

/* The holder lets go once the question has been answered. */
static void hold_end(struct holder *h, pthread_t th)
{
	pthread_mutex_lock(&h->mu);
	h->polled = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(th, NULL);
}

/* The idle poll never waits for a busy file: while another connection
 * holds it, the answer is "busy" at once (a poll that waited would get
 * the lock when the holder gives up after two seconds, and answer). */
static void poll_never_waits(void **state)
{
	struct fx *f = *state;
	struct holder h = { .path = f->path, .mu = PTHREAD_MUTEX_INITIALIZER,
			    .cv = PTHREAD_COND_INITIALIZER };
	struct nl_err err = { 0 };
	pthread_t th;
	uint64_t v0, v1;
	int rc;

	assert_int_equal(record_data_version(f->s, &v0, &err), NL_OK);
	hold_start(&h, &th);
	rc = record_poll_version(f->s, &v1, &err);
	hold_end(&h, th);
	assert_int_equal(rc, NL_EBUSY);
	/* free again: it answers, and ordinary statements wait as before */
	assert_int_equal(record_poll_version(f->s, &v1, &err), NL_OK);
	fx_patient(f->s, "After The Poll");
}

/* A draft kept in a pause of typing does not wait either (record_wait_busy
 * false): busy at once, nothing written; with waiting back on, it saves. */
static void draft_never_waits(void **state)
{
	struct fx *f = *state;
	struct holder h = { .path = f->path, .mu = PTHREAD_MUTEX_INITIALIZER,
			    .cv = PTHREAD_COND_INITIALIZER };
	struct nl_err err = { 0 };
	int64_t series = fx_series(f->s, fx_patient(f->s, "Draft Owner"), "acne-scars",
				   "2026-01-05");
	char *text = NULL, *at = NULL;
	pthread_t th;
	int rc;

	hold_start(&h, &th);
	record_wait_busy(f->s, false);
	rc = draft_save(f->s, series, "depth 1.5", &err);
	record_wait_busy(f->s, true);
	hold_end(&h, th);
	assert_int_equal(rc, NL_EBUSY);
	assert_int_equal(draft_load(f->s, series, &text, &at, &err), NL_ENOENT);
	assert_int_equal(draft_save(f->s, series, "depth 1.5", &err), NL_OK);
	assert_int_equal(draft_load(f->s, series, &text, &at, &err), NL_OK);
	assert_string_equal(text, "depth 1.5");
	free(text);
	free(at);
}

/* ---- the generator ------------------------------------------------------------------------ */

static void generate(struct record *r, uint64_t seed, struct demo_gen_counts *n)
{
	struct demo_gen_opts o = { .patients = 25, .years = 3, .seed = seed,
				   .today = "2026-06-30", .counts = n };
	struct nl_err err = { 0 };

	if (demo_generate(r, &o, &err) != NL_OK)
		fail_msg("demo_generate: %s", err.msg);
}

/* What a seed decides, without the clock's timestamps. */
static char *fingerprint(struct record *r)
{
	static const char sql[] =
		"SELECT group_concat(x, '|') FROM (SELECT name || dob || coalesce(phone, '') AS x "
		"FROM patient UNION ALL SELECT date || coalesce(device, '') || signed || voided "
		"FROM session UNION ALL SELECT indication || status || planned FROM series)";
	sqlite3_stmt *st;
	char *out;

	assert_int_equal(sqlite3_prepare_v2(core_db(r), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static void generator_counts(void **state)
{
	struct fx *f = *state;
	struct demo_gen_counts n = { 0 };
	int64_t *bad = NULL;
	size_t checked, nbad;
	struct nl_err err = { 0 };
	struct demo_gen_opts o = { .patients = 0, .years = 3 };

	assert_int_equal(demo_generate(f->s, &o, &err), NL_EUSAGE);
	generate(f->s, 7, &n);
	assert_int_equal(n.patients, 25);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM patient"), n.patients);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM series"), n.series);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM session"), n.sessions);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM session WHERE signed"),
			 n.signed_sessions);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM session WHERE voided"), n.voided);
	assert_int_equal(fx_count(f->s, "SELECT count(DISTINCT session_id) FROM amendment"),
			 n.amended);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM patient WHERE archived"),
			 n.archived);
	assert_true(n.sessions >= 5 * n.patients / 2);  /* a practice, not a list of names */
	assert_true(n.signed_sessions > n.sessions / 2);
	/* every write went through the core: audited, and signatures real */
	assert_true(fx_count(f->s, "SELECT count(*) FROM audit") >=
		    (int64_t)(n.patients + n.series + n.sessions + n.signed_sessions));
	assert_int_equal(record_verify_signatures(f->s, &checked, &bad, &nbad, &err), NL_OK);
	assert_int_equal(checked, n.signed_sessions);
	free(bad);
	/* no session after today */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM session WHERE date > '2026-06-30'"), 0);
}

static void generator_deterministic(void **state)
{
	struct fx *f = *state;
	struct demo_gen_counts a = { 0 }, b = { 0 }, c = { 0 };
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };
	struct record *r2 = NULL, *r3 = NULL;
	char p2[320], p3[320], *fa, *fb, *fc;

	snprintf(p2, sizeof(p2), "%s/same.db", f->dir);
	snprintf(p3, sizeof(p3), "%s/other.db", f->dir);
	assert_int_equal(store_pass_set(&pass, "test", 4, &err), NL_OK);
	assert_int_equal(record_create(p2, &pass, STORE_KDF_MIN, &r2, &err), NL_OK);
	assert_int_equal(record_create(p3, &pass, STORE_KDF_MIN, &r3, &err), NL_OK);
	store_pass_free(&pass);
	generate(f->s, 11, &a);
	generate(r2, 11, &b);
	generate(r3, 12, &c);
	assert_memory_equal(&a, &b, sizeof(a));
	fa = fingerprint(f->s);
	fb = fingerprint(r2);
	fc = fingerprint(r3);
	assert_string_equal(fa, fb);
	assert_string_not_equal(fa, fc);
	free(fa);
	free(fb);
	free(fc);
	record_close(r2);
	record_close(r3);
	unlink(p2);
	unlink(p3);
}

/* The lists' due facts read the active series only: in ten years of a
 * practice most are finished, and their patients are never read. */
static void due_rows_active_only(void **state)
{
	struct fx *f = *state;
	struct demo_gen_counts n = { 0 };
	struct core_due_row *rows = NULL;
	struct nl_err err = { 0 };
	sqlite3_stmt *st;
	size_t nrows = 0;
	int active = -1, all = -1;

	generate(f->s, 7, &n);
	assert_int_equal(sqlite3_prepare_v2(store_db(record_store(f->s)),
					    "SELECT count(*) FILTER (WHERE status = 'active'), "
					    "count(*) FROM series", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	active = sqlite3_column_int(st, 0);
	all = sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
	assert_true(active > 0 && active < all);    /* the practice has both */
	assert_int_equal(core_due_rows(f->s, 0, &rows, &nrows, &err), NL_OK);
	assert_int_equal(nrows, (size_t)active);
	for (size_t i = 0; i < nrows; i++)
		assert_string_equal(rows[i].status, VOCAB_STATUS_ACTIVE);
	core_due_rows_free(rows, nrows);
}

/* The TUI filters the rows it loaded with record_patient_matches: the
 * same rows, in the same order, as record_patient_list with the search. */
static void search_one_rule(void **state)
{
	static const char *const searches[] = {
		"a", "ma", "MÜLLER", "mull", "19", "-0", "7700", "#3", "12", "1", "zz", " ",
	};
	struct fx *f = *state;
	struct demo_gen_counts n = { 0 };
	struct nl_patient_summary *all = NULL, *want = NULL;
	size_t nall = 0, nwant = 0, hits_total = 0;
	struct nl_err err = { 0 };

	generate(f->s, 5, &n);
	fx_patient(f->s, "Zoë Müller");
	assert_int_equal(record_patient_list(f->s, NULL, true, &all, &nall, &err), NL_OK);
	for (size_t k = 0; k < sizeof(searches) / sizeof(searches[0]); k++) {
		struct nl_patient_search q;
		size_t hit = 0;

		assert_int_equal(record_patient_list(f->s, searches[k], true, &want, &nwant, &err),
				 NL_OK);
		assert_int_equal(record_patient_search_init(&q, searches[k], &err), NL_OK);
		for (size_t i = 0; i < nall; i++) {
			struct nl_patient_summary bare = all[i];
			char *folded = nl_fold(all[i].name);

			/* the name the list folded is the fold's, and a row
			 * without it (folded here) answers the same */
			assert_string_equal(all[i].folded, folded);
			bare.folded = NULL;
			assert_int_equal(record_patient_matches(&q, &bare),
					 record_patient_matches(&q, &all[i]));
			if (record_patient_matches(&q, &all[i])) {
				assert_true(hit < nwant);
				assert_int_equal(all[i].id, want[hit].id);
				hit++;
			}
			free(folded);
		}
		assert_int_equal(hit, nwant);
		hits_total += hit;
		record_patient_search_free(&q);
		record_patient_list_free(want, nwant);
	}
	assert_true(hits_total > nall);      /* the searches found something */
	record_patient_list_free(all, nall);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(plan_signature_lookup),
		T(plan_due_facts),
		T(due_facts_maintained),
		T(plan_unsigned),
		T(due_rows_active_only),
		T(plan_pick_lists),
		T(plan_audit_filtered),
		T(verify_across_batches),
		T(list_joins_by_id),
		T(pick_list_bounded),
		T(audit_streamed),
		T(data_version_moves),
		T(poll_never_waits),
		T(draft_never_waits),
		T(generator_counts),
		T(generator_deterministic),
		T(search_one_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
