/* Clinical depth (issue 11): structured allergies and medications with the
 * ingredient table that reads them, consent records and the one in-force
 * rule for them, series plans in phases, traceable lots, the lot trace of a
 * batch advisory, the defaults a new session takes from the previous one,
 * and unsigned sessions chased for signing.
 *
 * record.h's conventions hold: structs passed in are borrowed, structs
 * filled out own their strings and arrays (free them with the matching
 * _free), bad input is NL_EDATA naming the field and what is allowed with
 * nothing written, and every write is audited in its own transaction. */
#ifndef NEEDLELOG_CLINICAL_H
#define NEEDLELOG_CLINICAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "needlelog/err.h"
#include "needlelog/record.h"

/* ---- vocabularies (tables, as vocab.h) ----------------------------------- */

struct clin_code {
	const char *code;
	const char *label;
};

/* Allergens (nl_allergy.code): lidocaine, prilocaine, tetracaine,
 * benzocaine, latex, nickel, chlorhexidine, alcohol, propylene-glycol,
 * hyaluronic-acid, other. */
extern const struct clin_code clin_allergens[];
extern const size_t clin_allergen_count;
/* Severities: mild, moderate, severe (severe / anaphylaxis). */
extern const struct clin_code clin_severities[];
extern const size_t clin_severity_count;
/* Medication kinds (nl_medication.code): anticoagulant, antiplatelet,
 * isotretinoin, immunosuppressant, minoxidil, finasteride,
 * retinoid-topical, other. */
extern const struct clin_code clin_medications[];
extern const size_t clin_medication_count;
/* Consent kinds: treatment, photography-clinical, photography-publication. */
extern const struct clin_code clin_consent_kinds[];
extern const size_t clin_consent_kind_count;
/* Sex (nl_patient.sex): female, male, other, unknown. */
extern const struct clin_code clin_sexes[];
extern const size_t clin_sex_count;

#define CLIN_CONSENT_TREATMENT "treatment"
#define CLIN_CONSENT_PHOTO "photography-clinical"
#define CLIN_CONSENT_PUBLICATION "photography-publication"

/* A word that, found in a product's, anaesthetic's or old allergy text
 * (case ignored, at the start of a word), names allergens: a brand gives
 * its ingredients (EMLA = lidocaine + prilocaine, LMX4 = lidocaine, BLT =
 * benzocaine + lidocaine + tetracaine, Pliaglis = lidocaine + tetracaine),
 * an allergen's own name gives itself. */
#define CLIN_INGREDIENTS_MAX 3
struct clin_ingredient {
	const char *word;
	const char *allergens[CLIN_INGREDIENTS_MAX];  /* NULL-padded */
};
extern const struct clin_ingredient clin_ingredients[];
extern const size_t clin_ingredient_count;
/* Words that name a medication kind in free text ("warfarin" ->
 * anticoagulant), for the old medications text. */
extern const struct clin_code clin_medication_words[];  /* code = word, label = kind */
extern const size_t clin_medication_word_count;

const struct clin_code *clin_find(const struct clin_code *table, size_t n,
				  const char *code);
/* Whether text names allergen (by the ingredient table); case ignored. */
bool clin_text_names_allergen(const char *text, const char *allergen);

/* ---- allergies and medications (members of nl_patient) ------------------- */

struct nl_allergy {
	char *code;       /* clin_allergens */
	char *reaction;   /* optional: "hives" */
	char *severity;   /* optional: clin_severities */
	char *date;       /* optional: when noted (not after today) */
	char *end_date;   /* optional: no longer applies after this day */
	char *note;       /* optional free text (a migrated text is kept here) */
};

struct nl_medication {
	char *code;       /* clin_medications */
	char *name;       /* optional: the name as written ("Warfarin 5 mg") */
	char *start;      /* optional date, not after today */
	char *stop;       /* optional date, not after today, not before start */
	char *note;       /* optional free text */
};

/* In force on date: an allergy not past its end date; a medication started
 * on or before date (or with no start) and not stopped before it (the stop
 * day included). Isotretinoin keeps its flag's caution: in force until 6
 * months after its stop date (until gets that day, else ""). */
bool check_allergy_in_force(const struct nl_allergy *a, const char *date);
bool check_medication_in_force(const struct nl_medication *m, const char *date,
			       char until[11]);

/* Appends to p's lists (copies): "CODE[:REACTION[:SEVERITY]]" and
 * "CODE[:NAME[:START[:STOP]]]", as the CLI spells them. */
int clin_allergy_add(struct nl_patient *p, const char *spec, struct nl_err *err);
int clin_medication_add(struct nl_patient *p, const char *spec, struct nl_err *err);
/* Validates the lists and the sex (pure); check_patient calls it. */
int check_patient_clinical(const struct nl_patient *p, struct nl_err *err);

/* ---- consent -------------------------------------------------------------- */

struct nl_consent {
	int64_t id;           /* 0 on add */
	int64_t patient_id;
	char *kind;           /* clin_consent_kinds */
	char *covers;         /* an indication code, or NULL = every indication */
	char *form;           /* optional: the form's name and version */
	char *given;          /* date given: required, not after today, not before birth */
	char *taken_by;       /* who took it; NULL on add = the handle's actor */
	char *withdrawn;      /* out only: the date withdrawn, or NULL */
	char *withdrawn_by;   /* out only */
	char *created_at;     /* out only */
};

/* THE in-force rule for consent, asked by every command, screen and
 * export: kind matches, it covers the indication (NULL covers = all; a
 * NULL indication asks for a consent covering all), it was given on or
 * before date, and date is before the day it was withdrawn (withdrawing
 * stops use from that day). */
bool check_consent_in_force(const struct nl_consent *c, const char *kind,
			    const char *indication, const char *date);

int record_consent_add(struct record *r, const struct nl_consent *in,
		       int64_t *id, struct nl_err *err);
/* A patient's consent records, withdrawn ones too, by date given then id. */
int record_consent_list(struct record *r, int64_t patient_id,
			struct nl_consent **out, size_t *n, struct nl_err *err);
/* Withdraws consent id on date (NULL or "" = today; not after today, not
 * before it was given). Never deletes; audited. NL_EUSAGE when already
 * withdrawn, NL_ENOENT when there is no such consent. */
int record_consent_withdraw(struct record *r, int64_t id, const char *date,
			    const char *who, struct nl_err *err);
/* Whether a consent of kind covering indication (NULL = any consent of the
 * kind covering all) is in force for the patient on date; *consent_id
 * (may be NULL) gets the one found, 0 if none. */
int record_consent_in_force(struct record *r, int64_t patient_id,
			    const char *kind, const char *indication,
			    const char *date, bool *yes, int64_t *consent_id,
			    struct nl_err *err);
/* For the photo feature: clinical (publication false) or publication
 * photography consent in force for the patient on date, for the series'
 * indication when series_id is not 0 (else a consent covering all). */
int record_photo_consent(struct record *r, int64_t patient_id,
			 int64_t series_id, const char *date, bool publication,
			 bool *yes, struct nl_err *err);
void record_consent_free(struct nl_consent *c);
void record_consent_list_free(struct nl_consent *v, size_t n);

/* ---- plans in phases (members of nl_series) ------------------------------- */

struct nl_phase {
	int count;           /* VOCAB_PLANNED_MIN..VOCAB_PLANNED_MAX sessions */
	int interval_days;   /* VOCAB_INTERVAL_MIN..VOCAB_INTERVAL_MAX */
};

/* "COUNTxDAYS" ("12x7") appended to sr's phases. */
int plan_phase_add(struct nl_series *sr, const char *spec, struct nl_err *err);
/* The plan's sessions in all (the sum of the phases, else planned, else
 * the default). */
int plan_total(const struct nl_series *sr);
/* The interval before session number (1-based): that of the phase the
 * session falls in; past the plan, the last phase's. */
int plan_interval_at(const struct nl_series *sr, int number);
/* The plan as people read it, everywhere: "12 weekly, then 6 every 4
 * weeks", "6 every 4 weeks", "1 session". Into buf; returns buf. */
const char *plan_text(const struct nl_series *sr, char *buf, size_t size);

/* ---- traceability ---------------------------------------------------------- */

/* A product's lot and expiry: nl_session.product_lots[i] is products[i]'s. */
struct nl_product_lot {
	char *lot;           /* optional */
	char *expiry;        /* optional date */
};

/* Appends "NAME[:LOT[:EXPIRY]]" to the session's products (and lots). */
int clin_product_add(struct nl_session *ses, const char *spec,
		     struct nl_err *err);

/* What a new session in series_id starts from: the latest live session's
 * practitioner, device and its serial, cartridge product, anaesthetic and
 * minutes, products (names only), endpoint and areas with their depths.
 * Never a lot or an expiry: a cartridge is single use, so they are asked
 * afresh. date is today; scores, notes and reactions start empty. With no
 * session yet: the series' target areas at no depth (0). Free with
 * record_session_free. */
int record_session_defaults(struct record *r, int64_t series_id,
			    struct nl_session *out, struct nl_err *err);

/* One use of a lot (a batch advisory's answer). */
struct nl_trace_row {
	int64_t patient_id;
	char *patient_name;
	char *phone;         /* or NULL */
	int64_t series_id;
	int64_t session_id;
	char date[11];       /* the session's date */
	char *what;          /* "cartridge", "product", or "text" (an old record
			      * naming the lot in free text: check by hand) */
	char *item;          /* the cartridge or product, or the field's name */
	char *lot;           /* as recorded */
	char *expiry;        /* or NULL */
	bool is_signed, voided;
};
/* Every patient, session and date that used lot (case ignored, blanks
 * around it ignored) on a cartridge or a product, as recorded or as
 * amended, plus sessions naming it in their device, cartridge, product or
 * notes text (what = "text"); by date, patient, session. One query. */
int record_trace_lot(struct record *r, const char *lot,
		     struct nl_trace_row **rows, size_t *n, struct nl_err *err);
void record_trace_free(struct nl_trace_row *rows, size_t n);

/* ---- unsigned sessions chased ---------------------------------------------- */

struct nl_unsigned {
	int64_t session_id;
	int64_t series_id;
	int64_t patient_id;
	char *patient_name;
	char *practitioner;  /* or NULL */
	char date[11];
	int days;            /* today - date */
};
/* Live sessions left unsigned more than 24 hours after their date (a whole
 * day has passed since the day of the session: today >= date + 2), oldest
 * first, patients not archived. */
#define CLIN_UNSIGNED_AFTER_DAYS 2
int record_unsigned_list(struct record *r, const char *today,
			 struct nl_unsigned **rows, size_t *n, struct nl_err *err);
void record_unsigned_list_free(struct nl_unsigned *rows, size_t n);

#endif
