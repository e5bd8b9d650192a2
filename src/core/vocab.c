/* The vocabularies as tables (shared/DOMAIN.md), and their lookups. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "needlelog/text.h"
#include "needlelog/vocab.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const struct vocab_indication vocab_indications[] = {
	{ "acne-scars", "Acne scars", true },
	{ "surgical-scars", "Surgical scars", true },
	{ "stretch-marks", "Stretch marks", false },
	{ "fine-lines", "Fine lines and wrinkles", false },
	{ "laxity", "Skin laxity", false },
	{ "hyperpigmentation", "Hyperpigmentation", false },
	{ "enlarged-pores", "Enlarged pores", false },
	{ "texture", "Texture", false },
	{ "hair-loss", "Hair loss", false },
	{ "other", "Other", false },
};
const size_t vocab_indication_count = COUNT(vocab_indications);

/* Usual depths are practice-guide ranges: they give warnings, never errors. */
const struct vocab_area vocab_areas[] = {
	{ "forehead", "Forehead", VOCAB_REGION_FACE, 0.25, 0.5 },
	{ "glabella", "Between the brows", VOCAB_REGION_FACE, 0.25, 0.5 },
	{ "periorbital-l", "Around the eye, left", VOCAB_REGION_FACE, 0.2, 0.3 },
	{ "periorbital-r", "Around the eye, right", VOCAB_REGION_FACE, 0.2, 0.3 },
	{ "nose", "Nose", VOCAB_REGION_FACE, 0.25, 0.75 },
	{ "cheek-l", "Cheek, left", VOCAB_REGION_FACE, 0.5, 1.0 },
	{ "cheek-r", "Cheek, right", VOCAB_REGION_FACE, 0.5, 1.0 },
	{ "upper-lip", "Upper lip", VOCAB_REGION_FACE, 0.25, 0.5 },
	{ "perioral", "Around the mouth", VOCAB_REGION_FACE, 0.25, 0.5 },
	{ "chin", "Chin", VOCAB_REGION_FACE, 0.5, 1.0 },
	{ "jawline", "Jawline", VOCAB_REGION_FACE, 0.5, 1.0 },
	{ "neck", "Neck", VOCAB_REGION_NECK, 0.5, 1.0 },
	{ "decollete", "D\xc3\xa9" "collet\xc3\xa9", VOCAB_REGION_NECK, 0.5, 1.0 },
	{ "hands", "Back of the hands", VOCAB_REGION_NECK, 0.25, 0.5 },
	{ "abdomen", "Abdomen", VOCAB_REGION_BODY, 1.5, 2.5 },
	{ "thighs", "Thighs", VOCAB_REGION_BODY, 1.5, 2.5 },
	{ "buttocks", "Buttocks", VOCAB_REGION_BODY, 1.5, 2.5 },
	{ "hips", "Hips", VOCAB_REGION_BODY, 1.5, 2.5 },
	{ "arms", "Arms", VOCAB_REGION_BODY, 1.5, 2.5 },
	{ "back", "Back", VOCAB_REGION_BODY, 1.5, 2.5 },
	{ "scalp-frontal", "Scalp, frontal", VOCAB_REGION_SCALP, 0.5, 1.5 },
	{ "scalp-mid", "Scalp, mid", VOCAB_REGION_SCALP, 0.5, 1.5 },
	{ "scalp-vertex", "Scalp, vertex", VOCAB_REGION_SCALP, 0.5, 1.5 },
	{ "scalp-temporal-l", "Scalp, temporal left", VOCAB_REGION_SCALP, 0.5, 1.5 },
	{ "scalp-temporal-r", "Scalp, temporal right", VOCAB_REGION_SCALP, 0.5, 1.5 },
	{ "scalp-occipital", "Scalp, occipital", VOCAB_REGION_SCALP, 0.5, 1.5 },
	{ "hairline", "Hairline", VOCAB_REGION_SCALP, 0.5, 1.5 },
	{ "scar", "A named scar", VOCAB_REGION_SCAR, 1.5, 2.5 },
};
const size_t vocab_area_count = COUNT(vocab_areas);

const struct vocab_flag vocab_flags[] = {
	{ "isotretinoin", "Isotretinoin (oral)", "date of the last dose", 6, 0 },
	{ "active-infection", "Active infection in the area (herpes simplex, bacterial, fungal)", NULL, 0, 0 },
	{ "active-acne", "Active inflammatory acne in the area", NULL, 0, 0 },
	{ "keloid", "Keloid or hypertrophic scarring history", NULL, 0, 0 },
	{ "anticoagulant", "Anticoagulant or bleeding disorder", NULL, 0, 0 },
	{ "pregnancy", "Pregnancy or breastfeeding", NULL, 0, 0 },
	{ "immunosuppressed", "Immunosuppressed", NULL, 0, 0 },
	{ "diabetes", "Diabetes (uncontrolled)", NULL, 0, 0 },
	{ "skin-disease", "Eczema, psoriasis or rosacea active in the area", NULL, 0, 0 },
	{ "radiation", "Radiation therapy (within 12 months)", "date of the last treatment", 12, 0 },
	{ "anesthetic-allergy", "Allergy to topical lidocaine or benzocaine", NULL, 0, 0 },
	{ "metal-allergy", "Metal (nickel) allergy", NULL, 0, 0 },
	{ "recent-injectables", "Toxin or filler within 2 weeks", "date of the injection", 0, 14 },
	{ "sunburn", "Recent sunburn or tan", NULL, 0, 0 },
	{ "hsv-history", "Cold sores (antiviral prophylaxis advised)", NULL, 0, 0 },
};
const size_t vocab_flag_count = COUNT(vocab_flags);

const struct vocab_item vocab_endpoints[] = {
	{ "erythema-mild", "Mild erythema" },
	{ "erythema-uniform", "Uniform erythema" },
	{ "pinpoint-bleeding", "Pinpoint bleeding" },
};
const size_t vocab_endpoint_count = COUNT(vocab_endpoints);

const struct vocab_item vocab_statuses[] = {
	{ "active", "Active" },
	{ "paused", "Paused" },
	{ "completed", "Completed" },
	{ "discontinued", "Discontinued" },
};
const size_t vocab_status_count = COUNT(vocab_statuses);

static const char *const norwood[] = {
	"I", "II", "IIa", "III", "IIIa", "III-vertex", "IV", "IVa", "V", "Va", "VI", "VII",
};
static const char *const ludwig[] = { "I", "II", "III" };

#define NUM(c, sl, l, lo, hi, integer, dir, help) \
	{ c, l, VOCAB_SCALE_NUMERIC, lo, hi, integer, NULL, 0, dir, help, sl }
#define ORD(c, sl, l, lv, dir, help) \
	{ c, l, VOCAB_SCALE_ORDINAL, 0, COUNT(lv) - 1, true, lv, COUNT(lv), dir, help, sl }

const struct vocab_scale vocab_scales[] = {
	NUM("gais", "GAIS", "Global Aesthetic Improvement Scale (Narins)", 1, 5, true, VOCAB_DIR_LOWER,
	    "1 very much improved, 2 much improved, 3 improved, 4 no change, 5 worse"),
	NUM("goodman-baron-qual", "G&B qual", "Goodman & Baron qualitative acne scar grade", 1, 4, true,
	    VOCAB_DIR_LOWER, "grade 1-4"),
	NUM("goodman-baron-quant", "G&B quant", "Goodman & Baron quantitative acne scar score", 0, 84, true,
	    VOCAB_DIR_LOWER, "score 0-84"),
	ORD("norwood", "Norwood", "Norwood-Hamilton (men)", norwood, VOCAB_DIR_LOWER,
	    "I, II, IIa, III, IIIa, III-vertex, IV, IVa, V, Va, VI, VII"),
	ORD("ludwig", "Ludwig", "Ludwig (women)", ludwig, VOCAB_DIR_LOWER, "I, II, III"),
	NUM("hair-density", "Hair/cm\xc2\xb2", "Hair count per cm\xc2\xb2 at a fixed, marked site", 0, 500, true,
	    VOCAB_DIR_HIGHER, "hairs per cm\xc2\xb2, 0-500"),
	NUM("global-7pt", "Global 7-pt", "Global photographic assessment, 7-point", -3, 3, true,
	    VOCAB_DIR_HIGHER, "-3 greatly worse to +3 greatly improved"),
	NUM("satisfaction", "Satisfaction", "Patient satisfaction", 0, 10, true, VOCAB_DIR_HIGHER, "0-10"),
	NUM("pain", "Pain VAS", "Pain during the session (visual analogue scale)", 0, 10, true,
	    VOCAB_DIR_NONE, "0-10"),
	NUM("vss", "VSS", "Vancouver Scar Scale", 0, 13, true, VOCAB_DIR_LOWER, "0-13"),
	NUM("mmasi", "mMASI", "Modified Melasma Area and Severity Index", 0, 24, false, VOCAB_DIR_LOWER,
	    "0-24"),
};
const size_t vocab_scale_count = COUNT(vocab_scales);

const char *const vocab_products[] = {
	"hyaluronic acid", "PRP", "minoxidil", "growth factors", "exosomes",
	"peptide serum", "saline",
};
const size_t vocab_product_count = COUNT(vocab_products);

const char *const vocab_devices[] = { "pen", "roller", "RF microneedling" };
const size_t vocab_device_count = COUNT(vocab_devices);

const char *const vocab_cartridges[] = { "12-pin", "16-pin", "36-pin", "42-pin", "nano" };
const size_t vocab_cartridge_count = COUNT(vocab_cartridges);

const char *const vocab_fitzpatrick[] = { "", "I", "II", "III", "IV", "V", "VI" };

/* One lookup over any table whose rows start with a code pointer. */
static const void *find(const void *table, size_t n, size_t size, const char *code)
{
	const char *row = table;

	if (!code)
		return NULL;
	for (size_t i = 0; i < n; i++, row += size) {
		const char *const *c = (const char *const *)(const void *)row;

		if (strcmp(*c, code) == 0)
			return row;
	}
	return NULL;
}

const struct vocab_indication *vocab_indication_find(const char *code)
{
	return find(vocab_indications, vocab_indication_count, sizeof(vocab_indications[0]), code);
}

const struct vocab_area *vocab_area_find(const char *code)
{
	return find(vocab_areas, vocab_area_count, sizeof(vocab_areas[0]), code);
}

const struct vocab_flag *vocab_flag_find(const char *code)
{
	return find(vocab_flags, vocab_flag_count, sizeof(vocab_flags[0]), code);
}

const struct vocab_item *vocab_endpoint_find(const char *code)
{
	return find(vocab_endpoints, vocab_endpoint_count, sizeof(vocab_endpoints[0]), code);
}

const struct vocab_scale *vocab_scale_find(const char *code)
{
	return find(vocab_scales, vocab_scale_count, sizeof(vocab_scales[0]), code);
}

const struct vocab_item *vocab_status_find(const char *code)
{
	return find(vocab_statuses, vocab_status_count, sizeof(vocab_statuses[0]), code);
}

int vocab_depth_usual(const char *area, const char *indication, double *min,
		      double *max, struct nl_err *err)
{
	const struct vocab_area *a = vocab_area_find(area);
	const struct vocab_indication *ind = vocab_indication_find(indication);

	if (!a)
		return nl_error(err, NL_EDATA, "area: unknown area '%s'; see `needlelog vocab`",
				area ? area : "");
	if (!ind)
		return nl_error(err, NL_EDATA,
				"indication: unknown indication '%s'; see `needlelog vocab`",
				indication ? indication : "");
	*min = a->usual_min_mm;
	*max = a->usual_max_mm;
	if (ind->scar_depth && a->region == VOCAB_REGION_FACE && *max < VOCAB_FACE_SCAR_MAX_MM)
		*max = VOCAB_FACE_SCAR_MAX_MM;
	return NL_OK;
}

void vocab_scale_range(const struct vocab_scale *sc, char *buf, size_t size)
{
	size_t used = 0;

	if (sc->kind == VOCAB_SCALE_NUMERIC) {
		snprintf(buf, size, "%g to %g%s", sc->min, sc->max,
			 sc->integer ? " (whole numbers)" : "");
		return;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < sc->nlevels && used < size; i++) {
		int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", sc->levels[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static int scale_error(const struct vocab_scale *sc, const char *value,
		       struct nl_err *err)
{
	char range[160];

	vocab_scale_range(sc, range, sizeof(range));
	return nl_error(err, NL_EDATA, "score %s: '%s' is not allowed; %s takes %s",
			sc->code, value, sc->label, range);
}

int vocab_scale_check(const struct vocab_scale *sc, double value,
		      struct nl_err *err)
{
	char text[64];

	if (isfinite(value) && value >= sc->min && value <= sc->max &&
	    (!sc->integer || value == floor(value)))
		return NL_OK;
	snprintf(text, sizeof(text), "%g", value);
	return scale_error(sc, text, err);
}

/* A number as the core's one parse takes it; a signed scale also takes
 * the '+' it is printed with ("+2"), so that what is shown reads back. */
static int parse_number(const struct vocab_scale *sc, const char *text, double *out)
{
	if (sc->min < 0 && text[0] == '+' && text[1] != '-')
		text++;
	return nl_parse_decimal("value", text, sc->min, sc->max, out, NULL) == NL_OK ? 0 : -1;
}

int vocab_scale_parse(const struct vocab_scale *sc, const char *text,
		      double *value, struct nl_err *err)
{
	double v;

	if (!text)
		text = "";
	if (sc->kind == VOCAB_SCALE_ORDINAL) {
		for (size_t i = 0; i < sc->nlevels; i++)
			if (strcmp(text, sc->levels[i]) == 0)
				return *value = (double)i, NL_OK;
		for (size_t i = 0; i < sc->nlevels; i++)
			if (strcasecmp(text, sc->levels[i]) == 0)
				return *value = (double)i, NL_OK;
		return scale_error(sc, text, err);
	}
	if (parse_number(sc, text, &v) != 0)
		return scale_error(sc, text, err);
	if (vocab_scale_check(sc, v, NULL) != NL_OK)
		return scale_error(sc, text, err);
	*value = v;
	return NL_OK;
}

void vocab_scale_format(const struct vocab_scale *sc, double value, char *buf,
			size_t size)
{
	if (sc->kind == VOCAB_SCALE_ORDINAL && value >= 0 && value < (double)sc->nlevels &&
	    value == floor(value))
		snprintf(buf, size, "%s", sc->levels[(size_t)value]);
	else if (value == floor(value) && fabs(value) < 1e9)
		snprintf(buf, size, sc->min < 0 && value > 0 ? "+%.0f" : "%.0f", value);
	else
		snprintf(buf, size, sc->min < 0 && value > 0 ? "+%g" : "%g", value);
}

int vocab_fitzpatrick_parse(const char *text, int *type, struct nl_err *err)
{
	for (int i = VOCAB_FITZ_MIN; text && i <= VOCAB_FITZ_MAX; i++) {
		char digit[2] = { (char)('0' + i), '\0' };

		if (strcasecmp(text, vocab_fitzpatrick[i]) == 0 || strcmp(text, digit) == 0)
			return *type = i, NL_OK;
	}
	return nl_error(err, NL_EDATA,
			"skin type: '%s' is not a Fitzpatrick type; use I, II, III, IV, V or VI",
			text ? text : "");
}

const char *vocab_fitzpatrick_label(int type)
{
	if (type < VOCAB_FITZ_MIN || type > VOCAB_FITZ_MAX)
		return "";
	return vocab_fitzpatrick[type];
}
