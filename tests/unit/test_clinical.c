/* Issue 11, the core: allergies and medications that rules read, consent
 * records, plans in phases, traceable lots, scales read by stage, unsigned
 * sessions chased, and the migration of a file made by the release before. */
#include <unistd.h>

#include "fixture.h"
#include "needlelog/schema.h"

#define TODAY "2026-12-31"
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static int64_t patient_with(struct record *s, int skin, const char *const *allergies,
			    const char *const *meds)
{
	struct nl_patient p = { .name = "Clin Patient", .skin_type = skin,
				.consent_date = "2026-01-01" };
	struct nl_err err = { 0 };
	int64_t id;

	for (size_t i = 0; allergies && allergies[i]; i++)
		assert_int_equal(clin_allergy_add(&p, allergies[i], &err), NL_OK);
	for (size_t i = 0; meds && meds[i]; i++)
		assert_int_equal(clin_medication_add(&p, meds[i], &err), NL_OK);
	if (record_patient_add(s, &p, &id, &err) != NL_OK)
		fail_msg("patient: %s", err.msg);
	p.name = p.consent_date = NULL;   /* not ours: the lists are */
	record_patient_free(&p);
	return id;
}

static void codes_are(const struct nl_warning *w, size_t n, const char *const *want)
{
	size_t k = 0;

	for (; want[k]; k++) {
		if (k >= n)
			fail_msg("warning %zu: want %s, none left", k, want[k]);
		if (strcmp(w[k].code, want[k]) != 0)
			fail_msg("warning %zu: want %s, got %s (%s)", k, want[k], w[k].code,
				 w[k].message);
	}
	if (k != n)
		fail_msg("%zu warnings more than expected, first: %s (%s)", n - k, w[k].code,
			 w[k].message);
}

static void add_expect(struct record *s, struct fx_session *fs, const char *const *want)
{
	struct nl_warning *w;
	size_t n;
	int64_t id;
	struct nl_err err = { 0 };

	if (record_session_add(s, &fs->ses, false, &w, &n, &id, &err) != NL_OK)
		fail_msg("session %s: %s", fs->ses.date, err.msg);
	codes_are(w, n, want);
	record_warnings_free(w, n);
}

static const char *const none[] = { NULL };

/* ---- the two protocols: exactly the expected warnings ---------------------- */

static void dhurat_on_fitzpatrick_iv(void **state)
{
	struct fx *f = *state;
	struct nl_series sr = { .indication = "hair-loss", .start_date = "2026-01-05" };
	struct nl_err err = { 0 };
	struct fx_session fs;
	char date[11] = "2026-01-05", plan[64];
	int64_t sid;
	static const char *const past[] = { CHECK_W_PAST_PLANNED, NULL };

	record_set_today(f->s, TODAY, &err);
	sr.patient_id = patient_with(f->s, 4, NULL, NULL);
	assert_int_equal(plan_phase_add(&sr, "12x7", &err), NL_OK);
	assert_int_equal(plan_phase_add(&sr, "6x28", &err), NL_OK);
	assert_string_equal(plan_text(&sr, plan, sizeof(plan)), "12 weekly, then 6 every 4 weeks");
	assert_int_equal(record_series_add(f->s, &sr, &sid, &err), NL_OK);
	free(sr.phases);
	for (int k = 1; k <= 18; k++) {
		fx_session_init(&fs, sid, date, "scalp-vertex", 1.5);
		add_expect(f->s, &fs, none);   /* no warning on any of the 18 */
		check_date_add_days(date, k < 12 ? 7 : 28, date, &err);
	}
	fx_session_init(&fs, sid, date, "scalp-vertex", 1.5);
	add_expect(f->s, &fs, past);           /* the 19th is past the plan */
}

static void due_follows_the_phase(void **state)
{
	struct fx *f = *state;
	struct nl_series sr = { .indication = "hair-loss", .start_date = "2026-01-05" }, got;
	struct nl_err err = { 0 };
	struct nl_progress pg;
	char date[11] = "2026-01-05", plan[64];
	int64_t sid;

	record_set_today(f->s, TODAY, &err);
	sr.patient_id = patient_with(f->s, 2, NULL, NULL);
	plan_phase_add(&sr, "2x7", &err);
	plan_phase_add(&sr, "1x28", &err);
	assert_int_equal(record_series_add(f->s, &sr, &sid, &err), NL_OK);
	free(sr.phases);
	assert_int_equal(record_series_get(f->s, sid, &got, &err), NL_OK);
	assert_int_equal(got.planned, 3);
	assert_int_equal(got.interval_days, 7);
	assert_int_equal(got.nphases, 2);
	assert_string_equal(plan_text(&got, plan, sizeof(plan)), "2 weekly, then 1 session");
	assert_int_equal(plan_interval_at(&got, 2), 7);
	assert_int_equal(plan_interval_at(&got, 3), 28);
	record_series_free(&got);
	fx_session_add(f->s, sid, date, "scalp-vertex", 1.0);
	assert_int_equal(progress_series(f->s, sid, TODAY, &pg, &err), NL_OK);
	assert_string_equal(pg.next_due, "2026-01-12");       /* session 2: weekly */
	progress_free(&pg);
	fx_session_add(f->s, sid, "2026-01-12", "scalp-vertex", 1.0);
	assert_int_equal(progress_series(f->s, sid, TODAY, &pg, &err), NL_OK);
	assert_string_equal(pg.next_due, "2026-02-09");       /* session 3: 28 days */
	assert_int_equal(pg.planned, 3);
	progress_free(&pg);
	{
		struct nl_due *due;
		size_t n;

		assert_int_equal(progress_due_list(f->s, TODAY, 0, &due, &n, &err), NL_OK);
		assert_int_equal(n, 1);
		assert_string_equal(due[0].next_due, "2026-02-09");
		progress_due_list_free(due, n);
	}
	/* a bad phase is refused naming it */
	sr = (struct nl_series){ 0 };
	assert_int_equal(plan_phase_add(&sr, "12x0", &err), NL_EDATA);
	assert_msg(err, "phase interval");
	assert_int_equal(plan_phase_add(&sr, "twelve", &err), NL_EDATA);
	assert_msg(err, "COUNTxDAYS");
}

static void seed_protocol_acne(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_series sr = { .indication = "acne-scars", .planned = 5, .interval_days = 28,
				.start_date = "2026-01-05" };
	char date[11] = "2026-01-05";
	int64_t sid;

	record_set_today(f->s, TODAY, &err);
	sr.patient_id = patient_with(f->s, 4, NULL, NULL);
	assert_int_equal(record_series_add(f->s, &sr, &sid, &err), NL_OK);
	for (int k = 0; k < 5; k++) {
		struct fx_session fs;

		fx_session_init(&fs, sid, date, "cheek-l", 1.5);
		fs.areas[1] = (struct nl_treatment){ .area = "cheek-r", .depth_mm = 1.5 };
		fs.areas[2] = (struct nl_treatment){ .area = "forehead", .depth_mm = 0.5 };
		fs.ses.nareas = 3;
		add_expect(f->s, &fs, none);
		check_date_add_days(date, 28, date, &err);
	}
}

/* The Fitzpatrick interval rule still holds on face and body. */
static void skin_interval_face_only(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	int64_t sid;
	struct fx_session fs;
	static const char *const want[] = { CHECK_W_SKIN_INTERVAL, NULL };
	struct nl_series sr = { .indication = "acne-scars", .interval_days = 14,
				.start_date = "2026-01-05" };

	record_set_today(f->s, TODAY, &err);
	sr.patient_id = patient_with(f->s, 5, NULL, NULL);
	assert_int_equal(record_series_add(f->s, &sr, &sid, &err), NL_OK);
	fx_session_add(f->s, sid, "2026-01-05", "cheek-l", 1.0);
	fx_session_init(&fs, sid, "2026-01-19", "cheek-l", 1.0);
	add_expect(f->s, &fs, want);
	fx_session_init(&fs, sid, "2026-02-02", "scalp-vertex", 1.0);
	add_expect(f->s, &fs, none);
}

/* ---- allergies, medications -------------------------------------------------- */

static void allergens_and_ingredients(void **state)
{
	struct fx *f = *state;
	static const char *const lido[] = { "lidocaine:hives:severe", "nickel", NULL };
	static const char *const anes[] = { CHECK_W_ALLERGEN, CHECK_W_NICKEL, NULL };
	static const char *const two[] = { CHECK_W_ALLERGEN, CHECK_W_ALLERGEN, CHECK_W_NICKEL,
					   NULL };
	static const char *const nick[] = { CHECK_W_NICKEL, NULL };
	const char *brands[] = { "EMLA cream", "LMX4", "BLT", "Pliaglis", "lignocaine 5%" };
	struct nl_err err = { 0 };
	int64_t pid, sid;
	struct fx_session fs;

	record_set_today(f->s, TODAY, &err);
	pid = patient_with(f->s, 2, lido, NULL);
	/* a series each, so that only the allergy rules speak */
	for (size_t i = 0; i < COUNT_OF(brands); i++) {
		sid = fx_series(f->s, pid, "acne-scars", "2026-01-01");
		fx_session_init(&fs, sid, "2026-02-01", "cheek-l", 1.0);
		fs.ses.anesthetic = (char *)brands[i];
		add_expect(f->s, &fs, anes);
	}
	/* benzocaine alone does not hold lidocaine; the nickel warning once */
	sid = fx_series(f->s, pid, "acne-scars", "2026-01-01");
	fx_session_init(&fs, sid, "2026-02-01", "cheek-l", 1.0);
	fs.ses.anesthetic = "benzocaine 20%";
	fs.products[0] = "xylocaine gel";
	fs.products[1] = "hyaluronic acid";
	fs.ses.products = fs.products;
	fs.ses.nproducts = 2;
	add_expect(f->s, &fs, (const char *const[]){ CHECK_W_ALLERGEN, CHECK_W_NICKEL, NULL });
	fs.ses.anesthetic = "EMLA";
	fs.ses.date = "2026-03-01";
	add_expect(f->s, &fs, two);
	fs.ses.anesthetic = NULL;
	fs.ses.date = "2026-04-01";
	fs.ses.nproducts = 0;
	add_expect(f->s, &fs, nick);
	assert_true(clin_text_names_allergen("Pliaglis", "tetracaine"));
	assert_false(clin_text_names_allergen("Pliaglis", "prilocaine"));
	assert_false(clin_text_names_allergen("isotretinoin", "tretinoin"));
}

static void allergy_and_medication_in_force(void **state)
{
	struct nl_allergy a = { .code = "nickel", .end_date = "2026-05-01" };
	struct nl_medication m = { .code = "anticoagulant", .start = "2026-01-10",
				   .stop = "2026-03-01" };
	struct nl_medication iso = { .code = "isotretinoin", .stop = "2026-01-31" };
	char until[11];

	(void)state;
	assert_true(check_allergy_in_force(&a, "2026-05-01"));
	assert_false(check_allergy_in_force(&a, "2026-05-02"));
	assert_false(check_medication_in_force(&m, "2026-01-09", until));
	assert_true(check_medication_in_force(&m, "2026-01-10", until));
	assert_true(check_medication_in_force(&m, "2026-03-01", until));
	assert_false(check_medication_in_force(&m, "2026-03-02", until));
	assert_true(check_medication_in_force(&iso, "2026-07-31", until));
	assert_string_equal(until, "2026-07-31");
	assert_false(check_medication_in_force(&iso, "2026-08-01", until));
}

static void medications_warn(void **state)
{
	struct fx *f = *state;
	static const char *const meds[] = { "antiplatelet:Aspirin 75 mg:2025-01-01",
					    "isotretinoin::2025-06-01:2026-01-15", NULL };
	static const char *const want[] = { CHECK_W_ISOTRETINOIN, CHECK_W_BLEEDING, NULL };
	struct nl_err err = { 0 };
	struct fx_session fs;
	int64_t pid, sid;

	record_set_today(f->s, TODAY, &err);
	pid = patient_with(f->s, 2, NULL, meds);
	sid = fx_series(f->s, pid, "acne-scars", "2026-01-01");
	fx_session_init(&fs, sid, "2026-02-01", "cheek-l", 1.0);
	add_expect(f->s, &fs, want);
	fx_session_init(&fs, sid, "2026-07-16", "cheek-l", 1.0);
	add_expect(f->s, &fs, (const char *const[]){ CHECK_W_BLEEDING, NULL });
}

static void bad_lists_write_nothing(void **state)
{
	struct fx *f = *state;
	struct nl_patient p = { .name = "Bad List" };
	struct nl_err err = { 0 };
	int64_t id = 0, before = fx_count(f->s, "SELECT count(*) FROM patient");

	record_set_today(f->s, TODAY, &err);
	clin_allergy_add(&p, "peanuts", &err);
	assert_int_equal(record_patient_add(f->s, &p, &id, &err), NL_EDATA);
	assert_msg(err, "allergy 1", "peanuts", "lidocaine", "other");
	p.name = NULL;
	record_patient_free(&p);
	p = (struct nl_patient){ .name = "Bad Sev" };
	clin_allergy_add(&p, "latex:rash:deadly", &err);
	assert_int_equal(record_patient_add(f->s, &p, &id, &err), NL_EDATA);
	assert_msg(err, "severity", "deadly", "mild, moderate, severe");
	p.name = NULL;
	record_patient_free(&p);
	p = (struct nl_patient){ .name = "Future Med" };
	clin_medication_add(&p, "minoxidil:Regaine:2027-01-02", &err);
	assert_int_equal(record_patient_add(f->s, &p, &id, &err), NL_EDATA);
	assert_msg(err, "medication minoxidil start", "after today");
	p.name = NULL;
	record_patient_free(&p);
	p = (struct nl_patient){ .name = "Bad Sex", .sex = "m" };
	assert_int_equal(record_patient_add(f->s, &p, &id, &err), NL_EDATA);
	assert_msg(err, "sex", "female, male, other, unknown");
	p.sex = "female";
	assert_int_equal(record_patient_add(f->s, &p, &id, &err), NL_OK);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM patient"), before + 1);
	{
		struct nl_patient out;

		assert_int_equal(record_patient_get(f->s, id, &out, &err), NL_OK);
		assert_string_equal(out.sex, "female");
		record_patient_free(&out);
	}
}

/* ---- consent ------------------------------------------------------------------- */

static void consent_records(void **state)
{
	struct fx *f = *state;
	struct nl_patient p = { .name = "Con Sent", .dob = "1990-01-01" };
	struct nl_consent c = { .kind = CLIN_CONSENT_TREATMENT, .covers = "acne-scars",
				.form = "Form T v2", .given = "2026-02-01" }, *list;
	struct nl_err err = { 0 };
	struct fx_session fs;
	size_t n;
	bool yes;
	int64_t pid, cid, sid;
	static const char *const nocon[] = { CHECK_W_NO_CONSENT, NULL };

	record_set_today(f->s, TODAY, &err);
	record_set_actor(f->s, "Dr Ana", &err);
	assert_int_equal(record_patient_add(f->s, &p, &pid, &err), NL_OK);
	c.patient_id = pid;
	sid = fx_series(f->s, pid, "acne-scars", "2026-01-01");
	fx_session_init(&fs, sid, "2026-01-02", "cheek-l", 1.0);
	add_expect(f->s, &fs, nocon);
	assert_int_equal(record_consent_add(f->s, &c, &cid, &err), NL_OK);
	/* before it was given: the warning says so */
	{
		struct nl_warning *w;
		size_t nw;

		fx_session_init(&fs, sid, "2026-01-30", "cheek-l", 1.0);
		assert_int_equal(check_session_preview(f->s, &fs.ses, 0, &w, &nw, &err), NL_OK);
		codes_are(w, nw, nocon);
		assert_non_null(strstr(w[0].message, "given on 2026-02-01, after this session"));
		record_warnings_free(w, nw);
	}
	fx_session_init(&fs, sid, "2026-02-01", "cheek-l", 1.0);
	add_expect(f->s, &fs, none);     /* the day given: in force */
	/* boundaries of the one in-force rule */
	assert_int_equal(record_consent_in_force(f->s, pid, CLIN_CONSENT_TREATMENT, "acne-scars",
						 "2026-01-31", &yes, NULL, &err), NL_OK);
	assert_false(yes);
	assert_int_equal(record_consent_in_force(f->s, pid, CLIN_CONSENT_TREATMENT, "hair-loss",
						 "2026-03-01", &yes, NULL, &err), NL_OK);
	assert_false(yes);               /* covers acne scars only */
	assert_int_equal(record_consent_withdraw(f->s, cid, "2026-03-01", NULL, &err), NL_OK);
	assert_int_equal(record_consent_in_force(f->s, pid, CLIN_CONSENT_TREATMENT, "acne-scars",
						 "2026-02-28", &yes, NULL, &err), NL_OK);
	assert_true(yes);
	assert_int_equal(record_consent_in_force(f->s, pid, CLIN_CONSENT_TREATMENT, "acne-scars",
						 "2026-03-01", &yes, NULL, &err), NL_OK);
	assert_false(yes);               /* withdrawn that day */
	assert_int_equal(record_consent_withdraw(f->s, cid, NULL, NULL, &err), NL_EUSAGE);
	assert_msg(err, "already withdrawn", "2026-03-01");
	/* bad input: nothing written */
	c.given = "2027-01-02";
	assert_int_equal(record_consent_add(f->s, &c, NULL, &err), NL_EDATA);
	assert_msg(err, "after today");
	c.given = "1989-12-31";
	assert_int_equal(record_consent_add(f->s, &c, NULL, &err), NL_EDATA);
	assert_msg(err, "before the date of birth");
	c.given = "2026-04-01";
	c.kind = "verbal";
	assert_int_equal(record_consent_add(f->s, &c, NULL, &err), NL_EDATA);
	assert_msg(err, "kind", "verbal", "photography-clinical");
	c.kind = CLIN_CONSENT_PHOTO;
	c.covers = NULL;
	assert_int_equal(record_consent_add(f->s, &c, NULL, &err), NL_OK);
	assert_int_equal(record_photo_consent(f->s, pid, sid, "2026-04-01", false, &yes, &err),
			 NL_OK);
	assert_true(yes);
	assert_int_equal(record_photo_consent(f->s, pid, 0, "2026-04-01", true, &yes, &err), NL_OK);
	assert_false(yes);
	assert_int_equal(record_consent_list(f->s, pid, &list, &n, &err), NL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].withdrawn, "2026-03-01");
	assert_string_equal(list[0].taken_by, "Dr Ana");
	record_consent_list_free(list, n);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE entity = 'consent'"), 3);
	/* never deleted, never changed but by withdrawing */
	assert_int_not_equal(sqlite3_exec(store_db(record_store(f->s)),
					  "DELETE FROM consent", NULL, NULL, NULL), SQLITE_OK);
}

/* ---- traceability --------------------------------------------------------------- */

static void lots_traced(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct fx_session fs;
	struct nl_session def;
	struct nl_trace_row *rows;
	struct nl_warning *w;
	size_t n, nw;
	int64_t pid, sid, s1, s2;
	static const char *const exp[] = { CHECK_W_EXPIRED, CHECK_W_EXPIRED, NULL };

	record_set_today(f->s, TODAY, &err);
	pid = fx_patient(f->s, "Trace Me");
	sid = fx_series(f->s, pid, "acne-scars", "2026-01-01");
	fx_session_init(&fs, sid, "2026-02-01", "cheek-l", 1.0);
	fs.ses.device = "Dermapen 4";
	fs.ses.device_serial = "SN-88123";
	fs.ses.cartridge = "36-pin";
	fs.ses.cartridge_lot = "A123";
	fs.ses.cartridge_expiry = "2026-01-31";
	fs.ses.practitioner = "Dr Ana";
	fs.ses.products = NULL;
	fs.ses.nproducts = 0;
	assert_int_equal(clin_product_add(&fs.ses, "hyaluronic acid:HA-9:2026-01-15", &err), NL_OK);
	assert_int_equal(record_session_add(f->s, &fs.ses, true, &w, &nw, &s1, &err), NL_OK);
	codes_are(w, nw, exp);
	record_warnings_free(w, nw);
	record_strings_free(fs.ses.products, fs.ses.nproducts);
	free(fs.ses.product_lots[0].lot);
	free(fs.ses.product_lots[0].expiry);
	free(fs.ses.product_lots);
	/* the signed lock covers the lots too */
	assert_int_not_equal(sqlite3_exec(store_db(record_store(f->s)),
					  "UPDATE session_trace SET cartridge_lot = 'X'", NULL, NULL,
					  NULL), SQLITE_OK);
	assert_int_equal(record_verify_signatures(f->s, NULL, NULL, NULL, &err), NL_OK);
	/* defaults: the device and the cartridge, never its lot or expiry */
	assert_int_equal(record_session_defaults(f->s, sid, &def, &err), NL_OK);
	assert_string_equal(def.device, "Dermapen 4");
	assert_string_equal(def.device_serial, "SN-88123");
	assert_string_equal(def.cartridge, "36-pin");
	assert_null(def.cartridge_lot);
	assert_null(def.cartridge_expiry);
	assert_int_equal(def.nproducts, 1);
	assert_int_equal(def.nproduct_lots, 0);
	assert_string_equal(def.date, TODAY);
	assert_int_equal(def.nareas, 1);
	free(def.date);
	def.date = strdup("2026-03-01");
	def.cartridge_lot = strdup("b77");
	assert_int_equal(record_session_add(f->s, &def, false, NULL, NULL, &s2, &err), NL_OK);
	record_session_free(&def);
	/* the advisory: one call, every use; case and blanks ignored */
	assert_int_equal(record_trace_lot(f->s, " a123 ", &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].session_id, s1);
	assert_int_equal(rows[0].patient_id, pid);
	assert_string_equal(rows[0].date, "2026-02-01");
	assert_string_equal(rows[0].what, "cartridge");
	assert_string_equal(rows[0].item, "36-pin");
	assert_true(rows[0].is_signed);
	record_trace_free(rows, n);
	assert_int_equal(record_trace_lot(f->s, "HA-9", &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].what, "product");
	assert_string_equal(rows[0].item, "hyaluronic acid");
	assert_string_equal(rows[0].expiry, "2026-01-15");
	record_trace_free(rows, n);
	/* a lot set by an amendment is found as amended */
	{
		struct nl_session_view v;

		assert_int_equal(record_session_get(f->s, s2, &v, &err), NL_OK);
		free(v.effective.cartridge_lot);
		v.effective.cartridge_lot = strdup("C555");
		assert_int_equal(record_session_amend(f->s, s2, &v.effective, "wrong lot typed",
						      "Dr Ana", NULL, NULL, NULL, &err), NL_OK);
		record_session_view_free(&v);
	}
	assert_int_equal(record_trace_lot(f->s, "c555", &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].session_id, s2);
	record_trace_free(rows, n);
	assert_int_equal(record_trace_lot(f->s, "  ", &rows, &n, &err), NL_EDATA);
	assert_msg(err, "lot");
}

/* ---- scales ---------------------------------------------------------------------- */

static void scales_by_stage(void **state)
{
	struct progress_delta d;
	const struct vocab_scale *nw = vocab_scale_find("norwood");

	(void)state;
	progress_delta(nw, 5, 3, &d);   /* III-vertex to III */
	assert_int_equal(d.verdict, PROGRESS_PATTERN);
	assert_true(d.change == 0);
	assert_string_equal(d.text, "III-vertex to III: the same stage (III), the pattern changed");
	progress_delta(nw, 6, 3, &d);   /* IV to III */
	assert_int_equal(d.verdict, PROGRESS_BETTER);
	assert_string_equal(d.text, "IV to III: 1 stage better");
	progress_delta(vocab_scale_find("hair-density"), 142, 179, &d);
	assert_true(d.has_percent);
	assert_string_equal(d.text, "142 to 179 /cm\xc2\xb2: +37 (+26%), better");
	progress_delta(vocab_scale_find("gais"), 3, 2, &d);
	assert_false(d.has_percent);
	assert_string_equal(d.text, "3 to 2: 1 grade better");
}

static void score_lines_dated(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_score base = { .scale = "norwood", .value = 5 };
	struct nl_series sr = { .indication = "hair-loss", .start_date = "2026-01-05",
				.baseline = &base, .nbaseline = 1 };
	struct fx_session fs;
	struct nl_progress pg;
	int64_t sid, id;

	record_set_today(f->s, TODAY, &err);
	sr.patient_id = fx_patient(f->s, "Score Dates");
	assert_int_equal(record_series_add(f->s, &sr, &sid, &err), NL_OK);
	fx_session_init(&fs, sid, "2026-02-02", "scalp-vertex", 1.0);
	fs.scores[0] = (struct nl_score){ .scale = "norwood", .value = 3 };
	fs.ses.scores = fs.scores;
	fs.ses.nscores = 1;
	assert_int_equal(record_session_add(f->s, &fs.ses, false, NULL, NULL, &id, &err), NL_OK);
	assert_int_equal(progress_series(f->s, sid, TODAY, &pg, &err), NL_OK);
	assert_int_equal(pg.nscales, 1);
	assert_string_equal(pg.scales[0].baseline_date, "2026-01-05");
	assert_string_equal(pg.scales[0].points[0].date, "2026-02-02");
	assert_int_equal(pg.scales[0].verdict, PROGRESS_PATTERN);
	assert_string_equal(pg.scales[0].delta.text,
			    "III-vertex to III: the same stage (III), the pattern changed");
	progress_free(&pg);
}

/* ---- unsigned sessions ----------------------------------------------------------- */

static void unsigned_chased(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_unsigned *u;
	size_t n;
	int64_t sid, old;

	record_set_today(f->s, TODAY, &err);
	sid = fx_series(f->s, fx_patient(f->s, "Unsigned"), "acne-scars", "2026-01-01");
	old = fx_session_add(f->s, sid, "2026-08-28", "cheek-l", 1.0);
	fx_session_add(f->s, sid, "2026-08-31", "cheek-l", 1.0);
	assert_int_equal(record_unsigned_list(f->s, "2026-08-30", &u, &n, &err), NL_OK);
	assert_int_equal(n, 1);        /* 2 days after its date */
	assert_int_equal(u[0].session_id, old);
	assert_int_equal(u[0].days, 2);
	record_unsigned_list_free(u, n);
	assert_int_equal(record_unsigned_list(f->s, "2026-08-29", &u, &n, &err), NL_OK);
	assert_int_equal(n, 0);        /* the day after: not yet */
	record_unsigned_list_free(u, n);
	assert_int_equal(record_session_sign(f->s, old, "Dr Ana", &err), NL_OK);
	assert_int_equal(record_unsigned_list(f->s, TODAY, &u, &n, &err), NL_OK);
	assert_int_equal(n, 1);        /* signed: no longer chased; the other is */
	assert_string_equal(u[0].date, "2026-08-31");
	record_unsigned_list_free(u, n);
}

static void one_rule_table(void **state)
{
	(void)state;
	assert_int_equal(check_rule_count, 13);
	for (size_t i = 0; i < check_rule_count; i++) {
		assert_non_null(check_rule_code(i));
		assert_non_null(check_rule_about(i));
	}
	assert_null(check_rule_code(check_rule_count));
}

/* ---- the migration of a file made by the release before -------------------------- */

static void migrate_v2_file(void **state)
{
	struct fx *f = *state;
	char path[400], cmd[900];
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };
	struct record *r;
	struct nl_patient p;
	struct nl_consent *c;
	struct nl_series sr;
	size_t n;
	int version;

	snprintf(path, sizeof(path), "%s/v2.nldb", f->dir);
	snprintf(cmd, sizeof(cmd), "cp '%s/data/v2.nldb' '%s'", UNIT_SOURCE_DIR, path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(store_pass_set(&pass, "fixture", 7, &err), NL_OK);
	if (record_open(path, &pass, &r, &err) != NL_OK)
		fail_msg("open: %s", err.msg);
	store_pass_free(&pass);
	assert_int_equal(store_schema_version(record_store(r), &version, &err), NL_OK);
	assert_int_equal(version, (int)schema_migration_count);
	record_set_today(r, "2026-03-01", &err);
	/* patient 1: every character of the old texts kept */
	assert_int_equal(record_patient_get(r, 1, &p, &err), NL_OK);
	assert_null(p.allergies);
	assert_null(p.medications);
	assert_null(p.sex);
	assert_int_equal(p.nflags, 1);
	assert_string_equal(p.flags[0].code, "isotretinoin");
	assert_int_equal(p.nallergy_list, 5);
	assert_string_equal(p.allergy_list[0].code, "nickel");
	assert_string_equal(p.allergy_list[0].note,
			    "Nickel (costume jewellery); lidocaine \xe2\x80\x93 rash");
	assert_string_equal(p.allergy_list[1].code, "lidocaine");
	assert_null(p.allergy_list[1].note);
	/* the anesthetic-allergy flag ("EMLA: hives"): lidocaine and prilocaine */
	assert_string_equal(p.allergy_list[2].code, "lidocaine");
	assert_string_equal(p.allergy_list[2].date, "2024-05-01");
	assert_string_equal(p.allergy_list[2].note, "EMLA: hives");
	assert_string_equal(p.allergy_list[3].code, "prilocaine");
	assert_null(p.allergy_list[3].note);
	assert_string_equal(p.allergy_list[4].code, "nickel");   /* metal-allergy */
	assert_int_equal(p.nmedication_list, 2);
	assert_string_equal(p.medication_list[0].code, "anticoagulant");
	assert_string_equal(p.medication_list[0].name, "Warfarin");
	assert_string_equal(p.medication_list[0].note, "Warfarin 5 mg daily\nminoxidil 5% topical");
	assert_string_equal(p.medication_list[1].code, "minoxidil");
	assert_string_equal(p.medication_list[1].name, "minoxidil");
	assert_string_equal(p.consent_date, "2026-01-10");
	record_patient_free(&p);
	assert_int_equal(record_consent_list(r, 1, &c, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].kind, "treatment");
	assert_null(c[0].covers);
	assert_string_equal(c[0].given, "2026-01-10");
	record_consent_list_free(c, n);
	/* patient 2: a text naming nothing is "other"; a bare flag means
	 * lidocaine and benzocaine */
	assert_int_equal(record_patient_get(r, 2, &p, &err), NL_OK);
	assert_int_equal(p.nallergy_list, 3);
	assert_string_equal(p.allergy_list[0].code, "other");
	assert_string_equal(p.allergy_list[0].note, "Tea tree oil");
	assert_string_equal(p.allergy_list[1].code, "lidocaine");
	assert_string_equal(p.allergy_list[2].code, "benzocaine");
	assert_int_equal(p.nmedication_list, 0);
	assert_null(p.consent_date);
	record_patient_free(&p);
	/* the plan is one phase; signatures made before still verify */
	assert_int_equal(record_series_get(r, 1, &sr, &err), NL_OK);
	assert_int_equal(sr.nphases, 1);
	assert_int_equal(sr.phases[0].count, 18);
	assert_int_equal(sr.phases[0].interval_days, 7);
	record_series_free(&sr);
	assert_int_equal(record_verify_signatures(r, &n, NULL, NULL, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(fx_count(r, "SELECT count(*) FROM audit WHERE who = "
				  "'needlelog (schema migration 5)'"), 3);
	/* old free text naming a lot is found, to be checked by hand */
	{
		struct nl_trace_row *rows;

		assert_int_equal(record_trace_lot(r, "B77", &rows, &n, &err), NL_OK);
		assert_int_equal(n, 1);
		assert_string_equal(rows[0].what, "text");
		record_trace_free(rows, n);
	}
	record_close(r);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(dhurat_on_fitzpatrick_iv, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(seed_protocol_acne, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(skin_interval_face_only, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(due_follows_the_phase, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(allergens_and_ingredients, fx_setup, fx_teardown),
		cmocka_unit_test(allergy_and_medication_in_force),
		cmocka_unit_test_setup_teardown(medications_warn, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(bad_lists_write_nothing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(consent_records, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(lots_traced, fx_setup, fx_teardown),
		cmocka_unit_test(scales_by_stage),
		cmocka_unit_test_setup_teardown(score_lines_dated, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(unsigned_chased, fx_setup, fx_teardown),
		cmocka_unit_test(one_rule_table),
		cmocka_unit_test_setup_teardown(migrate_v2_file, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
