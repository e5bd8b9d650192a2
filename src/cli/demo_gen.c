/* A fictional practice of any size, through the record API (demo_gen.h).
 * Tables say what a practice looks like; the code only walks the calendar. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_gen.h"
#include "needlelog/check.h"
#include "needlelog/vocab.h"

/* Fictional people; any likeness is chance. */
static const char *const first_names[] = {
	"Zoë", "José", "Łukasz", "Chloé", "Søren", "Ana", "Björn", "Małgorzata", "Dragoș",
	"Inés", "François", "Aoife", "Mehmet", "Ayşe", "Jürgen", "Noémie", "Tomás", "Elif",
	"Marta", "Raphaël", "Priya", "Daniel", "Hannah", "Lucía", "Olusegun", "Mariana",
	"Kristóf", "Émilie", "Andrés", "Sophie", "Mateus", "Grace", "Oliver", "Nadia",
	"Wiktoria", "Renée", "Thabo", "Amélie", "Kenji", "Freya", "Yusuf", "Ingrid",
	"Fatima", "Liam", "Sakura", "Niamh", "Pablo", "Ewa", "Omar", "Clara",
};
static const char *const last_names[] = {
	"Müller", "Núñez", "Wójcik", "Lefèvre", "Østergaard", "Conceição", "Åkesson",
	"Kowalska", "Popescu", "García Peña", "Dubois", "Ní Bhriain", "Yılmaz", "Demir",
	"Schäfer", "Girard", "Ó Briain", "Şahin", "Nowak", "Martin", "Raman", "Okafor",
	"Becker", "Fernández", "Adeyemi", "Gonçalves", "Szabó", "Roux", "Muñoz", "Laurent",
	"Araújo", "Mensah", "Bennett", "Haddad", "Zając", "Bouchard", "Nkosi", "Fontaine",
	"Watanabe", "Lindqvist", "Kaya", "Hansen", "Rossi", "Murphy", "Tanaka", "Silva",
	"Novak", "Horvat", "Costa", "Jensen",
};
static const char *const practitioners[] = {
	"Dr Ana Ruiz", "Sam Okafor RN", "Claire Dubois", "Dr Tomasz Lis",
};
/* Fitzpatrick types, as often as a mixed city practice sees them. */
static const int skin_types[] = { 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 6 };

/* Contraindication flags: per mille of patients, and the note. */
static const struct {
	const char *code;
	int per_mille;
	const char *note;
} flag_table[] = {
	{ "hsv-history", 80, "valaciclovir prophylaxis before facial sessions" },
	{ "anticoagulant", 25, "apixaban; discussed bruising" },
	{ "keloid", 10, "keloid on the left shoulder" },
	{ "diabetes", 30, "type 2, diet controlled" },
};

struct scale_plan {
	const char *code;
	double base, step;   /* baseline, change per session (towards better) */
};

/* One kind of treatment series. */
struct plan {
	const char *indication;
	const char *areas[3];
	double depth[3];
	int planned_lo, planned_hi, interval;
	const char *device, *cartridge, *products[2], *anesthetic, *endpoint, *goal;
	struct scale_plan scales[2];
};

static const struct plan plans[] = {
	{ "acne-scars", { "cheek-l", "cheek-r", "forehead" }, { 1.5, 1.5, 0.5 }, 4, 8, 28,
	  "pen", "36-pin", { "hyaluronic acid" }, "lidocaine 23% / tetracaine 7%",
	  "pinpoint-bleeding", "Soften rolling and boxcar scars on both cheeks",
	  { { "goodman-baron-quant", 28, -2.0 }, { "gais", 4, -0.4 } } },
	{ "stretch-marks", { "abdomen", "hips" }, { 2.0, 1.5 }, 5, 8, 35,
	  "pen", "36-pin", { "hyaluronic acid", "growth factors" }, "EMLA 5%",
	  "pinpoint-bleeding", "Fade post-partum striae on the abdomen",
	  { { "gais", 4, -0.35 }, { "satisfaction", 4, 0.7 } } },
	{ "hair-loss", { "scalp-vertex", "scalp-frontal", "scalp-mid" }, { 1.5, 1.5, 1.5 }, 8,
	  14, 28, "roller", "192-needle roller", { "minoxidil" }, NULL, "erythema-uniform",
	  "Denser crown and mid-scalp", { { "hair-density", 120, 4.5 }, { "satisfaction", 4, 0.4 } } },
	{ "fine-lines", { "forehead", "periorbital-l", "periorbital-r" }, { 0.5, 0.25, 0.25 }, 3,
	  5, 28, "pen", "nano", { "peptide serum" }, "lidocaine 4% cream", "erythema-mild",
	  "Soften crow's feet and forehead lines", { { "gais", 4, -0.5 }, { "satisfaction", 5, 0.8 } } },
	{ "hyperpigmentation", { "cheek-l", "cheek-r", "forehead" }, { 0.5, 0.5, 0.25 }, 4, 6, 28,
	  "pen", "nano", { "growth factors", "exosomes" }, NULL, "erythema-mild",
	  "Lighter melasma on the malar cheeks", { { "mmasi", 14, -1.4 }, { "gais", 4, -0.4 } } },
	{ "surgical-scars", { "scar" }, { 2.0 }, 3, 6, 42, "pen", "16-pin", { "saline" },
	  "lidocaine 23% / tetracaine 7%", "pinpoint-bleeding", "Flatter, paler caesarean scar",
	  { { "vss", 8, -0.7 }, { "satisfaction", 5, 0.6 } } },
	{ "laxity", { "neck", "jawline" }, { 0.75, 1.0 }, 3, 5, 28, "RF microneedling", "36-pin",
	  { "hyaluronic acid" }, "lidocaine 23% / tetracaine 7%", "erythema-uniform",
	  "Firmer jawline and neck", { { "gais", 4, -0.4 }, { 0 } } },
	{ "enlarged-pores", { "nose", "cheek-l", "cheek-r" }, { 0.5, 0.75, 0.75 }, 3, 5, 28,
	  "pen", "12-pin", { "hyaluronic acid" }, "EMLA 5%", "erythema-mild",
	  "Smaller pores on the nose and inner cheeks",
	  { { "satisfaction", 5, 0.9 }, { "gais", 4, -0.5 } } },
};
#define NPLANS (sizeof(plans) / sizeof(plans[0]))

static const char *const aftercare[] = {
	"No make-up for 24 h, SPF 50 daily, gentle cleanser only",
	"Avoid sun, sauna and exercise for 48 h; bland moisturiser",
};
static const char *const reactions[] = {
	"Expected erythema, settled within the session",
	"Mild pinpoint bleeding, stopped with pressure",
	"Mild oedema over the treated area",
};

/* Percentages that shape the practice. */
enum {
	PCT_NEXT_SERIES = 45,   /* a finished series is followed by another */
	PCT_MARK_COMPLETED = 80,/* a finished series is marked completed */
	PCT_DISCONTINUE = 50,   /* a series left for long is marked discontinued */
	PCT_AMEND = 3,          /* a signed session is amended */
	PCT_DUPLICATE = 1,      /* a session is entered twice, then voided */
	PCT_ARCHIVE = 2,        /* a patient is archived */
	PCT_NO_EMAIL = 30,
	PCT_NO_CONSENT = 2,
	MAX_SERIES = 4,         /* series per patient at most */
};

uint64_t demo_rng_next(struct demo_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

int demo_rng_int(struct demo_rng *r, int lo, int hi)
{
	return lo + (int)(demo_rng_next(r) % (uint64_t)(hi - lo + 1));
}

static bool rng_pct(struct demo_rng *r, int pct)
{
	return demo_rng_int(r, 0, 99) < pct;
}

#define PICK(r, table) ((table)[demo_rng_next(r) % (sizeof(table) / sizeof((table)[0]))])

struct gen {
	struct record *r;
	struct demo_rng rng;
	int32_t today;
	int years;
	struct demo_gen_counts n;
	struct nl_err *err;
};

/* What one series left behind: its last session's day and whether it
 * reached its planned count. */
struct series_end {
	int32_t last;
	bool finished;
};

static double clamp_scale(const char *code, double v)
{
	const struct vocab_scale *sc = vocab_scale_find(code);

	if (!sc)
		return v;
	if (sc->kind == VOCAB_SCALE_ORDINAL || sc->integer)
		v = round(v);
	return v < sc->min ? sc->min : v > sc->max ? sc->max : v;
}

static void add_flags(struct gen *g, struct nl_patient *p, struct nl_flag *flags)
{
	p->flags = flags;
	for (size_t i = 0; i < sizeof(flag_table) / sizeof(flag_table[0]); i++)
		if (demo_rng_int(&g->rng, 0, 999) < flag_table[i].per_mille)
			flags[p->nflags++] = (struct nl_flag){ (char *)flag_table[i].code, NULL, NULL,
							       (char *)flag_table[i].note };
}

static int add_patient(struct gen *g, int32_t first_visit, int64_t *id)
{
	struct nl_patient p = { 0 };
	struct nl_flag flags[sizeof(flag_table) / sizeof(flag_table[0])];
	const char *first = PICK(&g->rng, first_names), *last = PICK(&g->rng, last_names);
	char name[128], dob[11], consent[11], phone[32], email[128];
	int rc;

	snprintf(name, sizeof(name), "%s %s", first, last);
	p.name = name;
	check_date_format(first_visit - 365 * demo_rng_int(&g->rng, 18, 70) - demo_rng_int(&g->rng, 0, 364),
			  dob);
	p.dob = dob;
	snprintf(phone, sizeof(phone), "+44 7700 %06d", demo_rng_int(&g->rng, 0, 999999));
	p.phone = phone;
	if (!rng_pct(&g->rng, PCT_NO_EMAIL)) {
		snprintf(email, sizeof(email), "patient%zu@example.com", g->n.patients + 1);
		p.email = email;
	}
	p.skin_type = PICK(&g->rng, skin_types);
	if (!rng_pct(&g->rng, PCT_NO_CONSENT)) {
		check_date_format(first_visit - demo_rng_int(&g->rng, 0, 14), consent);
		p.consent_date = consent;
	}
	add_flags(g, &p, flags);
	rc = record_patient_add(g->r, &p, id, g->err);
	g->n.patients += rc == NL_OK;
	return rc;
}

static void fill_session(struct gen *g, const struct plan *pl, int k, struct nl_session *ses,
			 struct nl_treatment *areas, struct nl_score *scores, char *device,
			 size_t device_size)
{
	size_t np = 0;

	/* Every tip is single use, with its own lot number. */
	snprintf(device, device_size, "%s, tip lot %c%04d", pl->device, 'A' + demo_rng_int(&g->rng, 0, 5),
		 demo_rng_int(&g->rng, 1000, 9999));
	ses->device = device;
	ses->cartridge = (char *)pl->cartridge;
	while (np < 2 && pl->products[np])
		np++;
	ses->products = (char **)pl->products;
	ses->nproducts = np;
	ses->anesthetic = (char *)pl->anesthetic;
	ses->anesthetic_minutes = pl->anesthetic ? 30 + 5 * demo_rng_int(&g->rng, 0, 3) : -1;
	ses->endpoint = (char *)pl->endpoint;
	ses->pain = demo_rng_int(&g->rng, 1, 5);
	ses->reaction = (char *)PICK(&g->rng, reactions);
	ses->aftercare = (char *)aftercare[k % 2];
	for (size_t a = 0; a < 3 && pl->areas[a]; a++) {
		areas[a] = (struct nl_treatment){ (char *)pl->areas[a], NULL, pl->depth[a], 3 };
		if (strcmp(pl->areas[a], "scar") == 0)
			areas[a].label = (char *)"caesarean";
		ses->nareas++;
	}
	ses->areas = areas;
	for (size_t i = 0; i < 2 && pl->scales[i].code; i++) {
		const struct scale_plan *sp = &pl->scales[i];
		double noise = demo_rng_int(&g->rng, -10, 10) / 10.0 * fabs(sp->step) * 0.6;

		scores[ses->nscores].scale = (char *)sp->code;
		scores[ses->nscores++].value = clamp_scale(sp->code, sp->base + sp->step * (k + 1) + noise);
	}
	ses->scores = scores;
	ses->notes = k == 0 ? (char *)"Baseline photographs taken; test patch tolerated" : NULL;
}

static int add_session(struct gen *g, const struct plan *pl, int64_t series_id, int32_t day,
		       int k, const char *who, bool sign, int64_t *id)
{
	struct nl_session ses;
	struct nl_treatment areas[3];
	struct nl_score scores[2];
	char date[11], device[64];
	int rc;

	record_session_init(&ses);
	ses.series_id = series_id;
	check_date_format(day, date);
	ses.date = date;
	ses.practitioner = (char *)who;
	fill_session(g, pl, k, &ses, areas, scores, device, sizeof(device));
	rc = record_session_add(g->r, &ses, sign, NULL, NULL, id, g->err);
	g->n.sessions += rc == NL_OK;
	g->n.signed_sessions += rc == NL_OK && sign;
	return rc;
}

/* A late entry after signing, as in practice: the original stays. */
static int amend(struct gen *g, int64_t id, const char *who)
{
	struct nl_session_view v = { 0 };
	struct nl_session ses = { 0 };
	int rc = record_session_get(g->r, id, &v, g->err);

	if (rc == NL_OK)
		rc = record_session_copy(&ses, &v.effective, g->err);
	if (rc == NL_OK) {
		free(ses.notes);
		if (!(ses.notes = strdup("Phoned on day 2: mild redness only, no crusting")))
			rc = nl_error(g->err, NL_ENOMEM, "out of memory");
	}
	if (rc == NL_OK)
		rc = record_session_amend(g->r, id, &ses, "Late entry: aftercare call on day 2",
					  who, NULL, NULL, NULL, g->err);
	g->n.amended += rc == NL_OK;
	record_session_free(&ses);
	record_session_view_free(&v);
	return rc;
}

/* The same session typed in twice, the copy voided. */
static int duplicate(struct gen *g, const struct plan *pl, int64_t series_id, int32_t day,
		     int k, const char *who)
{
	int64_t dup;
	int rc = add_session(g, pl, series_id, day, k, who, false, &dup);

	if (rc == NL_OK)
		rc = record_session_void(g->r, dup, "Entered twice: duplicate of the session "
					 "logged the same day", who, g->err);
	g->n.voided += rc == NL_OK;
	return rc;
}

static int set_status(struct gen *g, int64_t id, const char *status)
{
	struct nl_series cur = { 0 };
	int rc = record_series_get(g->r, id, &cur, g->err);

	if (rc == NL_OK) {
		free(cur.status);
		if (!(cur.status = strdup(status)))
			rc = nl_error(g->err, NL_ENOMEM, "out of memory");
	}
	if (rc == NL_OK)
		rc = record_series_edit(g->r, &cur, g->err);
	record_series_free(&cur);
	return rc;
}

/* Where a series ends up: completed, discontinued after a long silence,
 * or left as it is. */
static int close_series(struct gen *g, int64_t id, const struct plan *pl,
			const struct series_end *end)
{
	if (end->finished && rng_pct(&g->rng, PCT_MARK_COMPLETED))
		return set_status(g, id, "completed");
	if (!end->finished && g->today - end->last > 2 * pl->interval + 180 &&
	    rng_pct(&g->rng, PCT_DISCONTINUE))
		return set_status(g, id, "discontinued");
	return NL_OK;
}

static int add_series_row(struct gen *g, int64_t patient_id, const struct plan *pl,
			  int planned, int32_t start, int64_t *id)
{
	struct nl_series sr = { .patient_id = patient_id };
	struct nl_score base[2];
	char start_date[11];
	int rc;

	check_date_format(start, start_date);
	sr.indication = (char *)pl->indication;
	sr.areas = (char **)pl->areas;
	while (sr.nareas < 3 && pl->areas[sr.nareas])
		sr.nareas++;
	sr.planned = planned;
	sr.interval_days = pl->interval;
	sr.start_date = start_date;
	sr.goal = (char *)pl->goal;
	for (size_t i = 0; i < 2 && pl->scales[i].code; i++)
		base[sr.nbaseline++] = (struct nl_score){ (char *)pl->scales[i].code,
			clamp_scale(pl->scales[i].code, pl->scales[i].base) };
	sr.baseline = base;
	rc = record_series_add(g->r, &sr, id, g->err);
	g->n.series += rc == NL_OK;
	return rc;
}

/* A series from start: sessions at its interval (a few days either way)
 * up to today. The newest session of some patients is not signed yet. */
static int add_series(struct gen *g, int64_t patient_id, const struct plan *pl, int32_t start,
		      const char *who, bool leave_unsigned, struct series_end *end)
{
	int planned = demo_rng_int(&g->rng, pl->planned_lo, pl->planned_hi);
	int32_t day = start;
	int64_t id, ses_id;
	int k, rc = add_series_row(g, patient_id, pl, planned, start, &id);

	end->last = start;
	for (k = 0; rc == NL_OK && k < planned && day <= g->today; k++) {
		int32_t next = day + pl->interval + demo_rng_int(&g->rng, -2, 4);
		bool sign = !(leave_unsigned && (k == planned - 1 || next > g->today));

		rc = add_session(g, pl, id, day, k, who, sign, &ses_id);
		if (rc == NL_OK && sign && rng_pct(&g->rng, PCT_AMEND))
			rc = amend(g, ses_id, who);
		if (rc == NL_OK && rng_pct(&g->rng, PCT_DUPLICATE))
			rc = duplicate(g, pl, id, day, k, who);
		end->last = day;
		day = next;
	}
	end->finished = k == planned;
	return rc == NL_OK ? close_series(g, id, pl, end) : rc;
}

/* One patient: a first visit somewhere in the practice's years, then
 * series one after another, some months apart. */
static int add_one(struct gen *g)
{
	int32_t start = g->today - demo_rng_int(&g->rng, 0, 365 * g->years - 1);
	const char *who = PICK(&g->rng, practitioners);
	bool leave_unsigned = demo_rng_int(&g->rng, 0, 3) == 0;
	struct series_end end;
	int64_t pid;
	int rc = add_patient(g, start, &pid);

	for (int s = 0; rc == NL_OK && s < MAX_SERIES && start <= g->today; s++) {
		rc = add_series(g, pid, &plans[demo_rng_next(&g->rng) % NPLANS], start, who,
				leave_unsigned, &end);
		if (!rng_pct(&g->rng, PCT_NEXT_SERIES))
			break;
		start = end.last + demo_rng_int(&g->rng, 60, 540);
	}
	if (rc == NL_OK && rng_pct(&g->rng, PCT_ARCHIVE)) {
		rc = record_patient_archive(g->r, pid, true, g->err);
		g->n.archived += rc == NL_OK;
	}
	return rc;
}

static int check_opts(const struct demo_gen_opts *o, struct nl_err *err)
{
	if (o->patients < 1 || o->patients > DEMO_GEN_MAX_PATIENTS)
		return nl_error(err, NL_EUSAGE, "patients: %zu; use 1 to %d", o->patients,
				DEMO_GEN_MAX_PATIENTS);
	if (o->years < 1 || o->years > DEMO_GEN_MAX_YEARS)
		return nl_error(err, NL_EUSAGE, "years: %d; use 1 to %d", o->years,
				DEMO_GEN_MAX_YEARS);
	return NL_OK;
}

int demo_generate(struct record *r, const struct demo_gen_opts *o, struct nl_err *err)
{
	struct gen g = { .r = r, .years = o->years, .err = err };
	const char *today = o->today && *o->today ? o->today : record_today(r);
	int rc = check_opts(o, err);

	if (rc == NL_OK)
		rc = check_date_parse("today", today, &g.today, err);
	if (rc != NL_OK)
		return rc;
	/* never 0: xorshift would stay at 0 */
	g.rng.s = 0x9E3779B97F4A7C15ULL ^ o->seed * 0xBF58476D1CE4E5B9ULL;
	if (!g.rng.s)
		g.rng.s = 1;
	if ((rc = record_begin(r, err)) != NL_OK)
		return rc;
	for (size_t i = 0; i < o->patients && rc == NL_OK; i++)
		rc = add_one(&g);
	if (rc == NL_OK)
		rc = record_commit(r, err);
	else
		record_rollback(r);
	if (rc == NL_OK && o->counts)
		*o->counts = g.n;
	return rc;
}
