/* Makes tests/unit/data/v2.nldb: a record file of schema version 2, as the
 * release before migration 005 writes it (built against commit ba28d38,
 * branch cliframe; passphrase "fixture"). Kept for the record: it is not
 * built by meson, because this tree's core would write version 5.
 *   cc -Iinclude make_v2.c BUILD/src/core/libnlcore.a BUILD/src/store/libnlstore.a \
 *      -lsqlite3 -lsodium -ljansson -lutf8proc -lm */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "needlelog/record.h"

static void ok(int rc, const struct nl_err *err, const char *what)
{
	if (rc != NL_OK) {
		fprintf(stderr, "%s: %s\n", what, err->msg);
		exit(1);
	}
}

static int64_t session(struct record *r, int64_t series, const char *date, bool sign,
		       const char *device, const char *cartridge, char **products, size_t np)
{
	struct nl_session s;
	struct nl_treatment t = { .area = "scalp-vertex", .depth_mm = 1.5, .passes = 4 };
	struct nl_err err = { 0 };
	int64_t id;

	record_session_init(&s);
	s.series_id = series;
	s.date = (char *)date;
	s.practitioner = "Dr Ana Ruiz";
	s.device = (char *)device;
	s.cartridge = (char *)cartridge;
	s.anesthetic = "EMLA";
	s.products = products;
	s.nproducts = np;
	s.areas = &t;
	s.nareas = 1;
	ok(record_session_add(r, &s, sign, NULL, NULL, &id, &err), &err, "session");
	return id;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "v2.nldb";
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };
	struct record *r;
	struct nl_flag f1[] = {
		{ .code = "anesthetic-allergy", .date = "2024-05-01", .note = "EMLA: hives" },
		{ .code = "isotretinoin", .date = "2025-12-01" },
		{ .code = "metal-allergy" },
	};
	struct nl_patient p1 = {
		.name = "Zo\xc3\xab M\xc3\xbcller", .dob = "1990-04-02", .skin_type = 4,
		.flags = f1, .nflags = 3,
		.allergies = "Nickel (costume jewellery); lidocaine \xe2\x80\x93 rash",
		.medications = "Warfarin 5 mg daily\nminoxidil 5% topical",
		.consent_date = "2026-01-10",
	};
	struct nl_flag f2[] = { { .code = "anesthetic-allergy" } };
	struct nl_patient p2 = { .name = "Tom Tea", .flags = f2, .nflags = 1,
				 .allergies = "Tea tree oil", .medications = "  " };
	struct nl_patient p3 = { .name = "Nell None", .consent_date = "2025-11-30" };
	struct nl_series sr = { .indication = "hair-loss", .planned = 18, .interval_days = 7,
				.start_date = "2026-01-12" };
	char *prod[] = { "minoxidil 5%", "PRP" };
	int64_t pid, sid, amended;
	struct nl_session_view v;

	unlink(path);
	ok(store_global_init(&err), &err, "init");
	ok(store_pass_set(&pass, "fixture", 7, &err), &err, "pass");
	ok(record_create(path, &pass, STORE_KDF_MIN, &r, &err), &err, "create");
	ok(record_set_actor(r, "Dr Ana Ruiz", &err), &err, "actor");
	ok(record_set_today(r, "2026-03-01", &err), &err, "today");
	ok(record_patient_add(r, &p1, &pid, &err), &err, "p1");
	p2.medications = NULL;
	ok(record_patient_add(r, &p2, NULL, &err), &err, "p2");
	ok(record_patient_add(r, &p3, NULL, &err), &err, "p3");
	sr.patient_id = pid;
	ok(record_series_add(r, &sr, &sid, &err), &err, "series");
	session(r, sid, "2026-01-12", true, "Dermapen 4 SN 88123 lot A123", "36-pin", prod, 2);
	amended = session(r, sid, "2026-01-19", false, "Dermapen 4", "12-pin", prod, 1);
	session(r, sid, "2026-02-26", false, NULL, NULL, NULL, 0);
	ok(record_session_get(r, amended, &v, &err), &err, "get");
	free(v.effective.notes);
	v.effective.notes = strdup("late entry: lot B77 on the tip");
	ok(record_session_amend(r, amended, &v.effective, "tip lot", "Dr Ana Ruiz", NULL, NULL,
				NULL, &err), &err, "amend");
	record_session_view_free(&v);
	record_close(r);
	store_pass_free(&pass);
	return 0;
}
