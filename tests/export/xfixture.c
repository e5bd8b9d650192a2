/* Test data for the export tests, written through the clinical core.
 *
 *   xfixture create DB     a record file (passphrase $NEEDLELOG_PASSPHRASE)
 *                          with two patients; prints the ids as JSON
 *   xfixture writer DB SERIES N  adds up to N sessions, one transaction
 *                          each, to SERIES, until the file DB.stop exists;
 *                          prints "started" after the first, "done COUNT"
 *   xfixture clinical DB PATIENT SERIES  issue 11's record on a patient:
 *                          sex, allergy and medication lists, two consents
 *                          (one withdrawn), SERIES in two phases, and a
 *                          signed session with traceable lots
 *   xfixture dump DB       every row of every table but the audit trail,
 *                          as text (to compare before and after)
 *   xfixture photos DB PATIENT SERIES keep|withdraw  a clinical-photography
 *                          consent covering SERIES' indication (given
 *                          2026-01-01; withdrawn 2026-03-10 with
 *                          "withdraw") and generated photos: frontal
 *                          baseline 2026-01-05 and follow-up 2026-03-02,
 *                          oblique-l baseline 2026-01-05, and a site photo
 *                          of the appendectomy scar 2026-02-02
 *   xfixture audit DB      the audit rows, one JSON object a line
 *                          (a writer busy while a backup runs)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "needlelog/audit.h"
#include "needlelog/clinical.h"
#include "needlelog/image.h"
#include "needlelog/photo.h"
#include "needlelog/record.h"
#include "needlelog/store.h"

static struct nl_err err;

static void die(const char *what)
{
	fprintf(stderr, "xfixture: %s: %s\n", what, err.msg);
	exit(1);
}

#define OK(call, what) do { if ((call) != NL_OK) die(what); } while (0)

static struct record *open_db(const char *path, int create)
{
	const char *pw = getenv("NEEDLELOG_PASSPHRASE");
	struct store_pass pass = { 0 };
	struct record *s = NULL;

	if (!pw)
		pw = "fixture";
	OK(store_global_init(&err), "init");
	OK(store_pass_set(&pass, pw, strlen(pw), &err), "passphrase");
	if (create)
		OK(record_create(path, &pass, STORE_KDF_DEFAULT, &s, &err), "create");
	else
		OK(record_open(path, &pass, &s, &err), "open");
	store_pass_free(&pass);
	return s;
}

static int64_t add_session(struct record *s, struct nl_session *ses, int sign)
{
	int64_t id;

	OK(record_session_add(s, ses, sign, NULL, NULL, &id, &err), "session add");
	return id;
}

static int create(const char *path)
{
	struct record *s = open_db(path, 1);
	struct nl_flag flags[] = { { "isotretinoin", "2025-10-01", NULL, "last dose" } };
	struct nl_patient p = {
		.name = "Zoë Müller-Łukasiewicz", .dob = "1984-02-29", .phone = "+49 30 1234567",
		.email = "zoe@example.org", .skin_type = 3, .flags = flags, .nflags = 1,
		.allergies = "lidocaine", .consent_date = "2025-12-20",
	};
	struct nl_patient q = { .name = "Ola Nordmann", .skin_type = 2,
				.consent_date = "2025-01-01" };
	char *face_areas[] = { "cheek-l", "cheek-r", "forehead" };
	struct nl_score base1[] = { { "gais", 4 }, { "goodman-baron-quant", 40 } };
	struct nl_series sr1 = { .indication = "acne-scars", .areas = face_areas,
				 .nareas = 3, .planned = 6, .interval_days = 28,
				 .start_date = "2026-01-05", .goal = "Smoother cheeks, \"rolling\" scars",
				 .baseline = base1, .nbaseline = 2 };
	char *scalp_areas[] = { "scalp-vertex" };
	struct nl_score base2[] = { { "norwood", 6 }, { "hair-density", 120 } };
	struct nl_series sr2 = { .indication = "hair-loss", .areas = scalp_areas,
				 .nareas = 1, .planned = 12, .interval_days = 7,
				 .start_date = "2026-01-10", .baseline = base2, .nbaseline = 2 };
	struct nl_series sr3 = { .indication = "laxity", .start_date = "2026-01-01" };
	int64_t pid, qid, s1, s2, s3, x[6];

	OK(record_set_actor(s, "Fixture", &err), "actor");
	OK(record_patient_add(s, &p, &pid, &err), "patient");
	OK(record_patient_add(s, &q, &qid, &err), "patient 2");
	sr1.patient_id = pid;
	sr2.patient_id = pid;
	sr3.patient_id = qid;
	OK(record_series_add(s, &sr1, &s1, &err), "series 1");
	OK(record_series_add(s, &sr2, &s2, &err), "series 2");
	OK(record_series_add(s, &sr3, &s3, &err), "series 3");

	{ /* 1: signed, three areas, a product with a comma, a quoted reaction */
		struct nl_treatment a[] = { { "cheek-l", NULL, 1.5, 3 }, { "cheek-r", NULL, 1.5, 3 },
					    { "forehead", NULL, 0.5, 2 } };
		char *prod[] = { "hyaluronic acid", "saline, sterile" };
		struct nl_score sc[] = { { "gais", 3 } };
		struct nl_session ses = { .series_id = s1, .date = "2026-01-05",
			.practitioner = "Dr. Ana Núñez", .device = "Dermapen 4, tip lot A123",
			.cartridge = "12-pin", .anesthetic = "EMLA", .anesthetic_minutes = 30,
			.products = prod, .nproducts = 2, .endpoint = "pinpoint-bleeding",
			.pain = 4, .reaction = "Erythema, \"uniform\"", .scores = sc, .nscores = 1,
			.areas = a, .nareas = 3 };
		x[0] = add_session(s, &ses, 1);
	}
	{ /* 2: signed, then amended; a named scar; adverse event over two lines */
		struct nl_treatment a[] = { { "cheek-l", NULL, 2.0, 3 }, { "cheek-r", NULL, 1.75, 3 },
					    { "scar", "appendectomy", 1.25, 0 } };
		struct nl_score sc[] = { { "gais", 2 }, { "goodman-baron-quant", 30 } };
		struct nl_session ses = { .series_id = s1, .date = "2026-02-02",
			.practitioner = "Dr. Ana Núñez", .device = "Dermapen 4, tip lot B456",
			.anesthetic_minutes = -1, .pain = 5,
			.adverse = "Pinpoint bruising\nresolved by day 2", .scores = sc, .nscores = 2,
			.areas = a, .nareas = 3, .notes = "=SUM(A1) looks like a formula" };
		struct nl_session_view v;

		x[1] = add_session(s, &ses, 1);
		OK(record_session_get(s, x[1], &v, &err), "get 2");
		v.effective.areas[1].depth_mm = 1.8;
		OK(record_session_amend(s, x[1], &v.effective, "depth typo: 1.8 not 1.75",
					"Dr. Ana Núñez", NULL, NULL, NULL, &err), "amend 2");
		record_session_view_free(&v);
	}
	{ /* 3: voided */
		struct nl_treatment a[] = { { "chin", NULL, 1.0, 1 } };
		struct nl_session ses = { .series_id = s1, .date = "2026-02-20",
			.anesthetic_minutes = -1, .pain = -1, .areas = a, .nareas = 1 };

		x[2] = add_session(s, &ses, 0);
		OK(record_session_void(s, x[2], "entered on the wrong patient", "Dr. Ana Núñez",
				       &err), "void 3");
	}
	{ /* 4: unsigned */
		struct nl_treatment a[] = { { "cheek-l", NULL, 2.25, 4 } };
		struct nl_score sc[] = { { "gais", 2 } };
		struct nl_session ses = { .series_id = s1, .date = "2026-03-02",
			.practitioner = "Dr. Ana Núñez", .anesthetic_minutes = -1, .pain = 3,
			.scores = sc, .nscores = 1, .areas = a, .nareas = 1,
			.notes = "Patient happy; continue" };

		x[3] = add_session(s, &ses, 0);
	}
	{ /* 5: scalp, signed */
		struct nl_treatment a[] = { { "scalp-vertex", NULL, 1.5, 4 },
					    { "scalp-temporal-l", NULL, 1.0, 2 } };
		char *prod[] = { "minoxidil" };
		struct nl_score sc[] = { { "norwood", 4 }, { "hair-density", 135 } };
		struct nl_session ses = { .series_id = s2, .date = "2026-01-10",
			.practitioner = "Dr. Ana Núñez", .device = "Roller 1.5 mm",
			.anesthetic_minutes = -1, .products = prod, .nproducts = 1, .pain = 2,
			.scores = sc, .nscores = 2, .areas = a, .nareas = 2 };

		x[4] = add_session(s, &ses, 1);
	}
	{ /* the other patient */
		struct nl_treatment a[] = { { "neck", NULL, 0.75, 2 } };
		struct nl_session ses = { .series_id = s3, .date = "2026-01-02",
			.anesthetic_minutes = -1, .pain = -1, .areas = a, .nareas = 1 };

		x[5] = add_session(s, &ses, 0);
	}
	printf("{\"patient\": %lld, \"other_patient\": %lld, \"series\": [%lld, %lld],"
	       " \"other_series\": %lld, \"sessions\": [%lld, %lld, %lld, %lld, %lld],"
	       " \"other_session\": %lld}\n",
	       (long long)pid, (long long)qid, (long long)s1, (long long)s2, (long long)s3,
	       (long long)x[0], (long long)x[1], (long long)x[2], (long long)x[3],
	       (long long)x[4], (long long)x[5]);
	record_close(s);
	return 0;
}

static int clinical(const char *path, int64_t pid, int64_t sid)
{
	struct record *s = open_db(path, 0);
	struct nl_patient p;
	struct nl_series sr;
	struct nl_consent treat = { .patient_id = pid, .kind = CLIN_CONSENT_TREATMENT,
				    .form = "Microneedling consent v3", .given = "2025-12-20",
				    .taken_by = "Dr. Ana Núñez" };
	struct nl_consent photo = { .patient_id = pid, .kind = CLIN_CONSENT_PHOTO,
				    .covers = "hair-loss", .given = "2026-01-10" };
	struct nl_treatment a[] = { { "scalp-vertex", NULL, 1.5, 4 } };
	char *prod[] = { "minoxidil" };
	struct nl_product_lot lots[] = { { "MX-77", "2027-06-30" } };
	struct nl_score sc[] = { { "hair-density", 142 } };
	struct nl_session ses = { .series_id = sid, .date = "2026-01-17",
		.practitioner = "Dr. Ana Núñez", .device = "Dermapen 4",
		.device_serial = "DP4-000123", .cartridge = "16-pin",
		.cartridge_lot = "C-2291", .cartridge_expiry = "2027-01-31",
		.anesthetic_minutes = -1, .products = prod, .nproducts = 1,
		.product_lots = lots, .nproduct_lots = 1, .pain = 1, .scores = sc,
		.nscores = 1, .areas = a, .nareas = 1 };
	int64_t cid;

	OK(record_set_actor(s, "Fixture", &err), "actor");
	OK(record_patient_get(s, pid, &p, &err), "get patient");
	free(p.sex);
	p.sex = strdup("female");
	OK(clin_allergy_add(&p, "nickel:contact dermatitis:moderate", &err), "allergy");
	OK(clin_medication_add(&p, "anticoagulant:Apixaban 5 mg:2025-06-01", &err), "medication");
	OK(record_patient_edit(s, &p, &err), "edit patient");
	record_patient_free(&p);
	OK(record_consent_add(s, &treat, &cid, &err), "consent");
	OK(record_consent_add(s, &photo, &cid, &err), "photo consent");
	OK(record_consent_withdraw(s, cid, "2026-02-01", "Dr. Ana Núñez", &err), "withdraw");
	OK(record_series_get(s, sid, &sr, &err), "get series");
	free(sr.phases);
	sr.phases = NULL;
	sr.nphases = 0;
	sr.planned = 0;
	sr.interval_days = 0;
	OK(plan_phase_add(&sr, "12x7", &err), "phase 1");
	OK(plan_phase_add(&sr, "6x28", &err), "phase 2");
	OK(record_series_edit(s, &sr, &err), "edit series");
	record_series_free(&sr);
	printf("%lld\n", (long long)add_session(s, &ses, 1));
	record_close(s);
	return 0;
}

/* Adds sessions to a series, one per transaction. */
static int writer(const char *path, int64_t series, int n)
{
	struct record *s = open_db(path, 0);
	char stop[512];
	int i;

	snprintf(stop, sizeof(stop), "%s.stop", path);
	OK(record_set_actor(s, "Writer", &err), "actor");
	for (i = 0; i < n && access(stop, F_OK) != 0; i++) {
		char notes[300];
		struct nl_treatment a[] = { { "neck", NULL, 0.5 + (i % 10) * 0.05, 1 } };
		struct nl_session ses = { .series_id = series, .date = "2026-01-03",
			.anesthetic_minutes = -1, .pain = i % 11, .areas = a, .nareas = 1,
			.notes = notes };
		int64_t id;
		int rc;

		snprintf(notes, sizeof(notes), "writer session %d %0*d", i, 200, 0);
		do
			rc = record_session_add(s, &ses, false, NULL, NULL, &id, &err);
		while (rc == NL_EBUSY);
		if (rc != NL_OK)
			die("writer");
		if (i == 0) {
			printf("started\n");
			fflush(stdout);
		}
		usleep(20000); /* a busy practice, not a lock hog */
	}
	printf("done %d\n", i);
	record_close(s);
	return 0;
}

static int dump(const char *path)
{
	struct record *s = open_db(path, 0);
	sqlite3 *db = store_db(record_store(s));
	sqlite3_stmt *tables, *rows;
	char sql[256];

	sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' "
			   "AND name <> 'audit' ORDER BY name", -1, &tables, NULL);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(tables, 0);

		printf("table %s\n", t);
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY rowid", t);
		if (sqlite3_prepare_v2(db, sql, -1, &rows, NULL) != SQLITE_OK)
			snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY 1", t),
			sqlite3_prepare_v2(db, sql, -1, &rows, NULL);
		while (sqlite3_step(rows) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(rows); i++) {
				const unsigned char *v = sqlite3_column_text(rows, i);

				printf("%s%s", i ? "|" : "", v ? (const char *)v : "NULL");
			}
			putchar('\n');
		}
		sqlite3_finalize(rows);
	}
	sqlite3_finalize(tables);
	record_close(s);
	return 0;
}

static int audit(const char *path)
{
	struct record *s = open_db(path, 0);
	struct nl_audit *rows = NULL;
	size_t n = 0;

	OK(audit_list(s, 0, NULL, 0, &rows, &n, &err), "audit");
	for (size_t i = n; i-- > 0;)
		printf("{\"action\": \"%s\", \"entity\": \"%s\", \"id\": %lld, "
		       "\"who\": \"%s\", \"detail\": %s}\n", rows[i].action, rows[i].entity,
		       (long long)rows[i].entity_id, rows[i].who ? rows[i].who : "",
		       rows[i].detail && rows[i].detail[0] == '{' ? rows[i].detail : "null");
	audit_list_free(rows, n);
	record_close(s);
	return 0;
}

/* One generated picture, imported as photo add would, and stored. */
static void add_photo(struct record *s, struct nl_photo *ph, double progress)
{
	struct image_import im;
	unsigned char *buf;
	size_t len;
	int64_t id;

	OK(image_synthetic(640, 800, progress, 7, "png", &buf, &len, &err), "synthetic");
	OK(image_import(buf, len, &im, &err), "import");
	free(buf);
	OK(photo_add(s, ph, &(struct photo_bytes){ .image = im.image, .image_len = im.image_len,
		     .preview = im.preview, .preview_len = im.preview_len, .source = im.source,
		     .width = im.width, .height = im.height }, &id, &err), "photo add");
	image_import_free(&im);
}

static int photos(const char *path, int64_t pid, int64_t sid, bool withdraw)
{
	struct record *s = open_db(path, 0);
	struct nl_series sr;
	struct nl_consent c = { .patient_id = pid, .kind = CLIN_CONSENT_PHOTO,
				.given = "2026-01-01", .taken_by = "Dr. Ana Núñez" };
	struct nl_photo v[] = {
		{ .view = "frontal", .timepoint = "baseline", .taken = "2026-01-05" },
		{ .view = "frontal", .timepoint = "follow-up", .taken = "2026-03-02" },
		{ .view = "oblique-l", .timepoint = "baseline", .taken = "2026-01-05" },
		{ .view = "site", .area = "scar", .label = "appendectomy",
		  .timepoint = "session", .taken = "2026-02-02" },
	};
	double progress[] = { 0, 1, 0, 0.5 };
	int64_t cid;

	OK(record_set_actor(s, "Fixture", &err), "actor");
	OK(record_series_get(s, sid, &sr, &err), "get series");
	c.covers = sr.indication;
	OK(record_consent_add(s, &c, &cid, &err), "photo consent");
	record_series_free(&sr);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		v[i].patient_id = pid;
		v[i].series_id = sid;
		v[i].taken_by = "Dr. Ana Núñez";
		add_photo(s, &v[i], progress[i]);
	}
	if (withdraw)
		OK(record_consent_withdraw(s, cid, "2026-03-10", "Dr. Ana Núñez", &err),
		   "withdraw");
	record_close(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "photos") == 0)
		return photos(argv[2], atoll(argv[3]), atoll(argv[4]),
			      strcmp(argv[5], "withdraw") == 0);
	if (argc == 5 && strcmp(argv[1], "clinical") == 0)
		return clinical(argv[2], atoll(argv[3]), atoll(argv[4]));
	if (argc == 3 && strcmp(argv[1], "create") == 0)
		return create(argv[2]);
	if (argc == 3 && strcmp(argv[1], "dump") == 0)
		return dump(argv[2]);
	if (argc == 3 && strcmp(argv[1], "audit") == 0)
		return audit(argv[2]);
	if (argc == 5 && strcmp(argv[1], "writer") == 0)
		return writer(argv[2], atoll(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: xfixture create|dump|audit DB | xfixture writer DB SERIES N\n");
	return 64;
}
