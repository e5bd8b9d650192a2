/* Clinical vocabularies of issue 11 as tables (allergens, severities,
 * medication kinds, consent kinds, sex, the ingredient table), the
 * in-force rules of allergies and medications, the spec parses and the
 * hard limits of the patient's lists. Pure: no store. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/text.h"

const struct clin_code clin_allergens[] = {
	{ "lidocaine", "Lidocaine (topical anaesthetic)" },
	{ "prilocaine", "Prilocaine (topical anaesthetic)" },
	{ "tetracaine", "Tetracaine (topical anaesthetic)" },
	{ "benzocaine", "Benzocaine (topical anaesthetic)" },
	{ "latex", "Latex" },
	{ "nickel", "Nickel (surgical steel needles contain it)" },
	{ "chlorhexidine", "Chlorhexidine" },
	{ "alcohol", "Alcohol" },
	{ "propylene-glycol", "Propylene glycol (minoxidil solutions)" },
	{ "hyaluronic-acid", "Hyaluronic acid" },
	{ "other", "Other" },
};
const size_t clin_allergen_count = COUNT(clin_allergens);

const struct clin_code clin_severities[] = {
	{ "mild", "Mild" },
	{ "moderate", "Moderate" },
	{ "severe", "Severe / anaphylaxis" },
};
const size_t clin_severity_count = COUNT(clin_severities);

const struct clin_code clin_medications[] = {
	{ "anticoagulant", "Anticoagulant (warfarin, apixaban, rivaroxaban, dabigatran)" },
	{ "antiplatelet", "Antiplatelet (aspirin, clopidogrel)" },
	{ "isotretinoin", "Isotretinoin" },
	{ "immunosuppressant", "Immunosuppressant" },
	{ "minoxidil", "Minoxidil" },
	{ "finasteride", "Finasteride" },
	{ "retinoid-topical", "Topical retinoid" },
	{ "other", "Other" },
};
const size_t clin_medication_count = COUNT(clin_medications);

const struct clin_code clin_consent_kinds[] = {
	{ CLIN_CONSENT_TREATMENT, "Treatment" },
	{ CLIN_CONSENT_PHOTO, "Clinical photography" },
	{ CLIN_CONSENT_PUBLICATION, "Photography for publication" },
};
const size_t clin_consent_kind_count = COUNT(clin_consent_kinds);

const struct clin_code clin_sexes[] = {
	{ "female", "Female" }, { "male", "Male" }, { "other", "Other" }, { "unknown", "Unknown" },
};
const size_t clin_sex_count = COUNT(clin_sexes);

/* Migration 005 holds a copy of these words as of that version. */
const struct clin_ingredient clin_ingredients[] = {
	{ "emla", { "lidocaine", "prilocaine" } },
	{ "lmx", { "lidocaine" } },
	{ "blt", { "benzocaine", "lidocaine", "tetracaine" } },
	{ "pliaglis", { "lidocaine", "tetracaine" } },
	{ "lidocaine", { "lidocaine" } },
	{ "lignocaine", { "lidocaine" } },
	{ "xylocaine", { "lidocaine" } },
	{ "prilocaine", { "prilocaine" } },
	{ "tetracaine", { "tetracaine" } },
	{ "amethocaine", { "tetracaine" } },
	{ "benzocaine", { "benzocaine" } },
	{ "latex", { "latex" } },
	{ "nickel", { "nickel" } },
	{ "chlorhexidine", { "chlorhexidine" } },
	{ "alcohol", { "alcohol" } },
	{ "propylene glycol", { "propylene-glycol" } },
	{ "propylene-glycol", { "propylene-glycol" } },
	{ "minoxidil", { "propylene-glycol" } },   /* the solutions, not the foam */
	{ "hyaluronic", { "hyaluronic-acid" } },
};
const size_t clin_ingredient_count = COUNT(clin_ingredients);

const struct clin_code clin_medication_words[] = {
	{ "warfarin", "anticoagulant" }, { "coumadin", "anticoagulant" },
	{ "apixaban", "anticoagulant" }, { "eliquis", "anticoagulant" },
	{ "rivaroxaban", "anticoagulant" }, { "xarelto", "anticoagulant" },
	{ "dabigatran", "anticoagulant" }, { "pradaxa", "anticoagulant" },
	{ "edoxaban", "anticoagulant" }, { "heparin", "anticoagulant" },
	{ "enoxaparin", "anticoagulant" },
	{ "aspirin", "antiplatelet" }, { "clopidogrel", "antiplatelet" },
	{ "plavix", "antiplatelet" }, { "ticagrelor", "antiplatelet" },
	{ "prasugrel", "antiplatelet" },
	{ "isotretinoin", "isotretinoin" }, { "accutane", "isotretinoin" },
	{ "roaccutane", "isotretinoin" },
	{ "methotrexate", "immunosuppressant" }, { "ciclosporin", "immunosuppressant" },
	{ "cyclosporine", "immunosuppressant" }, { "tacrolimus", "immunosuppressant" },
	{ "azathioprine", "immunosuppressant" }, { "mycophenolate", "immunosuppressant" },
	{ "minoxidil", "minoxidil" }, { "finasteride", "finasteride" },
	{ "propecia", "finasteride" },
	{ "tretinoin", "retinoid-topical" }, { "adapalene", "retinoid-topical" },
	{ "tazarotene", "retinoid-topical" }, { "retinol", "retinoid-topical" },
};
const size_t clin_medication_word_count = COUNT(clin_medication_words);

const struct clin_code *clin_find(const struct clin_code *t, size_t n, const char *code)
{
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(t[i].code, code) == 0)
			return &t[i];
	return NULL;
}

/* Where word occurs in text at the start of a word (case ignored, ASCII),
 * or -1. */
static long word_at(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; p && *p; p++) {
		if (p > text && isalnum((unsigned char)p[-1]))
			continue;
		if (strncasecmp(p, word, n) == 0)
			return p - text;
	}
	return -1;
}

bool clin_text_names_allergen(const char *text, const char *allergen)
{
	if (!core_opt(text) || !allergen)
		return false;
	for (size_t i = 0; i < COUNT(clin_ingredients); i++)
		for (size_t j = 0; j < CLIN_INGREDIENTS_MAX && clin_ingredients[i].allergens[j]; j++)
			if (strcmp(clin_ingredients[i].allergens[j], allergen) == 0 &&
			    word_at(text, clin_ingredients[i].word) >= 0)
				return true;
	return false;
}

/* ---- in force --------------------------------------------------------------- */

bool check_allergy_in_force(const struct nl_allergy *a, const char *date)
{
	return !core_opt(a->end_date) || strcmp(date, a->end_date) <= 0;
}

#define ISOTRETINOIN_MONTHS 6

bool check_medication_in_force(const struct nl_medication *m, const char *date, char until[11])
{
	until[0] = '\0';
	if (core_opt(m->start) && strcmp(date, m->start) < 0)
		return false;
	if (!core_opt(m->stop))
		return true;
	if (m->code && strcmp(m->code, "isotretinoin") == 0 &&
	    check_date_add_months(m->stop, ISOTRETINOIN_MONTHS, until, NULL) == NL_OK)
		return strcmp(date, until) <= 0;
	return strcmp(date, m->stop) <= 0;
}

/* ---- specs ----------------------------------------------------------------- */

/* Splits spec at ':' into up to max fields (the last takes the rest). */
static size_t split(char *spec, char **f, size_t max)
{
	size_t n = 0;

	f[n++] = spec;
	for (char *p = spec; *p && n < max; p++)
		if (*p == ':') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

static char *dup_opt(const char *s, bool *oom)
{
	return core_opt(s) ? core_strdup(s, oom) : NULL;
}

int clin_allergy_add(struct nl_patient *p, const char *spec, struct nl_err *err)
{
	char *copy = strdup(spec ? spec : ""), *f[3] = { NULL, NULL, NULL };
	struct nl_allergy *v, a = { 0 };
	bool oom = false;

	if (!copy)
		return nl_error(err, NL_ENOMEM, "out of memory");
	split(copy, f, 3);
	a.code = dup_opt(f[0], &oom);
	a.reaction = dup_opt(f[1], &oom);
	a.severity = dup_opt(f[2], &oom);
	free(copy);
	v = oom ? NULL : realloc(p->allergy_list, (p->nallergy_list + 1) * sizeof(*v));
	if (!v) {
		cfx_elem_free(CF_ALLERGIES, &a, 0);
		return nl_error(err, NL_ENOMEM, "out of memory");
	}
	p->allergy_list = v;
	v[p->nallergy_list++] = a;
	return NL_OK;
}

int clin_medication_add(struct nl_patient *p, const char *spec, struct nl_err *err)
{
	char *copy = strdup(spec ? spec : ""), *f[4] = { NULL, NULL, NULL, NULL };
	struct nl_medication *v, m = { 0 };
	bool oom = false;

	if (!copy)
		return nl_error(err, NL_ENOMEM, "out of memory");
	split(copy, f, 4);
	m.code = dup_opt(f[0], &oom);
	m.name = dup_opt(f[1], &oom);
	m.start = dup_opt(f[2], &oom);
	m.stop = dup_opt(f[3], &oom);
	free(copy);
	v = oom ? NULL : realloc(p->medication_list, (p->nmedication_list + 1) * sizeof(*v));
	if (!v) {
		cfx_elem_free(CF_MEDICATIONS, &m, 0);
		return nl_error(err, NL_ENOMEM, "out of memory");
	}
	p->medication_list = v;
	v[p->nmedication_list++] = m;
	return NL_OK;
}

/* ---- hard limits ------------------------------------------------------------- */

static int codes_help(const struct clin_code *t, size_t n, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++) {
		int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", t[i].code);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	return 0;
}

static int check_code(const char *field, const struct clin_code *t, size_t n, const char *v,
		      bool required, struct nl_err *err)
{
	char q[NL_QUOTE_BUF], help[512];

	if (!core_opt(v) && !required)
		return NL_OK;
	if (clin_find(t, n, v))
		return NL_OK;
	codes_help(t, n, help, sizeof(help));
	if (!core_opt(v))
		return nl_error(err, NL_EDATA, "%s: a code is required; use one of %s", field, help);
	return nl_error(err, NL_EDATA, "%s: '%s' is not allowed; use one of %s", field,
			nl_quote_value(v, q, sizeof(q)), help);
}

static int check_date_opt(const char *field, const char *v, struct nl_err *err)
{
	int32_t day;

	return core_opt(v) ? check_date_parse(field, v, &day, err) : NL_OK;
}

static int check_allergy(size_t i, const struct nl_allergy *a, struct nl_err *err)
{
	char field[64];
	int rc;

	snprintf(field, sizeof(field), "allergy %zu", i + 1);
	if ((rc = check_code(field, clin_allergens, COUNT(clin_allergens), a->code, true, err)))
		return rc;
	snprintf(field, sizeof(field), "allergy %s severity", a->code);
	if ((rc = check_code(field, clin_severities, COUNT(clin_severities), a->severity, false,
			     err)))
		return rc;
	snprintf(field, sizeof(field), "allergy %s reaction", a->code);
	if ((rc = check_text(field, "allergy-reaction", a->reaction, err)))
		return rc;
	snprintf(field, sizeof(field), "allergy %s note", a->code);
	if ((rc = check_text(field, "allergy-note", a->note, err)))
		return rc;
	snprintf(field, sizeof(field), "allergy %s date", a->code);
	if ((rc = check_date_opt(field, a->date, err)))
		return rc;
	snprintf(field, sizeof(field), "allergy %s end date", a->code);
	if ((rc = check_date_opt(field, a->end_date, err)))
		return rc;
	if (core_opt(a->date) && core_opt(a->end_date) && strcmp(a->end_date, a->date) < 0)
		return nl_error(err, NL_EDATA, "allergy %s: end date %s is before its date %s",
				a->code, a->end_date, a->date);
	return NL_OK;
}

static int check_medication(size_t i, const struct nl_medication *m, struct nl_err *err)
{
	char field[64];
	int rc;

	snprintf(field, sizeof(field), "medication %zu", i + 1);
	if ((rc = check_code(field, clin_medications, COUNT(clin_medications), m->code, true,
			     err)))
		return rc;
	snprintf(field, sizeof(field), "medication %s name", m->code);
	if ((rc = check_text(field, "medication-name", m->name, err)))
		return rc;
	snprintf(field, sizeof(field), "medication %s note", m->code);
	if ((rc = check_text(field, "medication-note", m->note, err)))
		return rc;
	snprintf(field, sizeof(field), "medication %s start", m->code);
	if ((rc = check_date_opt(field, m->start, err)))
		return rc;
	snprintf(field, sizeof(field), "medication %s stop", m->code);
	if ((rc = check_date_opt(field, m->stop, err)))
		return rc;
	if (core_opt(m->start) && core_opt(m->stop) && strcmp(m->stop, m->start) < 0)
		return nl_error(err, NL_EDATA, "medication %s: stop %s is before its start %s",
				m->code, m->stop, m->start);
	return NL_OK;
}

/* The lists replace these two flags (DOMAIN.md); migration 005 moved them. */
static const struct {
	const char *flag, *use;
} replaced_flags[] = {
	{ "anesthetic-allergy", "an allergy (lidocaine, prilocaine, tetracaine or benzocaine)" },
	{ "metal-allergy", "the allergy nickel" },
};

int check_patient_clinical(const struct nl_patient *p, struct nl_err *err)
{
	int rc = check_code("sex", clin_sexes, COUNT(clin_sexes), p->sex, false, err);

	for (size_t i = 0; rc == NL_OK && i < p->nflags; i++)
		for (size_t j = 0; j < COUNT(replaced_flags); j++)
			if (p->flags[i].code && strcmp(p->flags[i].code, replaced_flags[j].flag) == 0)
				return nl_error(err, NL_EDATA,
						"flag: '%s' is replaced by the allergy list; record %s",
						replaced_flags[j].flag, replaced_flags[j].use);
	for (size_t i = 0; rc == NL_OK && i < p->nallergy_list; i++)
		rc = check_allergy(i, &p->allergy_list[i], err);
	for (size_t i = 0; rc == NL_OK && i < p->nmedication_list; i++)
		rc = check_medication(i, &p->medication_list[i], err);
	return rc;
}
