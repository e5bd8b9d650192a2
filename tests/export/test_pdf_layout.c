/* The PDF's charts as laid out (pdf.c keeps every box it draws text or a
 * marker in): no two labels overlap, areas that share a depth are drawn
 * apart with a legend, an ordinal axis names every level in its range,
 * and a numeric axis is ranged from the data. The record is the one issue
 * 13 describes: three scalp areas at 1.5 mm, Norwood levels next to each
 * other, hair density from 142 to 179 /cm2. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "needlelog/image.h"
#include "needlelog/photo.h"
#include "needlelog/record.h"
#include "needlelog/store.h"
#include "model.h"

struct t {
	char dir[64];
	struct record *r;
	struct xm m;
	struct xw_layout lay;
};

static void add_sessions(struct record *r, int64_t series)
{
	static const char *const dates[] = { "2026-01-10", "2026-01-17", "2026-01-24",
					     "2026-01-31", "2026-02-07", "2026-02-14" };
	static const double norwood[] = { 4, 4, 3, 5, 4, 3 };   /* IIIa, IIIa, III, III-vertex... */
	static const double hair[] = { 142, 150, 158, 165, 171, 179 };
	struct nl_err err = { 0 };

	for (size_t i = 0; i < 6; i++) {
		struct nl_treatment a[] = { { "scalp-vertex", NULL, 1.5, 2 },
					    { "scalp-temporal-l", NULL, 1.5, 2 },
					    { "hairline", NULL, 1.5, 2 } };
		struct nl_score sc[] = { { "norwood", norwood[i] }, { "hair-density", hair[i] } };
		struct nl_session s;
		int64_t id;

		record_session_init(&s);
		s.series_id = series;
		s.date = (char *)dates[i];
		s.practitioner = "Dr A";
		s.areas = a;
		s.nareas = 3;
		s.scores = sc;
		s.nscores = 2;
		assert_int_equal(record_session_add(r, &s, true, NULL, NULL, &id, &err), NL_OK);
	}
}

/* Photographs under a consent: a vertex pair (and one between), and a
 * single of the marked site; the PDF shows them with --photos. */
static void add_photos(struct record *r, int64_t pid, int64_t sid)
{
	static const struct { const char *view, *tp, *taken; } v[] = {
		{ "vertex", "baseline", "2026-01-10" }, { "vertex", "session", "2026-01-31" },
		{ "vertex", "follow-up", "2026-02-20" }, { "marked-site", "baseline", "2026-01-10" },
	};
	struct nl_consent c = { .patient_id = pid, .kind = CLIN_CONSENT_PHOTO,
				.covers = "hair-loss", .given = "2026-01-01" };
	struct nl_err err = { 0 };
	int64_t id;

	assert_int_equal(record_consent_add(r, &c, &id, &err), NL_OK);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct nl_photo ph = { .patient_id = pid, .series_id = sid, .view = (char *)v[i].view,
				       .timepoint = (char *)v[i].tp, .taken = (char *)v[i].taken };
		struct image_import im;
		unsigned char *buf;
		size_t len;

		assert_int_equal(image_synthetic(300, 400, (double)i / 3, 3, "jpeg", &buf, &len,
						 &err), NL_OK);
		assert_int_equal(image_import(buf, len, &im, &err), NL_OK);
		free(buf);
		assert_int_equal(photo_add(r, &ph, &(struct photo_bytes){ .image = im.image,
			.image_len = im.image_len, .preview = im.preview,
			.preview_len = im.preview_len, .source = im.source, .width = im.width,
			.height = im.height }, &id, &err), NL_OK);
		image_import_free(&im);
	}
}

static int setup(void **state)
{
	static struct t t;
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };
	struct nl_patient p = { .name = "Layout Test", .skin_type = 4 };
	char *areas[] = { "scalp-vertex" };
	struct nl_score base[] = { { "norwood", 4 }, { "hair-density", 142 } };
	struct nl_series sr = { .indication = "hair-loss", .areas = areas, .nareas = 1,
				.planned = 12, .interval_days = 7, .start_date = "2026-01-10",
				.baseline = base, .nbaseline = 2 };
	char db[128];
	int64_t pid, sid;

	snprintf(t.dir, sizeof(t.dir), "/tmp/nl-pdf-layout-XXXXXX");
	assert_non_null(mkdtemp(t.dir));
	snprintf(db, sizeof(db), "%s/r.db", t.dir);
	assert_int_equal(store_global_init(&err), NL_OK);
	assert_int_equal(store_pass_set(&pass, "pw", 2, &err), NL_OK);
	assert_int_equal(record_create(db, &pass, STORE_KDF_DEFAULT, &t.r, &err), NL_OK);
	store_pass_free(&pass);
	assert_int_equal(record_set_today(t.r, "2026-03-01", &err), NL_OK);
	assert_int_equal(record_patient_add(t.r, &p, &pid, &err), NL_OK);
	sr.patient_id = pid;
	assert_int_equal(record_series_add(t.r, &sr, &sid, &err), NL_OK);
	add_sessions(t.r, sid);
	add_photos(t.r, pid, sid);
	assert_int_equal(xm_load(t.r, pid, 0, &t.m, &err), NL_OK);
	assert_int_equal(xm_load_photo_data(t.r, &t.m, PHOTO_PREVIEW, true, &err), NL_OK);
	assert_int_equal(xw_pdf_layout(&t.m, &t.lay, &err), NL_OK);
	*state = &t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	char cmd[128];

	xw_layout_free(&t->lay);
	xm_free(&t->m);
	record_close(t->r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The chart whose boxes include a tick or legend entry reading text. */
static int chart_with(const struct xw_layout *l, enum xw_box_kind kind, const char *text)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->boxes[i].kind == kind && strcmp(l->boxes[i].text, text) == 0)
			return l->boxes[i].chart;
	return 0;
}

static void no_label_overlaps(void **state)
{
	const struct xw_layout *l = &((struct t *)*state)->lay;
	size_t labels = 0;

	assert_true(l->charts >= 3);
	for (size_t i = 0; i < l->n; i++) {
		const struct xw_box *a = &l->boxes[i];

		if (a->kind == XW_BOX_MARKER)
			continue;
		labels++;
		for (size_t j = 0; j < l->n; j++) {
			const struct xw_box *b = &l->boxes[j];

			if (i == j || a->chart != b->chart)
				continue;
			if (xw_box_overlap(a, b))
				fail_msg("'%s' overlaps '%s' in chart %d", a->text, b->text, a->chart);
		}
	}
	assert_true(labels > 20);
}

/* The check can fail: two boxes that do overlap are found. */
static void overlap_is_seen(void **state)
{
	struct xw_box a = { .page = 1, .x = 10, .y = 10, .w = 30, .h = 9 };
	struct xw_box b = a, c = a;

	(void)state;
	b.x = 35;
	assert_true(xw_box_overlap(&a, &b));
	c.x = 40; /* touching is not overlapping */
	assert_false(xw_box_overlap(&a, &c));
	c.page = 2;
	c.x = 10;
	assert_false(xw_box_overlap(&a, &c));
}

static void coinciding_depths_apart(void **state)
{
	const struct xw_layout *l = &((struct t *)*state)->lay;
	int chart = chart_with(l, XW_BOX_LEGEND, "Scalp, vertex");
	size_t legends = 0, markers = 0;

	assert_true(chart > 0);
	for (size_t i = 0; i < l->n; i++) {
		const struct xw_box *a = &l->boxes[i];

		if (a->chart != chart)
			continue;
		legends += a->kind == XW_BOX_LEGEND;
		if (a->kind != XW_BOX_MARKER)
			continue;
		markers++;
		/* No two areas' markers at the same place. */
		for (size_t j = i + 1; j < l->n; j++) {
			const struct xw_box *b = &l->boxes[j];

			if (b->chart == chart && b->kind == XW_BOX_MARKER && b->series != a->series)
				assert_false(b->x == a->x && b->y == a->y);
		}
	}
	assert_int_equal(legends, 3);
	assert_int_equal(markers, 18);
}

static void ordinal_axis_every_level(void **state)
{
	const struct xw_layout *l = &((struct t *)*state)->lay;
	/* Levels III (3) to III-vertex (5), and one either side. */
	static const char *const want[] = { "IIa", "III", "IIIa", "III-vertex", "IV" };
	int chart = chart_with(l, XW_BOX_TICK, "III-vertex");

	assert_true(chart > 0);
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		bool seen = false;

		for (size_t i = 0; i < l->n; i++)
			seen |= l->boxes[i].chart == chart && l->boxes[i].kind == XW_BOX_TICK &&
				strcmp(l->boxes[i].text, want[k]) == 0;
		if (!seen)
			fail_msg("the Norwood axis does not show %s", want[k]);
	}
}

static void numeric_axis_from_the_data(void **state)
{
	const struct xw_layout *l = &((struct t *)*state)->lay;
	int chart = chart_with(l, XW_BOX_LABEL, "179");
	double lo = 1e9, hi = -1e9;

	assert_true(chart > 0);
	for (size_t i = 0; i < l->n; i++) {
		const struct xw_box *b = &l->boxes[i];
		char *end;
		double v;

		if (b->chart != chart || b->kind != XW_BOX_TICK || strchr(b->text, '-'))
			continue; /* dates */
		v = strtod(b->text, &end);
		if (*end)
			continue;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	/* 142 to 179 /cm2 on an axis near them, not 0 to 500. */
	assert_true(lo >= 100 && lo <= 142);
	assert_true(hi >= 179 && hi <= 250);
}

/* Each view's pair side by side on one page, inside the margins, its
 * captions under the pictures (no_label_overlaps checks they meet
 * nothing); the photo between the two is not shown. */
static void photo_pairs_laid_out(void **state)
{
	const struct xw_layout *l = &((struct t *)*state)->lay;
	const struct xw_box *ph[8];
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct xw_box *b = &l->boxes[i];

		if (b->kind != XW_BOX_PHOTO)
			continue;
		assert_true(n < 8);
		ph[n++] = b;
		assert_true(b->x >= 42 - 0.01 && b->x + b->w <= 595.276 - 42 + 0.01);
		assert_true(b->y >= 42 && b->y + b->h <= 841.89 - 42 - 18);
		assert_true(b->w > 100 && b->h > 100);
	}
	assert_int_equal(n, 3);   /* the vertex pair and the marked site */
	assert_int_equal(ph[0]->page, ph[1]->page);
	assert_int_equal(ph[0]->chart, ph[1]->chart);
	assert_true(ph[0]->x + ph[0]->w < ph[1]->x);   /* side by side */
	assert_false(xw_box_overlap(ph[0], ph[1]));
	assert_false(ph[2]->page == ph[1]->page && xw_box_overlap(ph[1], ph[2]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_label_overlaps),
		cmocka_unit_test(overlap_is_seen),
		cmocka_unit_test(coinciding_depths_apart),
		cmocka_unit_test(ordinal_axis_every_level),
		cmocka_unit_test(numeric_axis_from_the_data),
		cmocka_unit_test(photo_pairs_laid_out),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
