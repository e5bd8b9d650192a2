/* Field tables: one row per field of a patient, series or session. They
 * drive the audit diffs, the amendments (which store each changed field as
 * JSON) and the canonical form that signed sessions are hashed over. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define F(type, name, kind, member) { name, kind, offsetof(type, member), 0, 0, false }
#define FI(type, name, member, none) { name, CF_INT, offsetof(type, member), 0, none, false }
#define FL(type, name, kind, member, count) \
	{ name, kind, offsetof(type, member), offsetof(type, count), 0, false }

#define FX(type, name, member) { name, CF_TEXT, offsetof(type, member), 0, 0, true }
#define FLX(type, name, kind, member, count) \
	{ name, kind, offsetof(type, member), offsetof(type, count), 0, true }

const struct core_field core_session_fields[] = {
	F(struct nl_session, "date", CF_TEXT, date),
	F(struct nl_session, "practitioner", CF_TEXT, practitioner),
	F(struct nl_session, "device", CF_TEXT, device),
	F(struct nl_session, "cartridge", CF_TEXT, cartridge),
	F(struct nl_session, "anesthetic", CF_TEXT, anesthetic),
	FI(struct nl_session, "anesthetic_minutes", anesthetic_minutes, -1),
	FL(struct nl_session, "products", CF_STRINGS, products, nproducts),
	F(struct nl_session, "endpoint", CF_TEXT, endpoint),
	FI(struct nl_session, "pain", pain, -1),
	F(struct nl_session, "reaction", CF_TEXT, reaction),
	F(struct nl_session, "adverse", CF_TEXT, adverse),
	F(struct nl_session, "aftercare", CF_TEXT, aftercare),
	F(struct nl_session, "notes", CF_TEXT, notes),
	FL(struct nl_session, "scores", CF_SCORES, scores, nscores),
	FL(struct nl_session, "areas", CF_AREAS, areas, nareas),
	FX(struct nl_session, "device_serial", device_serial),
	FX(struct nl_session, "cartridge_lot", cartridge_lot),
	FX(struct nl_session, "cartridge_expiry", cartridge_expiry),
	FLX(struct nl_session, "product_lots", CF_LOTS, product_lots, nproduct_lots),
};
const size_t core_session_field_count = COUNT(core_session_fields);

const char *const record_session_fields[] = {
	"date", "practitioner", "device", "cartridge", "anesthetic",
	"anesthetic_minutes", "products", "endpoint", "pain", "reaction",
	"adverse", "aftercare", "notes", "scores", "areas", "device_serial",
	"cartridge_lot", "cartridge_expiry", "product_lots",
};
const size_t record_session_field_count = COUNT(record_session_fields);

const struct core_field core_patient_fields[] = {
	F(struct nl_patient, "name", CF_TEXT, name),
	F(struct nl_patient, "dob", CF_TEXT, dob),
	F(struct nl_patient, "phone", CF_TEXT, phone),
	F(struct nl_patient, "email", CF_TEXT, email),
	FI(struct nl_patient, "skin_type", skin_type, 0),
	FL(struct nl_patient, "flags", CF_FLAGS, flags, nflags),
	F(struct nl_patient, "allergies", CF_TEXT, allergies),
	F(struct nl_patient, "medications", CF_TEXT, medications),
	F(struct nl_patient, "consent_date", CF_TEXT, consent_date),
	F(struct nl_patient, "notes", CF_TEXT, notes),
	F(struct nl_patient, "sex", CF_TEXT, sex),
	FL(struct nl_patient, "allergy_list", CF_ALLERGIES, allergy_list, nallergy_list),
	FL(struct nl_patient, "medication_list", CF_MEDICATIONS, medication_list,
	   nmedication_list),
};
const size_t core_patient_field_count = COUNT(core_patient_fields);

const struct core_field core_series_fields[] = {
	F(struct nl_series, "indication", CF_TEXT, indication),
	FL(struct nl_series, "areas", CF_STRINGS, areas, nareas),
	FI(struct nl_series, "planned", planned, 0),
	FI(struct nl_series, "interval_days", interval_days, 0),
	F(struct nl_series, "start_date", CF_TEXT, start_date),
	F(struct nl_series, "goal", CF_TEXT, goal),
	F(struct nl_series, "status", CF_TEXT, status),
	FL(struct nl_series, "baseline", CF_SCORES, baseline, nbaseline),
	FL(struct nl_series, "phases", CF_PHASES, phases, nphases),
};
const size_t core_series_field_count = COUNT(core_series_fields);

#define AT(rec, off, type) ((type *)(void *)((char *)(rec) + (off)))
#define CAT(rec, off, type) ((const type *)(const void *)((const char *)(rec) + (off)))

static json_t *text_json(const char *s)
{
	return core_opt(s) ? json_string(s) : json_null();
}

struct keyed {
	const char *key;
	size_t i;
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key ? x->key : "", y->key ? y->key : "");

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Scores and flags are sets keyed by scale / code: their JSON is in key
 * order, so the order a caller gives them in is never a "change". Areas and
 * products keep their order. order[] gets the element order. */
static void list_order(const struct core_field *f, const void *rec, size_t n,
		       struct keyed *order)
{
	for (size_t i = 0; i < n; i++) {
		order[i].i = i;
		order[i].key = NULL;
		if (f->kind == CF_SCORES)
			order[i].key = (*CAT(rec, f->off, struct nl_score *const))[i].scale;
		else if (f->kind == CF_FLAGS)
			order[i].key = (*CAT(rec, f->off, struct nl_flag *const))[i].code;
	}
	if (n > 1 && (f->kind == CF_SCORES || f->kind == CF_FLAGS))
		qsort(order, n, sizeof(*order), keyed_cmp);
}

static json_t *list_json(const struct core_field *f, const void *rec)
{
	size_t n = *CAT(rec, f->count_off, size_t);
	struct keyed *order = calloc(n ? n : 1, sizeof(*order));
	json_t *a = order ? json_array() : NULL;

	if (a)
		list_order(f, rec, n, order);
	for (size_t k = 0; a && k < n; k++) {
		size_t i = order[k].i;
		json_t *e = NULL;

		switch (f->kind) {
		case CF_STRINGS:
			e = json_string((*CAT(rec, f->off, char *const *))[i]);
			break;
		case CF_SCORES: {
			const struct nl_score *sc = &(*CAT(rec, f->off, struct nl_score *const))[i];

			e = json_pack("{s:s,s:f}", "scale", sc->scale, "value", sc->value);
			break;
		}
		case CF_AREAS: {
			const struct nl_treatment *t =
				&(*CAT(rec, f->off, struct nl_treatment *const))[i];

			e = json_pack("{s:s,s:o,s:f,s:o}", "area", t->area, "label",
				      text_json(t->label), "depth_mm", t->depth_mm, "passes",
				      t->passes > 0 ? json_integer(t->passes) : json_null());
			break;
		}
		case CF_FLAGS: {
			const struct nl_flag *fl = &(*CAT(rec, f->off, struct nl_flag *const))[i];

			e = json_pack("{s:s,s:o,s:o,s:o}", "code", fl->code, "date",
				      text_json(fl->date), "end_date", text_json(fl->end_date),
				      "note", text_json(fl->note));
			break;
		}
		default:
			e = cfx_elem_json(f->kind, *CAT(rec, f->off, const void *const), i);
			break;
		}
		if (!e || json_array_append_new(a, e) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	free(order);
	return a;
}

json_t *core_field_json(const struct core_field *f, const void *rec)
{
	int v;

	switch (f->kind) {
	case CF_TEXT:
		return text_json(*CAT(rec, f->off, char *const));
	case CF_INT:
		v = *CAT(rec, f->off, int);
		return v == f->none ? json_null() : json_integer(v);
	default:
		return list_json(f, rec);
	}
}

static char *json_str_dup(const json_t *v)
{
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static void free_list(const struct core_field *f, void *rec)
{
	size_t *n = AT(rec, f->count_off, size_t);

	for (size_t i = 0; i < *n; i++) {
		switch (f->kind) {
		case CF_STRINGS:
			core_zfree((*AT(rec, f->off, char **))[i]);
			break;
		case CF_SCORES:
			core_zfree((*AT(rec, f->off, struct nl_score *))[i].scale);
			break;
		case CF_AREAS: {
			struct nl_treatment *t = &(*AT(rec, f->off, struct nl_treatment *))[i];

			core_zfree(t->area);
			core_zfree(t->label);
			break;
		}
		case CF_FLAGS: {
			struct nl_flag *fl = &(*AT(rec, f->off, struct nl_flag *))[i];

			core_zfree(fl->code);
			core_zfree(fl->date);
			core_zfree(fl->end_date);
			core_zfree(fl->note);
			break;
		}
		default:
			cfx_elem_free(f->kind, *AT(rec, f->off, void *), i);
			break;
		}
	}
	core_zfree(*AT(rec, f->off, void *));
	*AT(rec, f->off, void *) = NULL;
	*n = 0;
}

static size_t elem_size(enum core_fkind k)
{
	static const size_t sizes[] = {
		[CF_STRINGS] = sizeof(char *),
		[CF_SCORES] = sizeof(struct nl_score),
		[CF_AREAS] = sizeof(struct nl_treatment),
		[CF_FLAGS] = sizeof(struct nl_flag),
	};
	return cfx_kind(k) ? cfx_elem_size(k) : sizes[k];
}

/* Fills element i of a list field from JSON; -1 on a bad shape or OOM. */
static int set_elem(enum core_fkind k, void *base, size_t i, const json_t *e)
{
	switch (k) {
	case CF_STRINGS:
		return (((char **)base)[i] = json_str_dup(e)) ? 0 : -1;
	case CF_SCORES: {
		struct nl_score *sc = &((struct nl_score *)base)[i];

		sc->scale = json_str_dup(json_object_get(e, "scale"));
		sc->value = json_number_value(json_object_get(e, "value"));
		return sc->scale ? 0 : -1;
	}
	case CF_AREAS: {
		struct nl_treatment *t = &((struct nl_treatment *)base)[i];
		const json_t *p = json_object_get(e, "passes");

		t->area = json_str_dup(json_object_get(e, "area"));
		t->label = json_str_dup(json_object_get(e, "label"));
		t->depth_mm = json_number_value(json_object_get(e, "depth_mm"));
		t->passes = json_is_integer(p) ? (int)json_integer_value(p) : 0;
		return t->area ? 0 : -1;
	}
	case CF_FLAGS: {
		struct nl_flag *fl = &((struct nl_flag *)base)[i];

		fl->code = json_str_dup(json_object_get(e, "code"));
		fl->date = json_str_dup(json_object_get(e, "date"));
		fl->end_date = json_str_dup(json_object_get(e, "end_date"));
		fl->note = json_str_dup(json_object_get(e, "note"));
		return fl->code ? 0 : -1;
	}
	default:
		return cfx_kind(k) ? cfx_elem_set(k, base, i, e) : -1;
	}
}

int core_field_set(const struct core_field *f, void *rec, const json_t *v)
{
	size_t n;
	void *base;

	switch (f->kind) {
	case CF_TEXT:
		core_zfree(*AT(rec, f->off, char *));
		*AT(rec, f->off, char *) = json_str_dup(v);
		return json_is_string(v) && !*AT(rec, f->off, char *) ? -1 : 0;
	case CF_INT:
		*AT(rec, f->off, int) = json_is_integer(v) ? (int)json_integer_value(v) : f->none;
		return 0;
	default:
		break;
	}
	free_list(f, rec);
	n = json_array_size(v);
	if (n == 0)
		return 0;
	base = calloc(n, elem_size(f->kind));
	if (!base)
		return -1;
	*AT(rec, f->off, void *) = base;
	for (size_t i = 0; i < n; i++) {
		*AT(rec, f->count_off, size_t) = i + 1;
		if (set_elem(f->kind, base, i, json_array_get(v, i)) != 0)
			return -1;
	}
	return 0;
}

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t l = strlen(s);

	if (!*buf)
		return;
	if (core_grow((void **)buf, cap, *len + l + 1, 1) != 0) {
		free(*buf);
		*buf = NULL;
		return;
	}
	memcpy(*buf + *len, s, l + 1);
	*len += l;
}

char *core_field_text(const struct core_field *f, const void *rec)
{
	size_t n, len = 0, cap = 64;
	char *buf, item[512];

	switch (f->kind) {
	case CF_TEXT:
		return core_opt(*CAT(rec, f->off, char *const)) ?
			strdup(*CAT(rec, f->off, char *const)) : NULL;
	case CF_INT:
		if (*CAT(rec, f->off, int) == f->none)
			return NULL;
		snprintf(item, sizeof(item), "%d", *CAT(rec, f->off, int));
		return strdup(item);
	default:
		break;
	}
	n = *CAT(rec, f->count_off, size_t);
	if (n == 0 || !(buf = malloc(cap)))
		return NULL;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (f->kind == CF_STRINGS) {
			snprintf(item, sizeof(item), "%s", (*CAT(rec, f->off, char *const *))[i]);
		} else if (f->kind == CF_SCORES) {
			const struct nl_score *sc = &(*CAT(rec, f->off, struct nl_score *const))[i];
			const struct vocab_scale *v = vocab_scale_find(sc->scale);
			char value[64];

			/* as people read it: "norwood=IIIa", not the stored index */
			if (v)
				vocab_scale_format(v, sc->value, value, sizeof(value));
			else
				snprintf(value, sizeof(value), "%g", sc->value);
			snprintf(item, sizeof(item), "%s=%s", sc->scale, value);
		} else if (f->kind == CF_AREAS) {
			const struct nl_treatment *t =
				&(*CAT(rec, f->off, struct nl_treatment *const))[i];
			char passes[24] = "";

			if (t->passes > 0)
				snprintf(passes, sizeof(passes), " x%d", t->passes);
			snprintf(item, sizeof(item), "%s%s%s %.2f mm%s", t->area,
				 t->label ? ":" : "", t->label ? t->label : "", t->depth_mm, passes);
		} else if (cfx_kind(f->kind)) {
			cfx_elem_text(f->kind, *CAT(rec, f->off, const void *const), i, item,
				      sizeof(item));
		} else {
			const struct nl_flag *fl = &(*CAT(rec, f->off, struct nl_flag *const))[i];

			snprintf(item, sizeof(item), "%s%s%s%s%s", fl->code,
				 fl->date ? " from " : "", fl->date ? fl->date : "",
				 fl->end_date ? " to " : "", fl->end_date ? fl->end_date : "");
		}
		if (i)
			append(&buf, &len, &cap, "; ");
		append(&buf, &len, &cap, item);
	}
	return buf;
}

json_t *core_diff(const struct core_field *fs, size_t n, const void *old,
		  const void *new)
{
	json_t *d = json_object();

	for (size_t i = 0; d && i < n; i++) {
		json_t *a = core_field_json(&fs[i], old), *b = core_field_json(&fs[i], new);

		if (!a || !b) {
			json_decref(a);
			json_decref(b);
			json_decref(d);
			return NULL;
		}
		if (json_equal(a, b)) {
			json_decref(a);
			json_decref(b);
			continue;
		}
		if (json_object_set_new(d, fs[i].name, json_pack("{s:o,s:o}", "old", a, "new", b))) {
			json_decref(d);
			return NULL;
		}
	}
	return d;
}

json_t *core_record_json(const struct core_field *fs, size_t n,
			 const void *rec)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < n; i++) {
		json_t *v = core_field_json(&fs[i], rec);

		if (v && fs[i].omit_empty && (json_is_null(v) || json_array_size(v) == 0) &&
		    !json_is_string(v)) {
			json_decref(v);
			continue;
		}
		if (!v || json_object_set_new(o, fs[i].name, v) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static int score_cmp(const void *a, const void *b)
{
	return strcmp(((const struct nl_score *)a)->scale, ((const struct nl_score *)b)->scale);
}

void core_sort_scores(struct nl_score *sc, size_t n)
{
	if (n > 1)
		qsort(sc, n, sizeof(*sc), score_cmp);
}
