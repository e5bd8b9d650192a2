/* Power loss at every I/O operation while photographs are stored (the fault
 * model of faultvfs.h). The workload, in one watched directory:
 *   setup:  a record file with a patient, clinical-photography consent and
 *           a series (state A);
 *   first:  a photograph of ~150 KB stored with photo_add (state B);
 *   second: another one, appended to a file that already holds one (C).
 * After a crash in either photo step, every variant of the disk must open
 * with the core, authenticate every page and pass the integrity check,
 * hold the state before or after the step (after, once it had returned),
 * and hold no half-stored photo and no orphan: every photo has both of its
 * renditions, every rendition its photo, every digest matches.
 * Usage: test_crash_photo [--verbose] */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "faultvfs.h"
#include "needlelog/clinical.h"
#include "needlelog/photo.h"
#include "needlelog/record.h"
#include "workload.h"

#define DB_NAME "rec.nlg"
#define IMAGE_BYTES 153600
#define PREVIEW_BYTES 12288
#define STR2(x) #x
#define STR(x) STR2(x)

enum phase { PH_SETUP, PH_FIRST, PH_SECOND, PH_COUNT };

struct run {
	long start[PH_COUNT], end[PH_COUNT];
	int ok[PH_COUNT];
};

static char base[PATH_MAX / 2], dir[PATH_MAX / 2 + 8], chk[PATH_MAX / 2 + 8];
static char db[PATH_MAX];
static struct store_pass pw;
static struct run ref;
static unsigned char image[IMAGE_BYTES], preview[PREVIEW_BYTES];
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

static int setup_phase(struct record **r)
{
	struct nl_patient p = { .name = "Crash Photo", .dob = "1980-01-01" };
	struct nl_consent c = { .kind = CLIN_CONSENT_PHOTO, .given = "2020-01-01" };
	struct nl_series sr = { .indication = "acne-scars", .start_date = "2020-01-01" };
	struct nl_err err = { 0 };
	int64_t id;
	int rc = record_create(db, &pw, STORE_KDF_MIN, r, &err);

	if (rc == NL_OK)
		rc = record_set_today(*r, "2026-01-01", &err);
	if (rc == NL_OK)
		rc = record_patient_add(*r, &p, &c.patient_id, &err);
	if (rc == NL_OK)
		rc = record_consent_add(*r, &c, &id, &err);
	sr.patient_id = c.patient_id;
	if (rc == NL_OK)
		rc = record_series_add(*r, &sr, &id, &err);
	return rc;
}

static int photo_phase(struct record *r, const char *view)
{
	struct nl_photo p = { .patient_id = 1, .series_id = 1, .view = (char *)view,
			      .taken = "2025-06-01" };
	struct photo_bytes b = { image, sizeof(image), preview, sizeof(preview), "jpeg",
				 4096, 3072 };
	struct nl_err err = { 0 };
	int64_t id;

	return photo_add(r, &p, &b, &id, &err);
}

/* Runs the phases until one fails, marking each one's operations. */
static void workload(struct run *w)
{
	struct record *r = NULL;

	for (int p = 0; p < PH_COUNT; p++) {
		int rc;

		w->start[p] = fault_ops();
		rc = p == PH_SETUP ? setup_phase(&r)
				   : photo_phase(r, p == PH_FIRST ? "frontal" : "vertex");
		w->end[p] = fault_ops();
		w->ok[p] = rc == NL_OK;
		if (!w->ok[p])
			break;
	}
	record_close(r);
}

/* ---- checking a snapshot ---- */

static int count(struct record *r, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(store_db(record_store(r)), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* No half-stored photo, no orphan, every digest right. */
static void check_photos(const char *where, struct record *r)
{
	struct nl_err err = { 0 };
	int64_t *bad = NULL;
	size_t checked = 0, nbad = 0;

	if (count(r, "SELECT count(*) FROM photo p WHERE (SELECT count(*) FROM photo_blob b "
		  "WHERE b.photo_id = p.id) != 2") != 0)
		fail("  %s: a photo without both renditions", where);
	if (count(r, "SELECT count(*) FROM photo_blob WHERE photo_id NOT IN "
		  "(SELECT id FROM photo)") != 0)
		fail("  %s: an orphan rendition", where);
	if (count(r, "SELECT count(*) FROM photo p WHERE NOT EXISTS (SELECT 1 FROM audit a "
		  "WHERE a.entity = 'photo' AND a.entity_id = p.id)") != 0)
		fail("  %s: a photo without its audit row", where);
	if (photo_verify(r, &checked, &bad, &nbad, &err) != NL_OK)
		fail("  %s: %s", where, err.msg);
	free(bad);
}

static void check_variant(const char *where, int phase, int returned)
{
	char path[PATH_MAX + FAULT_NAME_MAX];
	struct nl_err err = { 0 };
	struct record *r = NULL;
	int rc, photos;

	snprintf(path, sizeof(path), "%s/" DB_NAME, chk);
	rc = record_open(path, &pw, &r, &err);
	if (rc == NL_OK)
		rc = store_check(record_store(r), NULL, NULL, &err);
	if (rc != NL_OK) {
		fail("  %s: the record file does not open and check clean: %s", where, err.msg);
		record_close(r);
		return;
	}
	check_photos(where, r);
	/* Timestamps differ from run to run: the state is the photos held. */
	photos = count(r, "SELECT count(*) FROM photo");
	if (photos != phase - 1 && photos != phase)
		fail("  %s: %d photos: neither the state before nor after the photo", where, photos);
	if (count(r, "SELECT count(*) FROM photo_blob WHERE length(data) NOT IN "
		  "(" STR(IMAGE_BYTES) ", " STR(PREVIEW_BYTES) ")") != 0)
		fail("  %s: a rendition of the wrong size", where);
	if (returned && photos != phase)
		fail("  %s: photo_add returned, but its photo is not there", where);
	record_close(r);
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
	struct run w;
	char where[128];

	memset(&w, 0, sizeof(w));
	empty_dir(dir);
	fault_begin(dir, n);
	workload(&w);
	fault_end();
	if (!fault_crashed() || fault_model_error()) {
		fail("N=%ld: %s", n, fault_model_error() ? fault_model_error()
							  : "the power never failed");
		return;
	}
	for (int v = 0; v < FAULT_VARIANTS; v++) {
		const struct fault_image *f;
		size_t nf;

		if (fault_snapshot(v, &f, &nf) != 0)
			continue;
		snprintf(where, sizeof(where), "N=%ld photo %d variant=%s", n, phase,
			 fault_variant_name(v));
		if (write_snapshot(chk, f, nf) != 0) {
			fail("  %s: cannot write the snapshot: %s", where, strerror(errno));
			continue;
		}
		check_variant(where, phase, n == ref.end[phase] && w.ok[phase]);
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
	    store_pass_set(&pw, "photo crash pass", 16, &err) != NL_OK)
		return -1;
	randombytes_buf(image, sizeof(image));
	randombytes_buf(preview, sizeof(preview));
	snprintf(tmpl, sizeof(tmpl), "%s/nl-crash-photo-XXXXXX",
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
	if (!ref.ok[PH_SECOND] || fault_model_error()) {
		fprintf(stderr, "FAIL: the workload without a crash failed (%s)\n",
			fault_model_error() ? fault_model_error() : "a phase failed");
		return 1;
	}
	printf("first photo: operations %ld..%ld; second: %ld..%ld\n", ref.start[PH_FIRST] + 1,
	       ref.end[PH_FIRST], ref.start[PH_SECOND] + 1, ref.end[PH_SECOND]);
	for (long n = ref.start[PH_FIRST] + 1; n <= ref.end[PH_SECOND]; n++) {
		crash_at(n, phase_of(n));
		points++;
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
