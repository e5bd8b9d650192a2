/* The photo benchmark (issue 12): what photographs cost, and that they cost
 * nothing to the rest. Run by `meson compile -C BUILD bench-photo`; the
 * figures go to docs/benchmark.md and the storage choice in
 * docs/file-format.md rests on them.
 *
 *   add12      one 12-megapixel JPEG (4000x3000, generated) imported and
 *              stored: decode, orient, strip, re-encode, preview, insert,
 *              commit; with the peak resident memory of that step alone
 *              (VmHWM after resetting it through /proc/self/clear_refs)
 *   list200    photo_list of a patient with 200 photos (median of 21)
 *   compare    the compare view's work at 80x24: the series' photos of the
 *              view, both previews read and decoded, both drawn into cells
 *   hot        the clinical lists (patient list, a series' sessions) before
 *              and after 2,000 photos of ~1 MB enter the same file
 *   sealed     the design not chosen: the same image bytes sealed into a
 *              file of their own beside the record (XChaCha20-Poly1305
 *              secretstream, fsync), against an insert into the record file
 * Usage: bench-photo DIR [PHOTOS] (PHOTOS: the 2,000, fewer for a quick run). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sodium.h>

#include "needlelog/clinical.h"
#include "needlelog/image.h"
#include "needlelog/photo.h"
#include "needlelog/record.h"
#include "needlelog/render.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct nl_err *err)
{
	fprintf(stderr, "bench-photo: %s: %s\n", what, err ? err->msg : "failed");
	exit(1);
}

/* CPU seconds of the process (user + system), every thread. */
static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static long vm_hwm_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void reset_hwm(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "5", 1) != 1)
			fprintf(stderr, "bench-photo: cannot reset the peak RSS\n");
		close(fd);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A patient with consent, a series, a few sessions. */
static void setup(struct record *r, int64_t *patient, int64_t *series)
{
	struct nl_patient p = { .name = "Bench Patient", .dob = "1980-01-01" };
	struct nl_consent c = { .kind = CLIN_CONSENT_PHOTO, .given = "2020-01-01" };
	struct nl_series sr = { .indication = "acne-scars", .start_date = "2020-01-01" };
	struct nl_err err = { 0 };
	int64_t cid;

	if (record_patient_add(r, &p, patient, &err) != NL_OK)
		die("patient", &err);
	c.patient_id = *patient;
	if (record_consent_add(r, &c, &cid, &err) != NL_OK)
		die("consent", &err);
	sr.patient_id = *patient;
	if (record_series_add(r, &sr, series, &err) != NL_OK)
		die("series", &err);
	for (int i = 0; i < 50; i++) {
		struct nl_patient o = { .name = "Other Patient" };
		int64_t id;

		if (record_patient_add(r, &o, &id, &err) != NL_OK)
			die("patients", &err);
	}
}

static void bench_add12(struct record *r, int64_t patient, int64_t series)
{
	struct nl_photo p = { .patient_id = patient, .series_id = series, .view = "frontal",
			      .taken = "2024-01-01" };
	struct image_import im;
	struct nl_err err = { 0 };
	unsigned char *jpeg;
	size_t len;
	int64_t id;
	double t0;

	if (image_synthetic(4000, 3000, 0.2, 1, "jpeg", &jpeg, &len, &err) != NL_OK)
		die("12 MP picture", &err);
	reset_hwm();
	long before = vm_hwm_kb();
	double c0 = cpu();
	t0 = now();
	if (image_import(jpeg, len, &im, &err) != NL_OK)
		die("import", &err);
	struct photo_bytes b = { im.image, im.image_len, im.preview, im.preview_len, im.source,
				 im.width, im.height };
	if (photo_add(r, &p, &b, &id, &err) != NL_OK)
		die("add", &err);
	printf("RESULT add12 %.3f s (%.3f s of CPU), peak RSS %.0f MB (%.0f MB before), stored "
	       "%dx%d %zu KB from %zu KB\n", now() - t0, cpu() - c0, vm_hwm_kb() / 1024.0,
	       before / 1024.0, im.width,
	       im.height, im.image_len / 1024, len / 1024);
	image_import_free(&im);
	image_bytes_free(jpeg, len);
}

/* n photos of the same generated picture (the bytes do not matter to the
 * lists), dated a day apart, in one transaction per 100. */
static void fill(struct record *r, int64_t patient, int64_t series, int n, size_t pad)
{
	struct nl_err err = { 0 };
	unsigned char *jpeg, *big;
	size_t len;
	struct image_import im;

	if (image_synthetic(1600, 1200, 0.5, 2, "jpeg", &jpeg, &len, &err) != NL_OK ||
	    image_import(jpeg, len, &im, &err) != NL_OK)
		die("picture", &err);
	big = malloc(im.image_len + pad);
	memcpy(big, im.image, im.image_len);
	randombytes_buf(big + im.image_len, pad);
	for (int i = 0; i < n; i++) {
		char date[32];
		struct nl_photo p = { .patient_id = patient, .series_id = series,
				      .view = (char *)photo_views[i % 5].code, .taken = date };
		struct photo_bytes b = { big, im.image_len + pad, im.preview, im.preview_len,
					 "jpeg", im.width, im.height };
		int64_t id;

		snprintf(date, sizeof(date), "%04d-%02d-%02d", 2020 + i / 336, 1 + i / 28 % 12,
			 1 + i % 28);
		if ((i % 100 == 0 && record_begin(r, &err) != NL_OK) ||
		    photo_add(r, &p, &b, &id, &err) != NL_OK ||
		    ((i % 100 == 99 || i == n - 1) && record_commit(r, &err) != NL_OK))
			die("fill", &err);
	}
	free(big);
	image_import_free(&im);
	image_bytes_free(jpeg, len);
}

static double median_ms(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2] * 1000;
}

static void bench_list(struct record *r, int64_t patient, const char *label)
{
	double t[21];
	struct nl_err err = { 0 };
	size_t n = 0;

	for (int i = 0; i < 21; i++) {
		struct nl_photo *v;
		double t0 = now();

		if (photo_list(r, patient, 0, NULL, &v, &n, &err) != NL_OK)
			die("list", &err);
		t[i] = now() - t0;
		photo_list_free(v, n);
	}
	printf("RESULT %s %.2f ms (%zu photos)\n", label, median_ms(t, 21), n);
}

static void bench_hot(struct record *r, int64_t series, const char *label)
{
	double t[21], u[21];
	struct nl_err err = { 0 };

	for (int i = 0; i < 21; i++) {
		struct nl_patient_summary *ps;
		struct nl_session *ses;
		size_t n;
		double t0 = now();

		if (record_patient_list(r, NULL, false, &ps, &n, &err) != NL_OK)
			die("patient list", &err);
		t[i] = now() - t0;
		record_patient_list_free(ps, n);
		t0 = now();
		if (record_session_list(r, series, true, &ses, &n, &err) != NL_OK)
			die("sessions", &err);
		u[i] = now() - t0;
		record_session_list_free(ses, n);
	}
	printf("RESULT %s patient-list %.2f ms, session-list %.2f ms\n", label,
	       median_ms(t, 21), median_ms(u, 21));
}

static void draw_one(struct record *r, int64_t id, struct render_cell *cells)
{
	struct nl_err err = { 0 };
	struct image_pixels px;
	unsigned char *d;
	size_t len;
	int cols = 39, rows = 20;

	if (photo_read(r, id, PHOTO_PREVIEW, &d, &len, &err) != NL_OK ||
	    image_decode_fit(d, len, cols * 8, rows * 16, &px, &err) != NL_OK)
		die("preview", &err);
	render_fit(px.width, px.height, &cols, &rows);
	if (render_cells(&px, cols, rows, 256, cells, &err) != NL_OK)
		die("cells", &err);
	image_pixels_free(&px);
	photo_data_free(d, len);
}

static void bench_compare(struct record *r, int64_t series)
{
	static struct render_cell cells[39 * 20];
	double t[11];
	struct nl_err err = { 0 };

	for (int i = 0; i < 11; i++) {
		struct nl_photo *v;
		size_t n;
		long a, b;
		double t0 = now();

		if (photo_series_view(r, series, "frontal", &v, &n, &err) != NL_OK || n < 2)
			die("series view", &err);
		photo_pair(v, n, &a, &b);
		draw_one(r, v[a].id, cells);
		draw_one(r, v[b].id, cells);
		t[i] = now() - t0;
		photo_list_free(v, n);
	}
	printf("RESULT compare %.1f ms (two previews read, decoded, drawn at 80x24)\n",
	       median_ms(t, 11));
}

/* The alternative: a sealed file per photo beside the record. */
static double sealed_file(const char *dir, const unsigned char *data, size_t len)
{
	unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	unsigned char hdr[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	crypto_secretstream_xchacha20poly1305_state st;
	size_t chunk = 65536;
	unsigned char *out = malloc(chunk + crypto_secretstream_xchacha20poly1305_ABYTES);
	char path[4096];
	double t0 = now();
	int fd;

	snprintf(path, sizeof(path), "%s/sealed.blob", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	crypto_secretstream_xchacha20poly1305_keygen(key);
	crypto_secretstream_xchacha20poly1305_init_push(&st, hdr, key);
	if (fd < 0 || write(fd, hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr))
		die("sealed file", NULL);
	for (size_t at = 0; at < len; at += chunk) {
		size_t n = len - at < chunk ? len - at : chunk;
		unsigned long long olen;

		crypto_secretstream_xchacha20poly1305_push(&st, out, &olen, data + at, n, NULL, 0,
			at + n >= len ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
		if (write(fd, out, (size_t)olen) != (ssize_t)olen)
			die("sealed file", NULL);
	}
	fsync(fd);
	close(fd);
	/* and the folder, so the new name survives a crash */
	fd = open(dir, O_RDONLY);
	fsync(fd);
	close(fd);
	free(out);
	return now() - t0;
}

static void bench_sealed(struct record *r, const char *dir, int64_t patient, int64_t series)
{
	struct nl_err err = { 0 };
	size_t len = 3u << 20;
	unsigned char *data = malloc(len), *prev = malloc(60000);
	double ts[5], ti[5];

	randombytes_buf(data, len);
	randombytes_buf(prev, 60000);
	for (int i = 0; i < 5; i++) {
		struct nl_photo p = { .patient_id = patient, .series_id = series, .view = "vertex",
				      .taken = "2024-02-01" };
		struct photo_bytes b = { data, len, prev, 60000, "jpeg", 4096, 3072 };
		int64_t id;
		double t0 = now();

		if (photo_add(r, &p, &b, &id, &err) != NL_OK)
			die("insert", &err);
		ti[i] = now() - t0;
		ts[i] = sealed_file(dir, data, len);
	}
	printf("RESULT sealed 3 MB: record-file insert %.1f ms, sealed file beside it %.1f ms\n",
	       median_ms(ti, 5), median_ms(ts, 5));
	free(data);
	free(prev);
}

int main(int argc, char **argv)
{
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };
	struct record *r;
	int64_t patient, series;
	char path[4096];
	int photos = argc > 2 ? atoi(argv[2]) : 2000;

	if (argc < 2)
		return 2;
	snprintf(path, sizeof(path), "%s/photo-bench.db", argv[1]);
	unlink(path);
	if (store_global_init(&err) != NL_OK || store_pass_set(&pass, "bench", 5, &err) != NL_OK ||
	    record_create(path, &pass, STORE_KDF_DEFAULT, &r, &err) != NL_OK)
		die("create", &err);
	store_pass_free(&pass);
	record_set_today(r, "2026-01-01", &err);
	setup(r, &patient, &series);
	bench_add12(r, patient, series);
	fill(r, patient, series, 199, 0);
	bench_list(r, patient, "list200");
	bench_compare(r, series);
	bench_hot(r, series, "hot-before");
	fill(r, patient + 1, 0, 0, 0);
	{
		struct nl_consent c = { .patient_id = patient + 1, .kind = CLIN_CONSENT_PHOTO,
					.given = "2020-01-01" };
		int64_t cid;

		if (record_consent_add(r, &c, &cid, &err) != NL_OK)
			die("consent", &err);
		fill(r, patient + 1, 0, photos, 900000);
	}
	bench_hot(r, series, "hot-after");
	bench_list(r, patient, "list200-after");
	bench_sealed(r, argv[1], patient, series);
	record_close(r);
	return 0;
}
