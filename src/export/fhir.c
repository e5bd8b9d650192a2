/* The follow-up summary as a FHIR R4 document: a Bundle of type document
 * whose first entry is a Composition in the spirit of the International
 * Patient Summary (sections with their LOINC codes and readable XHTML
 * narrative), then the Patient and every resource a section lists.
 * Mapping, codes and why: docs/export-and-backup.md; shared/DOMAIN.md
 * "FHIR R4 mapping". Ids are stable across exports (fhir_util.c fx_id),
 * so a receiver updates rather than duplicates, and a voided session is
 * sent again, entered-in-error, under the id it had. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "needlelog/check.h"
#include "needlelog/vocab.h"
#include "fhir.h"

#define SCT_FACE "89545001"
#define SCT_SCALP "41695006"
#define SCT_LATERALITY "272741003"
#define SCT_LEFT "7771000"
#define SCT_RIGHT "24028007"
#define LOINC_PAIN_NRS "72514-3"   /* Pain severity - 0-10 verbal numeric rating */

/* The Composition's sections. A code is given only where the IPS gives
 * one; the last three are needlelog's own, titled and narrated. */
enum { S_ALLERGY, S_MEDS, S_PROBLEMS, S_PROCS, S_RESULTS, S_PLAN, S_CAUTIONS,
       S_CONSENT, S_PHOTOS, S_HISTORY, NSEC };

static const struct {
	const char *title;
	const char *loinc;
	const char *display;
} sections[NSEC] = {
	[S_ALLERGY] = { "Allergies and intolerances", "48765-2",
			"Allergies and adverse reactions Document" },
	[S_MEDS] = { "Medications", "10160-0", "History of Medication use Narrative" },
	[S_PROBLEMS] = { "Problems: what is treated", "11450-4", "Problem list - Reported" },
	[S_PROCS] = { "History of procedures: microneedling sessions", "47519-4",
		      "History of Procedures Document" },
	[S_RESULTS] = { "Results: scores, needle depths, skin type", "30954-2",
			"Relevant diagnostic tests/laboratory data Narrative" },
	[S_PLAN] = { "Plan of care", "18776-5", "Plan of care note" },
	[S_CAUTIONS] = { "Contraindications and cautions", NULL, NULL },
	[S_CONSENT] = { "Consents", NULL, NULL },
	/* Media, only where a clinical-photography consent in force covers
	 * the series; the narrative says where photos were withheld. */
	[S_PHOTOS] = { "Photographs", NULL, NULL },
	[S_HISTORY] = { "Record history: signatures, amendments, voids", NULL, NULL },
};

struct doc {
	struct fx x;
	json_t *entries[NSEC];
	struct fx_html html[NSEC];
	size_t count[NSEC];
};

/* Lists r in section s, with a line of its narrative. */
static void listed(struct doc *d, int s, const struct fx_ref *r, const char *line)
{
	push(&d->x, d->entries[s], ref(&d->x, r));
	if (!d->count[s]++)
		h_raw(&d->html[s], "<ul>");
	h_el(&d->html[s], "li", line);
}

/* ---- codes ------------------------------------------------------------------- */

static json_t *category(struct fx *x, const char *code)
{
	return chk(x, json_pack("[o]", coded(x, OBS_CATEGORY, code, NULL, NULL)));
}

static json_t *microneedling(struct fx *x)
{
	return coded(x, CS_PROCEDURE, "microneedling", "Microneedling",
		     "Microneedling (percutaneous collagen induction)");
}

/* Face and scalp areas in SNOMED CT; left and right as a post-coordinated
 * expression with the laterality attribute (89545001:272741003=7771000,
 * "face, left"). Other areas are text. */
static json_t *body_site(struct fx *x, const char *area, const char *label)
{
	const struct vocab_area *a = vocab_area_find(area);
	const char *region = NULL, *side = NULL, *display = NULL;
	size_t n = strlen(area);
	char text[256], code[64];

	xm_area_label(area, label, text, sizeof(text));
	if (a && a->region == VOCAB_REGION_FACE) {
		region = SCT_FACE;
		display = "Face structure";
	} else if (a && a->region == VOCAB_REGION_SCALP) {
		region = SCT_SCALP;
		display = "Scalp structure";
	}
	if (!region)
		return text_cc(x, text);
	if (n > 2 && strcmp(area + n - 2, "-l") == 0)
		side = SCT_LEFT;
	else if (n > 2 && strcmp(area + n - 2, "-r") == 0)
		side = SCT_RIGHT;
	if (!side)
		return coded(x, SCT, region, display, text);
	snprintf(code, sizeof(code), "%s:%s=%s", region, SCT_LATERALITY, side);
	return coded(x, SCT, code, NULL, text);
}

/* ---- the patient and what is known of them ------------------------------------ */

static void patient(struct doc *d)
{
	const struct nl_patient *p = &d->x.m->patient;
	struct fx *x = &d->x;
	json_t *r, *telecom = chk(x, json_array());
	struct fx_html h = { 0 };
	char sys[64], id[32];

	fx_idn(x, "patient", p->id, NULL, &x->patient);
	r = resource(x, "Patient", &x->patient);
	h_field(&h, "Name", p->name);
	h_field(&h, "Born", p->dob);
	h_field(&h, "Sex", p->sex ? xm_sex_label(p->sex) : NULL);
	put(x, r, "text", h_narrative(x, &h));
	/* The practice's own number for the patient, in a system unique to
	 * this record file: "urn:uuid:" of the file id. */
	snprintf(sys, sizeof(sys), "urn:uuid:%s", x->m->file_id);
	snprintf(id, sizeof(id), "%lld", (long long)p->id);
	put(x, r, "identifier", chk(x, json_pack("[{s:s,s:s}]", "system", sys, "value", id)));
	put(x, r, "active", json_boolean(!p->archived));
	put(x, r, "name", chk(x, json_pack("[{s:s}]", "text", p->name)));
	if (p->phone)
		push(x, telecom, chk(x, json_pack("{s:s,s:s}", "system", "phone",
						  "value", p->phone)));
	if (p->email)
		push(x, telecom, chk(x, json_pack("{s:s,s:s}", "system", "email",
						  "value", p->email)));
	put_arr(x, r, "telecom", telecom);
	/* needlelog's sexes are FHIR's administrative genders, word for word. */
	put_str(x, r, "gender", p->sex);
	put_str(x, r, "birthDate", p->dob);
	add_entry(x, &x->patient, r);
}

static void skin_type(struct doc *d)
{
	const struct nl_patient *p = &d->x.m->patient;
	struct fx *x = &d->x;
	const char *roman = vocab_fitzpatrick_label(p->skin_type);
	struct fx_ref id;
	char text[64];
	json_t *r;

	if (!p->skin_type)
		return;
	fx_idn(x, "skin-type", p->id, NULL, &id);
	snprintf(text, sizeof(text), "Fitzpatrick skin type %s", roman);
	r = resource(x, "Observation", &id);
	put(x, r, "text", narrative1(x, text));
	put(x, r, "status", json_string("final"));
	put(x, r, "category", category(x, "exam"));
	put(x, r, "code", coded(x, CS_OBSERVATION, "fitzpatrick-skin-type",
				"Fitzpatrick skin type", NULL));
	put(x, r, "subject", ref(x, &x->patient));
	put(x, r, "valueCodeableConcept", coded(x, CS_FITZPATRICK, roman, text, NULL));
	add_entry(x, &id, r);
	listed(d, S_RESULTS, &id, text);
}

/* The k-th item with the same code: lists have no row ids, and order is
 * kept, so "lidocaine #2" stays the second lidocaine allergy. */
static size_t same_before(const char *const *codes, size_t i)
{
	size_t k = 0;

	for (size_t j = 0; j < i; j++)
		if (strcmp(codes[j], codes[i]) == 0)
			k++;
	return k;
}

static void allergy(struct doc *d, const struct nl_allergy *a, size_t k)
{
	struct fx *x = &d->x;
	bool on = check_allergy_in_force(a, x->m->today);
	char *line = xm_allergy_text(a), key[96];
	const struct clin_code *c = clin_find(clin_allergens, clin_allergen_count, a->code);
	json_t *r, *reaction;
	struct fx_ref id;

	snprintf(key, sizeof(key), "%s #%zu", a->code, k);
	fx_id(x, "allergy", key, &id);
	r = resource(x, "AllergyIntolerance", &id);
	put(x, r, "text", narrative1(x, line ? line : a->code));
	put(x, r, "clinicalStatus",
	    coded(x, HL7_TERM "allergyintolerance-clinical", on ? "active" : "inactive",
		  NULL, NULL));
	put(x, r, "code", coded(x, CS_ALLERGEN, a->code, c ? c->label : NULL,
				a->note && strcmp(a->code, "other") == 0 ? a->note
				: c ? c->label : a->code));
	put(x, r, "patient", ref(x, &x->patient));
	put_str(x, r, "recordedDate", a->date);
	if (a->end_date)
		put(x, r, "note", chk(x, json_pack("[{s:s}]", "text", "No longer applies")));
	if (a->reaction || a->severity) {
		reaction = chk(x, json_object());
		put(x, reaction, "manifestation",
		    chk(x, json_pack("[o]", text_cc(x, a->reaction ? a->reaction
								: "not recorded"))));
		/* needlelog's severities are FHIR's reaction severities. */
		put_str(x, reaction, "severity", a->severity);
		put(x, r, "reaction", chk(x, json_pack("[o]", reaction)));
	}
	add_entry(x, &id, r);
	listed(d, S_ALLERGY, &id, line ? line : a->code);
	free(line);
}

static void medication(struct doc *d, const struct nl_medication *m, size_t k)
{
	struct fx *x = &d->x;
	char until[11] = "", key[96];
	bool on = check_medication_in_force(m, x->m->today, until);
	const struct clin_code *c = clin_find(clin_medications, clin_medication_count, m->code);
	char *line = xm_medication_text(m);
	json_t *r, *period = chk(x, json_object()), *med;
	struct fx_ref id;

	snprintf(key, sizeof(key), "%s #%zu", m->code, k);
	fx_id(x, "medication", key, &id);
	r = resource(x, "MedicationStatement", &id);
	put(x, r, "text", narrative1(x, line ? line : m->code));
	put(x, r, "status", json_string(on ? "active" : "completed"));
	med = coded(x, CS_MEDICATION, m->code, c ? c->label : NULL,
		    m->name ? m->name : c ? c->label : m->code);
	put(x, r, "medicationCodeableConcept", med);
	put(x, r, "subject", ref(x, &x->patient));
	put_str(x, period, "start", m->start);
	put_str(x, period, "end", m->stop);
	if (json_object_size(period))
		put(x, r, "effectivePeriod", period);
	else
		json_decref(period);
	if (m->note || until[0]) {
		json_t *notes = chk(x, json_array());
		char caution[96];

		note(x, notes, m->note);
		snprintf(caution, sizeof(caution), "A caution for microneedling until %s", until);
		if (until[0])
			note(x, notes, caution);
		put_arr(x, r, "note", notes);
	}
	add_entry(x, &id, r);
	listed(d, S_MEDS, &id, line ? line : m->code);
	free(line);
}

static void lists(struct doc *d)
{
	const struct nl_patient *p = &d->x.m->patient;
	const char **codes = calloc(p->nallergy_list + p->nmedication_list + 1,
				    sizeof(*codes));

	if (!codes) {
		d->x.oom = true;
		return;
	}
	for (size_t i = 0; i < p->nallergy_list; i++) {
		codes[i] = p->allergy_list[i].code;
		allergy(d, &p->allergy_list[i], same_before(codes, i));
	}
	for (size_t i = 0; i < p->nmedication_list; i++) {
		codes[i] = p->medication_list[i].code;
		medication(d, &p->medication_list[i], same_before(codes, i));
	}
	free(codes);
}

/* A contraindication flag that is not an allergy or a medication. */
static void flag(struct doc *d, const struct nl_flag *f)
{
	struct fx *x = &d->x;
	const struct vocab_flag *v = vocab_flag_find(f->code);
	json_t *r, *period = chk(x, json_object());
	char until[11] = "", line[VOCAB_TEXT_MAX + 512];
	bool active = check_flag_in_force(f, x->m->today, until);
	struct fx_ref id;

	snprintf(line, sizeof(line), "%s%s%s%s%s%s", v ? v->label : f->code,
		 f->date ? " since " : "", f->date ? f->date : "",
		 active ? "" : " (no longer applies)", f->note ? ": " : "",
		 f->note ? f->note : "");
	fx_id(x, "flag", f->code, &id);
	r = resource(x, "Flag", &id);
	put(x, r, "text", narrative1(x, line));
	put(x, r, "status", json_string(active ? "active" : "inactive"));
	put(x, r, "code", coded(x, CS_CONTRAINDICATION, f->code, v ? v->label : NULL, line));
	put(x, r, "subject", ref(x, &x->patient));
	put_str(x, period, "start", f->date);
	put_str(x, period, "end", f->end_date ? f->end_date : until[0] ? until : NULL);
	if (json_object_size(period))
		put(x, r, "period", period);
	else
		json_decref(period);
	add_entry(x, &id, r);
	listed(d, S_CAUTIONS, &id, line);
}

static void consent(struct doc *d, const struct nl_consent *c)
{
	struct fx *x = &d->x;
	bool treatment = strcmp(c->kind, CLIN_CONSENT_TREATMENT) == 0;
	const struct clin_code *k = clin_find(clin_consent_kinds, clin_consent_kind_count,
					      c->kind);
	char *line = xm_consent_text(c);
	json_t *r, *prov = chk(x, json_object()), *period = chk(x, json_object());
	struct fx_ref id;

	fx_idn(x, "consent", c->id, NULL, &id);
	r = resource(x, "Consent", &id);
	put(x, r, "text", narrative1(x, line ? line : c->kind));
	put(x, r, "status", json_string(c->withdrawn ? "inactive" : "active"));
	/* Treatment consent is scope treatment; consent to photographs is
	 * about the use of health information, scope patient-privacy. */
	put(x, r, "scope", coded(x, HL7_TERM "consentscope",
				 treatment ? "treatment" : "patient-privacy", NULL, NULL));
	put(x, r, "category", chk(x, json_pack("[o]", coded(x, LOINC, "59284-0", NULL, NULL))));
	put(x, r, "patient", ref(x, &x->patient));
	put_str(x, r, "dateTime", c->given);
	put(x, r, "performer", chk(x, json_pack("[o]", ref(x, &x->patient))));
	put(x, r, "policyRule", text_cc(x, c->form ? c->form : "the practice's consent form"));
	put(x, prov, "type", json_string("permit"));
	put_str(x, period, "start", c->given);
	put_str(x, period, "end", c->withdrawn);
	put(x, prov, "period", period);
	put(x, prov, "code", chk(x, json_pack("[o]", coded(x, CS_CONSENT, c->kind,
				k ? k->label : NULL, c->covers ? xm_indication_label(c->covers)
				: "every indication"))));
	put(x, r, "provision", prov);
	add_entry(x, &id, r);
	listed(d, S_CONSENT, &id, line ? line : c->kind);
	free(line);
}

/* ---- sessions ------------------------------------------------------------------- */

/* What a session's Observations share. */
struct ses {
	const struct nl_session_view *v;
	struct fx_ref proc, plan;
	json_t *changed;      /* references to the Observations amendments changed */
	json_t *all;          /* references to every Observation of the session */
};

/* voided: entered-in-error; changed by an amendment: amended; else final
 * when signed, preliminary when not. */
static const char *obs_status(const struct ses *s, bool changed)
{
	if (s->v->effective.voided)
		return "entered-in-error";
	if (changed && s->v->namendments)
		return "amended";
	return s->v->effective.is_signed ? "final" : "preliminary";
}

static json_t *obs_new(struct doc *d, const struct ses *s, const struct fx_ref *id,
		       const char *status, const char *cat, json_t *code,
		       const char *line)
{
	struct fx *x = &d->x;
	const struct nl_session *e = &s->v->effective;
	json_t *r = resource(x, "Observation", id);

	put(x, r, "text", narrative1(x, line));
	put(x, r, "basedOn", chk(x, json_pack("[o]", ref(x, &s->plan))));
	put(x, r, "partOf", chk(x, json_pack("[o]", ref(x, &s->proc))));
	put(x, r, "status", json_string(status));
	put(x, r, "category", category(x, cat));
	put(x, r, "code", code);
	put(x, r, "subject", ref(x, &x->patient));
	put(x, r, "effectiveDateTime", json_string(e->date));
	if (e->practitioner)
		put(x, r, "performer", chk(x, json_pack("[o]", display_ref(x, e->practitioner))));
	return r;
}

static void obs_add(struct doc *d, struct ses *s, const struct fx_ref *id, json_t *r,
		    bool changed, const char *line)
{
	struct fx *x = &d->x;

	add_entry(x, id, r);
	push(x, s->all, ref(x, id));
	if (changed)
		push(x, s->changed, ref(x, id));
	if (!s->v->effective.voided)
		listed(d, S_RESULTS, id, line);
}

static const struct nl_treatment *find_area(const struct nl_session *ses,
					    const struct nl_treatment *t)
{
	for (size_t i = 0; i < ses->nareas; i++)
		if (strcmp(ses->areas[i].area, t->area) == 0 &&
		    strcmp(ses->areas[i].label ? ses->areas[i].label : "",
			   t->label ? t->label : "") == 0)
			return &ses->areas[i];
	return NULL;
}

/* Depth (and passes) of one area. removed: the area was in the original
 * and an amendment took it out, so what was sent is retracted. */
static void area_obs(struct doc *d, struct ses *s, const struct nl_treatment *t,
		     bool removed)
{
	struct fx *x = &d->x;
	const struct nl_session *e = &s->v->effective;
	const struct nl_treatment *o = find_area(&s->v->original, t);
	bool changed = !o || o->depth_mm != t->depth_mm;
	char key[256], label[256], depth[32], line[400];
	const char *st = removed ? "entered-in-error" : obs_status(s, changed);
	struct fx_ref id;
	json_t *r;

	xm_area_label(t->area, t->label, label, sizeof(label));
	xm_depth(t->depth_mm, depth, sizeof(depth));
	snprintf(key, sizeof(key), "%lld %s:%s", (long long)e->id, t->area,
		 t->label ? t->label : "");
	snprintf(line, sizeof(line), "%s: needle depth %s, %s mm%s", e->date, label, depth,
		 removed ? " (taken out by an amendment)" : "");
	fx_id(x, "depth", key, &id);
	r = obs_new(d, s, &id, st, "procedure", coded(x, CS_OBSERVATION, "needle-depth",
						      "Needle depth", NULL), line);
	put(x, r, "valueQuantity", chk(x, json_pack("{s:f,s:s,s:s,s:s}", "value",
		t->depth_mm, "unit", "mm", "system", UCUM, "code", "mm")));
	put(x, r, "bodySite", body_site(x, t->area, t->label));
	obs_add(d, s, &id, r, changed && !removed, line);
	if (t->passes <= 0)
		return;
	changed = !o || o->passes != t->passes;
	st = removed ? "entered-in-error" : obs_status(s, changed);
	snprintf(line, sizeof(line), "%s: needle passes %s, %d", e->date, label, t->passes);
	fx_id(x, "passes", key, &id);
	r = obs_new(d, s, &id, st, "procedure", coded(x, CS_OBSERVATION, "needle-passes",
						      "Needle passes", NULL), line);
	put(x, r, "valueInteger", json_integer(t->passes));
	put(x, r, "bodySite", body_site(x, t->area, t->label));
	obs_add(d, s, &id, r, changed && !removed, line);
}

static void pain_obs(struct doc *d, struct ses *s)
{
	struct fx *x = &d->x;
	const struct nl_session *e = &s->v->effective;
	bool changed = s->v->original.pain != e->pain;
	struct fx_ref id;
	char line[128];
	json_t *r, *code;

	if (e->pain < 0)
		return;
	snprintf(line, sizeof(line), "%s: pain during the session %d/10", e->date, e->pain);
	fx_idn(x, "pain", e->id, NULL, &id);
	code = coded(x, LOINC, LOINC_PAIN_NRS,
		     "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
		     "Pain during the session (0-10)");
	r = obs_new(d, s, &id, obs_status(s, changed), "survey", code, line);
	put(x, r, "valueInteger", json_integer(e->pain));
	obs_add(d, s, &id, r, changed, line);
}

/* The ordinal scales' own code systems (their levels are the codes). */
static const char *level_system(const char *scale)
{
	if (strcmp(scale, "norwood") == 0)
		return CS_NORWOOD;
	if (strcmp(scale, "ludwig") == 0)
		return CS_LUDWIG;
	return CS_SCALE;
}

/* A score's value: hair density a Quantity in /cm2, other whole numbers
 * valueInteger, other numbers valueQuantity, ordinal levels coded. */
static void score_value(struct fx *x, json_t *r, const struct nl_score *sc)
{
	const struct vocab_scale *v = vocab_scale_find(sc->scale);
	char text[64];

	if (v && v->kind == VOCAB_SCALE_ORDINAL) {
		xm_score(sc->scale, sc->value, text, sizeof(text));
		put(x, r, "valueCodeableConcept",
		    coded(x, level_system(sc->scale), text, text, NULL));
	} else if (strcmp(sc->scale, "hair-density") == 0) {
		put(x, r, "valueQuantity", chk(x, json_pack("{s:f,s:s,s:s,s:s}", "value",
			sc->value, "unit", "/cm2", "system", UCUM, "code", "/cm2")));
	} else if (v && v->integer) {
		put(x, r, "valueInteger", json_integer((json_int_t)sc->value));
	} else {
		put(x, r, "valueQuantity", chk(x, json_pack("{s:f}", "value", sc->value)));
	}
}

/* Patient-reported scales are surveys; the others a clinician's exam. */
static const char *score_category(const char *scale)
{
	return strcmp(scale, "satisfaction") == 0 || strcmp(scale, "pain") == 0
	       ? "survey" : "exam";
}

static const struct nl_score *find_score(const struct nl_session *ses,
					 const char *scale)
{
	for (size_t i = 0; i < ses->nscores; i++)
		if (strcmp(ses->scores[i].scale, scale) == 0)
			return &ses->scores[i];
	return NULL;
}

static void score_obs(struct doc *d, struct ses *s, const struct nl_score *sc,
		      bool removed)
{
	struct fx *x = &d->x;
	const struct nl_session *e = &s->v->effective;
	const struct nl_score *o = find_score(&s->v->original, sc->scale);
	bool changed = !o || o->value != sc->value;
	char v[64], line[256];
	struct fx_ref id;
	json_t *r;

	xm_score(sc->scale, sc->value, v, sizeof(v));
	snprintf(line, sizeof(line), "%s: %s %s%s%s", e->date, xm_scale_label(sc->scale), v,
		 strcmp(sc->scale, "hair-density") == 0 ? " /cm2" : "",
		 removed ? " (taken out by an amendment)" : "");
	fx_idn(x, "score", e->id, sc->scale, &id);
	r = obs_new(d, s, &id, removed ? "entered-in-error" : obs_status(s, changed),
		    score_category(sc->scale), coded(x, CS_SCALE, sc->scale,
						     xm_scale_label(sc->scale), NULL), line);
	score_value(x, r, sc);
	obs_add(d, s, &id, r, changed && !removed, line);
}

static void session_obs(struct doc *d, struct ses *s)
{
	const struct nl_session *e = &s->v->effective, *o = &s->v->original;

	for (size_t i = 0; i < e->nareas; i++)
		area_obs(d, s, &e->areas[i], false);
	for (size_t i = 0; i < o->nareas; i++)
		if (!find_area(e, &o->areas[i]))
			area_obs(d, s, &o->areas[i], true);
	pain_obs(d, s);
	for (size_t i = 0; i < e->nscores; i++)
		score_obs(d, s, &e->scores[i], false);
	for (size_t i = 0; i < o->nscores; i++)
		if (!find_score(e, o->scores[i].scale))
			score_obs(d, s, &o->scores[i], true);
}

static void procedure_notes(struct fx *x, json_t *r, const struct nl_session_view *v)
{
	const struct nl_session *e = &v->effective;
	json_t *notes = chk(x, json_array());
	char buf[VOCAB_TEXT_MAX + 256], status[1024];
	char *lots = xm_lots_text(e);

	static const struct {
		const char *label;
		size_t off;
	} fields[] = {
		{ "Immediate reaction: ", offsetof(struct nl_session, reaction) },
		{ "Cartridge: ", offsetof(struct nl_session, cartridge) },
		{ "Device serial: ", offsetof(struct nl_session, device_serial) },
		{ "Aftercare: ", offsetof(struct nl_session, aftercare) },
		{ "", offsetof(struct nl_session, notes) },
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *val = *(char *const *)((const char *)e + fields[i].off);

		if (!val)
			continue;
		snprintf(buf, sizeof(buf), "%s%s", fields[i].label, val);
		note(x, notes, buf);
	}
	if (e->endpoint) {
		snprintf(buf, sizeof(buf), "Endpoint: %s", xm_endpoint_label(e->endpoint));
		note(x, notes, buf);
	}
	if (lots) {
		snprintf(buf, sizeof(buf), "Lots: %s", lots);
		note(x, notes, buf);
	}
	for (size_t i = 0; i < e->nwarnings; i++) {
		snprintf(buf, sizeof(buf), "Safety warning: %s", e->warnings[i].message);
		note(x, notes, buf);
	}
	snprintf(buf, sizeof(buf), "Record status: %s",
		 xm_session_status(v, status, sizeof(status)));
	note(x, notes, buf);
	put_arr(x, r, "note", notes);
	free(lots);
}

static void procedure(struct doc *d, const struct xm_series *xs, struct ses *s)
{
	struct fx *x = &d->x;
	const struct nl_session *e = &s->v->effective;
	json_t *r = resource(x, "Procedure", &s->proc);
	json_t *sites = chk(x, json_array()), *used = chk(x, json_array());
	int num = xm_session_number(xs, e->id);
	char *areas = xm_areas_text(e), line[2048], status[1024];

	if (num)
		snprintf(line, sizeof(line), "%s: session #%d of the series, %s (%s)", e->date,
			 num, areas ? areas : "", xm_session_status(s->v, status, sizeof(status)));
	else
		snprintf(line, sizeof(line), "%s: voided session (id %lld), entered in error",
			 e->date, (long long)e->id);
	put(x, r, "text", narrative1(x, line));
	put(x, r, "basedOn", chk(x, json_pack("[o]", ref(x, &s->plan))));
	put(x, r, "status", json_string(e->voided ? "entered-in-error" : "completed"));
	put(x, r, "code", microneedling(x));
	put(x, r, "subject", ref(x, &x->patient));
	put(x, r, "performedDateTime", json_string(e->date));
	if (e->practitioner)
		put(x, r, "performer",
		    chk(x, json_pack("[{s:o}]", "actor", display_ref(x, e->practitioner))));
	for (size_t i = 0; i < e->nareas; i++)
		push(x, sites, body_site(x, e->areas[i].area, e->areas[i].label));
	put_arr(x, r, "bodySite", sites);
	procedure_notes(x, r, s->v);
	if (e->adverse)
		put(x, r, "complication", chk(x, json_pack("[o]", text_cc(x, e->adverse))));
	if (e->device)
		put(x, r, "focalDevice",
		    chk(x, json_pack("[{s:o}]", "manipulated", display_ref(x, e->device))));
	for (size_t i = 0; i < e->nproducts; i++)
		push(x, used, text_cc(x, e->products[i]));
	if (e->anesthetic)
		push(x, used, text_cc(x, e->anesthetic));
	put_arr(x, r, "usedCode", used);
	add_entry(x, &s->proc, r);
	listed(d, S_PROCS, &s->proc, line);
	free(areas);
}

/* ---- provenance: sign, amend, void ------------------------------------------ */

static json_t *agent(struct fx *x, const char *who)
{
	return chk(x, json_pack("[{s:o,s:o}]", "type",
				coded(x, HL7_TERM "provenance-participant-type", "author",
				      "Author", NULL),
				"who", display_ref(x, who && *who ? who : "unknown")));
}

static json_t *targets(struct fx *x, const struct ses *s, json_t *more)
{
	json_t *t = chk(x, json_pack("[o]", ref(x, &s->proc)));

	json_array_extend(t, more);
	return t;
}

static void provenance(struct doc *d, const struct fx_ref *id, json_t *target,
		       const char *at, json_t *activity, const char *who,
		       const char *reason, struct fx_html *h, const char *line)
{
	struct fx *x = &d->x;
	json_t *r = resource(x, "Provenance", id);

	put(x, r, "text", h_narrative(x, h));
	put(x, r, "target", target);
	put(x, r, "recorded", json_string(at));
	put(x, r, "activity", activity);
	put(x, r, "agent", agent(x, who));
	if (reason)
		put(x, r, "reason", chk(x, json_pack("[o]", text_cc(x, reason))));
	add_entry(x, id, r);
	listed(d, S_HISTORY, id, line);
}

static void prov_sign(struct doc *d, const struct ses *s)
{
	struct fx *x = &d->x;
	const struct nl_session *e = &s->v->effective;
	struct fx_html h = { 0 };
	struct fx_ref id;
	char line[512];
	json_t *sig;

	snprintf(line, sizeof(line), "%s: session of %s signed by %s", e->signed_at, e->date,
		 e->signed_by ? e->signed_by : "?");
	h_el(&h, "p", line);
	h_field(&h, "Hash of what the signature covers (BLAKE2b-256)", e->hash);
	fx_idn(x, "sign", e->id, NULL, &id);
	provenance(d, &id, targets(x, s, NULL), e->signed_at,
		   coded(x, CS_PROVENANCE, "sign", "Signed and locked", NULL),
		   e->signed_by, NULL, &h, line);
	sig = chk(x, json_pack("[{s:[{s:s,s:s,s:s}],s:s,s:o}]", "type", "system",
			       "urn:iso-astm:E1762-95:2013", "code", "1.2.840.10065.1.12.1.1",
			       "display", "Author's Signature", "when", e->signed_at, "who",
			       display_ref(x, e->signed_by ? e->signed_by : "unknown")));
	put(x, json_object_get(json_array_get(x->entries, json_array_size(x->entries) - 1),
			       "resource"), "signature", sig);
}

static void prov_amend(struct doc *d, const struct ses *s, const struct nl_amendment *a,
		       bool last)
{
	struct fx *x = &d->x;
	struct fx_html h = { 0 };
	struct fx_ref id;
	char line[VOCAB_TEXT_MAX + 256];

	snprintf(line, sizeof(line), "%s: session of %s amended by %s: %s", a->at,
		 s->v->effective.date, a->practitioner ? a->practitioner : "?", a->reason);
	h_el(&h, "p", line);
	h_raw(&h, "<ul>");
	for (size_t i = 0; i < a->nchanges; i++) {
		char c[2 * VOCAB_TEXT_MAX + 128];

		snprintf(c, sizeof(c), "%s: %s to %s", a->changes[i].field,
			 a->changes[i].old_value ? a->changes[i].old_value : "(empty)",
			 a->changes[i].new_value ? a->changes[i].new_value : "(empty)");
		h_el(&h, "li", c);
	}
	h_raw(&h, "</ul>");
	fx_idn(x, "amend", a->id, NULL, &id);
	/* The latest amendment names the Observations now marked amended. */
	provenance(d, &id, targets(x, s, last ? s->changed : NULL), a->at,
		   coded(x, HL7_TERM "v3-DataOperation", "UPDATE", NULL, "Amended"),
		   a->practitioner, a->reason, &h, line);
}

static void prov_void(struct doc *d, const struct ses *s)
{
	struct fx *x = &d->x;
	const struct nl_session *e = &s->v->effective;
	struct fx_html h = { 0 };
	struct fx_ref id;
	char line[VOCAB_TEXT_MAX + 256];

	snprintf(line, sizeof(line), "%s: session of %s voided by %s: %s", e->voided_at,
		 e->date, e->voided_by ? e->voided_by : "?", e->void_reason);
	h_el(&h, "p", line);
	fx_idn(x, "void", e->id, NULL, &id);
	provenance(d, &id, targets(x, s, s->all), e->voided_at,
		   coded(x, CS_PROVENANCE, "void", "Voided: entered in error", NULL),
		   e->voided_by, e->void_reason, &h, line);
}

static void session(struct doc *d, const struct xm_series *xs, const struct fx_ref *plan,
		    const struct nl_session_view *v, json_t *outcomes)
{
	struct fx *x = &d->x;
	struct ses s = { .v = v, .plan = *plan };

	s.changed = chk(x, json_array());
	s.all = chk(x, json_array());
	fx_idn(x, "session", v->effective.id, NULL, &s.proc);
	procedure(d, xs, &s);
	if (!v->effective.voided)
		push(x, outcomes, ref(x, &s.proc));
	session_obs(d, &s);
	if (v->effective.is_signed && v->effective.signed_at)
		prov_sign(d, &s);
	for (size_t i = 0; i < v->namendments; i++)
		prov_amend(d, &s, &v->amendments[i], i + 1 == v->namendments);
	if (v->effective.voided && v->effective.voided_at)
		prov_void(d, &s);
	json_decref(s.changed);
	json_decref(s.all);
}

/* ---- the plan ------------------------------------------------------------------ */

static const char *careplan_status(const char *s)
{
	static const char *const map[][2] = {
		{ "active", "active" }, { "paused", "on-hold" },
		{ "completed", "completed" }, { "discontinued", "revoked" },
	};

	for (size_t i = 0; s && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], s) == 0)
			return map[i][1];
	return "unknown";
}

/* A phase's activity status from the sessions done and the series'. */
static const char *phase_status(const struct xm_series *xs, int first, int count)
{
	const char *s = xs->series.status;
	int done = xs->progress.done;

	if (done >= first + count - 1 || (s && strcmp(s, "completed") == 0))
		return "completed";
	if (s && strcmp(s, "paused") == 0)
		return "on-hold";
	if (s && strcmp(s, "discontinued") == 0)
		return "stopped";
	return done >= first ? "in-progress" : "not-started";
}

static json_t *phase_activity(struct fx *x, const struct xm_series *xs, size_t k,
			      int first, json_t *outcomes)
{
	const struct nl_phase *ph = &xs->series.phases[k];
	json_t *act = chk(x, json_object()), *detail = chk(x, json_object());
	json_t *mine = chk(x, json_array());
	char desc[160];

	snprintf(desc, sizeof(desc), "Phase %zu: %d session%s, every %d days (sessions %d-%d)",
		 k + 1, ph->count, ph->count == 1 ? "" : "s", ph->interval_days, first,
		 first + ph->count - 1);
	/* The sessions numbered within this phase are its outcomes. */
	for (int n = first; n < first + ph->count && n <= (int)json_array_size(outcomes); n++)
		push(x, mine, json_incref(json_array_get(outcomes, (size_t)n - 1)));
	put_arr(x, act, "outcomeReference", mine);
	put(x, detail, "kind", json_string("ServiceRequest"));
	put(x, detail, "code", microneedling(x));
	put(x, detail, "status", json_string(phase_status(xs, first, ph->count)));
	put(x, detail, "scheduledTiming",
	    chk(x, json_pack("{s:{s:i,s:i,s:s}}", "repeat", "count", ph->count,
			     "period", ph->interval_days, "periodUnit", "d")));
	put(x, detail, "description", json_string(desc));
	put(x, act, "detail", detail);
	return act;
}

static void careplan(struct doc *d, const struct xm_series *xs, const struct fx_ref *id,
		     const struct fx_ref *cond, json_t *outcomes)
{
	struct fx *x = &d->x;
	const struct nl_series *sr = &xs->series;
	json_t *r = resource(x, "CarePlan", id), *acts = chk(x, json_array());
	json_t *notes = chk(x, json_array());
	char title[256], plan[256], due[128], line[800];
	int first = 1;

	snprintf(title, sizeof(title), "Microneedling series: %s",
		 xm_indication_label(sr->indication));
	snprintf(line, sizeof(line), "%s: %s from %s; %d of %d done; next due %s", title,
		 xm_plan_text(sr, plan, sizeof(plan)), sr->start_date, xs->progress.done,
		 xs->progress.planned, xm_next_due_text(&xs->progress, due, sizeof(due)));
	put(x, r, "text", narrative1(x, line));
	put(x, r, "status", json_string(careplan_status(sr->status)));
	put(x, r, "intent", json_string("plan"));
	put(x, r, "title", json_string(title));
	put(x, r, "description", json_string(plan));
	put(x, r, "subject", ref(x, &x->patient));
	put(x, r, "period", chk(x, json_pack("{s:s}", "start", sr->start_date)));
	put(x, r, "addresses", chk(x, json_pack("[o]", ref(x, cond))));
	for (size_t k = 0; k < sr->nphases; k++) {
		push(x, acts, phase_activity(x, xs, k, first, outcomes));
		first += sr->phases[k].count;
	}
	put_arr(x, r, "activity", acts);
	note(x, notes, sr->goal ? sr->goal : NULL);
	snprintf(line, sizeof(line), "Next session due: %s", due);
	note(x, notes, line);
	put_arr(x, r, "note", notes);
	add_entry(x, id, r);
	snprintf(line, sizeof(line), "%s: %s from %s; %d of %d done; next due %s", title, plan,
		 sr->start_date, xs->progress.done, xs->progress.planned, due);
	listed(d, S_PLAN, id, line);
}

static void baseline(struct doc *d, const struct xm_series *xs, const struct fx_ref *plan)
{
	struct fx *x = &d->x;
	const struct nl_series *sr = &xs->series;

	for (size_t k = 0; k < sr->nbaseline; k++) {
		const struct nl_score *sc = &sr->baseline[k];
		char v[64], line[256];
		struct fx_ref id;
		json_t *r;

		xm_score(sc->scale, sc->value, v, sizeof(v));
		snprintf(line, sizeof(line), "%s: %s %s%s (baseline)", sr->start_date,
			 xm_scale_label(sc->scale), v,
			 strcmp(sc->scale, "hair-density") == 0 ? " /cm2" : "");
		fx_idn(x, "baseline", sr->id, sc->scale, &id);
		r = resource(x, "Observation", &id);
		put(x, r, "text", narrative1(x, line));
		put(x, r, "basedOn", chk(x, json_pack("[o]", ref(x, plan))));
		put(x, r, "status", json_string("final"));
		put(x, r, "category", category(x, score_category(sc->scale)));
		put(x, r, "code", coded(x, CS_SCALE, sc->scale, xm_scale_label(sc->scale), NULL));
		put(x, r, "subject", ref(x, &x->patient));
		put(x, r, "effectiveDateTime", json_string(sr->start_date));
		score_value(x, r, sc);
		put(x, r, "note", chk(x, json_pack("[{s:s}]", "text", "Baseline for the series")));
		add_entry(x, &id, r);
		listed(d, S_RESULTS, &id, line);
	}
}

/* The Condition of an indication: active while a series for it is active
 * or paused, else inactive (needlelog does not judge it resolved). */
static void condition(struct doc *d, const char *indication, const struct fx_ref *id)
{
	struct fx *x = &d->x;
	bool active = false;
	char line[256];
	json_t *r;

	for (size_t i = 0; i < x->m->nseries; i++) {
		const struct nl_series *sr = &x->m->series[i].series;

		if (strcmp(sr->indication, indication) == 0 && sr->status &&
		    (strcmp(sr->status, "active") == 0 || strcmp(sr->status, "paused") == 0))
			active = true;
	}
	snprintf(line, sizeof(line), "%s (%s)", xm_indication_label(indication),
		 active ? "being treated" : "no series in progress");
	r = resource(x, "Condition", id);
	put(x, r, "text", narrative1(x, line));
	put(x, r, "clinicalStatus", coded(x, HL7_TERM "condition-clinical",
					  active ? "active" : "inactive", NULL, NULL));
	put(x, r, "category", chk(x, json_pack("[o]", coded(x, HL7_TERM "condition-category",
		"problem-list-item", NULL, NULL))));
	put(x, r, "code", coded(x, CS_INDICATION, indication, xm_indication_label(indication),
				xm_indication_label(indication)));
	put(x, r, "subject", ref(x, &x->patient));
	add_entry(x, id, r);
	listed(d, S_PROBLEMS, id, line);
}

/* ---- photographs ---------------------------------------------------------------- */

/* A line of a section's narrative that lists no resource. */
static void narrated(struct doc *d, int s, const char *line)
{
	if (!d->count[s]++)
		h_raw(&d->html[s], "<ul>");
	h_el(&d->html[s], "li", line);
}

/* The Attachment: always the type and the facts; the JPEG inline (base64)
 * only when the export was asked for the images (--photos). */
static json_t *media_content(struct fx *x, const struct xm_series *xs, size_t i,
			     const char *title)
{
	const struct nl_photo *ph = &xs->photos[i];
	json_t *a = chk(x, json_pack("{s:s}", "contentType", "image/jpeg"));
	const unsigned char *data = xs->photo_data ? xs->photo_data[i] : NULL;

	if (data) {
		size_t n = sodium_base64_encoded_len(xs->photo_len[i],
						     sodium_base64_VARIANT_ORIGINAL);
		char *b64 = malloc(n);

		if (!b64) {
			x->oom = true;
			return a;
		}
		sodium_bin2base64(b64, n, data, xs->photo_len[i], sodium_base64_VARIANT_ORIGINAL);
		put(x, a, "data", json_string(b64));
		free(b64);
		put(x, a, "size", json_integer((json_int_t)xs->photo_len[i]));
	}
	put_str(x, a, "title", title);
	put_str(x, a, "creation", ph->taken);
	return a;
}

static void media(struct doc *d, const struct xm_series *xs, size_t i,
		  const struct fx_ref *plan)
{
	struct fx *x = &d->x;
	const struct nl_photo *ph = &xs->photos[i];
	json_t *r, *notes = chk(x, json_array());
	const struct clin_code *tp;
	struct fx_ref id, proc;
	char line[600], view[300];

	fx_idn(x, "photo", ph->id, NULL, &id);
	xm_photo_text(ph, line, sizeof(line));
	r = resource(x, "Media", &id);
	put(x, r, "text", narrative1(x, line));
	put(x, r, "basedOn", chk(x, json_pack("[o]", ref(x, plan))));
	if (ph->session_id) {
		fx_idn(x, "session", ph->session_id, NULL, &proc);
		put(x, r, "partOf", chk(x, json_pack("[o]", ref(x, &proc))));
	}
	put(x, r, "status", json_string("completed"));
	put(x, r, "type", coded(x, HL7_TERM "media-type", "image", "Image", NULL));
	put(x, r, "view", text_cc(x, xm_photo_view_text(ph, view, sizeof(view))));
	put(x, r, "subject", ref(x, &x->patient));
	put_str(x, r, "createdDateTime", ph->taken);
	if (ph->taken_by)
		put(x, r, "operator", display_ref(x, ph->taken_by));
	if (ph->area)
		put(x, r, "bodySite", body_site(x, ph->area, ph->label));
	if (ph->width > 0 && ph->height > 0) {
		put(x, r, "height", json_integer(ph->height));
		put(x, r, "width", json_integer(ph->width));
	}
	put(x, r, "content", media_content(x, xs, i, line));
	tp = ph->timepoint ? clin_find(photo_timepoints, photo_timepoint_count, ph->timepoint)
			   : NULL;
	if (tp) {
		snprintf(view, sizeof(view), "Timepoint: %s (%s)", tp->code, tp->label);
		note(x, notes, view);
	}
	if (!xs->photo_data || !xs->photo_data[i])
		note(x, notes, "The image is not in this export; it is sent when the "
			       "summary is exported with --photos.");
	put_arr(x, r, "note", notes);
	add_entry(x, &id, r);
	listed(d, S_PHOTOS, &id, line);
}

static void photos(struct doc *d, const struct xm_series *xs, const struct fx_ref *plan)
{
	char line[300];

	if (!xs->nphotos)
		return;
	if (!xs->photos_allowed) {
		snprintf(line, sizeof(line), "%zu photograph%s of the %s series withheld: no "
			 "clinical-photography consent in force covers sharing them.",
			 xs->nphotos, xs->nphotos == 1 ? "" : "s",
			 xm_indication_label(xs->series.indication));
		narrated(d, S_PHOTOS, line);
		return;
	}
	for (size_t i = 0; i < xs->nphotos; i++)
		media(d, xs, i, plan);
}

static void series(struct doc *d, const struct xm_series *xs, size_t index)
{
	struct fx *x = &d->x;
	struct fx_ref plan, cond;
	json_t *outcomes = chk(x, json_array());
	bool first = true;

	/* One Condition an indication, written with the first series of it. */
	for (size_t i = 0; i < index; i++)
		if (strcmp(x->m->series[i].series.indication, xs->series.indication) == 0)
			first = false;
	fx_id(x, "condition", xs->series.indication, &cond);
	if (first)
		condition(d, xs->series.indication, &cond);
	fx_idn(x, "series", xs->series.id, NULL, &plan);
	for (size_t i = 0; i < xs->nsessions; i++)
		session(d, xs, &plan, &xs->sessions[i], outcomes);
	baseline(d, xs, &plan);
	careplan(d, xs, &plan, &cond, outcomes);
	photos(d, xs, &plan);
	json_decref(outcomes);
}

/* ---- the document ------------------------------------------------------------- */

static json_t *section(struct doc *d, int s)
{
	struct fx *x = &d->x;
	json_t *sec = chk(x, json_pack("{s:s}", "title", sections[s].title));

	if (sections[s].loinc)
		put(x, sec, "code", coded(x, LOINC, sections[s].loinc, sections[s].display, NULL));
	if (d->count[s])
		h_raw(&d->html[s], "</ul>");
	else
		h_el(&d->html[s], "p", "None recorded.");
	put(x, sec, "text", h_narrative(x, &d->html[s]));
	put_arr(x, sec, "entry", d->entries[s]);
	d->entries[s] = NULL;
	return sec;
}

static void composition(struct doc *d)
{
	struct fx *x = &d->x;
	const struct xm *m = x->m;
	json_t *r, *secs = chk(x, json_array());
	struct fx_ref id;
	char title[512];

	fx_idn(x, "composition", m->patient.id, NULL, &id);
	snprintf(title, sizeof(title), "Follow-up summary: %s", m->patient.name);
	r = resource(x, "Composition", &id);
	put(x, r, "text", narrative1(x, title));
	put(x, r, "identifier", chk(x, json_pack("{s:s,s:s}", "system", "urn:ietf:rfc:3986",
						 "value", id.url)));
	put(x, r, "status", json_string("final"));
	put(x, r, "type", coded(x, LOINC, "60591-5", "Patient summary Document", NULL));
	put(x, r, "subject", ref(x, &x->patient));
	put(x, r, "date", json_string(m->generated_at));
	put(x, r, "author", chk(x, json_pack("[o]", display_ref(x, m->practice ? m->practice
		: m->actor ? m->actor : "needlelog"))));
	put(x, r, "title", json_string(title));
	for (int s = 0; s < NSEC; s++)
		push(x, secs, section(d, s));
	put(x, r, "section", secs);
	if (json_array_insert_new(x->entries, 0, chk(x, json_pack("{s:s,s:o}", "fullUrl",
		id.url, "resource", r))) != 0)
		x->oom = true;
}

static void content(struct doc *d)
{
	const struct xm *m = d->x.m;

	patient(d);
	lists(d);
	skin_type(d);
	for (size_t i = 0; i < m->patient.nflags; i++)
		flag(d, &m->patient.flags[i]);
	for (size_t i = 0; i < m->nconsents; i++)
		consent(d, &m->consents[i]);
	for (size_t i = 0; i < m->nseries; i++)
		series(d, &m->series[i], i);
	composition(d);
}

int xw_fhir(const struct xm *m, FILE *out, struct nl_err *err)
{
	struct doc d = { .x = { .m = m } };
	struct fx_ref doc_id;
	json_t *bundle = NULL;
	int rc = NL_OK;

	d.x.entries = json_array();
	for (int s = 0; s < NSEC; s++)
		if (!(d.entries[s] = json_array()))
			d.x.oom = true;
	if (!d.x.entries)
		d.x.oom = true;
	if (!d.x.oom)
		content(&d);
	/* The document's identifier is new with every export (each is a new
	 * document); what it holds keeps its ids. */
	fx_id(&d.x, "document", m->generated_at, &doc_id);
	if (!d.x.oom)
		bundle = json_pack("{s:s,s:{s:s,s:s},s:s,s:s,s:O}", "resourceType", "Bundle",
				   "identifier", "system", "urn:ietf:rfc:3986", "value",
				   doc_id.url, "type", "document", "timestamp",
				   m->generated_at, "entry", d.x.entries);
	if (!bundle || d.x.oom)
		rc = nl_error(err, NL_ENOMEM, "out of memory building the FHIR bundle");
	else if (json_dumpf(bundle, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			    JSON_REAL_PRECISION(10)) != 0 || fputc('\n', out) == EOF)
		rc = nl_error(err, NL_EIO, "writing the FHIR bundle failed");
	json_decref(bundle);
	json_decref(d.x.entries);
	for (int s = 0; s < NSEC; s++) {
		json_decref(d.entries[s]);
		free(d.html[s].s);
	}
	return rc;
}
