/* The clinical record: patients, treatment series, sessions, signatures,
 * amendments and voids, over the encrypted store.
 *
 * Conventions for the whole module:
 * - Every function returns NL_OK or a status from err.h and fills err.
 *   NL_EDATA: a value failed validation (the message names the field, the
 *   value and what is allowed); NL_ENOENT: no such patient/series/session;
 *   NL_EUSAGE: the call is not allowed in this state (e.g. editing a signed
 *   session). Every write is one transaction: on error nothing is written.
 * - Structs passed IN are borrowed (their strings are read, never kept or
 *   freed). Structs filled OUT own their strings and arrays: release them
 *   with the matching _free, which frees the members (not the struct
 *   itself) and zeroes it. Arrays returned with a count are freed by the
 *   matching _list_free.
 * - Optional text is NULL when absent (an empty string is stored as NULL).
 *   Optional numbers use the sentinels documented on each field.
 * - Dates are "YYYY-MM-DD" (real calendar dates); timestamps are UTC
 *   "YYYY-MM-DDTHH:MM:SSZ".
 * - Every create, change, sign, amendment, void and archive writes one
 *   audit row (audit.h) in the same transaction. The audit "who" is the
 *   user whose key opened the file (record_user), with the practitioner
 *   the call names (else record_set_display's) added as a display name;
 *   without a user, that practitioner, else record_set_actor()'s name.
 * - Nothing is ever deleted: patients are archived, sessions voided. */
#ifndef NEEDLELOG_RECORD_H
#define NEEDLELOG_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "needlelog/err.h"
#include "needlelog/store.h"

/* ---- the record handle -------------------------------------------------
 * One open record file and what every call on it shares: the actor named
 * in the audit trail, "today", the practice name and the transaction
 * depth. Nothing of it lives in process globals. */
struct record;

/* Opens an existing record file and brings its schema up to date (the
 * migrations are the core's). A file whose folder or itself cannot be
 * written is opened read-only (store_open_ro): reads work, writes fail
 * with NL_EIO saying "read-only". Errors as store_open, and a failed
 * migration's. */
int record_open(const char *path, const struct store_pass *pass,
		struct record **out, struct nl_err *err);
/* Creates a new record file (NL_EEXIST if path exists) with the schema. */
int record_create(const char *path, const struct store_pass *pass,
		  enum store_kdf kdf, struct record **out, struct nl_err *err);
/* Takes an open store (the handle owns it from now on, also on error) and
 * brings its schema up to date: for tests and tools that open stores
 * themselves. */
int record_adopt(struct store *s, struct record **out, struct nl_err *err);
/* Closes the file and frees the handle; NULL is allowed. */
void record_close(struct record *r);
/* The store under the handle, for whole-file operations (check, backup,
 * passwd). Owned by the handle. The handle's cached statements are
 * finalized first, so the store may close or reopen its connection. */
struct store *record_store(struct record *r);
/* The record file's id (store_file_id) as a UUID "xxxxxxxx-xxxx-4xxx-..."
 * (version and variant bits set), into out: what makes an export's
 * identifiers unique to this file and stable across exports. */
int record_file_id(struct record *r, char out[37], struct nl_err *err);

/* The name recorded as "who" when a call does not name a practitioner
 * (copied; NULL or "" clears). */
int record_set_actor(struct record *r, const char *who, struct nl_err *err);
const char *record_actor(const struct record *r);
/* The user whose key opened the file (record_open, record_create), or
 * NULL (the recovery key; a store adopted by a test). When there is one,
 * every audit row, signature and void names that user: a practitioner's
 * name, from the call or record_set_display, is only added to it, as
 * "USER (as NAME)", never put in its place. */
const char *record_user(const struct record *r);
int record_set_display(struct record *r, const char *name, struct nl_err *err);
/* Fixes "today" ("YYYY-MM-DD", checked; NULL or "" = the machine's local
 * date, read at each call). */
int record_set_today(struct record *r, const char *date, struct nl_err *err);
/* Today as a "YYYY-MM-DD" string owned by the handle, valid until the next
 * call on it. */
const char *record_today(struct record *r);
/* The practice name printed in summaries (copied; NULL or "" = none). */
int record_set_practice(struct record *r, const char *name, struct nl_err *err);
const char *record_practice(const struct record *r);
/* Who the next summaries are for ("Dr Jane Roe, GP, Riverside Surgery"),
 * printed in their header and named in the export's audit row (copied;
 * NULL or "" = not said). */
int record_set_recipient(struct record *r, const char *who, struct nl_err *err);
const char *record_recipient(const struct record *r);

/* A number that changes whenever the record file's data may have changed:
 * a commit by another connection or process (PRAGMA data_version) or a
 * change made through this handle. Cheap (no page is read when nothing
 * changed): a screen keeps what it loaded and reloads only when the
 * number differs from the one it loaded at. Compare for equality only. */
int record_data_version(struct record *r, uint64_t *v, struct nl_err *err);
/* The same for a poll while idle: it never waits for another process's
 * lock (a long write elsewhere would freeze the screen for the busy
 * timeout); NL_EBUSY at once, and the caller asks again at its next poll. */
int record_poll_version(struct record *r, uint64_t *v, struct nl_err *err);
/* Whether the calls that follow wait (up to STORE_BUSY_WAIT_MS) for a file
 * another process holds, as they do by default, or give NL_EBUSY at once
 * (false): for work that can simply try again later, such as a draft kept
 * in a pause of typing, which must not freeze the screen. */
void record_wait_busy(struct record *r, bool wait);

/* ---- grouping writes ---------------------------------------------------
 * Each function below is one transaction of its own. To make several of
 * them all-or-nothing (an import, the demo), open a transaction first:
 * inside it each write is a savepoint that undoes only itself when it
 * fails, and record_commit / record_rollback decide for the whole. */
int record_begin(struct record *r, struct nl_err *err);
/* A read snapshot for several reads that must agree (an export): *own is
 * false when the caller already had a transaction open, and is passed back
 * to record_snapshot_end. */
int record_snapshot_begin(struct record *r, bool *own, struct nl_err *err);
void record_snapshot_end(struct record *r, bool own);
int record_commit(struct record *r, struct nl_err *err);
void record_rollback(struct record *r);

/* ---- shared pieces ---------------------------------------------------- */

/* A safety warning: code is one of CHECK_W_* in check.h ("depth-range"),
 * message is a sentence for people. */
struct nl_allergy;      /* clinical.h */
struct nl_medication;   /* clinical.h */
struct nl_phase;        /* clinical.h */
struct nl_product_lot;  /* clinical.h */

struct nl_warning {
	char *code;
	char *message;
};

/* An outcome score: scale is a vocab_scales code; value as vocab.h says
 * (ordinal scales: the level's index). */
struct nl_score {
	char *scale;
	double value;
};

/* ---- patients ---------------------------------------------------------- */

/* A contraindication flag on a patient. */
struct nl_flag {
	char *code;      /* vocab_flags code */
	char *date;      /* optional: e.g. isotretinoin's last dose */
	char *end_date;  /* optional: when it stopped applying */
	char *note;      /* optional */
};

struct nl_patient {
	int64_t id;            /* 0 on add (ignored) */
	char *name;            /* required, UTF-8, 1..VOCAB_NAME_MAX bytes */
	char *dob;             /* optional date */
	char *phone;           /* optional: digits, spaces and + - ( ) . / */
	char *email;           /* optional: one '@', no spaces */
	int skin_type;         /* Fitzpatrick 1..6 (I..VI), 0 = not recorded */
	struct nl_flag *flags; /* at most one per code */
	size_t nflags;
	/* Legacy (until the faces use the lists and consent records): on add
	 * or edit a text here becomes list items (an allergen or medication it
	 * names, else "other"; the whole text kept as the first item's note),
	 * and a consent date becomes a treatment consent covering every
	 * indication. Read back: allergies and medications NULL, consent_date
	 * the earliest treatment consent not withdrawn. */
	char *allergies;
	char *medications;
	char *consent_date;
	char *notes;           /* optional free text */
	bool archived;         /* read-only here: use record_patient_archive */
	char *archived_at;     /* out only */
	char *created_at;      /* out only */
	char *updated_at;      /* out only */
	/* clinical.h: */
	char *sex;             /* optional: female, male, other, unknown */
	struct nl_allergy *allergy_list;
	size_t nallergy_list;
	struct nl_medication *medication_list;
	size_t nmedication_list;
};

/* One line of the patient list: the patient and their active series. */
struct nl_patient_summary {
	int64_t id;
	char *name;
	char *folded;          /* the name as the search folds it (nl_fold): the
				* list's order, and what a search compares */
	char *dob;             /* or NULL */
	char *phone;           /* or NULL */
	int skin_type;
	bool archived;
	size_t nflags;         /* contraindication flags on file */
	size_t active_series;  /* how many series have status "active" */
	/* The active series due soonest (0 / NULL / "" when none): */
	int64_t series_id;
	char *indication;
	int done, planned;     /* sessions done (not voided) and planned */
	char next_due[11];     /* "YYYY-MM-DD", or "" */
};

/* The checks record_patient_add makes, writing nothing: the hard limits
 * (check_patient) and the dates that cannot be true. For a face that
 * checks many before writing any (the CSV import). */
int record_patient_validate(struct record *r, const struct nl_patient *in,
			    struct nl_err *err);
/* Adds a patient; *id gets the new id. */
int record_patient_add(struct record *r, const struct nl_patient *in,
		       int64_t *id, struct nl_err *err);
/* Reads one patient, archived or not, with its flags. */
int record_patient_get(struct record *r, int64_t id, struct nl_patient *out,
		       struct nl_err *err);
/* Replaces every editable field of patient in->id (flags included) with
 * in's; the audit row lists the changed fields with old and new values.
 * Typical use: get, change some fields, edit. */
int record_patient_edit(struct record *r, const struct nl_patient *in,
			struct nl_err *err);
/* Archives (hides from the default list) or restores a patient. Archived
 * patients keep every record and can still be read. */
int record_patient_archive(struct record *r, int64_t id, bool archived,
			   struct nl_err *err);
/* Patients matching search (NULL or "" = all), ordered by name ignoring
 * case and Latin accents as the search does, whatever the locale ("Émilie"
 * among the e's), then by name as written, then by id. The search
 * matches, case-insensitively over UTF-8 (Latin, Greek, Cyrillic) and
 * ignoring Latin accents ("zoe" finds "Zoë"), a
 * substring of the name, a substring of the dob, the phone's digits, or the
 * id ("12" or "#12"). Archived patients only with include_archived. */
int record_patient_list(struct record *r, const char *search,
			bool include_archived, struct nl_patient_summary **out,
			size_t *n, struct nl_err *err);
void record_patient_free(struct nl_patient *p);
void record_patient_list_free(struct nl_patient_summary *rows, size_t n);

/* record_patient_list's search, prepared once (folded), for a face that
 * filters the rows it holds (the TUI, per keystroke) by the same rule. */
struct nl_patient_search {
	char *folded;          /* NULL: every patient matches */
	char digits[64];       /* the search's digits: the phone's, from 3 on */
	int64_t id;            /* "12" or "#12", else 0 */
};
/* search NULL or "" matches every patient. NL_ENOMEM. */
int record_patient_search_init(struct nl_patient_search *q, const char *search,
			       struct nl_err *err);
/* Whether p matches q (p->folded is the folded name; a row made elsewhere
 * with folded NULL has its name folded here, the costly part). */
bool record_patient_matches(const struct nl_patient_search *q,
			    const struct nl_patient_summary *p);
void record_patient_search_free(struct nl_patient_search *q);

/* ---- series ------------------------------------------------------------ */

struct nl_series {
	int64_t id;            /* 0 on add */
	int64_t patient_id;
	char *indication;      /* vocab_indications code */
	char **areas;          /* target areas, vocab_areas codes */
	size_t nareas;
	/* The one-phase form of the plan. With phases (clinical.h) they are
	 * the total and the first phase's interval. */
	int planned;           /* sessions planned; 0 on add = 6 */
	int interval_days;     /* days between sessions; 0 on add = 28 */
	char *start_date;      /* NULL on add = today (UTC) */
	char *goal;            /* optional */
	char *status;          /* vocab_statuses code; NULL on add = "active" */
	struct nl_score *baseline; /* baseline scores, one per scale */
	size_t nbaseline;
	char *created_at;      /* out only */
	char *updated_at;      /* out only */
	/* The plan in phases, in order (clinical.h). On add and edit: two or
	 * more phases are the plan (planned and interval_days then 0 or equal
	 * to their total and first interval); none or one, the one-phase form
	 * above. Read back: always at least one. */
	struct nl_phase *phases;
	size_t nphases;
};

int record_series_add(struct record *r, const struct nl_series *in,
		      int64_t *id, struct nl_err *err);
int record_series_get(struct record *r, int64_t id, struct nl_series *out,
		      struct nl_err *err);
/* Replaces every editable field of series in->id (not its patient);
 * planned, interval_days 0 and start_date, status NULL keep the stored
 * values. The audit row lists what changed. */
int record_series_edit(struct record *r, const struct nl_series *in,
		       struct nl_err *err);
/* A patient's series, oldest first. */
int record_series_list(struct record *r, int64_t patient_id,
		       struct nl_series **out, size_t *n, struct nl_err *err);
void record_series_free(struct nl_series *sr);
void record_series_list_free(struct nl_series *rows, size_t n);

/* ---- sessions ---------------------------------------------------------- */

/* One treated area in a session, with its own depth and passes. */
struct nl_treatment {
	char *area;            /* vocab_areas code */
	char *label;           /* optional; for "scar": which scar */
	double depth_mm;       /* VOCAB_DEPTH_MIN_MM..VOCAB_DEPTH_MAX_MM */
	int passes;            /* 1..VOCAB_PASSES_MAX, 0 = not recorded */
};

struct nl_session {
	int64_t id;            /* 0 on add */
	int64_t series_id;
	char *date;            /* required */
	char *practitioner;    /* optional (also the audit "who") */
	char *device;          /* optional: make and model (old records: free text) */
	char *cartridge;       /* optional: the cartridge product, "12-pin", "nano" */
	char *anesthetic;      /* optional product */
	int anesthetic_minutes;/* 0..240 applied, -1 = not recorded */
	char **products;       /* products, glides, adjuncts, in order */
	size_t nproducts;
	char *endpoint;        /* optional vocab_endpoints code */
	int pain;              /* 0..10, -1 = not recorded */
	char *reaction;        /* optional: immediate reaction */
	char *adverse;         /* optional: adverse events */
	char *aftercare;       /* optional */
	char *notes;           /* optional */
	struct nl_score *scores;        /* outcome scores, one per scale */
	size_t nscores;
	struct nl_treatment *areas;     /* at least one; (area, label) unique */
	size_t nareas;
	/* Out only: */
	struct nl_warning *warnings;    /* the safety warnings stored with it */
	size_t nwarnings;
	bool is_signed;
	char *signed_at;
	char *signed_by;
	char *hash;            /* hex BLAKE2b-256 of the canonical form */
	bool voided;
	char *void_reason;
	char *voided_at;
	char *voided_by;
	size_t amendment_count;
	char *created_at;
	char *updated_at;
	/* Traceability (clinical.h), amended like every field above: */
	char *device_serial;     /* optional */
	char *cartridge_lot;     /* optional */
	char *cartridge_expiry;  /* optional date */
	struct nl_product_lot *product_lots; /* 0 or nproducts entries */
	size_t nproduct_lots;
};

/* One changed field of an amendment. old_value/new_value are for people
 * ("cheek-l 1.50 mm x3; chin 1.00 mm"); NULL means empty. */
struct nl_change {
	char *field;           /* a RECORD_FIELD_* name, e.g. "notes", "areas" */
	char *old_value;
	char *new_value;
};

struct nl_amendment {
	int64_t id;
	int64_t session_id;
	char *at;              /* UTC timestamp */
	char *practitioner;
	char *reason;
	struct nl_change *changes;
	size_t nchanges;
	struct nl_warning *warnings;  /* checks on the amended session */
	size_t nwarnings;
};

/* A session as read: the original as written (and signed), the effective
 * values (the original with every amendment applied in order), and the
 * amendments, oldest first. Both sessions carry the same id, signature,
 * void state and amendment_count; effective.warnings are the latest
 * amendment's (the original's when there are none). */
struct nl_session_view {
	struct nl_session original;
	struct nl_session effective;
	struct nl_amendment *amendments;
	size_t namendments;
};

/* Zeroes a session and sets the "not recorded" sentinels (pain and
 * anesthetic_minutes -1): start every session built by hand with it. */
void record_session_init(struct nl_session *ses);

/* Field names used in amendments and audit details, in canonical order. */
extern const char *const record_session_fields[];
extern const size_t record_session_field_count;

/* Validates in (hard limits: NL_EDATA, nothing written), computes its
 * safety warnings, writes the session with them and, when sign is true,
 * signs it in the same transaction (signed_by = in->practitioner).
 * warnings (may be NULL) receives the warnings; free with
 * record_warnings_free. */
int record_session_add(struct record *r, const struct nl_session *in,
		       bool sign, struct nl_warning **warnings, size_t *nwarnings,
		       int64_t *id, struct nl_err *err);
/* Reads a session: original, effective and amendments. */
int record_session_get(struct record *r, int64_t id,
		       struct nl_session_view *out, struct nl_err *err);
/* The sessions of a series, by date then id, with their EFFECTIVE values.
 * Voided sessions only with include_voided. */
int record_session_list(struct record *r, int64_t series_id,
			bool include_voided, struct nl_session **out,
			size_t *n, struct nl_err *err);
/* Edits an UNSIGNED, not voided, never amended session in place: every
 * field of in replaces the stored one (the series cannot change); warnings are
 * recomputed and replaced; the audit row lists old and new values.
 * NL_EUSAGE for a signed, voided or amended session: amend it instead. */
int record_session_edit(struct record *r, const struct nl_session *in,
			struct nl_warning **warnings, size_t *nwarnings,
			struct nl_err *err);
/* Amends session id (signed or not, not voided): in holds the complete
 * new effective values (typically the view's effective, changed). Fields
 * that differ from the current effective values are recorded as changes
 * with reason (required), practitioner and the time; the original row is
 * untouched. NL_EDATA when nothing changed or the new values fail
 * validation. *amendment_id (may be NULL) gets the new amendment's id. */
int record_session_amend(struct record *r, int64_t id,
			 const struct nl_session *in, const char *reason,
			 const char *practitioner, struct nl_warning **warnings,
			 size_t *nwarnings, int64_t *amendment_id,
			 struct nl_err *err);
/* Signs and locks a session: stores signed_at (now), signed_by (by, else
 * the session's practitioner; one of them is required) and the hash of its
 * canonical form (the original values, warnings, signer, time, and any
 * amendments made before signing; later amendments are append-only later
 * entries outside the signature). From then on the database refuses to change or delete
 * the session, its areas, products, scores and warnings. NL_EUSAGE if it is
 * already signed or voided. */
int record_session_sign(struct record *r, int64_t id, const char *by,
			struct nl_err *err);
/* Voids a session with a reason (required): it stays readable, leaves
 * progress and cannot be changed again. Allowed for signed sessions. */
int record_session_void(struct record *r, int64_t id, const char *reason,
			const char *who, struct nl_err *err);

/* Recomputes the hash of every signed session and compares it with the
 * stored one. *checked (may be NULL) gets how many were checked; bad (may
 * be NULL) gets the ids that differ (free with free()). NL_EAUTH when any
 * differs, naming the first; NL_OK when all match. Also counted as bad: a
 * session the audit trail shows as signed that is no longer marked signed,
 * or whose hash differs from the one the audit recorded at signing. */
int record_verify_signatures(struct record *r, size_t *checked, int64_t **bad,
			     size_t *nbad, struct nl_err *err);
/* The canonical form and hash of a session as stored: for a signed one,
 * what its signature covers (equal to its hash unless tampered with); for
 * an unsigned one, what signing now would cover (but without a signer).
 * Caller frees *canonical with free(). */
int record_session_canonical(struct record *r, int64_t id, char **canonical,
			     char hash_hex[65], struct nl_err *err);

void record_session_free(struct nl_session *ses);
void record_session_list_free(struct nl_session *rows, size_t n);
void record_session_view_free(struct nl_session_view *v);
void record_amendment_free(struct nl_amendment *a);
void record_warnings_free(struct nl_warning *w, size_t n);

/* Deep copies (for a form that edits a copy of what it read). */
int record_session_copy(struct nl_session *dst, const struct nl_session *src,
			struct nl_err *err);

/* ---- pick lists -------------------------------------------------------- */

enum record_pick {
	RECORD_PICK_DEVICE,
	RECORD_PICK_CARTRIDGE,
	RECORD_PICK_PRODUCT,
	RECORD_PICK_ANESTHETIC,
};

/* Values used in the last RECORD_PICK_WINDOW sessions entered (by
 * practitioner, when not NULL), distinct, most recent first, at most
 * RECORD_PICK_MAX of them; followed by the vocab.h pick list's entries not
 * already in it. The cost is bounded by the window, not by the size of
 * the record. Free with record_strings_free. */
#define RECORD_PICK_WINDOW 2000
#define RECORD_PICK_MAX 100
int record_picklist(struct record *r, enum record_pick which,
		    const char *practitioner, char ***out, size_t *n,
		    struct nl_err *err);
void record_strings_free(char **v, size_t n);

#endif
