/* A patient's sex, allergy and medication lists (hooks of patient.c), and
 * consent records: add, list, withdraw (never deleted, audited) and the one
 * in-force rule for consent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "needlelog/audit.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/text.h"

#define AUDIT_CONSENT "consent"

/* ---- the lists ------------------------------------------------------------- */

void clin_patient_free(struct nl_patient *p)
{
	for (size_t i = 0; i < p->nallergy_list; i++)
		cfx_elem_free(CF_ALLERGIES, p->allergy_list, i);
	core_zfree(p->allergy_list);
	for (size_t i = 0; i < p->nmedication_list; i++)
		cfx_elem_free(CF_MEDICATIONS, p->medication_list, i);
	core_zfree(p->medication_list);
	core_zfree(p->sex);
	p->allergy_list = NULL;
	p->medication_list = NULL;
	p->nallergy_list = p->nmedication_list = 0;
	p->sex = NULL;
}

static int exec_id(struct record *s, const char *sql, int64_t id, const char *what,
		   struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, sql, &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	return core_exec_stmt(s, st, what, err);
}

static int insert_allergy(struct record *s, int64_t id, int pos, const struct nl_allergy *a,
			  struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, "INSERT INTO patient_allergy (patient_id, pos, code, reaction, "
				 "severity, date, end_date, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			      &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, pos);
	core_bind_text(st, 3, a->code);
	core_bind_text(st, 4, a->reaction);
	core_bind_text(st, 5, a->severity);
	core_bind_text(st, 6, a->date);
	core_bind_text(st, 7, a->end_date);
	/* a note is kept as given, blanks and all: it may be a migrated text */
	if (a->note && *a->note)
		sqlite3_bind_text(st, 8, a->note, -1, SQLITE_TRANSIENT);
	return core_exec_stmt(s, st, "saving the allergies", err);
}

static int insert_medication(struct record *s, int64_t id, int pos,
			     const struct nl_medication *m, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, "INSERT INTO patient_medication (patient_id, pos, code, name, "
				 "start, stop, note) VALUES (?, ?, ?, ?, ?, ?, ?)", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, pos);
	core_bind_text(st, 3, m->code);
	core_bind_text(st, 4, m->name);
	core_bind_text(st, 5, m->start);
	core_bind_text(st, 6, m->stop);
	if (m->note && *m->note)
		sqlite3_bind_text(st, 7, m->note, -1, SQLITE_TRANSIENT);
	return core_exec_stmt(s, st, "saving the medications", err);
}

static bool alnum_ascii(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Where word first starts a word of text (case ignored), or -1. */
static long word_at(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; *p; p++)
		if ((p == text || !alnum_ascii(p[-1])) && strncasecmp(p, word, n) == 0)
			return p - text;
	return -1;
}

/* Where text first names allergen (by the ingredient table), or -1. */
static long allergen_at(const char *text, const char *allergen)
{
	long best = -1;

	for (size_t i = 0; i < clin_ingredient_count; i++) {
		const struct clin_ingredient *g = &clin_ingredients[i];
		bool gives = false;
		long at;

		if (strcmp(g->word, "minoxidil") == 0)
			continue;  /* in an allergy text it names the drug, not propylene glycol */
		for (size_t j = 0; j < CLIN_INGREDIENTS_MAX && g->allergens[j]; j++)
			gives = gives || strcmp(g->allergens[j], allergen) == 0;
		if (gives && (at = word_at(text, g->word)) >= 0 && (best < 0 || at < best))
			best = at;
	}
	return best;
}

struct hit {
	long at;
	const char *code;
	const char *name;   /* medications: the word as written, at text + at */
	size_t len;
};

static void hits_sort(struct hit *h, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && (h[j].at < h[j - 1].at ||
		     (h[j].at == h[j - 1].at && strcmp(h[j].code, h[j - 1].code) < 0)); j--) {
			struct hit t = h[j];

			h[j] = h[j - 1];
			h[j - 1] = t;
		}
}

/* An old-style allergies text as items, the way migration 005 moves it:
 * one per allergen named (in the order named), the first keeping the whole
 * text as its note; "other" when it names none. */
static int allergies_from_text(struct record *s, int64_t id, int *pos, const char *text,
			       struct nl_err *err)
{
	struct hit h[32];
	size_t n = 0;
	int rc = NL_OK;

	if (!text || !*text)
		return NL_OK;
	for (size_t a = 0; a < clin_allergen_count && n < COUNT(h); a++) {
		long at = allergen_at(text, clin_allergens[a].code);

		if (at >= 0)
			h[n++] = (struct hit){ at, clin_allergens[a].code, NULL, 0 };
	}
	hits_sort(h, n);
	for (size_t i = 0; i < n && rc == NL_OK; i++) {
		struct nl_allergy a = { .code = (char *)h[i].code, .note = i ? NULL : (char *)text };

		rc = insert_allergy(s, id, (*pos)++, &a, err);
	}
	if (n == 0) {
		struct nl_allergy a = { .code = "other", .note = (char *)text };

		rc = insert_allergy(s, id, (*pos)++, &a, err);
	}
	return rc;
}

/* An old-style medications text: one item per kind named, with the name as
 * written; the first keeps the whole text; "other" when none. */
static int medications_from_text(struct record *s, int64_t id, int *pos, const char *text,
				 struct nl_err *err)
{
	struct hit h[64];
	size_t n = 0;
	int rc = NL_OK;

	if (!text || !*text)
		return NL_OK;
	for (size_t i = 0; i < clin_medication_word_count && n < COUNT(h); i++) {
		long at = word_at(text, clin_medication_words[i].code);

		if (at >= 0)
			h[n++] = (struct hit){ at, clin_medication_words[i].label, text + at,
					       strlen(clin_medication_words[i].code) };
	}
	hits_sort(h, n);
	for (size_t i = 0; i < n && rc == NL_OK; i++) {
		char *name = strndup(h[i].name, h[i].len);
		struct nl_medication m = { .code = (char *)h[i].code, .name = name,
					   .note = i ? NULL : (char *)text };

		rc = name ? insert_medication(s, id, (*pos)++, &m, err)
			  : nl_error(err, NL_ENOMEM, "out of memory");
		free(name);
	}
	if (n == 0) {
		struct nl_medication m = { .code = "other", .note = (char *)text };

		rc = insert_medication(s, id, (*pos)++, &m, err);
	}
	return rc;
}

/* Medication and allergy dates cannot be after today (DOMAIN.md). */
static int list_dates(struct record *s, const struct nl_patient *in, struct nl_err *err)
{
	const char *today = record_today(s);
	char field[64];
	int rc = NL_OK;

	for (size_t i = 0; rc == NL_OK && i < in->nmedication_list; i++) {
		const struct nl_medication *m = &in->medication_list[i];

		snprintf(field, sizeof(field), "medication %s start", m->code);
		if (core_opt(m->start))
			rc = nl_date_not_future(field, NL_DATE_MEDICATION, m->start, today, err);
		snprintf(field, sizeof(field), "medication %s stop", m->code);
		if (rc == NL_OK && core_opt(m->stop))
			rc = nl_date_not_future(field, NL_DATE_MEDICATION, m->stop, today, err);
	}
	for (size_t i = 0; rc == NL_OK && i < in->nallergy_list; i++) {
		snprintf(field, sizeof(field), "allergy %s date", in->allergy_list[i].code);
		if (core_opt(in->allergy_list[i].date))
			rc = nl_date_not_future(field, NL_DATE_FLAG, in->allergy_list[i].date,
						today, err);
	}
	return rc;
}

static int legacy_consent(struct record *s, int64_t id, const char *date, struct nl_err *err)
{
	sqlite3_stmt *st;
	struct nl_consent c = { .patient_id = id, .kind = CLIN_CONSENT_TREATMENT,
				.given = (char *)date };
	int rc;

	if (!core_opt(date))
		return NL_OK;
	rc = core_prepare(s, "SELECT 1 FROM consent WHERE patient_id = ? AND kind = 'treatment' "
			     "AND given = ?", &st, err);
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	core_bind_text(st, 2, date);
	rc = sqlite3_step(st);
	core_finalize(s, st);
	if (rc == SQLITE_ROW)
		return NL_OK;
	if (rc != SQLITE_DONE)
		return core_sql_error(s, "reading the consents", err);
	return record_consent_add(s, &c, NULL, err);
}

int clin_patient_write(struct record *s, int64_t id, const struct nl_patient *in,
		       struct nl_err *err)
{
	static const char *const clear[] = {
		"DELETE FROM patient_allergy WHERE patient_id = ?",
		"DELETE FROM patient_medication WHERE patient_id = ?",
	};
	sqlite3_stmt *st;
	int rc = list_dates(s, in, err), pos = 0;

	for (size_t i = 0; i < COUNT(clear) && rc == NL_OK; i++)
		rc = exec_id(s, clear[i], id, "saving the lists", err);
	if (rc == NL_OK)
		rc = core_prepare(s, "UPDATE patient SET sex = ?, allergies = NULL, "
				     "medications = NULL, consent_date = NULL WHERE id = ?", &st, err);
	if (rc == NL_OK) {
		core_bind_text(st, 1, in->sex);
		sqlite3_bind_int64(st, 2, id);
		rc = core_exec_stmt(s, st, "saving the patient", err);
	}
	for (size_t i = 0; i < in->nallergy_list && rc == NL_OK; i++)
		rc = insert_allergy(s, id, pos++, &in->allergy_list[i], err);
	if (rc == NL_OK)
		rc = allergies_from_text(s, id, &pos, in->allergies, err);
	pos = 0;
	for (size_t i = 0; i < in->nmedication_list && rc == NL_OK; i++)
		rc = insert_medication(s, id, pos++, &in->medication_list[i], err);
	if (rc == NL_OK)
		rc = medications_from_text(s, id, &pos, in->medications, err);
	if (rc == NL_OK)
		rc = legacy_consent(s, id, in->consent_date, err);
	return rc;
}

/* Reads the rows of a list query into a kind's array via its JSON shape. */
static int read_list(struct record *s, const char *sql, int64_t id, enum core_fkind k,
		     const char *const *keys, size_t nkeys, void **out, size_t *n,
		     struct nl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0, size = cfx_elem_size(k);
	bool oom = false;
	int rc = core_prepare(s, sql, &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();

		for (size_t j = 0; o && j < nkeys; j++) {
			const char *v = (const char *)sqlite3_column_text(st, (int)j);

			json_object_set_new(o, keys[j], v ? json_string(v) : json_null());
		}
		if (!o || core_grow(out, &cap, *n + 1, size) != 0) {
			oom = true;
		} else {
			memset((char *)*out + *n * size, 0, size);
			oom = cfx_elem_set(k, *out, (*n)++, o) != 0;
		}
		json_decref(o);
	}
	core_finalize(s, st);
	if (oom)
		return nl_error(err, NL_ENOMEM, "out of memory");
	return rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "reading the lists", err);
}

int clin_patient_read(struct record *s, struct nl_patient *p, struct nl_err *err)
{
	static const char *const akeys[] = { "code", "reaction", "severity", "date", "end_date",
					     "note" };
	static const char *const mkeys[] = { "code", "name", "start", "stop", "note" };
	sqlite3_stmt *st;
	bool oom = false;
	int rc = core_prepare(s, "SELECT sex, (SELECT min(given) FROM consent c WHERE "
				 "c.patient_id = p.id AND c.kind = 'treatment' AND c.withdrawn IS NULL) "
				 "FROM patient p WHERE id = ?", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, p->id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p->sex = core_col_text(st, 0, &oom);
		free(p->consent_date);
		p->consent_date = core_col_text(st, 1, &oom);
	}
	core_finalize(s, st);
	if (rc != SQLITE_ROW)
		return core_sql_error(s, "reading the patient", err);
	if (oom)
		return nl_error(err, NL_ENOMEM, "out of memory");
	rc = read_list(s, "SELECT code, reaction, severity, date, end_date, note FROM "
			  "patient_allergy WHERE patient_id = ? ORDER BY pos", p->id, CF_ALLERGIES,
		       akeys, COUNT(akeys), (void **)&p->allergy_list, &p->nallergy_list, err);
	if (rc == NL_OK)
		rc = read_list(s, "SELECT code, name, start, stop, note FROM patient_medication "
				  "WHERE patient_id = ? ORDER BY pos", p->id, CF_MEDICATIONS, mkeys,
			       COUNT(mkeys), (void **)&p->medication_list, &p->nmedication_list,
			       err);
	return rc;
}

/* ---- consent ----------------------------------------------------------------- */

bool check_consent_in_force(const struct nl_consent *c, const char *kind,
			    const char *indication, const char *date)
{
	if (!c->kind || !kind || strcmp(c->kind, kind) != 0 || !core_opt(date))
		return false;
	if (core_opt(c->covers) && (!core_opt(indication) || strcmp(c->covers, indication) != 0))
		return false;
	if (!core_opt(c->given) || strcmp(c->given, date) > 0)
		return false;
	/* withdrawn on a day: no longer in force that day */
	return !core_opt(c->withdrawn) || strcmp(date, c->withdrawn) < 0;
}

void record_consent_free(struct nl_consent *c)
{
	if (!c)
		return;
	core_zfree(c->kind);
	core_zfree(c->covers);
	core_zfree(c->form);
	core_zfree(c->given);
	core_zfree(c->taken_by);
	core_zfree(c->withdrawn);
	core_zfree(c->withdrawn_by);
	core_zfree(c->created_at);
	memset(c, 0, sizeof(*c));
}

void record_consent_list_free(struct nl_consent *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		record_consent_free(&v[i]);
	core_zfree(v);
}

static int patient_dob(struct record *s, int64_t id, char dob[11], struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, "SELECT dob FROM patient WHERE id = ?", &st, err);

	dob[0] = '\0';
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(dob, 11, "%s", (const char *)sqlite3_column_text(st, 0));
	core_finalize(s, st);
	if (rc == SQLITE_DONE)
		return nl_error(err, NL_ENOENT, "no patient with id %lld", (long long)id);
	return rc == SQLITE_ROW ? NL_OK : core_sql_error(s, "reading the patient", err);
}

static int check_consent(struct record *s, const struct nl_consent *in, const char *dob,
			 struct nl_err *err)
{
	char q[NL_QUOTE_BUF];
	struct nl_dated d[] = {
		{ NL_DATE_CONSENT, "consent date", in->given, true },
		{ NL_DATE_DOB, "dob", dob, false },
	};

	if (!clin_find(clin_consent_kinds, clin_consent_kind_count, in->kind))
		return nl_error(err, NL_EDATA, "kind: '%s' is not a consent kind; use treatment, "
				"photography-clinical or photography-publication",
				nl_quote_value(in->kind, q, sizeof(q)));
	if (core_opt(in->covers) && strcmp(in->covers, "all") != 0 &&
	    !vocab_indication_find(in->covers))
		return nl_error(err, NL_EDATA, "covers: '%s' is not an indication; use one from "
				"`needlelog vocab`, or all", nl_quote_value(in->covers, q, sizeof(q)));
	if (!core_opt(in->given))
		return nl_error(err, NL_EDATA, "consent date: the date given is required (YYYY-MM-DD)");
	if (!check_date_valid(in->given))
		return nl_error(err, NL_EDATA, "consent date: '%s' is not a real date; use YYYY-MM-DD",
				nl_quote_value(in->given, q, sizeof(q)));
	if (check_text("form", "consent-form", in->form, err) != NL_OK ||
	    check_text("taken by", "practitioner", in->taken_by, err) != NL_OK)
		return NL_EDATA;
	return nl_dates_plausible(d, COUNT(d), record_today(s), err);
}

int record_consent_add(struct record *s, const struct nl_consent *in, int64_t *id,
		       struct nl_err *err)
{
	const char *covers = core_opt(in->covers) && strcmp(in->covers, "all") ? in->covers : NULL;
	const char *who = core_opt(in->taken_by) ? in->taken_by : s->actor;
	sqlite3_stmt *st;
	char dob[11], now[21];
	int64_t new_id = 0;
	int rc = core_begin(s, err);

	if (rc != NL_OK)
		return rc;
	rc = patient_dob(s, in->patient_id, dob, err);
	if (rc == NL_OK)
		rc = check_consent(s, in, dob, err);
	if (rc == NL_OK)
		rc = core_prepare(s, "INSERT INTO consent (patient_id, kind, covers, form, given, "
				     "taken_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", &st, err);
	if (rc == NL_OK) {
		check_now_utc(now);
		sqlite3_bind_int64(st, 1, in->patient_id);
		core_bind_text(st, 2, in->kind);
		core_bind_text(st, 3, covers);
		core_bind_text(st, 4, in->form);
		core_bind_text(st, 5, in->given);
		core_bind_text(st, 6, who);
		sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
		rc = core_exec_stmt(s, st, "adding the consent", err);
	}
	if (rc == NL_OK) {
		new_id = sqlite3_last_insert_rowid(core_db(s));
		rc = core_audit_json(s, AUDIT_CREATE, AUDIT_CONSENT, new_id, who,
				     json_pack("{s:I,s:s,s:s?,s:s?,s:s}", "patient",
					       (json_int_t)in->patient_id, "kind", in->kind, "covers",
					       covers, "form", core_opt(in->form), "given", in->given),
				     err);
	}
	rc = core_end(s, rc, err);
	if (rc == NL_OK && id)
		*id = new_id;
	return rc;
}

#define CONSENT_COLUMNS "id, patient_id, kind, covers, form, given, taken_by, withdrawn, " \
			"withdrawn_by, created_at FROM consent "

static void consent_row(sqlite3_stmt *st, struct nl_consent *c, bool *oom)
{
	c->id = sqlite3_column_int64(st, 0);
	c->patient_id = sqlite3_column_int64(st, 1);
	c->kind = core_col_text(st, 2, oom);
	c->covers = core_col_text(st, 3, oom);
	c->form = core_col_text(st, 4, oom);
	c->given = core_col_text(st, 5, oom);
	c->taken_by = core_col_text(st, 6, oom);
	c->withdrawn = core_col_text(st, 7, oom);
	c->withdrawn_by = core_col_text(st, 8, oom);
	c->created_at = core_col_text(st, 9, oom);
}

int clin_consents_load(struct record *s, int64_t patient_id, struct nl_consent **out,
		       size_t *n, struct nl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	bool oom = false;
	int rc = core_prepare(s, "SELECT " CONSENT_COLUMNS "WHERE patient_id = ? "
				 "ORDER BY given, id", &st, err);

	*out = NULL;
	*n = 0;
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, patient_id);
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (core_grow((void **)out, &cap, *n + 1, sizeof(**out)) != 0) {
			oom = true;
			break;
		}
		memset(&(*out)[*n], 0, sizeof(**out));
		consent_row(st, &(*out)[(*n)++], &oom);
	}
	core_finalize(s, st);
	if (oom || rc != SQLITE_DONE) {
		record_consent_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return oom ? nl_error(err, NL_ENOMEM, "out of memory")
			   : core_sql_error(s, "reading the consents", err);
	}
	return NL_OK;
}

int record_consent_list(struct record *s, int64_t patient_id, struct nl_consent **out,
			size_t *n, struct nl_err *err)
{
	char dob[11];
	int rc = patient_dob(s, patient_id, dob, err);

	*out = NULL;
	*n = 0;
	return rc == NL_OK ? clin_consents_load(s, patient_id, out, n, err) : rc;
}

int record_consent_withdraw(struct record *s, int64_t id, const char *date, const char *who,
			    struct nl_err *err)
{
	struct nl_consent c = { 0 };
	sqlite3_stmt *st;
	char day[11];
	bool oom = false;
	int rc = core_begin(s, err);

	if (rc != NL_OK)
		return rc;
	snprintf(day, sizeof(day), "%s", core_opt(date) ? date : record_today(s));
	if ((rc = core_prepare(s, "SELECT " CONSENT_COLUMNS "WHERE id = ?", &st, err)) != NL_OK)
		return core_end(s, rc, err);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		consent_row(st, &c, &oom);
	core_finalize(s, st);
	if (rc == SQLITE_DONE)
		rc = nl_error(err, NL_ENOENT, "no consent with id %lld", (long long)id);
	else if (rc != SQLITE_ROW)
		rc = core_sql_error(s, "reading the consent", err);
	else if (oom)
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	else if (c.withdrawn)
		rc = nl_error(err, NL_EUSAGE, "consent %lld was already withdrawn on %s",
			      (long long)id, c.withdrawn);
	else if ((rc = nl_parse_date("withdrawn", day, day, err)) == NL_OK &&
		 (rc = nl_date_not_future("withdrawn", NL_DATE_CONSENT, day, record_today(s),
					  err)) == NL_OK)
		rc = nl_date_not_before("withdrawn", day, "the date it was given", c.given, err);
	if (rc == NL_OK && (rc = check_text("withdrawn by", "practitioner", who, err)) == NL_OK)
		rc = core_prepare(s, "UPDATE consent SET withdrawn = ?, withdrawn_by = ? WHERE id = ?",
				  &st, err);
	if (rc == NL_OK) {
		core_bind_text(st, 1, day);
		core_bind_text(st, 2, core_opt(who) ? who : s->actor);
		sqlite3_bind_int64(st, 3, id);
		rc = core_exec_stmt(s, st, "withdrawing the consent", err);
	}
	if (rc == NL_OK)
		rc = core_audit_json(s, AUDIT_CHANGE, AUDIT_CONSENT, id, who,
				     json_pack("{s:s,s:s}", "action", "withdraw", "withdrawn", day),
				     err);
	record_consent_free(&c);
	return core_end(s, rc, err);
}

int record_consent_in_force(struct record *s, int64_t patient_id, const char *kind,
			    const char *indication, const char *date, bool *yes,
			    int64_t *consent_id, struct nl_err *err)
{
	struct nl_consent *c;
	size_t n;
	int rc = clin_consents_load(s, patient_id, &c, &n, err);

	*yes = false;
	if (consent_id)
		*consent_id = 0;
	if (rc != NL_OK)
		return rc;
	for (size_t i = 0; i < n && !*yes; i++)
		if (check_consent_in_force(&c[i], kind, indication, date)) {
			*yes = true;
			if (consent_id)
				*consent_id = c[i].id;
		}
	record_consent_list_free(c, n);
	return NL_OK;
}

int record_photo_consent(struct record *s, int64_t patient_id, int64_t series_id,
			 const char *date, bool publication, bool *yes, struct nl_err *err)
{
	struct nl_series sr;
	int rc;

	*yes = false;
	if (!series_id)
		return record_consent_in_force(s, patient_id, publication ? CLIN_CONSENT_PUBLICATION
						: CLIN_CONSENT_PHOTO, NULL, date, yes, NULL, err);
	if ((rc = record_series_get(s, series_id, &sr, err)) != NL_OK)
		return rc;
	if (sr.patient_id != patient_id)
		rc = nl_error(err, NL_EDATA, "series %lld is not patient %lld's",
			      (long long)series_id, (long long)patient_id);
	else
		rc = record_consent_in_force(s, patient_id, publication ? CLIN_CONSENT_PUBLICATION
					     : CLIN_CONSENT_PHOTO, sr.indication, date, yes, NULL,
					     err);
	record_series_free(&sr);
	return rc;
}
