/* The field-table kinds of clinical.h's lists: allergies, medications,
 * product lots and plan phases, element by element, for the audit diffs,
 * the amendments and the canonical form (field.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "needlelog/clinical.h"

static json_t *text_json(const char *s)
{
	return core_opt(s) ? json_string(s) : json_null();
}

static char *str_dup(const json_t *v)
{
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

/* The text members of each kind, in order: JSON keys and struct offsets. */
struct member {
	const char *key;
	size_t off;
};
#define M(type, m) { #m, offsetof(type, m) }
static const struct member allergy_m[] = {
	M(struct nl_allergy, code), M(struct nl_allergy, reaction),
	M(struct nl_allergy, severity), M(struct nl_allergy, date),
	M(struct nl_allergy, end_date), M(struct nl_allergy, note),
};
static const struct member medication_m[] = {
	M(struct nl_medication, code), M(struct nl_medication, name),
	M(struct nl_medication, start), M(struct nl_medication, stop),
	M(struct nl_medication, note),
};
static const struct member lot_m[] = {
	M(struct nl_product_lot, lot), M(struct nl_product_lot, expiry),
};

static const struct kind {
	enum core_fkind kind;
	size_t size;
	const struct member *m;  /* NULL: phases (two integers) */
	size_t nm;
} kinds[] = {
	{ CF_ALLERGIES, sizeof(struct nl_allergy), allergy_m, COUNT(allergy_m) },
	{ CF_MEDICATIONS, sizeof(struct nl_medication), medication_m, COUNT(medication_m) },
	{ CF_LOTS, sizeof(struct nl_product_lot), lot_m, COUNT(lot_m) },
	{ CF_PHASES, sizeof(struct nl_phase), NULL, 0 },
};

static const struct kind *kind_find(enum core_fkind k)
{
	for (size_t i = 0; i < COUNT(kinds); i++)
		if (kinds[i].kind == k)
			return &kinds[i];
	return NULL;
}

#define ELEM(kd, base, i) ((char *)(base) + (i) * (kd)->size)
#define MEMBER(el, m) (*(char **)(void *)((el) + (m).off))

bool cfx_kind(enum core_fkind k)
{
	return kind_find(k) != NULL;
}

size_t cfx_elem_size(enum core_fkind k)
{
	const struct kind *kd = kind_find(k);

	return kd ? kd->size : 0;
}

json_t *cfx_elem_json(enum core_fkind k, const void *base, size_t i)
{
	const struct kind *kd = kind_find(k);
	char *el;
	json_t *o;

	if (!kd)
		return NULL;
	el = ELEM(kd, base, i);
	if (!kd->m) {
		const struct nl_phase *ph = (const struct nl_phase *)(void *)el;

		return json_pack("{s:i,s:i}", "count", ph->count, "interval_days",
				 ph->interval_days);
	}
	o = json_object();
	for (size_t j = 0; o && j < kd->nm; j++)
		if (json_object_set_new(o, kd->m[j].key, text_json(MEMBER(el, kd->m[j]))) != 0) {
			json_decref(o);
			o = NULL;
		}
	return o;
}

int cfx_elem_set(enum core_fkind k, void *base, size_t i, const json_t *e)
{
	const struct kind *kd = kind_find(k);
	char *el;

	if (!kd || !json_is_object(e))
		return -1;
	el = ELEM(kd, base, i);
	if (!kd->m) {
		struct nl_phase *ph = (struct nl_phase *)(void *)el;

		ph->count = (int)json_integer_value(json_object_get(e, "count"));
		ph->interval_days = (int)json_integer_value(json_object_get(e, "interval_days"));
		return 0;
	}
	for (size_t j = 0; j < kd->nm; j++) {
		const json_t *v = json_object_get(e, kd->m[j].key);

		MEMBER(el, kd->m[j]) = str_dup(v);
		if (json_is_string(v) && !MEMBER(el, kd->m[j]))
			return -1;
	}
	return 0;
}

void cfx_elem_free(enum core_fkind k, void *base, size_t i)
{
	const struct kind *kd = kind_find(k);

	for (size_t j = 0; kd && kd->m && j < kd->nm; j++) {
		core_zfree(MEMBER(ELEM(kd, base, i), kd->m[j]));
		MEMBER(ELEM(kd, base, i), kd->m[j]) = NULL;
	}
}

/* For people: "lidocaine (hives, severe)", "anticoagulant Warfarin from
 * 2025-01-01", "lot A1 exp 2027-01-31", "12x7". */
void cfx_elem_text(enum core_fkind k, const void *base, size_t i, char *buf, size_t size)
{
	const struct kind *kd = kind_find(k);
	const char *el;
	size_t used = 0;

	buf[0] = '\0';
	if (!kd)
		return;
	el = ELEM(kd, base, i);
	if (!kd->m) {
		const struct nl_phase *ph = (const void *)el;

		snprintf(buf, size, "%dx%d", ph->count, ph->interval_days);
		return;
	}
	for (size_t j = 0; j < kd->nm && used < size; j++) {
		const char *v = MEMBER(el, kd->m[j]);
		int w;

		if (!core_opt(v))
			continue;
		w = snprintf(buf + used, size - used, "%s%s%s%s", used ? " " : "",
			     j ? kd->m[j].key : "", j ? "=" : "", v);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}
