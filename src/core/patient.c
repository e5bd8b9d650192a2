/* Patients: add, read, edit, archive, search. Never deleted. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "needlelog/audit.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/text.h"

void record_patient_free(struct nl_patient *p)
{
	if (!p)
		return;
	core_zfree(p->name);
	core_zfree(p->dob);
	core_zfree(p->phone);
	core_zfree(p->email);
	for (size_t i = 0; i < p->nflags; i++) {
		core_zfree(p->flags[i].code);
		core_zfree(p->flags[i].date);
		core_zfree(p->flags[i].end_date);
		core_zfree(p->flags[i].note);
	}
	core_zfree(p->flags);
	core_zfree(p->allergies);
	core_zfree(p->medications);
	core_zfree(p->consent_date);
	core_zfree(p->notes);
	core_zfree(p->archived_at);
	core_zfree(p->created_at);
	core_zfree(p->updated_at);
	clin_patient_free(p);
	memset(p, 0, sizeof(*p));
}

static int bind_patient(sqlite3_stmt *st, const struct nl_patient *p)
{
	core_bind_text(st, 1, p->name);
	core_bind_text(st, 2, p->dob);
	core_bind_text(st, 3, p->phone);
	core_bind_text(st, 4, p->email);
	core_bind_int(st, 5, p->skin_type, 0);
	core_bind_text(st, 6, p->allergies);
	core_bind_text(st, 7, p->medications);
	core_bind_text(st, 8, p->consent_date);
	return core_bind_text(st, 9, p->notes);
}

static int write_flags(struct record *s, int64_t id, const struct nl_patient *p,
		       struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, "DELETE FROM patient_flag WHERE patient_id = ?", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = core_exec_stmt(s, st, "saving the flags", err)) != NL_OK)
		return rc;
	for (size_t i = 0; i < p->nflags && rc == NL_OK; i++) {
		rc = core_prepare(s, "INSERT INTO patient_flag (patient_id, code, date, end_date, note) "
				     "VALUES (?, ?, ?, ?, ?)", &st, err);
		if (rc != NL_OK)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		core_bind_text(st, 2, p->flags[i].code);
		core_bind_text(st, 3, p->flags[i].date);
		core_bind_text(st, 4, p->flags[i].end_date);
		core_bind_text(st, 5, p->flags[i].note);
		rc = core_exec_stmt(s, st, "saving the flags", err);
	}
	return rc;
}

static bool differs(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") != 0;
}

/* Whether flag f is new or its date changed against old's flags. */
static bool flag_changed(const struct nl_patient *old, const struct nl_flag *f)
{
	for (size_t i = 0; i < old->nflags; i++)
		if (strcmp(old->flags[i].code, f->code) == 0)
			return differs(old->flags[i].date, f->date);
	return true;
}

/* The earliest live session's (effective) date of a patient, "" if none. */
static int first_session(struct record *s, int64_t patient_id, char out[11],
			 struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = core_prepare(s, "SELECT min(" EFFECTIVE_DATE ") FROM session x JOIN series r "
				 "ON r.id = x.series_id WHERE r.patient_id = ? AND x.voided = 0",
			      &st, err);

	out[0] = '\0';
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, patient_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, 11, "%s", (const char *)sqlite3_column_text(st, 0));
	core_finalize(s, st);
	return rc == SQLITE_ROW ? NL_OK : core_sql_error(s, "reading the sessions", err);
}

/* Dates that cannot be true are refused (DOMAIN.md): a date of birth,
 * consent or flag date after today, a consent before the date of birth,
 * a date of birth after the first session. Only what changes from old
 * (NULL: a new patient) is judged, against what is on file. */
static int patient_dates(struct record *s, const struct nl_patient *in,
			 const struct nl_patient *old, struct nl_err *err)
{
	struct nl_dated *d = calloc(in->nflags + 3, sizeof(*d));
	char first[11] = "", (*names)[80] = calloc(in->nflags + 1, sizeof(*names));
	size_t n = 0;
	int rc = old ? first_session(s, in->id, first, err) : NL_OK;

	if (!d || !names) {
		free(d);
		free(names);
		return nl_error(err, NL_ENOMEM, "out of memory");
	}
	d[n++] = (struct nl_dated){ NL_DATE_DOB, "dob", in->dob,
				    !old || differs(old->dob, in->dob) };
	d[n++] = (struct nl_dated){ NL_DATE_CONSENT, "consent", in->consent_date,
				    !old || differs(old->consent_date, in->consent_date) };
	d[n++] = (struct nl_dated){ NL_DATE_SESSION, "the first session", first, false };
	for (size_t i = 0; i < in->nflags; i++) {
		snprintf(names[i], sizeof(names[i]), "flag %s", in->flags[i].code);
		d[n++] = (struct nl_dated){ NL_DATE_FLAG, names[i], in->flags[i].date,
					    !old || flag_changed(old, &in->flags[i]) };
	}
	if (rc == NL_OK)
		rc = nl_dates_plausible(d, n, record_today(s), err);
	free(names);
	free(d);
	return rc;
}

int record_patient_validate(struct record *s, const struct nl_patient *in,
			    struct nl_err *err)
{
	int rc = check_patient(in, err);

	return rc == NL_OK ? patient_dates(s, in, NULL, err) : rc;
}

int record_patient_add(struct record *s, const struct nl_patient *in, int64_t *id,
		       struct nl_err *err)
{
	sqlite3_stmt *st;
	char now[21];
	int64_t new_id = 0;
	int rc = check_patient(in, err);

	if (rc == NL_OK)
		rc = patient_dates(s, in, NULL, err);
	if (rc != NL_OK || (rc = core_begin(s, err)) != NL_OK)
		return rc;
	check_now_utc(now);
	rc = core_prepare(s, "INSERT INTO patient (name, dob, phone, email, skin_type, allergies, "
			     "medications, consent_date, notes, created_at, updated_at) "
			     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?10, ?10)", &st, err);
	if (rc == NL_OK) {
		bind_patient(st, in);
		sqlite3_bind_text(st, 10, now, -1, SQLITE_TRANSIENT);
		rc = core_exec_stmt(s, st, "adding the patient", err);
	}
	if (rc == NL_OK) {
		new_id = sqlite3_last_insert_rowid(core_db(s));
		rc = write_flags(s, new_id, in, err);
	}
	if (rc == NL_OK)
		rc = clin_patient_write(s, new_id, in, err);
	if (rc == NL_OK)
		rc = core_audit_json(s, AUDIT_CREATE, AUDIT_PATIENT, new_id, NULL,
				     json_pack("{s:s}", "name", in->name), err);
	rc = core_end(s, rc, err);
	if (rc == NL_OK && id)
		*id = new_id;
	return rc;
}

static int read_flags(struct record *s, struct nl_patient *p, struct nl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	bool oom = false;
	int rc = core_prepare(s, "SELECT code, date, end_date, note FROM patient_flag "
				 "WHERE patient_id = ? ORDER BY code", &st, err);

	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, p->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct nl_flag *f;

		if (core_grow((void **)&p->flags, &cap, p->nflags + 1, sizeof(*f)) != 0) {
			oom = true;
			break;
		}
		f = &p->flags[p->nflags++];
		f->code = core_col_text(st, 0, &oom);
		f->date = core_col_text(st, 1, &oom);
		f->end_date = core_col_text(st, 2, &oom);
		f->note = core_col_text(st, 3, &oom);
	}
	core_finalize(s, st);
	if (oom)
		return nl_error(err, NL_ENOMEM, "out of memory");
	if (rc != SQLITE_DONE)
		return core_sql_error(s, "reading the flags", err);
	return NL_OK;
}

int record_patient_get(struct record *s, int64_t id, struct nl_patient *out,
		       struct nl_err *err)
{
	sqlite3_stmt *st;
	bool oom = false;
	int rc = core_prepare(s, "SELECT name, dob, phone, email, skin_type, allergies, "
				 "medications, consent_date, notes, archived, archived_at, "
				 "created_at, updated_at FROM patient WHERE id = ?", &st, err);

	memset(out, 0, sizeof(*out));
	if (rc != NL_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = id;
		out->name = core_col_text(st, 0, &oom);
		out->dob = core_col_text(st, 1, &oom);
		out->phone = core_col_text(st, 2, &oom);
		out->email = core_col_text(st, 3, &oom);
		out->skin_type = core_col_int(st, 4, 0);
		out->allergies = core_col_text(st, 5, &oom);
		out->medications = core_col_text(st, 6, &oom);
		out->consent_date = core_col_text(st, 7, &oom);
		out->notes = core_col_text(st, 8, &oom);
		out->archived = sqlite3_column_int(st, 9) != 0;
		out->archived_at = core_col_text(st, 10, &oom);
		out->created_at = core_col_text(st, 11, &oom);
		out->updated_at = core_col_text(st, 12, &oom);
	}
	core_finalize(s, st);
	if (rc == SQLITE_DONE)
		return nl_error(err, NL_ENOENT, "no patient with id %lld", (long long)id);
	if (rc != SQLITE_ROW)
		return core_sql_error(s, "reading the patient", err);
	rc = oom ? nl_error(err, NL_ENOMEM, "out of memory") : read_flags(s, out, err);
	if (rc == NL_OK)
		rc = clin_patient_read(s, out, err);
	if (rc != NL_OK)
		record_patient_free(out);
	return rc;
}

int record_patient_edit(struct record *s, const struct nl_patient *in,
			struct nl_err *err)
{
	struct nl_patient old;
	sqlite3_stmt *st;
	json_t *diff;
	char now[21];
	int rc = check_patient(in, err);

	if (rc != NL_OK || (rc = core_begin(s, err)) != NL_OK)
		return rc;
	rc = record_patient_get(s, in->id, &old, err);
	if (rc == NL_OK && (rc = patient_dates(s, in, &old, err)) != NL_OK)
		record_patient_free(&old);
	if (rc != NL_OK)
		return core_end(s, rc, err);
	diff = core_diff(core_patient_fields, core_patient_field_count, &old, in);
	record_patient_free(&old);
	if (!diff)
		return core_end(s, nl_error(err, NL_ENOMEM, "out of memory"), err);
	if (json_object_size(diff) == 0) {
		json_decref(diff);
		return core_end(s, NL_OK, err); /* nothing changed: nothing to write */
	}
	check_now_utc(now);
	rc = core_prepare(s, "UPDATE patient SET name = ?, dob = ?, phone = ?, email = ?, "
			     "skin_type = ?, allergies = ?, medications = ?, consent_date = ?, "
			     "notes = ?, updated_at = ? WHERE id = ?", &st, err);
	if (rc == NL_OK) {
		bind_patient(st, in);
		sqlite3_bind_text(st, 10, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 11, in->id);
		rc = core_exec_stmt(s, st, "changing the patient", err);
	}
	if (rc == NL_OK)
		rc = write_flags(s, in->id, in, err);
	if (rc == NL_OK)
		rc = clin_patient_write(s, in->id, in, err);
	if (rc == NL_OK)
		rc = core_audit_json(s, AUDIT_CHANGE, AUDIT_PATIENT, in->id, NULL, diff, err);
	else
		json_decref(diff);
	return core_end(s, rc, err);
}

int record_patient_archive(struct record *s, int64_t id, bool archived,
			   struct nl_err *err)
{
	sqlite3_stmt *st;
	bool exists;
	char now[21];
	int rc = core_begin(s, err);

	if (rc == NL_OK)
		rc = core_exists(s, "patient", id, &exists, err);
	if (rc == NL_OK && !exists)
		rc = nl_error(err, NL_ENOENT, "no patient with id %lld", (long long)id);
	if (rc == NL_OK)
		rc = core_prepare(s, "UPDATE patient SET archived = ?, archived_at = ?, "
				     "updated_at = ?3 WHERE id = ?", &st, err);
	if (rc == NL_OK) {
		check_now_utc(now);
		sqlite3_bind_int(st, 1, archived);
		if (archived)
			sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 4, id);
		rc = core_exec_stmt(s, st, "archiving the patient", err);
	}
	if (rc == NL_OK)
		rc = core_audit(s, archived ? AUDIT_ARCHIVE : AUDIT_UNARCHIVE, AUDIT_PATIENT, id,
				NULL, NULL, err);
	return core_end(s, rc, err);
}

/* ---- list and search ------------------------------------------------------ */

void record_patient_list_free(struct nl_patient_summary *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		core_zfree(rows[i].name);
		core_zfree(rows[i].folded);
		core_zfree(rows[i].dob);
		core_zfree(rows[i].phone);
		core_zfree(rows[i].indication);
	}
	core_zfree(rows);
}

static void digits_only(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; s && *s && o + 1 < size; s++)
		if (isdigit((unsigned char)*s))
			out[o++] = *s;
	out[o] = '\0';
}

static int64_t search_id(const char *q)
{
	char *end;
	long long v;

	if (*q == '#')
		q++;
	if (!isdigit((unsigned char)*q))
		return 0;
	v = strtoll(q, &end, 10);
	return *end ? 0 : v;
}

int record_patient_search_init(struct nl_patient_search *q, const char *search,
			       struct nl_err *err)
{
	memset(q, 0, sizeof(*q));
	if (!core_opt(search))
		return NL_OK;
	if (!(q->folded = nl_fold(search)))
		return nl_error(err, NL_ENOMEM, "out of memory");
	digits_only(search, q->digits, sizeof(q->digits));
	q->id = search_id(search);
	return NL_OK;
}

void record_patient_search_free(struct nl_patient_search *q)
{
	free(q->folded);
	memset(q, 0, sizeof(*q));
}

/* The one rule of the patient search: the id, a substring of the dob, the
 * phone's digits (3 or more), a substring of the folded name. */
bool record_patient_matches(const struct nl_patient_search *q,
			    const struct nl_patient_summary *p)
{
	const char *name_folded = p->folded;
	char *name = NULL, phone[64];
	bool hit;

	if (!q->folded)
		return true;
	if (q->id > 0 && p->id == q->id)
		return true;
	if (p->dob && strstr(p->dob, q->folded))
		return true;
	digits_only(p->phone, phone, sizeof(phone));
	if (strlen(q->digits) >= 3 && strstr(phone, q->digits))
		return true;
	if (!name_folded)
		name_folded = name = nl_fold(p->name ? p->name : "");
	hit = name_folded && strstr(name_folded, q->folded);
	free(name);
	return hit;
}

/* Name order as people expect it whatever the locale: by the name folded
 * as the search folds it (nl_fold: case and accents ignored, so "Émilie" is
 * among the e's and "Łukasz" among the l's), then by the name as written,
 * then by id. */
static int named_cmp(const void *a, const void *b)
{
	const struct nl_patient_summary *x = a, *y = b;
	int c = strcmp(x->folded, y->folded);

	if (!c)
		c = strcmp(x->name ? x->name : "", y->name ? y->name : "");
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static int by_id_cmp(const void *a, const void *b)
{
	const struct nl_patient_summary *x = *(struct nl_patient_summary *const *)a;
	const struct nl_patient_summary *y = *(struct nl_patient_summary *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

/* The row of patient id, by binary search over rows sorted by id. */
static struct nl_patient_summary *find_by_id(struct nl_patient_summary **by_id, size_t n,
					     int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (by_id[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && by_id[lo]->id == id ? by_id[lo] : NULL;
}

/* One active series onto its patient's row: counted, and kept when it is
 * due sooner than the one kept so far. */
static int attach_one(struct nl_patient_summary *p, const struct core_due_row *d)
{
	char *ind;

	p->active_series++;
	if (p->series_id && (!d->next_due[0] ||
			     (p->next_due[0] && strcmp(p->next_due, d->next_due) <= 0)))
		return 0;
	if (!(ind = strdup(d->indication)))
		return -1;
	free(p->indication);
	p->indication = ind;
	p->series_id = d->series_id;
	p->done = d->done;
	p->planned = d->planned;
	memcpy(p->next_due, d->next_due, sizeof(p->next_due));
	return 0;
}

/* Attaches each patient's soonest-due active series: the rows are joined
 * to the series by patient id through an index sorted by id. */
static int attach_series(struct record *s, struct nl_patient_summary *rows, size_t n,
			 struct nl_err *err)
{
	struct nl_patient_summary **by_id = malloc((n ? n : 1) * sizeof(*by_id));
	struct core_due_row *due = NULL;
	size_t ndue = 0;
	int rc = by_id ? core_due_rows(s, 0, &due, &ndue, err)
		       : nl_error(err, NL_ENOMEM, "out of memory");

	for (size_t i = 0; i < n && by_id; i++)
		by_id[i] = &rows[i];
	if (rc == NL_OK)
		qsort(by_id, n, sizeof(*by_id), by_id_cmp);
	for (size_t i = 0; i < ndue && rc == NL_OK; i++) {
		struct nl_patient_summary *p;

		if (strcmp(due[i].status, VOCAB_STATUS_ACTIVE) != 0 ||
		    !(p = find_by_id(by_id, n, due[i].patient_id)))
			continue;
		if (attach_one(p, &due[i]) != 0)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	}
	core_due_rows_free(due, ndue);
	free(by_id);
	return rc;
}

int record_patient_list(struct record *s, const char *search, bool include_archived,
			struct nl_patient_summary **out, size_t *n, struct nl_err *err)
{
	struct nl_patient_summary *rows = NULL;
	struct nl_patient_search q;
	size_t cap = 0, count = 0;
	sqlite3_stmt *st;
	bool oom = false;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = record_patient_search_init(&q, search, err)) != NL_OK)
		return rc;
	rc = core_prepare(s, "SELECT p.id, p.name, p.dob, p.phone, p.skin_type, p.archived, "
			     "(SELECT count(*) FROM patient_flag f WHERE f.patient_id = p.id) "
			     "FROM patient p WHERE p.archived = 0 OR ? ORDER BY p.id",
			  &st, err);
	if (rc != NL_OK) {
		record_patient_search_free(&q);
		return rc;
	}
	sqlite3_bind_int(st, 1, include_archived);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct nl_patient_summary p = { 0 };
		bool keep;

		p.id = sqlite3_column_int64(st, 0);
		p.name = core_col_text(st, 1, &oom);
		/* folded once: the search here, the order below, a face's search */
		if (!oom && !(p.folded = nl_fold(p.name ? p.name : "")))
			oom = true;
		p.dob = core_col_text(st, 2, &oom);
		p.phone = core_col_text(st, 3, &oom);
		p.skin_type = core_col_int(st, 4, 0);
		p.archived = sqlite3_column_int(st, 5) != 0;
		p.nflags = (size_t)sqlite3_column_int64(st, 6);
		keep = !oom && record_patient_matches(&q, &p);
		if (keep && core_grow((void **)&rows, &cap, count + 1, sizeof(*rows)) != 0)
			oom = true, keep = false;
		if (!keep) {
			free(p.name);
			free(p.folded);
			free(p.dob);
			free(p.phone);
			if (oom)
				break;
			continue;
		}
		rows[count++] = p;
	}
	core_finalize(s, st);
	record_patient_search_free(&q);
	if (!oom && rc == SQLITE_DONE && count > 1)
		qsort(rows, count, sizeof(*rows), named_cmp);
	if (oom)
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	else if (rc != SQLITE_DONE)
		rc = core_sql_error(s, "listing the patients", err);
	else
		rc = attach_series(s, rows, count, err);
	if (rc != NL_OK) {
		record_patient_list_free(rows, count);
		return rc;
	}
	*out = rows;
	*n = count;
	return NL_OK;
}
