/* The vocabularies: lookups, the depth rule, scale parsing, and that every
 * code the core knows is one the schema's CHECKs accept. */
#include <math.h>
#include <string.h>

#include "fixture.h"

static void lookups(void **state)
{
	(void)state;
	assert_non_null(vocab_area_find("scalp-vertex"));
	assert_null(vocab_area_find("elbow"));
	assert_null(vocab_area_find(NULL));
	assert_string_equal(vocab_indication_find("fine-lines")->label, "Fine lines and wrinkles");
	assert_int_equal(vocab_flag_find("isotretinoin")->window_months, 6);
	assert_non_null(vocab_endpoint_find("pinpoint-bleeding"));
	assert_non_null(vocab_status_find("active"));
	assert_int_equal(vocab_scale_find("norwood")->nlevels, 12);
	assert_int_equal(vocab_scale_find("hair-density")->direction, VOCAB_DIR_HIGHER);
	assert_int_equal(vocab_scale_find("pain")->direction, VOCAB_DIR_NONE);
	assert_int_equal(vocab_indication_count, 10);
	assert_int_equal(vocab_flag_count, 15);
	assert_int_equal(vocab_scale_count, 11);
}

static void depth_rule(void **state)
{
	struct nl_err err = { 0 };
	double lo, hi;

	(void)state;
	assert_int_equal(vocab_depth_usual("cheek-l", "fine-lines", &lo, &hi, &err), NL_OK);
	assert_true(lo == 0.5 && hi == 1.0);
	assert_int_equal(vocab_depth_usual("cheek-l", "acne-scars", &lo, &hi, &err), NL_OK);
	assert_true(lo == 0.5 && hi == 2.5);
	assert_int_equal(vocab_depth_usual("forehead", "surgical-scars", &lo, &hi, &err), NL_OK);
	assert_true(hi == 2.5);
	assert_int_equal(vocab_depth_usual("abdomen", "acne-scars", &lo, &hi, &err), NL_OK);
	assert_true(lo == 1.5 && hi == 2.5);
	assert_int_equal(vocab_depth_usual("scalp-vertex", "hair-loss", &lo, &hi, &err), NL_OK);
	assert_true(lo == 0.5 && hi == 1.5);
	assert_int_equal(vocab_depth_usual("elbow", "hair-loss", &lo, &hi, &err), NL_EDATA);
	assert_msg(err, "area", "elbow");
	assert_int_equal(vocab_depth_usual("chin", "warts", &lo, &hi, &err), NL_EDATA);
	assert_msg(err, "indication", "warts");
}

static void scale_parse(void **state)
{
	const struct vocab_scale *norwood = vocab_scale_find("norwood");
	const struct vocab_scale *g7 = vocab_scale_find("global-7pt");
	const struct vocab_scale *mmasi = vocab_scale_find("mmasi");
	struct nl_err err = { 0 };
	char buf[64];
	double v;

	(void)state;
	assert_int_equal(vocab_scale_parse(norwood, "IIIa", &v, &err), NL_OK);
	assert_true(v == 4);
	assert_int_equal(vocab_scale_parse(norwood, "iii-VERTEX", &v, &err), NL_OK);
	assert_true(v == 5);
	vocab_scale_format(norwood, 5, buf, sizeof(buf));
	assert_string_equal(buf, "III-vertex");
	assert_int_equal(vocab_scale_parse(norwood, "VIII", &v, &err), NL_EDATA);
	assert_msg(err, "norwood", "'VIII'", "I, II, IIa, III, IIIa, III-vertex, IV, IVa, V, Va, VI, VII");
	assert_int_equal(vocab_scale_parse(g7, "+3", &v, &err), NL_OK);
	assert_true(v == 3);
	vocab_scale_format(g7, 3, buf, sizeof(buf));
	assert_string_equal(buf, "+3");                  /* signed scale */
	vocab_scale_format(vocab_scale_find("gais"), 3, buf, sizeof(buf));
	assert_string_equal(buf, "3");
	vocab_scale_format(mmasi, 12.5, buf, sizeof(buf));
	assert_string_equal(buf, "12.5");
	assert_int_equal(vocab_scale_parse(g7, "-3", &v, &err), NL_OK);
	assert_true(v == -3);
	assert_int_equal(vocab_scale_parse(g7, "4", &v, &err), NL_EDATA);
	assert_msg(err, "global-7pt", "'4'", "-3 to 3");
	assert_int_equal(vocab_scale_parse(g7, "1.5", &v, &err), NL_EDATA);
	assert_int_equal(vocab_scale_parse(g7, "two", &v, &err), NL_EDATA);
	assert_int_equal(vocab_scale_parse(g7, "", &v, &err), NL_EDATA);
	assert_int_equal(vocab_scale_parse(mmasi, "12.3", &v, &err), NL_OK);
	assert_true(fabs(v - 12.3) < 1e-9);
	assert_int_equal(vocab_scale_parse(mmasi, "nan", &v, &err), NL_EDATA);
	assert_int_equal(vocab_scale_check(vocab_scale_find("hair-density"), 501, &err), NL_EDATA);
	assert_msg(err, "hair-density", "501", "0 to 500");
}

static void fitzpatrick(void **state)
{
	struct nl_err err = { 0 };
	int t;

	(void)state;
	assert_int_equal(vocab_fitzpatrick_parse("IV", &t, &err), NL_OK);
	assert_int_equal(t, 4);
	assert_int_equal(vocab_fitzpatrick_parse("vi", &t, &err), NL_OK);
	assert_int_equal(t, 6);
	assert_int_equal(vocab_fitzpatrick_parse("1", &t, &err), NL_OK);
	assert_int_equal(t, 1);
	assert_int_equal(vocab_fitzpatrick_parse("VII", &t, &err), NL_EDATA);
	assert_msg(err, "skin type", "VII", "I, II, III, IV, V or VI");
	assert_int_equal(vocab_fitzpatrick_parse("0", &t, &err), NL_EDATA);
	assert_string_equal(vocab_fitzpatrick_label(3), "III");
	assert_string_equal(vocab_fitzpatrick_label(9), "");
}

/* Every indication, area, flag, endpoint, status and scale round-trips
 * through the record file: the C tables and the SQL CHECKs agree. */
static void vocab_matches_schema(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	int64_t pid = fx_patient(f->s, "Vocab Test"), sid = 0, id;

	for (size_t i = 0; i < vocab_indication_count; i++) {
		struct nl_series sr = { .patient_id = pid,
					.indication = (char *)vocab_indications[i].code,
					.start_date = "2026-01-01" };

		assert_int_equal(record_series_add(f->s, &sr, &sid, &err), NL_OK);
	}
	for (size_t i = 0; i < vocab_status_count; i++) {
		struct nl_series sr;

		assert_int_equal(record_series_get(f->s, sid, &sr, &err), NL_OK);
		free(sr.status);
		sr.status = strdup(vocab_statuses[i].code);
		assert_int_equal(record_series_edit(f->s, &sr, &err), NL_OK);
		record_series_free(&sr);
	}
	for (size_t i = 0; i < vocab_flag_count; i++) {
		struct nl_flag fl = { .code = (char *)vocab_flags[i].code };
		struct nl_patient p = { .name = "Flag", .flags = &fl, .nflags = 1 };
		/* issue 11: the allergy list replaces these two for new records */
		bool replaced = strcmp(fl.code, "anesthetic-allergy") == 0 ||
				strcmp(fl.code, "metal-allergy") == 0;

		assert_int_equal(record_patient_add(f->s, &p, &id, &err),
				 replaced ? NL_EDATA : NL_OK);
	}
	for (size_t i = 0; i < vocab_area_count; i++)
		for (size_t e = 0; e < vocab_endpoint_count; e++) {
			struct fx_session fs;

			fx_session_init(&fs, sid, "2026-02-01", vocab_areas[i].code, 1.0);
			fs.ses.endpoint = (char *)vocab_endpoints[e].code;
			assert_int_equal(record_session_add(f->s, &fs.ses, false, NULL, NULL, &id, &err),
					 NL_OK);
		}
	for (size_t i = 0; i < vocab_scale_count; i++) {
		struct fx_session fs;

		fx_session_init(&fs, sid, "2026-02-01", "chin", 1.0);
		fs.scores[0] = (struct nl_score){ (char *)vocab_scales[i].code, vocab_scales[i].max };
		fs.ses.nscores = 1;
		assert_int_equal(record_session_add(f->s, &fs.ses, false, NULL, NULL, &id, &err), NL_OK);
	}
}

/* Short scale labels are what the TUI's score rows show: never empty, never
 * cut (at most VOCAB_SCALE_SHORT bytes, which bounds the cells), and no two
 * alike, so two rows cannot be mistaken for each other. */
static void short_labels(void **state)
{
	(void)state;
	for (size_t i = 0; i < vocab_scale_count; i++) {
		const char *a = vocab_scales[i].short_label;

		assert_non_null(a);
		assert_true(a[0] != '\0');
		assert_true(strlen(a) <= VOCAB_SCALE_SHORT);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(a, vocab_scales[j].short_label);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lookups),
		cmocka_unit_test(depth_rule),
		cmocka_unit_test(scale_parse),
		cmocka_unit_test(fitzpatrick),
		cmocka_unit_test(short_labels),
		cmocka_unit_test_setup_teardown(vocab_matches_schema, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
