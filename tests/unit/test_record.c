/* Patients, series, search, archive, audit and drafts on a real file. */
#include "fixture.h"

static int64_t audit_count(struct record *s, const char *action, const char *entity,
			   int64_t id)
{
	struct nl_audit *rows;
	struct nl_err err = { 0 };
	size_t n, hits = 0;

	assert_int_equal(audit_list(s, 0, entity, id, &rows, &n, &err), NL_OK);
	for (size_t i = 0; i < n; i++)
		hits += strcmp(rows[i].action, action) == 0;
	audit_list_free(rows, n);
	return (int64_t)hits;
}

static void patient_roundtrip(void **state)
{
	struct fx *f = *state;
	struct nl_flag flags[] = {
		{ .code = "isotretinoin", .date = "2025-10-01", .note = "20 mg" },
		{ .code = "hsv-history" },
	};
	struct nl_patient in = {
		.name = "Zoë Ångström-Łukasz", .dob = "1988-02-29", .phone = "+44 20 7946 0958",
		.email = "zoe@example.org", .skin_type = 5, .flags = flags, .nflags = 2,
		.allergies = "lidocaine", .medications = "none", .consent_date = "2026-01-05",
		.notes = "prefers mornings",
	}, out;
	struct nl_err err = { 0 };
	int64_t id;

	assert_int_equal(record_patient_add(f->s, &in, &id, &err), NL_OK);
	assert_true(id > 0);
	assert_int_equal(record_patient_get(f->s, id, &out, &err), NL_OK);
	assert_string_equal(out.name, in.name);
	assert_string_equal(out.dob, "1988-02-29");
	assert_int_equal(out.skin_type, 5);
	assert_int_equal(out.nflags, 2);
	assert_string_equal(out.flags[1].code, "isotretinoin"); /* by code */
	assert_string_equal(out.flags[1].date, "2025-10-01");
	assert_string_equal(out.flags[1].note, "20 mg");
	assert_null(out.flags[0].date);
	assert_false(out.archived);
	assert_non_null(out.created_at);
	/* issue 11: the old free texts become list items (the text kept as the
	 * note), the consent date a treatment consent read back as the date */
	assert_null(out.allergies);
	assert_null(out.medications);
	assert_int_equal(out.nallergy_list, 1);
	assert_string_equal(out.allergy_list[0].code, "lidocaine");
	assert_string_equal(out.allergy_list[0].note, "lidocaine");
	assert_int_equal(out.nmedication_list, 1);
	assert_string_equal(out.medication_list[0].code, "other");
	assert_string_equal(out.medication_list[0].note, "none");
	assert_string_equal(out.consent_date, "2026-01-05");
	assert_int_equal(audit_count(f->s, AUDIT_CREATE, AUDIT_PATIENT, id), 1);

	/* an edit giving the same flags in another order than stored (they are
	 * read back by code) changes nothing */
	{
		struct nl_flag t = out.flags[0];

		out.flags[0] = out.flags[1];
		out.flags[1] = t;
	}
	assert_string_equal(out.flags[0].code, "isotretinoin");
	assert_int_equal(record_patient_edit(f->s, &out, &err), NL_OK);
	record_patient_free(&out);
	assert_int_equal(audit_count(f->s, AUDIT_CHANGE, AUDIT_PATIENT, id), 0);
	assert_int_equal(record_patient_get(f->s, 999, &out, &err), NL_ENOENT);
	assert_msg(err, "no patient", "999");
}

static void patient_rejected_writes_nothing(void **state)
{
	struct fx *f = *state;
	struct nl_patient in = { .name = "Bad Date", .dob = "2026-02-30" };
	struct nl_err err = { 0 };
	int64_t id = 0;

	assert_int_equal(record_patient_add(f->s, &in, &id, &err), NL_EDATA);
	assert_msg(err, "dob", "2026-02-30");
	assert_int_equal(id, 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM patient"), 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit"), 0);
}

static void patient_edit_audited(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_patient p;
	struct nl_flag fl = { .code = "keloid" };
	struct nl_audit *rows;
	size_t n;
	int64_t id = fx_patient(f->s, "Ann Lee");

	record_set_actor(f->s, "Dr Kim", NULL);
	assert_int_equal(record_patient_get(f->s, id, &p, &err), NL_OK);
	free(p.phone);
	p.phone = strdup("555 0100");
	p.flags = realloc(p.flags, sizeof(fl));
	p.flags[0] = (struct nl_flag){ .code = strdup("keloid") };
	p.nflags = 1;
	(void)fl;
	assert_int_equal(record_patient_edit(f->s, &p, &err), NL_OK);
	record_patient_free(&p);
	assert_int_equal(record_patient_get(f->s, id, &p, &err), NL_OK);
	assert_string_equal(p.phone, "555 0100");
	assert_int_equal(p.nflags, 1);
	/* an edit that fails validation changes nothing */
	free(p.email);
	p.email = strdup("not-an-email");
	free(p.phone);
	p.phone = strdup("555 0199");
	assert_int_equal(record_patient_edit(f->s, &p, &err), NL_EDATA);
	record_patient_free(&p);
	assert_int_equal(record_patient_get(f->s, id, &p, &err), NL_OK);
	assert_string_equal(p.phone, "555 0100");
	record_patient_free(&p);

	assert_int_equal(audit_list(f->s, 1, NULL, 0, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].action, AUDIT_CHANGE);
	assert_string_equal(rows[0].entity, AUDIT_PATIENT);
	assert_int_equal(rows[0].entity_id, id);
	assert_string_equal(rows[0].who, "Dr Kim");
	assert_non_null(strstr(rows[0].detail, "\"phone\""));
	assert_non_null(strstr(rows[0].detail, "555 0100"));
	assert_non_null(strstr(rows[0].detail, "keloid"));
	assert_null(strstr(rows[0].detail, "\"name\""));  /* only what changed */
	audit_list_free(rows, n);
}

static void archive_keeps_patient(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_patient_summary *rows;
	struct nl_patient p;
	size_t n;
	int64_t a = fx_patient(f->s, "Archie"), b = fx_patient(f->s, "Bea");

	assert_int_equal(record_patient_archive(f->s, a, true, &err), NL_OK);
	assert_int_equal(record_patient_list(f->s, NULL, false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, b);
	record_patient_list_free(rows, n);
	assert_int_equal(record_patient_list(f->s, NULL, true, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 2);
	assert_true(rows[0].archived);
	record_patient_list_free(rows, n);
	assert_int_equal(record_patient_get(f->s, a, &p, &err), NL_OK);
	assert_true(p.archived);
	assert_non_null(p.archived_at);
	record_patient_free(&p);
	assert_int_equal(audit_count(f->s, AUDIT_ARCHIVE, AUDIT_PATIENT, a), 1);
	/* the database refuses to delete a patient */
	assert_int_not_equal(sqlite3_exec(store_db(record_store(f->s)), "DELETE FROM patient", NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM patient"), 2);
	assert_int_equal(record_patient_archive(f->s, a, false, &err), NL_OK);
	assert_int_equal(record_patient_archive(f->s, 77, true, &err), NL_ENOENT);
}

static void search(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_patient_summary *rows;
	struct nl_patient p = { .name = "Ольга Петрова", .dob = "1979-11-03",
				.phone = "+7 (912) 345-67-89" };
	size_t n;
	int64_t olga, zoe = fx_patient(f->s, "ZOË ÅNGSTRÖM");

	assert_int_equal(record_patient_add(f->s, &p, &olga, &err), NL_OK);
	fx_patient(f->s, "Bob Smith");
	assert_int_equal(record_patient_list(f->s, "zoë å", false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, zoe);
	record_patient_list_free(rows, n);
	assert_int_equal(record_patient_list(f->s, "ОЛЬГА", false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, olga);
	record_patient_list_free(rows, n);
	assert_int_equal(record_patient_list(f->s, "1979-11", false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	record_patient_list_free(rows, n);
	assert_int_equal(record_patient_list(f->s, "912345", false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, olga);
	record_patient_list_free(rows, n);
	char id[16];
	snprintf(id, sizeof(id), "#%lld", (long long)zoe);
	assert_int_equal(record_patient_list(f->s, id, false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, zoe);
	record_patient_list_free(rows, n);
	assert_int_equal(record_patient_list(f->s, "zoe angstrom", false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);                          /* accents ignored */
	assert_int_equal(rows[0].id, zoe);
	record_patient_list_free(rows, n);
	assert_int_equal(record_patient_list(f->s, "smith", false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	record_patient_list_free(rows, n);
	assert_int_equal(record_patient_list(f->s, "nobody", false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 0);
	record_patient_list_free(rows, n);
}

static void list_shows_active_series(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_patient_summary *rows;
	size_t n;
	int64_t pid = fx_patient(f->s, "Cara"), s1, s2;

	s1 = fx_series(f->s, pid, "acne-scars", "2026-01-05");
	s2 = fx_series(f->s, pid, "hair-loss", "2026-03-01");
	fx_session_add(f->s, s1, "2026-01-05", "cheek-l", 1.5);
	assert_int_equal(record_patient_list(f->s, NULL, false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].active_series, 2);
	assert_int_equal(rows[0].series_id, s1);          /* due 2026-02-02, before 03-01 */
	assert_string_equal(rows[0].next_due, "2026-02-02");
	assert_int_equal(rows[0].done, 1);
	assert_int_equal(rows[0].planned, 6);
	assert_string_equal(rows[0].indication, "acne-scars");
	record_patient_list_free(rows, n);
	(void)s2;
}

static void series_defaults_and_edit(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	char *areas[] = { "scalp-vertex", "scalp-frontal" };
	struct nl_score base[] = { { "norwood", 5 }, { "hair-density", 120 } };
	struct nl_series in = { .indication = "hair-loss", .areas = areas, .nareas = 2,
				.baseline = base, .nbaseline = 2, .goal = "density" }, out, *list;
	size_t n;
	char today[11];
	int64_t id;

	in.patient_id = fx_patient(f->s, "Dan");
	assert_int_equal(record_series_add(f->s, &in, &id, &err), NL_OK);
	assert_int_equal(record_series_get(f->s, id, &out, &err), NL_OK);
	nl_today_local(today);
	assert_int_equal(out.planned, 6);
	assert_int_equal(out.interval_days, 28);
	assert_string_equal(out.start_date, today);
	assert_string_equal(out.status, "active");
	assert_int_equal(out.nareas, 2);
	assert_string_equal(out.areas[0], "scalp-vertex");
	assert_int_equal(out.nbaseline, 2);
	assert_string_equal(out.baseline[0].scale, "hair-density");
	assert_true(out.baseline[0].value == 120);
	out.interval_days = 7;
	out.planned = 12;
	free(out.status);
	out.status = strdup("paused");
	assert_int_equal(record_series_edit(f->s, &out, &err), NL_OK);
	record_series_free(&out);
	assert_int_equal(record_series_get(f->s, id, &out, &err), NL_OK);
	assert_int_equal(out.interval_days, 7);
	assert_int_equal(out.planned, 12);
	assert_string_equal(out.status, "paused");
	free(out.status);
	out.status = NULL;                 /* NULL / 0 keep what is stored */
	out.planned = 0;
	free(out.goal);
	out.goal = strdup("density at the vertex");
	assert_int_equal(record_series_edit(f->s, &out, &err), NL_OK);
	record_series_free(&out);
	assert_int_equal(record_series_get(f->s, id, &out, &err), NL_OK);
	assert_string_equal(out.status, "paused");
	assert_int_equal(out.planned, 12);
	assert_string_equal(out.goal, "density at the vertex");
	record_series_free(&out);
	assert_int_equal(audit_count(f->s, AUDIT_CHANGE, AUDIT_SERIES, id), 2);
	assert_int_equal(record_series_list(f->s, in.patient_id, &list, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].nareas, 2);
	record_series_list_free(list, n);

	in.patient_id = 4242;
	assert_int_equal(record_series_add(f->s, &in, &id, &err), NL_ENOENT);
	assert_msg(err, "4242");
}

static void drafts(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	int64_t sid = fx_series(f->s, fx_patient(f->s, "Eve"), "texture", "2026-01-01");
	char *text, *at;
	int64_t *ids;
	size_t n;

	assert_int_equal(draft_load(f->s, sid, &text, &at, &err), NL_ENOENT);
	assert_int_equal(draft_save(f->s, sid, "{\"date\":\"2026-02-01\"}", &err), NL_OK);
	assert_int_equal(draft_save(f->s, sid, "{\"date\":\"2026-02-02\",\"notes\":\"ü\"}", &err),
			 NL_OK);
	assert_int_equal(draft_load(f->s, sid, &text, &at, &err), NL_OK);
	assert_string_equal(text, "{\"date\":\"2026-02-02\",\"notes\":\"ü\"}");
	assert_non_null(at);
	free(text);
	free(at);
	assert_int_equal(draft_list(f->s, &ids, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], sid);
	free(ids);
	assert_int_equal(draft_delete(f->s, sid, &err), NL_OK);
	assert_int_equal(draft_load(f->s, sid, &text, NULL, &err), NL_ENOENT);
	assert_int_equal(draft_save(f->s, 999, "x", &err), NL_ENOENT);
}

static void audit_public(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_audit *rows;
	size_t n;

	assert_int_equal(audit_add(f->s, AUDIT_EXPORT, AUDIT_PATIENT, 3, "Dr Kim",
				   "{\"format\":\"pdf\"}", &err), NL_OK);
	assert_int_equal(audit_add(f->s, AUDIT_BACKUP, AUDIT_FILE, 0, NULL, "/backup/x.db", &err),
			 NL_OK);
	assert_int_equal(audit_add(f->s, "delete", AUDIT_FILE, 0, NULL, NULL, &err), NL_EUSAGE);
	assert_int_equal(audit_list(f->s, 0, NULL, 0, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].action, AUDIT_BACKUP);   /* newest first */
	/* no name given: the user whose key opened the file */
	assert_string_equal(rows[0].who, "Dr Kim");
	assert_string_equal(rows[1].who, "Dr Kim");
	assert_int_equal(strlen(rows[1].at), 20);
	assert_int_equal(rows[1].at[19], 'Z');
	audit_list_free(rows, n);
	assert_int_equal(audit_list(f->s, 1, NULL, 0, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	audit_list_free(rows, n);
	/* append-only in the database itself */
	assert_int_not_equal(sqlite3_exec(store_db(record_store(f->s)), "UPDATE audit SET who = 'x'", NULL, NULL,
					  NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(store_db(record_store(f->s)), "DELETE FROM audit", NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit"), 2);
}

static void grouped_all_or_nothing(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_patient good = { .name = "Good Row" }, bad = { .name = "Bad Row", .skin_type = 9 };
	int64_t id;

	/* a failed row inside the group undoes itself; the caller decides */
	assert_int_equal(record_begin(f->s, &err), NL_OK);
	assert_int_equal(record_begin(f->s, &err), NL_EUSAGE);
	assert_int_equal(record_patient_add(f->s, &good, &id, &err), NL_OK);
	assert_int_equal(record_patient_add(f->s, &bad, &id, &err), NL_EDATA);
	assert_int_equal(record_patient_add(f->s, &good, &id, &err), NL_OK);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM patient"), 2);
	record_rollback(f->s);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM patient"), 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit"), 0);
	/* and the same group committed keeps every row with its audit */
	assert_int_equal(record_begin(f->s, &err), NL_OK);
	assert_int_equal(record_patient_add(f->s, &good, &id, &err), NL_OK);
	assert_int_equal(record_series_add(f->s, &(struct nl_series){ .patient_id = id,
		.indication = "laxity", .start_date = "2026-01-01" }, NULL, &err), NL_OK);
	assert_int_equal(record_series_add(f->s, &(struct nl_series){ .patient_id = id + 50,
		.indication = "laxity" }, NULL, &err), NL_ENOENT);
	assert_int_equal(record_commit(f->s, &err), NL_OK);
	assert_int_equal(record_commit(f->s, &err), NL_EUSAGE);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM patient"), 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM series"), 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit"), 2);
	/* single writes work again afterwards */
	assert_int_equal(record_patient_add(f->s, &good, &id, &err), NL_OK);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM patient"), 2);
}

/* The list is in name order ignoring case and accents, whatever the
 * locale: "Émilie" sorts among the e's, not after "Z". */
static void list_sorted_by_folded_name(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_patient_summary *rows;
	size_t n;
	const char *want[] = { "Adam", "élodie", "emilie", "Émilie", "Émilie", "Łukasz",
			       "Ólafur", "zara", "Zoë" };
	int64_t emilie1, emilie2;

	fx_patient(f->s, "Zoë");
	emilie1 = fx_patient(f->s, "Émilie");
	fx_patient(f->s, "Łukasz");
	fx_patient(f->s, "Ólafur");
	fx_patient(f->s, "Adam");
	fx_patient(f->s, "zara");
	fx_patient(f->s, "emilie");
	fx_patient(f->s, "élodie");
	emilie2 = fx_patient(f->s, "Émilie");
	assert_int_equal(record_patient_list(f->s, NULL, false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(rows[i].name, want[i]);
	assert_int_equal(rows[3].id, emilie1);             /* same name: by id */
	assert_int_equal(rows[4].id, emilie2);
	record_patient_list_free(rows, n);
	/* a search keeps the order */
	assert_int_equal(record_patient_list(f->s, "emi", false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].name, "emilie");
	assert_int_equal(rows[1].id, emilie1);
	assert_int_equal(rows[2].id, emilie2);
	record_patient_list_free(rows, n);
}

/* record_data_version: changed by another handle's commit (issue 14: live
 * updates between people; test_scale covers this handle's own writes). */
static void data_version_sees_others(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct store_pass pass;
	struct record *other = NULL;
	uint64_t v1, v2;

	assert_int_equal(store_pass_set(&pass, "test", 4, &err), NL_OK);
	assert_int_equal(record_open(f->path, &pass, &other, &err), NL_OK);
	store_pass_free(&pass);
	fx_patient(f->s, "Own Write");
	assert_int_equal(record_data_version(f->s, &v1, &err), NL_OK);
	fx_patient(other, "Another Person");
	assert_int_equal(record_data_version(f->s, &v2, &err), NL_OK);
	assert_true(v2 != v1);
	record_close(other);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(patient_roundtrip),
		T(patient_rejected_writes_nothing),
		T(patient_edit_audited),
		T(archive_keeps_patient),
		T(search),
		T(list_sorted_by_folded_name),
		T(list_shows_active_series),
		T(series_defaults_and_edit),
		T(drafts),
		T(audit_public),
		T(grouped_all_or_nothing),
		T(data_version_sees_others),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
