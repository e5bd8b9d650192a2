/* Sessions: rejected writes change nothing, warnings are stored, preview
 * writes nothing, edits while unsigned, amendments keep the original, the
 * signed lock holds in the database, voiding, and hash verification. */
#include <stdlib.h>

#include "fixture.h"

struct ctx {
	struct fx *f;
	int64_t patient, series;
};

static int64_t setup_series(struct fx *f, int64_t *patient)
{
	*patient = fx_patient(f->s, "Sam Ortiz");
	return fx_series(f->s, *patient, "acne-scars", "2026-01-05");
}

static void add_full_and_read(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct fx_session fs;
	struct nl_session_view v;
	struct nl_warning *w;
	size_t nw;
	int64_t pid, sid = setup_series(f, &pid), id;

	fx_session_init(&fs, sid, "2026-01-05", "cheek-l", 1.5);
	fs.areas[0].passes = 3;
	fs.areas[1] = (struct nl_treatment){ "forehead", NULL, 0.9, 2 }; /* acne face: 0.25-2.5 */
	fs.ses.nareas = 2;
	fs.ses.practitioner = "Dr Kim";
	fs.ses.device = "pen lot A123";
	fs.ses.cartridge = "36-pin";
	fs.ses.anesthetic = "lidocaine 4%";
	fs.ses.anesthetic_minutes = 30;
	fs.products[0] = "hyaluronic acid";
	fs.products[1] = "PRP";
	fs.ses.nproducts = 2;
	fs.ses.endpoint = "pinpoint-bleeding";
	fs.ses.pain = 4;
	fs.ses.reaction = "erythema";
	fs.ses.aftercare = "SPF 50";
	fs.ses.notes = "Patient tolerated well. Ünïcödé.";
	fs.scores[0] = (struct nl_score){ "goodman-baron-quant", 30 };
	fs.scores[1] = (struct nl_score){ "gais", 3 };
	fs.ses.nscores = 2;
	assert_int_equal(record_session_add(f->s, &fs.ses, false, &w, &nw, &id, &err), NL_OK);
	assert_int_equal(nw, 0);
	record_warnings_free(w, nw);

	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	assert_int_equal(v.original.series_id, sid);
	assert_string_equal(v.original.date, "2026-01-05");
	assert_string_equal(v.original.device, "pen lot A123");
	assert_int_equal(v.original.anesthetic_minutes, 30);
	assert_int_equal(v.original.nproducts, 2);
	assert_string_equal(v.original.products[1], "PRP");
	assert_int_equal(v.original.pain, 4);
	assert_int_equal(v.original.nareas, 2);
	assert_true(v.original.areas[0].depth_mm == 1.5);
	assert_int_equal(v.original.areas[0].passes, 3);
	assert_string_equal(v.original.areas[1].area, "forehead");
	assert_int_equal(v.original.nscores, 2);
	assert_string_equal(v.original.scores[0].scale, "gais");     /* by scale code */
	assert_string_equal(v.effective.notes, fs.ses.notes);
	assert_false(v.original.is_signed);
	assert_int_equal(v.namendments, 0);
	/* the same scores in another order are not a change */
	{
		struct nl_score tmp = v.effective.scores[0];

		v.effective.scores[0] = v.effective.scores[1];
		v.effective.scores[1] = tmp;
	}
	assert_int_equal(record_session_amend(f->s, id, &v.effective, "reorder", NULL, NULL, NULL,
					      NULL, &err), NL_EDATA);
	assert_msg(err, "nothing differs");
	record_session_view_free(&v);

	assert_int_equal(record_session_get(f->s, id + 100, &v, &err), NL_ENOENT);
	assert_msg(err, "no session");
}

static void rejected_writes_nothing(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct fx_session fs;
	int64_t pid, sid = setup_series(f, &pid), id = 0;
	int64_t audits = fx_count(f->s, "SELECT count(*) FROM audit");

	fx_session_init(&fs, sid, "2026-01-05", "cheek-l", 3.1);
	assert_int_equal(record_session_add(f->s, &fs.ses, true, NULL, NULL, &id, &err), NL_EDATA);
	assert_msg(err, "cheek-l", "3.1", "0.1-3.0");
	fs.areas[0].depth_mm = 1.0;
	fs.ses.date = "2026-02-30";
	assert_int_equal(record_session_add(f->s, &fs.ses, false, NULL, NULL, &id, &err), NL_EDATA);
	fs.ses.date = "2026-02-01";
	fs.ses.series_id = 999;
	assert_int_equal(record_session_add(f->s, &fs.ses, false, NULL, NULL, &id, &err), NL_ENOENT);
	assert_msg(err, "series", "999");
	assert_int_equal(id, 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM session"), 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM session_area"), 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit"), audits);
}

static void warnings_stored_and_previewed(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_patient p = { .name = "No Consent", .skin_type = 5 };
	struct nl_flag fl = { .code = "isotretinoin", .date = "2025-12-01" };
	struct fx_session fs;
	struct nl_session_view v;
	struct nl_warning *w;
	size_t nw;
	int64_t pid, sid, id;

	p.flags = &fl;
	p.nflags = 1;
	assert_int_equal(record_patient_add(f->s, &p, &pid, &err), NL_OK);
	sid = fx_series(f->s, pid, "fine-lines", "2026-01-05");
	fx_session_add(f->s, sid, "2026-01-05", "forehead", 0.5);
	fx_session_init(&fs, sid, "2026-01-20", "cheek-l", 1.75);

	/* preview: the warnings, nothing written */
	assert_int_equal(check_session_preview(f->s, &fs.ses, 0, &w, &nw, &err), NL_OK);
	assert_true(fx_has_warning(w, nw, CHECK_W_DEPTH_RANGE));
	assert_true(fx_has_warning(w, nw, CHECK_W_ISOTRETINOIN));
	assert_true(fx_has_warning(w, nw, CHECK_W_INTERVAL_SHORT));
	assert_true(fx_has_warning(w, nw, CHECK_W_SKIN_DEPTH));
	assert_true(fx_has_warning(w, nw, CHECK_W_SKIN_INTERVAL));
	assert_true(fx_has_warning(w, nw, CHECK_W_NO_CONSENT));
	assert_false(fx_has_warning(w, nw, CHECK_W_PAST_PLANNED));
	record_warnings_free(w, nw);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM session"), 1);
	fs.areas[0].depth_mm = 9;
	assert_int_equal(check_session_preview(f->s, &fs.ses, 0, &w, &nw, &err), NL_EDATA);
	assert_msg(err, "depth 9 mm");
	fs.areas[0].depth_mm = 1.75;

	assert_int_equal(record_session_add(f->s, &fs.ses, false, &w, &nw, &id, &err), NL_OK);
	assert_int_equal(nw, 6);
	record_warnings_free(w, nw);
	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	assert_int_equal(v.original.nwarnings, 6);
	assert_true(fx_has_warning(v.original.warnings, 6, CHECK_W_ISOTRETINOIN));
	assert_int_equal(v.effective.nwarnings, 6);
	record_session_view_free(&v);
}

static void past_planned(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_series sr = { .indication = "hair-loss", .planned = 2, .interval_days = 7,
				.start_date = "2026-01-01" };
	struct fx_session fs;
	struct nl_warning *w;
	size_t nw;
	int64_t sid, id;

	sr.patient_id = fx_patient(f->s, "Pat");
	assert_int_equal(record_series_add(f->s, &sr, &sid, &err), NL_OK);
	fx_session_add(f->s, sid, "2026-01-01", "scalp-vertex", 1.5);
	id = fx_session_add(f->s, sid, "2026-01-08", "scalp-vertex", 1.5);
	assert_int_equal(record_session_void(f->s, id, "wrong patient", "Dr Kim", &err), NL_OK);
	fx_session_init(&fs, sid, "2026-01-08", "scalp-vertex", 1.5);
	assert_int_equal(check_session_preview(f->s, &fs.ses, 0, &w, &nw, &err), NL_OK);
	assert_int_equal(nw, 0);           /* the voided one does not count */
	record_warnings_free(w, nw);
	fx_session_add(f->s, sid, "2026-01-08", "scalp-vertex", 1.5);
	fs.ses.date = "2026-01-15";
	assert_int_equal(check_session_preview(f->s, &fs.ses, 0, &w, &nw, &err), NL_OK);
	assert_int_equal(nw, 1);
	assert_string_equal(w[0].code, CHECK_W_PAST_PLANNED);
	record_warnings_free(w, nw);
}

/* The interval warning looks at the previous session's amended date. */
static void warnings_use_amended_dates(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_session_view v;
	struct fx_session fs;
	struct nl_warning *w;
	size_t nw;
	int64_t pid, sid = setup_series(f, &pid);
	int64_t id = fx_session_add(f->s, sid, "2026-01-05", "cheek-l", 1.0);

	fx_session_init(&fs, sid, "2026-02-02", "cheek-l", 1.0);
	assert_int_equal(check_session_preview(f->s, &fs.ses, 0, &w, &nw, &err), NL_OK);
	assert_int_equal(nw, 0);                          /* 28 days */
	record_warnings_free(w, nw);
	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	free(v.effective.date);
	v.effective.date = strdup("2026-01-20");
	assert_int_equal(record_session_amend(f->s, id, &v.effective, "date", NULL, NULL, NULL,
					      NULL, &err), NL_OK);
	record_session_view_free(&v);
	assert_int_equal(check_session_preview(f->s, &fs.ses, 0, &w, &nw, &err), NL_OK);
	assert_int_equal(nw, 1);                          /* 13 days */
	assert_string_equal(w[0].code, CHECK_W_INTERVAL_SHORT);
	assert_non_null(strstr(w[0].message, "2026-01-20"));
	record_warnings_free(w, nw);
	/* leaving the session itself out when it is edited */
	assert_int_equal(check_session_preview(f->s, &fs.ses, id, &w, &nw, &err), NL_OK);
	assert_int_equal(nw, 0);
	record_warnings_free(w, nw);
}

static void edit_unsigned_in_place(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_session_view v;
	struct nl_audit *rows;
	size_t n;
	int64_t pid, sid = setup_series(f, &pid);
	int64_t id = fx_session_add(f->s, sid, "2026-01-05", "cheek-l", 1.0);

	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	v.effective.areas[0].depth_mm = 1.25;
	v.effective.notes = strdup("deeper on the left");
	assert_int_equal(record_session_edit(f->s, &v.effective, NULL, NULL, &err), NL_OK);
	record_session_view_free(&v);
	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	assert_true(v.original.areas[0].depth_mm == 1.25);
	assert_string_equal(v.original.notes, "deeper on the left");
	/* a bad edit changes nothing */
	v.effective.areas[0].depth_mm = 4;
	assert_int_equal(record_session_edit(f->s, &v.effective, NULL, NULL, &err), NL_EDATA);
	record_session_view_free(&v);
	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	assert_true(v.original.areas[0].depth_mm == 1.25);
	record_session_view_free(&v);
	assert_int_equal(audit_list(f->s, 1, AUDIT_SESSION, id, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].action, AUDIT_CHANGE);
	assert_non_null(strstr(rows[0].detail, "\"areas\""));
	assert_non_null(strstr(rows[0].detail, "\"notes\""));
	audit_list_free(rows, n);
}

static void amend_keeps_original(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_session_view v;
	struct nl_warning *w;
	size_t nw;
	int64_t pid, sid = setup_series(f, &pid), aid;
	int64_t id = fx_session_add(f->s, sid, "2026-01-05", "cheek-l", 1.0);

	assert_int_equal(record_session_sign(f->s, id, "Dr Kim", &err), NL_OK);
	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	assert_true(v.original.is_signed);
	assert_string_equal(v.original.signed_by, "Dr Kim");
	assert_int_equal(strlen(v.original.hash), 64);
	/* signed: no edit in place */
	v.effective.pain = 3;
	assert_int_equal(record_session_edit(f->s, &v.effective, NULL, NULL, &err), NL_EUSAGE);
	assert_msg(err, "signed", "amend");
	/* amend needs a reason, and a difference */
	assert_int_equal(record_session_amend(f->s, id, &v.effective, "", "Dr Kim", NULL, NULL,
					      NULL, &err), NL_EDATA);
	assert_msg(err, "reason");
	v.effective.pain = -1;
	assert_int_equal(record_session_amend(f->s, id, &v.effective, "typo", "Dr Kim", NULL, NULL,
					      NULL, &err), NL_EDATA);
	assert_msg(err, "nothing");
	v.effective.pain = 3;
	v.effective.areas[0].depth_mm = 2.75;          /* now above acne-face 2.5 */
	assert_int_equal(record_session_amend(f->s, id, &v.effective, "depth misread", "Dr Kim",
					      &w, &nw, &aid, &err), NL_OK);
	assert_true(fx_has_warning(w, nw, CHECK_W_DEPTH_RANGE));
	record_warnings_free(w, nw);
	record_session_view_free(&v);

	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	assert_true(v.original.areas[0].depth_mm == 1.0);    /* original readable */
	assert_int_equal(v.original.pain, -1);
	assert_true(v.effective.areas[0].depth_mm == 2.75);  /* effective amended */
	assert_int_equal(v.effective.pain, 3);
	assert_int_equal(v.namendments, 1);
	assert_int_equal(v.amendments[0].id, aid);
	assert_string_equal(v.amendments[0].reason, "depth misread");
	assert_string_equal(v.amendments[0].practitioner, "Dr Kim");
	assert_non_null(v.amendments[0].at);
	assert_int_equal(v.amendments[0].nchanges, 2);
	assert_string_equal(v.amendments[0].changes[0].field, "pain");
	assert_null(v.amendments[0].changes[0].old_value);
	assert_string_equal(v.amendments[0].changes[0].new_value, "3");
	assert_string_equal(v.amendments[0].changes[1].field, "areas");
	assert_string_equal(v.amendments[0].changes[1].old_value, "cheek-l 1.00 mm");
	assert_string_equal(v.amendments[0].changes[1].new_value, "cheek-l 2.75 mm");
	assert_true(fx_has_warning(v.effective.warnings, v.effective.nwarnings,
				   CHECK_W_DEPTH_RANGE));
	assert_false(fx_has_warning(v.original.warnings, v.original.nwarnings,
				    CHECK_W_DEPTH_RANGE));
	assert_int_equal(v.effective.amendment_count, 1);

	/* a second amendment builds on the first */
	free(v.effective.notes);
	v.effective.notes = strdup("late entry: mild swelling next day");
	assert_int_equal(record_session_amend(f->s, id, &v.effective, "addendum", "Dr Lee", NULL,
					      NULL, NULL, &err), NL_OK);
	record_session_view_free(&v);
	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	assert_int_equal(v.namendments, 2);
	assert_true(v.effective.areas[0].depth_mm == 2.75);
	assert_string_equal(v.effective.notes, "late entry: mild swelling next day");
	assert_null(v.original.notes);
	record_session_view_free(&v);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'amend'"), 2);
	/* the signature still verifies: amendments never touch the original */
	assert_int_equal(record_verify_signatures(f->s, NULL, NULL, NULL, &err), NL_OK);
}

static void signed_lock_in_database(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	sqlite3 *db = store_db(record_store(f->s));
	int64_t pid, sid = setup_series(f, &pid);
	int64_t id = fx_session_add(f->s, sid, "2026-01-05", "cheek-l", 1.0);
	int64_t open_id = fx_session_add(f->s, sid, "2026-02-05", "cheek-l", 1.0);
	static const char *const attacks[] = {
		"UPDATE session SET notes = 'changed' WHERE signed = 1",
		"UPDATE session SET signed = 0 WHERE signed = 1",
		"UPDATE session SET date = '2026-01-06' WHERE signed = 1",
		"DELETE FROM session WHERE signed = 1",
		"UPDATE session_area SET depth_mm = 2.0 WHERE session_id IN "
		"(SELECT id FROM session WHERE signed = 1)",
		"DELETE FROM session_area WHERE session_id IN (SELECT id FROM session WHERE signed = 1)",
		"INSERT INTO session_area (session_id, pos, area, depth_mm) SELECT id, 9, 'chin', 1.0 "
		"FROM session WHERE signed = 1",
		"INSERT INTO session_score (session_id, scale, value) SELECT id, 'gais', 1 "
		"FROM session WHERE signed = 1",
		"INSERT INTO session_product (session_id, pos, product) SELECT id, 9, 'x' "
		"FROM session WHERE signed = 1",
		"INSERT INTO session_warning (session_id, pos, code, message) SELECT id, 9, 'x', 'y' "
		"FROM session WHERE signed = 1",
		"UPDATE amendment SET reason = 'x'",
	};

	assert_int_equal(record_session_sign(f->s, id, NULL, &err), NL_EDATA); /* no practitioner */
	assert_msg(err, "signed by");
	assert_int_equal(record_session_sign(f->s, id, "Dr Kim", &err), NL_OK);
	assert_int_equal(record_session_sign(f->s, id, "Dr Kim", &err), NL_EUSAGE);
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		char *msg = NULL;

		if (sqlite3_exec(db, attacks[i], NULL, NULL, &msg) == SQLITE_OK &&
		    sqlite3_changes(db) > 0)
			fail_msg("the database allowed: %s", attacks[i]);
		sqlite3_free(msg);
	}
	/* the unsigned one is still editable by SQL (the lock is per session) */
	assert_int_equal(sqlite3_exec(db, "UPDATE session SET notes = 'ok' WHERE signed = 0",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM session WHERE notes = 'changed'"), 0);
	assert_int_equal(record_verify_signatures(f->s, NULL, NULL, NULL, &err), NL_OK);
	(void)open_id;
}

static void void_session(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_session_view v;
	struct nl_session *list;
	size_t n;
	int64_t pid, sid = setup_series(f, &pid);
	int64_t id = fx_session_add(f->s, sid, "2026-01-05", "cheek-l", 1.0);

	fx_session_add(f->s, sid, "2026-02-05", "cheek-l", 1.0);
	assert_int_equal(record_session_sign(f->s, id, "Dr Kim", &err), NL_OK);
	assert_int_equal(record_session_void(f->s, id, "", "Dr Kim", &err), NL_EDATA);
	assert_msg(err, "reason");
	assert_int_equal(record_session_void(f->s, id, "entered on the wrong patient", "Dr Kim",
					     &err), NL_OK);
	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	assert_true(v.original.voided);
	assert_true(v.original.is_signed);
	assert_string_equal(v.original.void_reason, "entered on the wrong patient");
	assert_string_equal(v.original.voided_by, "Dr Kim");
	/* voided: no amendments, no second void */
	assert_int_equal(record_session_amend(f->s, id, &v.effective, "x", "Dr Kim", NULL, NULL,
					      NULL, &err), NL_EUSAGE);
	record_session_view_free(&v);
	assert_int_equal(record_session_void(f->s, id, "again", NULL, &err), NL_EUSAGE);
	assert_int_not_equal(sqlite3_exec(store_db(record_store(f->s)),
					  "UPDATE session SET voided = 0 WHERE voided = 1", NULL,
					  NULL, NULL), SQLITE_OK);
	assert_int_equal(record_session_list(f->s, sid, false, &list, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	record_session_list_free(list, n);
	assert_int_equal(record_session_list(f->s, sid, true, &list, &n, &err), NL_OK);
	assert_int_equal(n, 2);
	record_session_list_free(list, n);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM session"), 2);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'void'"), 1);
	/* voiding after signing leaves the signature valid */
	assert_int_equal(record_verify_signatures(f->s, NULL, NULL, NULL, &err), NL_OK);
}

static int has(const int64_t *v, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == id)
			return 1;
	return 0;
}

static void verify_detects_tampering(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct fx_session fs;
	sqlite3 *db = store_db(record_store(f->s));
	int64_t pid, sid = setup_series(f, &pid), a, b, *bad;
	size_t checked, nbad;
	char *canon, hex[65];

	fx_session_init(&fs, sid, "2026-01-05", "cheek-l", 1.0);
	fs.ses.practitioner = "Dr Kim";
	assert_int_equal(record_session_add(f->s, &fs.ses, true, NULL, NULL, &a, &err), NL_OK);
	fs.ses.date = "2026-02-02";
	assert_int_equal(record_session_add(f->s, &fs.ses, true, NULL, NULL, &b, &err), NL_OK);
	assert_int_equal(record_verify_signatures(f->s, &checked, &bad, &nbad, &err), NL_OK);
	assert_int_equal(checked, 2);
	assert_int_equal(nbad, 0);
	free(bad);
	assert_int_equal(record_session_canonical(f->s, b, &canon, hex, &err), NL_OK);
	assert_non_null(strstr(canon, "\"depth_mm\":1.0"));
	assert_non_null(strstr(canon, "\"signed_by\":\"Dr Kim\""));
	free(canon);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'sign'"), 2);

	/* someone with the key drops the lock and edits a signed depth */
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER session_area_lock_upd", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE session_area SET depth_mm = 0.5 WHERE pos = 0 "
					  "AND session_id = (SELECT max(id) FROM session)",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(record_verify_signatures(f->s, &checked, &bad, &nbad, &err), NL_EAUTH);
	assert_int_equal(checked, 2);
	assert_int_equal(nbad, 1);
	assert_int_equal(bad[0], b);
	free(bad);
	assert_msg(err, "1 signed session", "session");

	/* dropping the lock and un-signing a session, or re-hashing it, is
	 * caught by the audit trail's record of each signature */
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER session_signed_lock", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE session_area SET depth_mm = 1.0 WHERE pos = 0 "
					  "AND session_id = (SELECT max(id) FROM session)",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(record_verify_signatures(f->s, NULL, NULL, NULL, &err), NL_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE session SET signed = 0, signed_at = NULL, "
					  "signed_by = NULL, hash = NULL WHERE id = (SELECT min(id) "
					  "FROM session)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE session_area SET depth_mm = 0.5 WHERE pos = 0 "
					  "AND session_id = (SELECT max(id) FROM session)",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(record_session_canonical(f->s, b, &canon, hex, &err), NL_OK);
	free(canon);
	{
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(db, "UPDATE session SET hash = ? WHERE id = ?", -1,
						    &st, NULL), SQLITE_OK);
		sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, b);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
	}
	assert_int_equal(record_verify_signatures(f->s, &checked, &bad, &nbad, &err), NL_EAUTH);
	assert_int_equal(checked, 1);
	assert_int_equal(nbad, 2);
	assert_true(has(bad, nbad, a) && has(bad, nbad, b));
	free(bad);
}

/* An amendment made before signing is part of what is signed; one made
 * after is a later entry and leaves the signature valid. */
static void sign_covers_prior_amendments(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_session_view v;
	sqlite3 *db = store_db(record_store(f->s));
	char *canon, hex[65];
	int64_t pid, sid = setup_series(f, &pid);
	int64_t id = fx_session_add(f->s, sid, "2026-01-05", "cheek-l", 1.0);

	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	v.effective.pain = 2;
	assert_int_equal(record_session_amend(f->s, id, &v.effective, "pain recorded late",
					      "Dr Kim", NULL, NULL, NULL, &err), NL_OK);
	assert_int_equal(record_session_sign(f->s, id, "Dr Kim", &err), NL_OK);
	assert_int_equal(record_session_canonical(f->s, id, &canon, hex, &err), NL_OK);
	assert_non_null(strstr(canon, "pain recorded late"));
	free(canon);
	v.effective.pain = 3;
	assert_int_equal(record_session_amend(f->s, id, &v.effective, "later addendum", "Dr Kim",
					      NULL, NULL, NULL, &err), NL_OK);
	record_session_view_free(&v);
	assert_int_equal(record_verify_signatures(f->s, NULL, NULL, NULL, &err), NL_OK);
	assert_int_equal(record_session_canonical(f->s, id, &canon, hex, &err), NL_OK);
	assert_null(strstr(canon, "later addendum"));
	free(canon);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER amendment_change_no_update", NULL, NULL,
				      NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE amendment_change SET new_json = '5' WHERE "
					  "amendment_id = (SELECT min(id) FROM amendment)", NULL, NULL,
				      NULL), SQLITE_OK);
	assert_int_equal(record_verify_signatures(f->s, NULL, NULL, NULL, &err), NL_EAUTH);
}

static void picklists(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct fx_session fs;
	char **v;
	size_t n;
	int64_t pid, sid = setup_series(f, &pid), id;

	fx_session_init(&fs, sid, "2026-01-05", "cheek-l", 1.0);
	fs.ses.practitioner = "Dr Kim";
	fs.ses.device = "Dermapen 4 lot 77";
	fs.products[0] = "PRP";
	fs.products[1] = "tranexamic serum";
	fs.ses.nproducts = 2;
	assert_int_equal(record_session_add(f->s, &fs.ses, false, NULL, NULL, &id, &err), NL_OK);
	fs.ses.practitioner = "Dr Lee";
	fs.ses.device = "roller 1.5";
	fs.ses.date = "2026-02-05";
	assert_int_equal(record_session_add(f->s, &fs.ses, false, NULL, NULL, &id, &err), NL_OK);

	assert_int_equal(record_picklist(f->s, RECORD_PICK_DEVICE, NULL, &v, &n, &err), NL_OK);
	assert_int_equal(n, 2 + vocab_device_count);
	assert_string_equal(v[0], "roller 1.5");           /* most recent first */
	assert_string_equal(v[1], "Dermapen 4 lot 77");
	assert_string_equal(v[2], vocab_devices[0]);
	record_strings_free(v, n);
	assert_int_equal(record_picklist(f->s, RECORD_PICK_DEVICE, "Dr Kim", &v, &n, &err), NL_OK);
	assert_string_equal(v[0], "Dermapen 4 lot 77");    /* per practitioner */
	assert_int_equal(n, 1 + vocab_device_count);
	record_strings_free(v, n);
	assert_int_equal(record_picklist(f->s, RECORD_PICK_PRODUCT, NULL, &v, &n, &err), NL_OK);
	assert_int_equal(n, 1 + vocab_product_count);      /* PRP is not repeated */
	record_strings_free(v, n);
	assert_int_equal(record_picklist(f->s, RECORD_PICK_ANESTHETIC, NULL, &v, &n, &err), NL_OK);
	assert_int_equal(n, 0);
	record_strings_free(v, n);
}

/* Signing with no name signs as the session's practitioner, shown beside
 * the user whose key opened the file (issue 14: the user signs, the name
 * is a display name); the signature verifies. */
static void sign_as_practitioner(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_session_view v;
	struct fx_session fs;
	int64_t pid, sid = setup_series(f, &pid), a, b;

	fx_session_init(&fs, sid, "2026-01-05", "cheek-l", 1.0);
	fs.ses.practitioner = "Dr Amélie Kowalczyk-Brzęczyszczykiewicz";
	assert_int_equal(record_session_add(f->s, &fs.ses, false, NULL, NULL, &a, &err), NL_OK);
	fs.ses.date = "2026-02-02";
	assert_int_equal(record_session_add(f->s, &fs.ses, false, NULL, NULL, &b, &err), NL_OK);
	assert_int_equal(record_session_sign(f->s, a, NULL, &err), NL_OK);
	assert_int_equal(record_session_sign(f->s, b, "", &err), NL_OK);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(record_session_get(f->s, i ? b : a, &v, &err), NL_OK);
		assert_true(v.original.is_signed);
		assert_non_null(v.original.signed_by);
		assert_string_equal(v.original.signed_by,
				    "Dr Kim (as Dr Amélie Kowalczyk-Brzęczyszczykiewicz)");
		record_session_view_free(&v);
	}
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'sign' AND "
					"who = 'Dr Kim (as Dr Amélie Kowalczyk-Brzęczyszczykiewicz)'"), 2);
	assert_int_equal(record_verify_signatures(f->s, NULL, NULL, NULL, &err), NL_OK);
	/* no name and no practitioner: refused */
	a = fx_session_add(f->s, sid, "2026-03-02", "cheek-l", 1.0);
	assert_int_equal(record_session_sign(f->s, a, NULL, &err), NL_EDATA);
	assert_msg(err, "signed by");
}

/* An unsigned session has a canonical form too (what signing would cover),
 * with null for the signature's who and when; a signed one's is unchanged. */
static void canonical_unsigned(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_session_view v;
	char *canon, *again, hex[65], hex2[65];
	int64_t pid, sid = setup_series(f, &pid);
	int64_t id = fx_session_add(f->s, sid, "2026-01-05", "cheek-l", 1.0);

	assert_int_equal(record_session_canonical(f->s, id, &canon, hex, &err), NL_OK);
	assert_non_null(canon);
	assert_int_equal(strlen(hex), 64);
	assert_non_null(strstr(canon, "\"signed_at\":null"));
	assert_non_null(strstr(canon, "\"signed_by\":null"));
	assert_non_null(strstr(canon, "\"practitioner\":null"));
	assert_int_equal(record_session_canonical(f->s, id, &again, hex2, &err), NL_OK);
	assert_string_equal(canon, again);                 /* deterministic */
	assert_string_equal(hex, hex2);
	free(again);
	free(canon);

	/* amended before signing: the amendment is in the form */
	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	v.effective.pain = 2;
	assert_int_equal(record_session_amend(f->s, id, &v.effective, "pain recorded late", NULL,
					      NULL, NULL, NULL, &err), NL_OK);
	record_session_view_free(&v);
	assert_int_equal(record_session_canonical(f->s, id, &canon, hex, &err), NL_OK);
	assert_non_null(strstr(canon, "pain recorded late"));
	assert_non_null(strstr(canon, "\"signed_by\":null"));
	free(canon);

	/* signed: the form names the signer and its hash is the stored one */
	assert_int_equal(record_session_sign(f->s, id, "Dr Kim", &err), NL_OK);
	assert_int_equal(record_session_canonical(f->s, id, &canon, hex, &err), NL_OK);
	assert_non_null(strstr(canon, "\"signed_by\":\"Dr Kim\""));
	assert_null(strstr(canon, "\"signed_at\":null"));
	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	assert_string_equal(v.original.hash, hex);
	record_session_view_free(&v);
	free(canon);
	assert_int_equal(record_verify_signatures(f->s, NULL, NULL, NULL, &err), NL_OK);
}

/* An amendment shows ordinal scale values by their labels, as people read
 * them, not as the stored index. */
static void amend_scale_labels(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_session_view v;
	struct fx_session fs;
	int64_t pid = fx_patient(f->s, "Hal Nguyen"), id;
	int64_t sid = fx_series(f->s, pid, "hair-loss", "2026-01-05");

	fx_session_init(&fs, sid, "2026-01-05", "scalp-vertex", 1.0);
	fs.scores[0].scale = "norwood";
	fs.scores[0].value = 4;                            /* IIIa */
	fs.scores[1].scale = "global-7pt";
	fs.scores[1].value = 1;
	fs.ses.nscores = 2;
	assert_int_equal(record_session_add(f->s, &fs.ses, true, NULL, NULL, &id, &err), NL_EDATA);
	fs.ses.practitioner = "Dr Kim";
	assert_int_equal(record_session_add(f->s, &fs.ses, true, NULL, NULL, &id, &err), NL_OK);
	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	for (size_t i = 0; i < v.effective.nscores; i++) {
		if (strcmp(v.effective.scores[i].scale, "norwood") == 0)
			v.effective.scores[i].value = 5;          /* III-vertex */
		else
			v.effective.scores[i].value = 2;
	}
	assert_int_equal(record_session_amend(f->s, id, &v.effective, "misgraded", "Dr Kim", NULL,
					      NULL, NULL, &err), NL_OK);
	record_session_view_free(&v);
	assert_int_equal(record_session_get(f->s, id, &v, &err), NL_OK);
	assert_int_equal(v.namendments, 1);
	assert_int_equal(v.amendments[0].nchanges, 1);
	assert_string_equal(v.amendments[0].changes[0].field, "scores");
	assert_non_null(strstr(v.amendments[0].changes[0].old_value, "norwood=IIIa"));
	assert_non_null(strstr(v.amendments[0].changes[0].new_value, "norwood=III-vertex"));
	assert_non_null(strstr(v.amendments[0].changes[0].old_value, "global-7pt=+1"));
	assert_non_null(strstr(v.amendments[0].changes[0].new_value, "global-7pt=+2"));
	assert_null(strstr(v.amendments[0].changes[0].old_value, "norwood=4"));
	record_session_view_free(&v);
	assert_int_equal(record_verify_signatures(f->s, NULL, NULL, NULL, &err), NL_OK);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(add_full_and_read),
		T(rejected_writes_nothing),
		T(warnings_stored_and_previewed),
		T(past_planned),
		T(warnings_use_amended_dates),
		T(edit_unsigned_in_place),
		T(amend_keeps_original),
		T(signed_lock_in_database),
		T(void_session),
		T(verify_detects_tampering),
		T(picklists),
		T(sign_covers_prior_amendments),
		T(sign_as_practitioner),
		T(canonical_unsigned),
		T(amend_scale_labels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
