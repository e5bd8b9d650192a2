/* The clinical vocabularies, as data: indications, areas with their usual
 * depth ranges, contraindication flags, Fitzpatrick skin types, endpoints,
 * outcome scales, pick lists and series statuses.
 *
 * Each vocabulary is one constant table ending at its count; codes are what
 * the record file stores, labels are what people read. Everything here is
 * static and pure: no store, no allocation. Source: shared/DOMAIN.md. */
#ifndef NEEDLELOG_VOCAB_H
#define NEEDLELOG_VOCAB_H

#include <stdbool.h>
#include <stddef.h>

#include "needlelog/err.h"

/* Hard limits (rejected outside them, NL_EDATA). */
#define VOCAB_DEPTH_MIN_MM 0.1
#define VOCAB_DEPTH_MAX_MM 3.0
#define VOCAB_PASSES_MIN 1
#define VOCAB_PASSES_MAX 20
#define VOCAB_PAIN_MIN 0
#define VOCAB_PAIN_MAX 10
#define VOCAB_PLANNED_MIN 1
#define VOCAB_PLANNED_MAX 60
#define VOCAB_PLANNED_DEFAULT 6
#define VOCAB_INTERVAL_MIN 1       /* days */
#define VOCAB_INTERVAL_MAX 365
#define VOCAB_INTERVAL_DEFAULT 28
#define VOCAB_ANESTHETIC_MINUTES_MAX 240
#define VOCAB_FITZ_MIN 1           /* I */
#define VOCAB_FITZ_MAX 6           /* VI */
/* Lengths in bytes of UTF-8 (names, short fields, free text). */
#define VOCAB_NAME_MAX 200
#define VOCAB_SHORT_MAX 200
#define VOCAB_TEXT_MAX 20000

/* A code with its label: indications, endpoints, statuses. */
struct vocab_item {
	const char *code;
	const char *label;
};

struct vocab_indication {
	const char *code;
	const char *label;
	/* acne-scars and surgical-scars: the usual upper depth on the face
	 * rises to VOCAB_FACE_SCAR_MAX_MM. */
	bool scar_depth;
};
#define VOCAB_FACE_SCAR_MAX_MM 2.5

enum vocab_region {
	VOCAB_REGION_FACE,
	VOCAB_REGION_NECK,   /* neck, decollete, hands: not "face" for the scar rule */
	VOCAB_REGION_BODY,
	VOCAB_REGION_SCALP,
	VOCAB_REGION_SCAR,   /* "scar": a named scar, with a free label */
};

struct vocab_area {
	const char *code;
	const char *label;
	enum vocab_region region;
	double usual_min_mm;  /* below: a warning */
	double usual_max_mm;  /* above: a warning (see vocab_depth_usual) */
};

struct vocab_flag {
	const char *code;
	const char *label;
	const char *hint;       /* what the optional date means, or NULL */
	/* Flags with a window (isotretinoin 6 months, radiation 12 months,
	 * recent-injectables 14 days) warn while the session is within the
	 * window after the flag's date; with no date, and for every other
	 * flag, they warn while the flag has no end date (or it ends on or
	 * after the session date). */
	int window_months;
	int window_days;
};

enum vocab_scale_kind {
	VOCAB_SCALE_NUMERIC,  /* a number in [min, max] */
	VOCAB_SCALE_ORDINAL,  /* one of levels[]; stored as its index 0..n-1 */
};

enum vocab_direction {
	VOCAB_DIR_NONE,    /* no better or worse (pain) */
	VOCAB_DIR_LOWER,   /* lower is better */
	VOCAB_DIR_HIGHER,  /* higher is better */
};

struct vocab_scale {
	const char *code;
	const char *label;
	enum vocab_scale_kind kind;
	double min, max;           /* numeric; for ordinal 0 and nlevels-1 */
	bool integer;              /* numeric values must be whole numbers */
	const char *const *levels; /* ordinal labels in order, else NULL */
	size_t nlevels;
	enum vocab_direction direction;
	const char *value_help;    /* "1-5 (1 very much improved ... 5 worse)" */
	const char *short_label;   /* at most VOCAB_SCALE_SHORT cells, unique: "G&B qual" */
};
#define VOCAB_SCALE_SHORT 12

extern const struct vocab_indication vocab_indications[];
extern const size_t vocab_indication_count;
extern const struct vocab_area vocab_areas[];
extern const size_t vocab_area_count;
extern const struct vocab_flag vocab_flags[];
extern const size_t vocab_flag_count;
extern const struct vocab_item vocab_endpoints[];
extern const size_t vocab_endpoint_count;
extern const struct vocab_scale vocab_scales[];
extern const size_t vocab_scale_count;
extern const struct vocab_item vocab_statuses[];   /* series statuses */
extern const size_t vocab_status_count;
extern const char *const vocab_products[];         /* pick list */
extern const size_t vocab_product_count;
extern const char *const vocab_devices[];          /* pick list */
extern const size_t vocab_device_count;
extern const char *const vocab_cartridges[];       /* pick list */
extern const size_t vocab_cartridge_count;
/* Fitzpatrick labels "I".."VI" at index 1..6 (index 0 is "" = unknown). */
extern const char *const vocab_fitzpatrick[];

#define VOCAB_STATUS_ACTIVE "active"

/* Lookups by exact code; NULL when unknown. */
const struct vocab_indication *vocab_indication_find(const char *code);
const struct vocab_area *vocab_area_find(const char *code);
const struct vocab_flag *vocab_flag_find(const char *code);
const struct vocab_item *vocab_endpoint_find(const char *code);
const struct vocab_scale *vocab_scale_find(const char *code);
const struct vocab_item *vocab_status_find(const char *code);

/* The usual depth range for an area treated for an indication (the
 * acne/surgical-scar face rule applied). NL_EDATA if either is unknown. */
int vocab_depth_usual(const char *area, const char *indication, double *min,
		      double *max, struct nl_err *err);

/* Parses a scale value: a number for numeric scales, a level label (exact,
 * then case-insensitive) for ordinal ones, stored as its 0-based index
 * (norwood "IIIa" = 4). NL_EDATA
 * with a message naming the scale, the value and what is allowed. */
int vocab_scale_parse(const struct vocab_scale *sc, const char *text,
		      double *value, struct nl_err *err);
/* NL_OK if value is allowed on the scale, else NL_EDATA as above. */
int vocab_scale_check(const struct vocab_scale *sc, double value,
		      struct nl_err *err);
/* The value as people read it ("IIIa", "3", "12.5", "+2" on -3..+3) into buf. */
void vocab_scale_format(const struct vocab_scale *sc, double value, char *buf,
			size_t size);
/* "1-5", "I, II, IIa, ...": what the scale allows, into buf. */
void vocab_scale_range(const struct vocab_scale *sc, char *buf, size_t size);

/* Fitzpatrick type from "I".."VI" (any case) or "1".."6"; NL_EDATA else. */
int vocab_fitzpatrick_parse(const char *text, int *type, struct nl_err *err);
/* "I".."VI", or "" for 0 / out of range. */
const char *vocab_fitzpatrick_label(int type);

#endif
