/* The follow-up summary as a FHIR R4 Bundle (type collection), in JSON
 * built with jansson (no hand-written escaping). Mapping: shared/DOMAIN.md
 * and docs. Every entry has a urn:uuid fullUrl; references use those urns.
 * FHIR forbids empty strings, arrays and objects: every optional element
 * is set only when it has content. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "needlelog/check.h"
#include "needlelog/vocab.h"
#include "model.h"

#define SCT "http://snomed.info/sct"
#define UCUM "http://unitsofmeasure.org"
#define NL_OBS "urn:needlelog:observation"
#define NL_SCALE "urn:needlelog:scale"
#define SCT_FACE "89545001"
#define SCT_SCALP "41695006"
#define SCT_LATERALITY "272741003"
#define SCT_LEFT "7771000"
#define SCT_RIGHT "24028007"

struct fx {
	json_t *entries;
	char patient[46];
	bool oom;
};

/* ---- small builders ------------------------------------------------------ */

static json_t *chk(struct fx *x, json_t *v)
{
	if (!v)
		x->oom = true;
	return v;
}

/* Sets key to v (taken); NULL v is an allocation failure. */
static void put(struct fx *x, json_t *obj, const char *key, json_t *v)
{
	if (!v || !obj || json_object_set_new(obj, key, v) != 0)
		x->oom = true;
}

/* Sets a string only when there is one (FHIR forbids ""). */
static void put_str(struct fx *x, json_t *obj, const char *key, const char *s)
{
	if (s && *s)
		put(x, obj, key, json_string(s));
}

static void push(struct fx *x, json_t *arr, json_t *v)
{
	if (!v || !arr || json_array_append_new(arr, v) != 0)
		x->oom = true;
}

/* Sets an array only when it holds something; else drops it. */
static void put_arr(struct fx *x, json_t *obj, const char *key, json_t *arr)
{
	if (arr && json_array_size(arr) == 0)
		json_decref(arr);
	else
		put(x, obj, key, arr);
}

static void new_urn(char out[46])
{
	unsigned char u[16];

	randombytes_buf(u, sizeof(u));
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 46, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5], u[6],
		 u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

static json_t *ref(struct fx *x, const char *urn)
{
	return chk(x, json_pack("{s:s}", "reference", urn));
}

static json_t *display_ref(struct fx *x, const char *display)
{
	return chk(x, json_pack("{s:s}", "display", display));
}

static json_t *text_cc(struct fx *x, const char *text)
{
	return chk(x, json_pack("{s:s}", "text", text));
}

/* A CodeableConcept with one coding (display optional) and text. */
static json_t *coded(struct fx *x, const char *system, const char *code,
		     const char *display, const char *text)
{
	json_t *coding = chk(x, json_pack("{s:s,s:s}", "system", system, "code", code));
	json_t *cc = chk(x, json_object());

	put_str(x, coding, "display", display);
	put(x, cc, "coding", chk(x, json_pack("[o]", coding)));
	put_str(x, cc, "text", text);
	return cc;
}

static json_t *identifier(struct fx *x, const char *system, int64_t id)
{
	char v[32];

	snprintf(v, sizeof(v), "%lld", (long long)id);
	return chk(x, json_pack("[{s:s,s:s}]", "system", system, "value", v));
}

static void add_entry(struct fx *x, const char *urn, json_t *resource)
{
	push(x, x->entries, chk(x, json_pack("{s:s,s:o}", "fullUrl", urn,
					     "resource", resource)));
}

static void note(struct fx *x, json_t *notes, const char *fmt, const char *a,
		 const char *b)
{
	char buf[VOCAB_TEXT_MAX + 512];

	snprintf(buf, sizeof(buf), fmt, a ? a : "", b ? b : "");
	push(x, notes, chk(x, json_pack("{s:s}", "text", buf)));
}

/* ---- body sites ------------------------------------------------------------ */

/* Face and scalp areas are coded in SNOMED CT; a left or right area as a
 * post-coordinated expression with the laterality attribute
 * (89545001:272741003=7771000, "face, left"). Others are text only. */
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

/* ---- resources ------------------------------------------------------------- */

static void patient(struct fx *x, const struct nl_patient *p)
{
	json_t *r = chk(x, json_pack("{s:s}", "resourceType", "Patient"));
	json_t *telecom = chk(x, json_array());

	put(x, r, "identifier", identifier(x, "urn:needlelog:patient", p->id));
	put(x, r, "active", json_boolean(!p->archived));
	put(x, r, "name", chk(x, json_pack("[{s:s}]", "text", p->name)));
	if (p->phone)
		push(x, telecom, chk(x, json_pack("{s:s,s:s}", "system", "phone",
						  "value", p->phone)));
	if (p->email)
		push(x, telecom, chk(x, json_pack("{s:s,s:s}", "system", "email",
						  "value", p->email)));
	put_arr(x, r, "telecom", telecom);
	put_str(x, r, "birthDate", p->dob);
	new_urn(x->patient);
	add_entry(x, x->patient, r);
}

/* A contraindication flag as a FHIR Flag (status, code, subject). */
static void flag(struct fx *x, const struct nl_flag *f, const char *today)
{
	const struct vocab_flag *v = vocab_flag_find(f->code);
	json_t *r = chk(x, json_pack("{s:s}", "resourceType", "Flag"));
	json_t *period = chk(x, json_object());
	char urn[46], until[11];
	bool active = check_flag_in_force(f, today, until);

	put(x, r, "status", json_string(active ? "active" : "inactive"));
	put(x, r, "code", coded(x, "urn:needlelog:contraindication", f->code,
				v ? v->label : NULL, v ? v->label : f->code));
	put(x, r, "subject", ref(x, x->patient));
	put_str(x, period, "start", f->date);
	put_str(x, period, "end", f->end_date ? f->end_date : until[0] ? until : NULL);
	if (json_object_size(period))
		put(x, r, "period", period);
	else
		json_decref(period);
	new_urn(urn);
	add_entry(x, urn, r);
}

static void condition(struct fx *x, const char *indication, char urn[46])
{
	json_t *r = chk(x, json_pack("{s:s}", "resourceType", "Condition"));

	put(x, r, "code", coded(x, "urn:needlelog:indication", indication,
				xm_indication_label(indication),
				xm_indication_label(indication)));
	put(x, r, "subject", ref(x, x->patient));
	new_urn(urn);
	add_entry(x, urn, r);
}

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

static const char *activity_status(const struct xm_series *xs)
{
	const char *s = xs->series.status;

	if (s && strcmp(s, "paused") == 0)
		return "on-hold";
	if (s && strcmp(s, "discontinued") == 0)
		return "stopped";
	if ((s && strcmp(s, "completed") == 0) ||
	    xs->progress.done >= xs->progress.planned)
		return "completed";
	return xs->progress.done ? "in-progress" : "not-started";
}

static json_t *microneedling(struct fx *x)
{
	return coded(x, "urn:needlelog:procedure", "microneedling", "Microneedling",
		     "Microneedling (percutaneous collagen induction)");
}

static void careplan(struct fx *x, const struct xm_series *xs,
		     const char *condition_urn, char (*procs)[46], size_t nprocs,
		     const char *urn)
{
	const struct nl_series *sr = &xs->series;
	json_t *r = chk(x, json_pack("{s:s}", "resourceType", "CarePlan"));
	json_t *detail = chk(x, json_object()), *activity = chk(x, json_object());
	json_t *outcomes = chk(x, json_array()), *notes = chk(x, json_array());
	char title[256], due[128];

	put(x, r, "identifier", identifier(x, "urn:needlelog:series", sr->id));
	put(x, r, "status", json_string(careplan_status(sr->status)));
	put(x, r, "intent", json_string("plan"));
	snprintf(title, sizeof(title), "Microneedling series: %s",
		 xm_indication_label(sr->indication));
	put(x, r, "title", json_string(title));
	put_str(x, r, "description", sr->goal);
	put(x, r, "subject", ref(x, x->patient));
	put(x, r, "period", chk(x, json_pack("{s:s}", "start", sr->start_date)));
	put(x, r, "addresses", chk(x, json_pack("[o]", ref(x, condition_urn))));
	for (size_t i = 0; i < nprocs; i++)
		if (!xs->sessions[i].effective.voided)
			push(x, outcomes, ref(x, procs[i]));
	put_arr(x, activity, "outcomeReference", outcomes);
	put(x, detail, "kind", json_string("ServiceRequest"));
	put(x, detail, "code", microneedling(x));
	put(x, detail, "status", json_string(activity_status(xs)));
	put(x, detail, "scheduledTiming",
	    chk(x, json_pack("{s:{s:{s:s},s:i,s:i,s:s}}", "repeat", "boundsPeriod",
			     "start", sr->start_date, "count", sr->planned, "period",
			     sr->interval_days, "periodUnit", "d")));
	put(x, activity, "detail", detail);
	put(x, r, "activity", chk(x, json_pack("[o]", activity)));
	snprintf(title, sizeof(title), "%d of %d sessions done", xs->progress.done,
		 xs->progress.planned);
	note(x, notes, "%s%s", title, NULL);
	note(x, notes, "Next session due: %s%s",
	     xm_next_due_text(&xs->progress, due, sizeof(due)), NULL);
	put_arr(x, r, "note", notes);
	add_entry(x, urn, r);
}

/* Observation status from the session's state. */
static const char *obs_status(const struct nl_session_view *v)
{
	if (v->effective.voided)
		return "entered-in-error";
	if (v->namendments)
		return "amended";
	return v->effective.is_signed ? "final" : "preliminary";
}

static json_t *observation(struct fx *x, const char *status, json_t *code,
			   const char *date)
{
	json_t *r = chk(x, json_pack("{s:s,s:s}", "resourceType", "Observation",
				     "status", status));

	put(x, r, "code", code);
	put(x, r, "subject", ref(x, x->patient));
	put(x, r, "effectiveDateTime", json_string(date));
	return r;
}

/* A score's value: whole numbers as valueInteger, other numbers as
 * valueQuantity, ordinal levels as a coded value. */
static void score_value(struct fx *x, json_t *r, const struct nl_score *sc)
{
	const struct vocab_scale *v = vocab_scale_find(sc->scale);
	char sys[128], text[64];

	if (v && v->kind == VOCAB_SCALE_ORDINAL) {
		xm_score(sc->scale, sc->value, text, sizeof(text));
		snprintf(sys, sizeof(sys), "%s:%s", NL_SCALE, sc->scale);
		put(x, r, "valueCodeableConcept", coded(x, sys, text, text, NULL));
	} else if (v && v->integer) {
		put(x, r, "valueInteger", json_integer((json_int_t)sc->value));
	} else {
		put(x, r, "valueQuantity", chk(x, json_pack("{s:f}", "value", sc->value)));
	}
}

static void score_obs(struct fx *x, const struct nl_score *sc, const char *status,
		      const char *date, const char *proc_urn, const char *plan_urn,
		      const char *performer, const char *note_text)
{
	json_t *r = observation(x, status, coded(x, NL_SCALE, sc->scale,
						 xm_scale_label(sc->scale), NULL), date);
	char urn[46];

	put(x, r, "basedOn", chk(x, json_pack("[o]", ref(x, plan_urn))));
	if (proc_urn)
		put(x, r, "partOf", chk(x, json_pack("[o]", ref(x, proc_urn))));
	if (performer)
		put(x, r, "performer", chk(x, json_pack("[o]", display_ref(x, performer))));
	score_value(x, r, sc);
	if (note_text)
		put(x, r, "note", chk(x, json_pack("[{s:s}]", "text", note_text)));
	new_urn(urn);
	add_entry(x, urn, r);
}

/* Depth, passes and pain of a session: Observations partOf the Procedure. */
static void session_obs(struct fx *x, const struct nl_session_view *v,
			const char *proc_urn)
{
	const struct nl_session *e = &v->effective;
	const char *st = obs_status(v);
	char urn[46];

	for (size_t i = 0; i < e->nareas; i++) {
		const struct nl_treatment *t = &e->areas[i];
		json_t *r = observation(x, st, coded(x, NL_OBS, "needle-depth",
						     "Needle depth", NULL), e->date);

		put(x, r, "partOf", chk(x, json_pack("[o]", ref(x, proc_urn))));
		put(x, r, "valueQuantity",
		    chk(x, json_pack("{s:f,s:s,s:s,s:s}", "value", t->depth_mm, "unit",
				     "mm", "system", UCUM, "code", "mm")));
		put(x, r, "bodySite", body_site(x, t->area, t->label));
		new_urn(urn);
		add_entry(x, urn, r);
		if (t->passes <= 0)
			continue;
		r = observation(x, st, coded(x, NL_OBS, "needle-passes",
					     "Needle passes", NULL), e->date);
		put(x, r, "partOf", chk(x, json_pack("[o]", ref(x, proc_urn))));
		put(x, r, "valueInteger", json_integer(t->passes));
		put(x, r, "bodySite", body_site(x, t->area, t->label));
		new_urn(urn);
		add_entry(x, urn, r);
	}
	if (e->pain >= 0) {
		json_t *r = observation(x, st, coded(x, NL_OBS, "pain",
						     "Pain during the session (0-10)",
						     NULL), e->date);

		put(x, r, "partOf", chk(x, json_pack("[o]", ref(x, proc_urn))));
		put(x, r, "valueInteger", json_integer(e->pain));
		new_urn(urn);
		add_entry(x, urn, r);
	}
}

static void procedure_notes(struct fx *x, json_t *r,
			    const struct nl_session_view *v)
{
	const struct nl_session *e = &v->effective;
	json_t *notes = chk(x, json_array());
	char status[1024];

	if (e->reaction)
		note(x, notes, "Immediate reaction: %s%s", e->reaction, NULL);
	if (e->endpoint)
		note(x, notes, "Endpoint: %s%s", xm_endpoint_label(e->endpoint), NULL);
	if (e->cartridge)
		note(x, notes, "Cartridge: %s%s", e->cartridge, NULL);
	if (e->anesthetic) {
		char mins[32] = "";

		if (e->anesthetic_minutes >= 0)
			snprintf(mins, sizeof(mins), " (%d min)", e->anesthetic_minutes);
		note(x, notes, "Anaesthetic: %s%s", e->anesthetic, mins);
	}
	if (e->aftercare)
		note(x, notes, "Aftercare: %s%s", e->aftercare, NULL);
	for (size_t i = 0; i < e->nwarnings; i++)
		note(x, notes, "Safety warning: %s%s", e->warnings[i].message, NULL);
	if (e->notes)
		note(x, notes, "%s%s", e->notes, NULL);
	note(x, notes, "Record status: %s%s", xm_session_status(v, status, sizeof(status)),
	     NULL);
	if (e->hash)
		note(x, notes, "Signature hash (BLAKE2b-256): %s%s", e->hash, NULL);
	put_arr(x, r, "note", notes);
}

static void procedure(struct fx *x, const struct nl_session_view *v,
		      const char *plan_urn, char urn[46])
{
	const struct nl_session *e = &v->effective;
	json_t *r = chk(x, json_pack("{s:s}", "resourceType", "Procedure"));
	json_t *sites = chk(x, json_array()), *used = chk(x, json_array());

	put(x, r, "identifier", identifier(x, "urn:needlelog:session", e->id));
	put(x, r, "basedOn", chk(x, json_pack("[o]", ref(x, plan_urn))));
	put(x, r, "status", json_string(e->voided ? "entered-in-error" : "completed"));
	put(x, r, "code", microneedling(x));
	put(x, r, "subject", ref(x, x->patient));
	put(x, r, "performedDateTime", json_string(e->date));
	if (e->practitioner)
		put(x, r, "performer",
		    chk(x, json_pack("[{s:o}]", "actor", display_ref(x, e->practitioner))));
	for (size_t i = 0; i < e->nareas; i++)
		push(x, sites, body_site(x, e->areas[i].area, e->areas[i].label));
	put_arr(x, r, "bodySite", sites);
	procedure_notes(x, r, v);
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
	new_urn(urn);
	add_entry(x, urn, r);
}

static void series(struct fx *x, const struct xm_series *xs, char (*conds)[46],
		   const char **cond_codes, size_t *nconds)
{
	const struct nl_series *sr = &xs->series;
	char (*procs)[46] = calloc(xs->nsessions + 1, sizeof(*procs));
	const char *cond = NULL;
	char plan[46];

	if (!procs) {
		x->oom = true;
		return;
	}
	for (size_t i = 0; i < *nconds && !cond; i++)
		if (strcmp(cond_codes[i], sr->indication) == 0)
			cond = conds[i];
	if (!cond) {
		condition(x, sr->indication, conds[*nconds]);
		cond_codes[*nconds] = sr->indication;
		cond = conds[(*nconds)++];
	}
	/* The plan's urn comes first so procedures can be basedOn it; the
	 * plan lists them as outcomes, so it is written after them. */
	new_urn(plan);
	for (size_t i = 0; i < xs->nsessions; i++) {
		const struct nl_session_view *v = &xs->sessions[i];

		procedure(x, v, plan, procs[i]);
		if (v->effective.voided)
			continue;
		session_obs(x, v, procs[i]);
		for (size_t k = 0; k < v->effective.nscores; k++)
			score_obs(x, &v->effective.scores[k], obs_status(v),
				  v->effective.date, procs[i], plan,
				  v->effective.practitioner, NULL);
	}
	for (size_t k = 0; k < sr->nbaseline; k++)
		score_obs(x, &sr->baseline[k], "final", sr->start_date, NULL, plan,
			  NULL, "Baseline score for the series");
	careplan(x, xs, cond, procs, xs->nsessions, plan);
	free(procs);
}

int xw_fhir(const struct xm *m, FILE *out, struct nl_err *err)
{
	struct fx x = { 0 };
	char (*conds)[46] = calloc(m->nseries + 1, sizeof(*conds));
	const char **cond_codes = calloc(m->nseries + 1, sizeof(*cond_codes));
	size_t nconds = 0;
	json_t *bundle;
	char id[46];
	int rc = NL_OK;

	x.entries = json_array();
	if (!conds || !cond_codes || !x.entries)
		x.oom = true;
	if (!x.oom) {
		patient(&x, &m->patient);
		for (size_t i = 0; i < m->patient.nflags; i++)
			flag(&x, &m->patient.flags[i], m->today);
		for (size_t i = 0; i < m->nseries; i++)
			series(&x, &m->series[i], conds, cond_codes, &nconds);
	}
	new_urn(id);
	bundle = json_pack("{s:s,s:{s:s,s:s},s:s,s:s,s:o}", "resourceType", "Bundle",
			   "identifier", "system", "urn:ietf:rfc:3986", "value", id,
			   "type", "collection", "timestamp", m->generated_at,
			   "entry", x.entries);
	if (!bundle || x.oom)
		rc = nl_error(err, NL_ENOMEM, "out of memory building the FHIR bundle");
	else if (json_dumpf(bundle, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			    JSON_REAL_PRECISION(10)) != 0 || fputc('\n', out) == EOF)
		rc = nl_error(err, NL_EIO, "writing the FHIR bundle failed");
	json_decref(bundle);
	free(conds);
	free(cond_codes);
	return rc;
}
