/* demo: a new record file (passphrase "demo") filled with a fictional,
 * realistic practice, written through the core like any other record,
 * with dates relative to today so that "overdue" stays true. The same seed
 * gives the same practice. Then the TUI on it, by the tui command's own run
 * function. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "needlelog/access.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "needlelog/vocab.h"
#include "demo_gen.h"
#include "out.h"

#define DEMO_PASSPHRASE "demo"

/* Fictional people; any likeness is chance. */
static const char *const names[] = {
	"Zoë Müller", "José Ñúñez", "Łukasz Wójcik", "Chloé Lefèvre", "Søren Østergaard",
	"Ana Conceição", "Björn Åkesson", "Małgorzata Kowalska", "Dragoș Popescu",
	"Inés García Peña", "François Dubois", "Aoife Ní Bhriain", "Mehmet Yılmaz",
	"Ayşe Demir", "Jürgen Schäfer", "Noémie Girard", "Tomás Ó Briain", "Elif Şahin",
	"Marta Nowak", "Raphaël Martin", "Priya Raman", "Daniel Okafor", "Hannah Becker",
	"Lucía Fernández", "Olusegun Adeyemi", "Mariana Gonçalves", "Kristóf Szabó",
	"Émilie Roux", "Andrés Muñoz", "Sophie Laurent", "Mateus Araújo", "Grace Mensah",
	"Oliver Bennett", "Nadia Haddad", "Wiktoria Zając", "Renée Bouchard",
	"Thabo Nkosi", "Amélie Fontaine", "Kenji Watanabe", "Freya Lindqvist",
};
#define NPATIENTS (sizeof(names) / sizeof(names[0]))
/* Each one's sex: f, m, o(ther), u(nknown). */
static const char patient_sex[NPATIENTS + 1] = "fmmfmfmfmfmfmfmfmffmfmffmumomfmfmfffmfmf";

static const char *const practitioners[] = { "Dr Ana Ruiz", "Sam Okafor RN", "Claire Dubois" };

struct scale_plan {
	const char *code;
	double base, step;  /* baseline, change per session (towards better) */
	int from;           /* first session (1-based) that scores it */
};

struct plan {
	const char *indication;
	const char *areas[4];
	double depth[4];
	int passes;
	int planned, interval, weekly_max; /* weekly_max: weekly sessions first, 0 = none */
	const char *device, *cartridge, *products[3], *anesthetic, *endpoint, *goal;
	struct scale_plan scales[3];
	int sex; /* 0 any, 'm' or 'f' for the hair-loss scales */
};

static const struct plan plans[] = {
	{ "acne-scars", { "cheek-l", "cheek-r", "forehead" }, { 1.5, 1.5, 0.5 }, 3, 6, 28, 0,
	  "pen", "36-pin", { "hyaluronic acid" }, "lidocaine 23% / tetracaine 7%",
	  "pinpoint-bleeding", "Soften rolling and boxcar scars on both cheeks",
	  { { "goodman-baron-quant", 28, -2.5, 2 }, { "goodman-baron-qual", 3, -0.2, 3 },
	    { "gais", 4, -0.4, 2 } }, 0 },
	{ "stretch-marks", { "abdomen", "hips" }, { 2.0, 1.5 }, 4, 6, 35, 0,
	  "pen", "36-pin", { "hyaluronic acid", "growth factors" }, "EMLA 5%",
	  "pinpoint-bleeding", "Fade post-partum striae on the abdomen",
	  { { "gais", 4, -0.35, 2 }, { "satisfaction", 4, 0.7, 1 } }, 0 },
	{ "hair-loss", { "scalp-vertex", "scalp-frontal", "scalp-mid" }, { 1.5, 1.5, 1.5 }, 4,
	  16, 28, 12, "roller", "192-needle roller", { "minoxidil" }, NULL, "erythema-uniform",
	  "Denser crown and mid-scalp (weekly for 12 weeks, then monthly)",
	  { { "hair-density", 118, 5.5, 1 }, { "norwood", 6, -0.12, 1 }, { "global-7pt", 0, 0.25, 2 } },
	  'm' },
	{ "hair-loss", { "scalp-mid", "scalp-frontal", "hairline" }, { 1.5, 1.5, 1.0 }, 3,
	  10, 28, 4, "pen", "12-pin", { "minoxidil", "PRP" }, NULL, "erythema-uniform",
	  "Less widening of the part (weekly x 4, then monthly)",
	  { { "hair-density", 132, 4.5, 1 }, { "ludwig", 1, -0.08, 1 }, { "satisfaction", 5, 0.4, 2 } },
	  'f' },
	{ "fine-lines", { "forehead", "periorbital-l", "periorbital-r", "perioral" },
	  { 0.5, 0.25, 0.25, 0.5 }, 2, 4, 28, 0, "pen", "nano", { "peptide serum" },
	  "lidocaine 4% cream", "erythema-mild", "Soften crow's feet and forehead lines",
	  { { "gais", 4, -0.5, 2 }, { "satisfaction", 5, 0.8, 2 } }, 0 },
	{ "hyperpigmentation", { "cheek-l", "cheek-r", "forehead" }, { 0.5, 0.5, 0.25 }, 2, 5, 28, 0,
	  "pen", "nano", { "growth factors", "exosomes" }, NULL, "erythema-mild",
	  "Lighter melasma on the malar cheeks",
	  { { "mmasi", 14, -1.4, 1 }, { "gais", 4, -0.4, 2 } }, 0 },
	{ "surgical-scars", { "scar" }, { 2.0 }, 3, 5, 42, 0, "pen", "16-pin", { "saline" },
	  "lidocaine 23% / tetracaine 7%", "pinpoint-bleeding", "Flatter, paler caesarean scar",
	  { { "vss", 8, -0.7, 1 }, { "satisfaction", 5, 0.6, 2 } }, 0 },
	{ "laxity", { "neck", "jawline", "decollete" }, { 0.75, 1.0, 0.75 }, 2, 4, 28, 0,
	  "RF microneedling", "36-pin", { "hyaluronic acid" }, "lidocaine 23% / tetracaine 7%",
	  "erythema-uniform", "Firmer jawline and neck",
	  { { "gais", 4, -0.4, 2 } }, 0 },
	{ "enlarged-pores", { "nose", "cheek-l", "cheek-r" }, { 0.5, 0.75, 0.75 }, 2, 4, 28, 0,
	  "pen", "12-pin", { "hyaluronic acid" }, "EMLA 5%", "erythema-mild",
	  "Smaller pores on the nose and inner cheeks",
	  { { "satisfaction", 5, 0.9, 2 }, { "gais", 4, -0.5, 2 } }, 0 },
};
#define NPLANS (sizeof(plans) / sizeof(plans[0]))

/* Each patient's plan (index into plans[]) and Fitzpatrick type. */
static const unsigned char patient_plan[NPATIENTS] = {
	0, 2, 2, 1, 0, 4, 2, 5, 0, 1, 2, 6, 2, 3, 7, 8, 2, 5, 1, 0,
	4, 2, 6, 3, 0, 7, 2, 4, 8, 1, 2, 5, 0, 3, 6, 4, 2, 7, 0, 8,
};
static const unsigned char patient_skin[NPATIENTS] = {
	2, 3, 2, 2, 1, 3, 1, 2, 3, 3, 2, 1, 3, 3, 2, 2, 1, 3, 2, 2,
	4, 6, 2, 3, 6, 3, 2, 2, 3, 2, 4, 5, 2, 4, 2, 2, 6, 2, 3, 1,
};

static const char *const aftercare[] = {
	"No make-up for 24 h, SPF 50 daily, gentle cleanser only",
	"Avoid sun, sauna and exercise for 48 h; bland moisturiser",
	"Restart minoxidil after 24 h; no hair wash for 12 h",
};
static const char *const reactions[] = {
	"Expected erythema, settled within the session",
	"Mild pinpoint bleeding, stopped with pressure",
	"Mild oedema over the treated area",
};


struct demo {
	struct record *s;
	struct demo_rng rng;
	char today[11];
	size_t npatients, nseries, nsessions, nsigned, namended, nvoided;
	size_t nconsents, nwithdrawn, narchived;
	bool expired_made;   /* one cartridge past its expiry, once */
	struct nl_err *err;
};

static int day(const struct demo *d, int offset, char out[11])
{
	return check_date_add_days(d->today, offset, out, d->err);
}

static double clamp_scale(const char *code, double v)
{
	const struct vocab_scale *sc = vocab_scale_find(code);

	if (!sc)
		return v;
	if (sc->kind == VOCAB_SCALE_ORDINAL || sc->integer)
		v = round(v);
	return v < sc->min ? sc->min : v > sc->max ? sc->max : v;
}

static const char *sex_code(char c)
{
	return c == 'f' ? "female" : c == 'm' ? "male" : c == 'o' ? "other" : "unknown";
}

/* Structured allergies and medications (issue 11): a tetracaine allergy
 * that the acne protocol's anaesthetic warns about, a latex allergy that
 * warns about nothing, an anticoagulant, minoxidil and a finasteride
 * course that stopped. Dates go in dates[]. */
static int add_lists(struct demo *d, size_t i, struct nl_patient *p,
		     struct nl_allergy *al, struct nl_medication *med, char dates[][11])
{
	int plan = patient_plan[i], rc = NL_OK;

	p->allergy_list = al;
	p->medication_list = med;
	if (i == 4)
		al[p->nallergy_list++] = (struct nl_allergy){ .code = (char *)"tetracaine",
			.reaction = (char *)"contact dermatitis", .severity = (char *)"moderate" };
	if (i == 14)
		al[p->nallergy_list++] = (struct nl_allergy){ .code = (char *)"latex",
			.reaction = (char *)"hives", .severity = (char *)"mild" };
	if (i == 11 && (rc = day(d, -400, dates[0])) == NL_OK)
		med[p->nmedication_list++] = (struct nl_medication){ .code = (char *)"anticoagulant",
			.name = (char *)"Apixaban 5 mg twice daily", .start = dates[0],
			.note = (char *)"discussed bruising" };
	if (rc == NL_OK && (plan == 2 || plan == 3) && (rc = day(d, -300, dates[1])) == NL_OK)
		med[p->nmedication_list++] = (struct nl_medication){ .code = (char *)"minoxidil",
			.name = (char *)(plan == 2 ? "Minoxidil 5% solution" : "Minoxidil 2% foam"),
			.start = dates[1] };
	if (rc == NL_OK && i == 2 && (rc = day(d, -30, dates[2])) == NL_OK)
		med[p->nmedication_list++] = (struct nl_medication){ .code = (char *)"finasteride",
			.name = (char *)"Finasteride 1 mg", .start = dates[1], .stop = dates[2] };
	return rc;
}

static int add_patient(struct demo *d, size_t i, int64_t *id, char consent[11])
{
	struct nl_patient p = { 0 };
	struct nl_flag flags[2] = { { 0 } };
	struct nl_allergy al[2];
	struct nl_medication med[3];
	char dob[11], phone[32], email[64], flagdate[11], dates[3][11];
	int rc;

	p.name = (char *)names[i];
	if ((rc = day(d, -365 * demo_rng_int(&d->rng, 22, 58) - demo_rng_int(&d->rng, 0, 364), dob)))
		return rc;
	p.dob = dob;
	snprintf(phone, sizeof(phone), "+44 7700 900%03d", (int)(100 + i * 7 % 900));
	p.phone = phone;
	if (i % 3 != 1) {
		snprintf(email, sizeof(email), "patient%02zu@example.com", i + 1);
		p.email = email;
	}
	p.skin_type = patient_skin[i];
	p.sex = (char *)sex_code(patient_sex[i]);
	consent[0] = '\0';
	/* Two have no consent on file: their sessions carry that warning. */
	if (i != 7 && i != 23) {
		if ((rc = day(d, -demo_rng_int(&d->rng, 430, 800), consent)))
			return rc;
		p.consent_date = consent;
	}
	p.flags = flags;
	if (i == 0) {   /* isotretinoin stopped 5 months ago: a warning */
		if ((rc = day(d, -150, flagdate)))
			return rc;
		flags[p.nflags++] = (struct nl_flag){ (char *)"isotretinoin", flagdate, NULL,
						      (char *)"20 mg daily, course finished" };
	}
	if (i % 9 == 2)
		flags[p.nflags++] = (struct nl_flag){ (char *)"hsv-history", NULL, NULL,
						      (char *)"valaciclovir prophylaxis before facial sessions" };
	if ((rc = add_lists(d, i, &p, al, med, dates)))
		return rc;
	if (i % 10 == 6)
		p.allergies = (char *)"Nickel (costume jewellery)";
	if (i % 7 == 3)
		p.medications = (char *)"Combined oral contraceptive";
	p.notes = i % 5 == 0 ? (char *)"Prefers early appointments" : NULL;
	rc = record_patient_add(d->s, &p, id, d->err);
	d->npatients += rc == NL_OK;
	return rc;
}

/* Consent records beside the treatment consent --consent makes: clinical
 * photography for the hair-loss patients and every third one, and
 * publication for two, one of whom withdrew it three weeks ago. */
static int add_consents(struct demo *d, size_t i, int64_t pid, const char *given)
{
	struct nl_consent c = { .patient_id = pid, .given = (char *)given,
				.form = (char *)"Photography consent v2" };
	int plan = patient_plan[i], rc = NL_OK;
	int64_t id = 0;
	char withdrawn[11];

	if (!given[0])
		return NL_OK;
	d->nconsents++;   /* the treatment consent of --consent */
	if (plan == 2 || plan == 3 || i % 3 == 0) {
		c.kind = (char *)CLIN_CONSENT_PHOTO;
		rc = record_consent_add(d->s, &c, NULL, d->err);
		d->nconsents += rc == NL_OK;
	}
	if (rc == NL_OK && (i == 2 || i == 5)) {
		c.kind = (char *)CLIN_CONSENT_PUBLICATION;
		c.form = (char *)"Publication consent v1";
		rc = record_consent_add(d->s, &c, &id, d->err);
		d->nconsents += rc == NL_OK;
	}
	if (rc == NL_OK && i == 5 && (rc = day(d, -21, withdrawn)) == NL_OK) {
		rc = record_consent_withdraw(d->s, id, strcmp(withdrawn, given) < 0 ? given
						   : withdrawn, practitioners[0], d->err);
		d->nwithdrawn += rc == NL_OK;
	}
	return rc;
}

/* The session dates of a series, counted back from the last one. */
static int plan_dates(struct demo *d, const struct plan *pl, int done, int last_ago,
		      int weekly, char dates[][11])
{
	int offset = -last_ago, rc;

	for (int k = done - 1; k >= 0; k--) {
		if ((rc = day(d, offset, dates[k])))
			return rc;
		/* Interval before session k: weekly ones, then the plan's. */
		offset -= k <= weekly - 1 && k > 0 ? 7 + demo_rng_int(&d->rng, 0, 1)
			  : pl->interval + demo_rng_int(&d->rng, -2, 3);
	}
	return NL_OK;
}

/* The lots of a session (issue 11): the device's serial (one a
 * practitioner), the cartridge's lot (one a product and month, so that a
 * trace finds several patients) and expiry, the first product's lot; once
 * in the practice, a cartridge past its expiry. */
struct lots {
	char serial[32], lot[32], expiry[11], plot[32], pexpiry[11];
	struct nl_product_lot products[3];
};

static int add_lots(struct demo *d, const struct plan *pl, const char *date, int k,
		    const char *who, struct nl_session *ses, struct lots *l)
{
	int pins = atoi(pl->cartridge);
	int rc = check_date_add_months(date, 24, l->expiry, d->err);

	snprintf(l->serial, sizeof(l->serial), "SN-%c%c-%04zu", pl->device[0] & ~0x20,
		 who[0], strlen(who) * 379 % 10000);
	if (pins)
		snprintf(l->lot, sizeof(l->lot), "P%d-%.2s%.2s", pins, date + 2, date + 5);
	else
		snprintf(l->lot, sizeof(l->lot), "NANO-%.2s%.2s", date + 2, date + 5);
	if (rc == NL_OK && k == 2 && !d->expired_made) {
		d->expired_made = true;
		rc = check_date_add_days(date, -12, l->expiry, d->err);
	}
	ses->device_serial = l->serial;
	ses->cartridge_lot = l->lot;
	ses->cartridge_expiry = l->expiry;
	memset(l->products, 0, sizeof(l->products));
	if (rc == NL_OK && ses->nproducts && strcmp(ses->products[0], "PRP") != 0) {
		snprintf(l->plot, sizeof(l->plot), "%c%c-%.2s%.2s", ses->products[0][0] & ~0x20,
			 ses->products[0][1] & ~0x20, date + 2, date + 5);
		rc = check_date_add_months(date, 18, l->pexpiry, d->err);
		l->products[0] = (struct nl_product_lot){ l->plot, l->pexpiry };
		ses->product_lots = l->products;
		ses->nproduct_lots = ses->nproducts;
	}
	return rc;
}

static int add_session(struct demo *d, const struct plan *pl, int64_t series_id,
		       const char *date, int k, const char *who, bool sign, int64_t *id)
{
	struct nl_session ses = { .series_id = series_id, .pain = -1, .anesthetic_minutes = -1 };
	struct nl_treatment areas[4] = { { 0 } };
	struct nl_score scores[3];
	struct lots lots;
	size_t np = 0;
	int rc;

	ses.date = (char *)date;
	ses.practitioner = (char *)who;
	ses.device = (char *)pl->device;
	ses.cartridge = (char *)pl->cartridge;
	while (np < 3 && pl->products[np])
		np++;
	ses.products = (char **)pl->products;
	ses.nproducts = np;
	if ((rc = add_lots(d, pl, date, k, who, &ses, &lots)) != NL_OK)
		return rc;
	ses.anesthetic = (char *)pl->anesthetic;
	ses.anesthetic_minutes = pl->anesthetic ? 30 + 5 * demo_rng_int(&d->rng, 0, 3) : -1;
	ses.endpoint = (char *)pl->endpoint;
	ses.pain = demo_rng_int(&d->rng, pl->anesthetic ? 1 : 2, pl->anesthetic ? 4 : 5);
	ses.reaction = (char *)reactions[k % 3];
	ses.aftercare = (char *)aftercare[strcmp(pl->indication, "hair-loss") == 0 ? 2 : k % 2];
	for (size_t a = 0; a < 4 && pl->areas[a]; a++) {
		const struct vocab_area *va = vocab_area_find(pl->areas[a]);
		/* Scars and striae go deeper as the skin tolerates it, within the
		 * usual range; the scalp stays at its 1.5 mm. */
		double depth = pl->depth[a] + (k >= 2 && pl->depth[a] >= 1.5 && va &&
					       va->region != VOCAB_REGION_SCALP ? 0.25 : 0);

		areas[a].area = (char *)pl->areas[a];
		areas[a].label = strcmp(pl->areas[a], "scar") == 0 ? (char *)"caesarean" : NULL;
		areas[a].depth_mm = depth > 2.5 ? 2.5 : depth;
		areas[a].passes = pl->passes;
		ses.nareas++;
	}
	ses.areas = areas;
	for (size_t i = 0; i < 3 && pl->scales[i].code; i++) {
		const struct scale_plan *sp = &pl->scales[i];
		double noise = (demo_rng_int(&d->rng, -10, 10) / 10.0) * fabs(sp->step) * 0.6;

		if (k + 1 < sp->from)
			continue;
		scores[ses.nscores].scale = (char *)sp->code;
		scores[ses.nscores++].value = clamp_scale(sp->code, sp->base + sp->step * (k + 1) + noise);
	}
	ses.scores = scores;
	if (k == 0)
		ses.notes = (char *)"Baseline photographs taken; test patch tolerated";
	rc = record_session_add(d->s, &ses, sign, NULL, NULL, id, d->err);
	d->nsessions += rc == NL_OK;
	d->nsigned += rc == NL_OK && sign;
	return rc;
}

/* A correction after signing, as in practice: the original stays. */
static int amend(struct demo *d, int64_t id, int which, const char *who)
{
	static const char *const reasons[] = {
		"Late entry: aftercare call on day 2, healing as expected",
		"Corrected depth: the pen display read 1.25 mm, not 1.5 mm",
	};
	struct nl_session_view v = { 0 };
	struct nl_session ses = { 0 };
	int rc = record_session_get(d->s, id, &v, d->err);

	if (rc == NL_OK)
		rc = record_session_copy(&ses, &v.effective, d->err);
	if (rc == NL_OK && which == 0) {
		free(ses.notes);
		ses.notes = strdup("Phoned on day 2: mild redness only, no crusting");
	} else if (rc == NL_OK) {
		ses.areas[0].depth_mm = ses.areas[0].depth_mm > 1.3 ? ses.areas[0].depth_mm - 0.25
								     : ses.areas[0].depth_mm + 0.25;
	}
	if (rc == NL_OK)
		rc = record_session_amend(d->s, id, &ses, reasons[which], who, NULL, NULL, NULL,
					  d->err);
	d->namended += rc == NL_OK;
	record_session_free(&ses);
	record_session_view_free(&v);
	return rc;
}

/* One patient's series: state 0 on schedule, 1 overdue, 2 completed. */
/* The shape of one series: how many sessions, weekly ones first, and how
 * long ago the last was. */
struct schedule {
	int weekly, planned, done, last_ago;
	char dates[32][11];
};

static int plan_schedule(struct demo *d, const struct plan *pl, int state,
			 struct schedule *s)
{
	s->weekly = pl->weekly_max ? demo_rng_int(&d->rng, 4, pl->weekly_max) : 0;
	s->planned = pl->weekly_max ? s->weekly + 4 : pl->planned;
	s->done = state == 2 ? s->planned : demo_rng_int(&d->rng, 1, s->planned - 1);
	if (s->weekly && state == 0 && s->done <= s->weekly)
		s->last_ago = demo_rng_int(&d->rng, 0, 5);
	else if (state == 1)
		s->last_ago = (s->done < s->weekly ? 7 : pl->interval) + demo_rng_int(&d->rng, 4, 30);
	else
		s->last_ago = demo_rng_int(&d->rng, state == 2 ? 20 : 3,
				      state == 2 ? 200 : pl->interval - 4);
	return plan_dates(d, pl, s->done, s->last_ago, s->weekly, s->dates);
}

/* Changes a series' status as a practitioner would. */
static int edit_series(struct demo *d, int64_t id, const char *status)
{
	struct nl_series cur = { 0 };
	int rc = record_series_get(d->s, id, &cur, d->err);

	if (rc == NL_OK && status && !(cur.status = (free(cur.status), strdup(status))))
		rc = nl_error(d->err, NL_ENOMEM, "out of memory");
	if (rc == NL_OK)
		rc = record_series_edit(d->s, &cur, d->err);
	record_series_free(&cur);
	return rc;
}

/* One session logged twice on the same day, the copy then voided. */
static int add_voided(struct demo *d, const struct plan *pl, int64_t series_id,
		      const char *date, int k, const char *who)
{
	int64_t dup;
	int rc = add_session(d, pl, series_id, date, k, who, false, &dup);

	if (rc == NL_OK)
		rc = record_session_void(d->s, dup, "Entered twice: duplicate of the "
					 "session logged the same day", who, d->err);
	d->nvoided += rc == NL_OK;
	return rc;
}

static int add_sessions(struct demo *d, size_t pi, int64_t id, const struct plan *pl,
			const struct schedule *s)
{
	const char *who = practitioners[pi % 3];
	int64_t ses_id = 0;
	int rc = NL_OK;

	for (int k = 0; k < s->done && rc == NL_OK; k++) {
		/* The newest session of some patients is not signed yet. */
		bool sign = k < s->done - 1 || pi % 3 != 0;

		rc = add_session(d, pl, id, s->dates[k], k, who, sign, &ses_id);
		if (rc == NL_OK && sign && k == 1 && pi % 6 == 1)
			rc = amend(d, ses_id, (int)(pi / 6) % 2, who);
		if (rc == NL_OK && pi == 9 && k == 1)
			rc = add_voided(d, pl, id, s->dates[k], k, who);
	}
	return rc;
}

/* One patient's series: state 0 on schedule, 1 overdue, 2 completed. */
static int add_series(struct demo *d, size_t pi, int64_t patient_id, const struct plan *pl,
		      int state)
{
	struct nl_series sr = { .patient_id = patient_id };
	struct nl_phase phases[2];
	struct nl_score base[3];
	struct schedule s;
	int64_t id;
	int rc = plan_schedule(d, pl, state, &s);

	if (rc != NL_OK)
		return rc;
	sr.indication = (char *)pl->indication;
	sr.areas = (char **)pl->areas;
	while (sr.nareas < 4 && pl->areas[sr.nareas])
		sr.nareas++;
	/* Weekly, then monthly: a plan in two phases (issue 11). */
	phases[0] = (struct nl_phase){ s.weekly, 7 };
	phases[1] = (struct nl_phase){ s.planned - s.weekly, 28 };
	sr.phases = s.weekly ? phases : NULL;
	sr.nphases = s.weekly ? 2 : 0;
	sr.planned = s.weekly ? 0 : s.planned;
	sr.interval_days = s.weekly ? 0 : pl->interval;
	sr.start_date = s.dates[0];
	sr.goal = (char *)pl->goal;
	for (size_t i = 0; i < 3 && pl->scales[i].code; i++)
		base[sr.nbaseline++] = (struct nl_score){ (char *)pl->scales[i].code,
			clamp_scale(pl->scales[i].code, pl->scales[i].base) };
	sr.baseline = base;
	if ((rc = record_series_add(d->s, &sr, &id, d->err)) != NL_OK)
		return rc;
	d->nseries++;
	rc = add_sessions(d, pi, id, pl, &s);
	if (rc == NL_OK && state == 2)
		rc = edit_series(d, id, "completed");
	return rc;
}

static int fill(struct demo *d)
{
	int rc = NL_OK;

	for (size_t i = 0; i < NPATIENTS && rc == NL_OK; i++) {
		int64_t pid;
		char consent[11];
		/* Every fourth is overdue, every fifth completed, the rest on time. */
		int state = i % 4 == 3 ? 1 : i % 5 == 4 ? 2 : 0;

		rc = add_patient(d, i, &pid, consent);
		if (rc == NL_OK)
			rc = add_consents(d, i, pid, consent);
		if (rc == NL_OK && i % 13 != 12)    /* a few new consults have no series */
			rc = add_series(d, i, pid, &plans[patient_plan[i]], state);
		if (rc == NL_OK && i % 8 == 2)      /* and some have a second, earlier one */
			rc = add_series(d, i + 1, pid, &plans[patient_plan[i] == 4 ? 8 : 4], 2);
		if (rc == NL_OK && i == 20)
			rc = record_patient_archive(d->s, pid, true, d->err);
	}
	return rc;
}

/* A new record file with the demo's passphrase, as `init` makes one
 * (folders 0700, file 0600), into c->rec. */
static int demo_create(struct cli *c, const char *path, struct demo *d)
{
	struct store_pass pass = { 0 };
	int rc = store_global_init(d->err);

	if (rc == NL_OK && access(path, F_OK) == 0)
		rc = nl_error(d->err, NL_EEXIST, "%s already exists; demo never overwrites a "
			      "file: give another --db PATH", path);
	if (rc == NL_OK)
		rc = store_pass_set(&pass, DEMO_PASSPHRASE, strlen(DEMO_PASSPHRASE), d->err);
	/* the demo keeps its known passphrase; its user is whoever runs it */
	if (rc == NL_OK)
		rc = access_user(&pass, c->user, d->err);
	if (rc == NL_OK)
		rc = access_create(path, &pass, &c->rec, d->err);
	store_pass_free(&pass);
	d->s = c->rec;
	if (rc == NL_OK)
		rc = record_set_actor(d->s, practitioners[0], d->err);
	if (rc == NL_OK)
		rc = record_set_today(d->s, d->today, d->err);
	return rc;
}

/* photo.c: generated photographs for the first series, so the timeline
 * shows. */
int cli_demo_photos(struct record *r, struct nl_err *err);

/* One transaction: quick (one sync), and all or nothing. */
static int demo_fill(struct demo *d)
{
	int rc = record_begin(d->s, d->err);

	if (rc != NL_OK)
		return rc;
	rc = fill(d);
	if (rc == NL_OK)
		rc = cli_demo_photos(d->s, d->err);
	if (rc == NL_OK)
		rc = record_commit(d->s, d->err);
	else
		record_rollback(d->s);
	return rc;
}

/* The TUI on the new file, as `needlelog --db PATH tui` would open it. */
static int open_tui(struct cli *c, struct nl_err *err)
{
	int words;
	const struct cli_command *tui = cli_find("tui", NULL, &words);

	fflush(stdout);
	if (!tui)
		return nl_error(err, NL_EINTERNAL, "there is no tui command");
	return tui->run(c, err);
}

/* --patients N [--years Y]: the generated practice of any size
 * (demo_gen.c) instead of the fixed one; 0 patients = not asked for. */
struct demo_size {
	int patients, years;
};

static int demo_size(struct cli *c, struct demo_size *z, struct nl_err *err)
{
	int rc = cli_int(c, "patients", 1, DEMO_GEN_MAX_PATIENTS, &z->patients, err);

	if (rc == NL_OK)
		rc = cli_int(c, "years", 1, DEMO_GEN_MAX_YEARS, &z->years, err);
	if (rc == NL_OK && cli_str(c, "years") && !cli_str(c, "patients"))
		rc = cli_usage(c, err, "--years needs --patients N (the fixed demo covers "
			       "its own years)");
	return rc;
}

static int demo_generated(struct demo *d, const struct demo_size *z, int seed)
{
	struct demo_gen_counts n = { 0 };
	struct demo_gen_opts o = { .patients = (size_t)z->patients, .years = z->years,
				   .seed = (uint64_t)seed, .today = d->today, .counts = &n };
	int rc = demo_generate(d->s, &o, d->err);

	d->npatients = n.patients;
	d->nseries = n.series;
	d->nsessions = n.sessions;
	d->nsigned = n.signed_sessions;
	d->namended = n.amended;
	d->nvoided = n.voided;
	d->narchived = n.archived;
	return rc;
}

static void demo_report(const char *path, const struct demo *d, bool generated)
{
	fputs("Created the demo record file ", stdout);
	out_text(stdout, path);
	printf(": %zu patients, %zu series, %zu sessions (%zu signed, %zu amended, %zu "
	       "voided), ", d->npatients, d->nseries, d->nsessions, d->nsigned, d->namended,
	       d->nvoided);
	if (generated)
		printf("%zu archived patients\n", d->narchived);
	else
		printf("%zu consent records (%zu withdrawn)\n", d->nconsents, d->nwithdrawn);
	printf("passphrase: %s\n", DEMO_PASSPHRASE);
}

static int run_demo(struct cli *c, struct nl_err *err)
{
	struct demo d = { .err = err };
	struct demo_size z = { 0, 10 };
	const char *path = NULL;
	bool made;
	int seed = 1;
	int rc = cli_int(c, "seed", 0, 1000000000, &seed, err);

	if (rc == NL_OK)
		rc = demo_size(c, &z, err);
	if (rc == NL_OK)
		rc = nl_today(cli_str(c, "today"), d.today, err);
	if (rc == NL_OK && !(path = cli_db_path(c, err)))
		rc = err->status;
	if (rc != NL_OK)
		return rc;
	d.rng.s = 0x9E3779B97F4A7C15ULL ^ (uint64_t)seed * 0xBF58476D1CE4E5B9ULL;
	rc = demo_create(c, path, &d);
	if (rc == NL_OK)
		rc = z.patients ? demo_generated(&d, &z, seed) : demo_fill(&d);
	/* Closed before the TUI opens it; removed when incomplete (ours). */
	made = c->rec != NULL;
	record_close(c->rec);
	c->rec = NULL;
	if (rc != NL_OK && made)
		unlink(path);
	if (rc != NL_OK)
		return rc;
	demo_report(path, &d, z.patients != 0);
	return cli_flag(c, "no-tui") ? NL_OK : open_tui(c, err);
}

static const struct cli_opt demo_opts[] = {
	{ "no-tui", NULL, 0, "only create the file" },
	{ "seed", "N", 0, "another practice, the same for the same seed (default 1)" },
	{ "patients", "N", 0, "a generated practice of N patients (1 to 1000000) instead of "
	  "the fixed 40" },
	{ "years", "Y", 0, "with --patients: its years of history (1 to 40, default 10)" },
	CLI_OPT_TODAY("as of DATE"),
	{ 0 },
};

const struct cli_command cli_demo_commands[] = {
	{ NULL, "demo", NULL, 0, 0,
	  "Create a demo record file and open the TUI on it.\n"
	  "A NEW record file (never overwrites one: exit 73) with the passphrase\n"
	  "'demo', filled with a fictional practice: 40 patients, acne scars, stretch\n"
	  "marks, hair loss on a weekly-then-monthly plan in two phases, fine lines\n"
	  "and more; signed, amended and voided sessions, and unsigned ones left for\n"
	  "days; series on time, overdue and completed; sexes, structured allergies\n"
	  "(one that the acne protocol's anaesthetic warns about) and medications;\n"
	  "device serials, cartridge and product lots with expiry dates (one expired);\n"
	  "treatment and photography consents, one withdrawn.\n"
	  "Dates are relative to today. Then it opens the TUI on it (give --db PATH\n"
	  "for where the file goes).\n"
	  "With --patients N, a generated practice of that size instead: patients\n"
	  "arriving over --years Y, series one after another at their intervals,\n"
	  "about 10 sessions each over 10 years, most signed, a few amended, voided\n"
	  "or archived (10,000 patients take about 10 s).", demo_opts, run_demo },
	{ 0 },
};
