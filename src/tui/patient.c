/* A patient: the profile with its flags and warnings in plain sight
 * (contraindications, allergies, skin type, consent), and the series. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/draft.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "needlelog/vocab.h"
#include "tui.h"

struct patient {
	struct tui_screen base;
	int64_t id;
	bool loaded;
	struct nl_patient p;
	struct nl_series *series;
	struct nl_progress *prog;   /* one per series (zeroed when it failed) */
	struct nl_consent *consents;
	size_t nconsents;
	int64_t *drafts;            /* series holding a session draft */
	size_t ndrafts;
	struct tui_list list;
	char today[11];
};

static const enum tui_ctx ctxs[] = {
	TC_PATIENT, TC_LIST, TC_BROWSE, TC_GLOBAL, TC_END
};

static void unload(struct tui_screen *sc)
{
	struct patient *pt = (struct patient *)sc;

	for (size_t i = 0; pt->prog && i < pt->list.n; i++)
		progress_free(&pt->prog[i]);
	free(pt->prog);
	pt->prog = NULL;
	record_series_list_free(pt->series, pt->list.n);
	pt->series = NULL;
	record_consent_list_free(pt->consents, pt->nconsents);
	pt->consents = NULL;
	pt->nconsents = 0;
	free(pt->drafts);
	pt->drafts = NULL;
	pt->ndrafts = 0;
	pt->list.n = 0;
	if (pt->loaded)
		record_patient_free(&pt->p);
	pt->loaded = false;
}

static int load(struct tui *t, struct tui_screen *sc)
{
	struct patient *pt = (struct patient *)sc;
	struct nl_err err = { 0 };
	size_t n = 0;

	unload(sc);
	tui_today(t, pt->today);
	if (record_patient_get(t->store, pt->id, &pt->p, &err) != NL_OK) {
		tui_fail(t, "Cannot read the patient", &err);
		return -1;
	}
	pt->loaded = true;
	snprintf(pt->base.title, sizeof(pt->base.title), "%s", pt->p.name);
	if (record_consent_list(t->store, pt->id, &pt->consents, &pt->nconsents, &err) != NL_OK)
		tui_fail(t, "Cannot list the consents", &err);
	if (draft_list(t->store, &pt->drafts, &pt->ndrafts, &err) != NL_OK)
		tui_fail(t, "Cannot list the drafts", &err);
	if (record_series_list(t->store, pt->id, &pt->series, &n, &err) != NL_OK) {
		tui_fail(t, "Cannot list the series", &err);
		return 0;
	}
	pt->prog = calloc(n ? n : 1, sizeof(*pt->prog));
	if (!pt->prog) {
		record_series_list_free(pt->series, n);
		pt->series = NULL;
		return 0;
	}
	pt->list.n = n;
	for (size_t i = 0; i < n; i++)
		if (progress_series(t->store, pt->series[i].id, pt->today, &pt->prog[i], &err) != NL_OK)
			tui_fail(t, "Cannot compute a series' progress", &err);
	return 0;
}

static const char *label_of(const struct vocab_flag *f, const char *code)
{
	return f ? f->label : code;
}

static const char *clin_label(const struct clin_code *table, size_t n, const char *code)
{
	const struct clin_code *c = clin_find(table, n, code);

	return c ? c->label : code;
}

/* "Label  text", the text in st wrapped under itself (an allergy or a
 * medication is never cut at the edge); returns the next row. */
static int labelled(WINDOW *w, int y, int width, const char *label, enum tui_style st,
		    const char *text)
{
	int x = 1 + tui_put(w, y, 1, width - 1, A_NORMAL, label, false) + 1;

	return y + tui_put_wrap(w, y, x, width - x, 0, 64, tui_attr(st), text);
}

/* Allergies in force: "lidocaine (hives, severe), nickel". */
static void allergies_text(const struct patient *pt, char *buf, size_t size)
{
	const struct nl_patient *p = &pt->p;
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->nallergy_list && len < size; i++) {
		const struct nl_allergy *a = &p->allergy_list[i];

		if (!check_allergy_in_force(a, pt->today))
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s%s%s%s%s%s", len ? ", " : "",
			a->code, a->reaction || a->severity ? " (" : "", a->reaction ? a->reaction : "",
			a->reaction && a->severity ? ", " : "", a->severity ? a->severity : "",
			a->reaction || a->severity ? ")" : "");
	}
}

/* Medications in force (the core's rule): "Warfarin 5 mg (anticoagulant)". */
static void medications_text(const struct patient *pt, char *buf, size_t size)
{
	const struct nl_patient *p = &pt->p;
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->nmedication_list && len < size; i++) {
		const struct nl_medication *m = &p->medication_list[i];
		const char *kind = m->code;
		char until[11] = "";

		if (!check_medication_in_force(m, pt->today, until))
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s%s%s%s%s%s", len ? ", " : "",
			m->name ? m->name : kind, m->name ? " (" : "", m->name ? kind : "",
			m->name ? ")" : "", until[0] ? " caution until " : "", until);
	}
}

/* Each flag: in force (asked of the core, with its window's end) or ended. */
static int draw_flags(WINDOW *w, int y, int width, const struct patient *pt)
{
	const struct nl_patient *p = &pt->p;
	char buf[512];

	if (p->nflags == 0)
		tui_put(w, y++, 1, width - 1, tui_attr(TS_DIM), "No contraindications on file.", false);
	for (size_t i = 0; i < p->nflags; i++) {
		const struct nl_flag *f = &p->flags[i];
		char until[11] = "";
		bool on = check_flag_in_force(f, pt->today, until);

		snprintf(buf, sizeof(buf), "%s %s%s%s%s%s%s%s%s%s", on ? "⚠" : " ",
			 label_of(vocab_flag_find(f->code), f->code),
			 f->date ? "  since " : "", f->date ? f->date : "",
			 on && until[0] ? "  until " : "", on && until[0] ? until : "",
			 !on ? "  ended" : "", !on && f->end_date ? " " : "",
			 !on && f->end_date ? f->end_date : "", f->note ? "  — " : "");
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s", f->note ? f->note : "");
		y += tui_put_wrap(w, y, 1, width - 1, 2, 64, tui_attr(on ? TS_WARN : TS_DIM), buf);
	}
	return y;
}

/* One consent record a row: kind, what it covers, given, withdrawn. */
static int draw_consents(WINDOW *w, int y, int width, const struct patient *pt)
{
	char buf[512];

	if (!pt->nconsents)
		return labelled(w, y, width, "Consent", TS_WARN, "NONE ON FILE (c records one)");
	for (size_t i = 0; i < pt->nconsents; i++) {
		const struct nl_consent *c = &pt->consents[i];
		const struct vocab_indication *ind = c->covers ? vocab_indication_find(c->covers) : NULL;
		bool on = check_consent_in_force(c, c->kind, c->covers, pt->today);

		snprintf(buf, sizeof(buf), "%s, %s, %s%s%s%s%s",
			 clin_label(clin_consent_kinds, clin_consent_kind_count, c->kind),
			 c->covers ? (ind ? ind->label : c->covers) : "all indications", c->given,
			 c->withdrawn ? ", WITHDRAWN " : "", c->withdrawn ? c->withdrawn : "",
			 c->form ? ", form " : "", c->form ? c->form : "");
		y = labelled(w, y, width, i ? "       " : "Consent", on ? TS_OK : TS_DIM, buf);
	}
	return y;
}

/* The profile lines; returns the next free row. */
static int draw_profile(struct tui *t, struct patient *pt, WINDOW *w,
			int width)
{
	const struct nl_patient *p = &pt->p;
	int y = 0, x;
	char buf[1024];

	(void)t;
	x = tui_put(w, y, 1, width - 1, tui_attr(TS_LABEL), p->name, false) + 3;
	x += tui_putf(w, y, x, width - x, tui_attr(TS_DIM), "id %lld", (long long)p->id) + 2;
	if (p->archived)
		tui_put(w, y, x, width - x, tui_attr(TS_WARN), "ARCHIVED", false);
	y++;
	snprintf(buf, sizeof(buf), "Born %s   Sex %s   Phone %s   Email %s", p->dob ? p->dob : "—",
		 p->sex ? clin_label(clin_sexes, clin_sex_count, p->sex) : "—",
		 p->phone ? p->phone : "—", p->email ? p->email : "—");
	tui_put(w, y++, 1, width - 1, A_NORMAL, buf, false);
	x = 1 + tui_put(w, y, 1, width - 1, A_NORMAL, "Fitzpatrick ", false);
	if (p->skin_type)
		tui_put(w, y, x, width - x, tui_attr(p->skin_type >= 4 ? TS_WARN : TS_LABEL),
			vocab_fitzpatrick_label(p->skin_type), false);
	else
		tui_put(w, y, x, width - x, tui_attr(TS_DIM), "not recorded", false);
	y++;
	allergies_text(pt, buf, sizeof(buf));
	y = labelled(w, y, width, "Allergies", buf[0] ? TS_WARN : TS_DIM,
		     buf[0] ? buf : "none recorded");
	medications_text(pt, buf, sizeof(buf));
	y = labelled(w, y, width, "Medications", buf[0] ? TS_WARN : TS_DIM,
		     buf[0] ? buf : "none in force");
	y = draw_flags(w, y, width, pt);
	y = draw_consents(w, y, width, pt);
	if (p->notes) {   /* not safety information: one row, cut with a mark */
		x = 1 + tui_put(w, y, 1, width - 1, A_NORMAL, "Notes", false) + 1;
		tui_put(w, y++, x, width - x, tui_attr(TS_DIM), p->notes, false);
	}
	return y;
}

static bool has_draft(const struct patient *pt, int64_t series_id)
{
	for (size_t i = 0; i < pt->ndrafts; i++)
		if (pt->drafts[i] == series_id)
			return true;
	return false;
}

static void draw_row(WINDOW *w, int y, int x, int width, size_t row, attr_t a,
		     void *ctx)
{
	struct patient *pt = ctx;
	const struct nl_series *sr = &pt->series[row];
	const struct nl_progress *pg = &pt->prog[row];
	const struct vocab_indication *ind = vocab_indication_find(sr->indication);
	enum tui_style ds = TS_NORMAL;
	char due[64];

	int iw = width >= 100 ? 30 : 20, cx = x + 1;

	tui_putf(w, y, cx, iw - 1, a, "%s", ind ? ind->label : sr->indication);
	cx += iw;
	tui_putf(w, y, cx, 10, a ? a : tui_attr(strcmp(sr->status, VOCAB_STATUS_ACTIVE) ? TS_DIM : TS_OK),
		 "%s", sr->status);
	cx += 11;
	tui_putf(w, y, cx, 10, a, "%d/%d done", pg->done, plan_total(sr));
	cx += 11;
	if (has_draft(pt, sr->id)) {
		tui_put(w, y, cx, 10, a ? a : tui_attr(TS_DUE), "✎ draft", false);
		cx += 11;
	}
	if (pg->due == PROGRESS_OVERDUE) {
		snprintf(due, sizeof(due), "due %s (%dd late)", pg->next_due, -pg->days_until_due);
		ds = TS_OVERDUE;
	} else if (pg->due == PROGRESS_DUE) {
		snprintf(due, sizeof(due), "due today");
		ds = TS_DUE;
	} else if (pg->next_due[0]) {
		snprintf(due, sizeof(due), "next %s", pg->next_due);
	} else {
		snprintf(due, sizeof(due), "%s", progress_due_name(pg->due));
		ds = TS_DIM;
	}
	if (x + width - cx > 0)
		tui_put(w, y, cx, x + width - cx, a ? a : tui_attr(ds), due, false);
}

static void draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct patient *pt = (struct patient *)sc;
	int rows, cols, y;

	getmaxyx(w, rows, cols);
	if (!pt->loaded) {
		tui_put(w, 1, 1, cols - 1, tui_attr(TS_DIM), "This patient could not be read.", false);
		return;
	}
	y = draw_profile(t, pt, w, cols - 1);
	tui_heading(w, y++, 0, cols, "Treatment series");
	tui_list_draw(w, &pt->list, y, 0, cols, rows - y, true,
		      "No series yet. Press a to plan one.", draw_row, pt);
}

static void archive(struct tui *t, struct patient *pt)
{
	struct nl_err err = { 0 };
	bool to = !pt->p.archived;
	char q[512];

	snprintf(q, sizeof(q), to ? "Archive %s? The records stay (nothing is deleted) and the "
		 "patient leaves the default list." : "Restore %s to the patient list?", pt->p.name);
	if (!tui_confirm(t, to ? "Archive patient" : "Restore patient", q, false))
		return;
	if (record_patient_archive(t->store, pt->id, to, &err) != NL_OK) {
		tui_fail(t, "Cannot archive", &err);
		return;
	}
	tui_msg(t, TS_OK, "%s.", to ? "Archived" : "Restored");
	load(t, &pt->base);
}

/* c: a consent, asked step by step: kind, what it covers (an indication
 * or every one), the form, the date given (today by default). The core
 * checks every value; its message says what is wrong. */
static void consent_add(struct tui *t, struct patient *pt)
{
	const char *kinds[8], *covers[64];
	char form[200] = "", given[16];
	struct nl_consent c = { .patient_id = pt->id };
	struct nl_err err = { 0 };
	size_t nk = clin_consent_kind_count < 8 ? clin_consent_kind_count : 8, nc = 1;
	int k, v;
	int64_t id;

	for (size_t i = 0; i < nk; i++)
		kinds[i] = clin_consent_kinds[i].label;
	covers[0] = "all indications";
	for (size_t i = 0; i < vocab_indication_count && nc < 64; i++)
		covers[nc++] = vocab_indications[i].label;
	snprintf(given, sizeof(given), "%s", pt->today);
	if ((k = tui_pick(t, "Consent to", kinds, nk, 0)) < 0 ||
	    (v = tui_pick(t, "Covering", covers, nc, 0)) < 0 ||
	    !tui_prompt(t, "Consent form", "The form's name and version (optional):", form,
			sizeof(form)) ||
	    !tui_prompt(t, "Given on", "The date it was given (YYYY-MM-DD):", given, sizeof(given)))
		return;
	c.kind = (char *)clin_consent_kinds[k].code;
	c.covers = v ? (char *)vocab_indications[v - 1].code : NULL;
	c.form = form[0] ? form : NULL;
	c.given = given;
	if (record_consent_add(t->store, &c, &id, &err) != NL_OK) {
		tui_fail(t, "Consent not recorded", &err);
		return;
	}
	tui_msg(t, TS_OK, "Consent recorded: %s.", kinds[k]);
	load(t, &pt->base);
}

/* w: withdraws one consent in force (from today); it stays on file. */
static void consent_withdraw(struct tui *t, struct patient *pt)
{
	const char *items[32];
	char text[32][160];
	size_t idx[32], n = 0;
	struct nl_err err = { 0 };
	int k;

	for (size_t i = 0; i < pt->nconsents && n < 32; i++) {
		const struct nl_consent *c = &pt->consents[i];

		if (c->withdrawn)
			continue;
		snprintf(text[n], sizeof(text[n]), "%s, %s, given %s",
			 clin_label(clin_consent_kinds, clin_consent_kind_count, c->kind),
			 c->covers ? c->covers : "all indications", c->given);
		items[n] = text[n];
		idx[n++] = i;
	}
	if (!n) {
		tui_msg(t, TS_WARN, "No consent to withdraw.");
		return;
	}
	if ((k = tui_pick(t, "Withdraw which consent", items, n, 0)) < 0 ||
	    !tui_confirm(t, "Withdraw consent", "Withdraw it from today? It stays on file, "
			 "marked withdrawn; a session without consent in force warns.", false))
		return;
	if (record_consent_withdraw(t->store, pt->consents[idx[k]].id, NULL,
				    t->practitioner[0] ? t->practitioner : NULL, &err) != NL_OK) {
		tui_fail(t, "Not withdrawn", &err);
		return;
	}
	tui_msg(t, TS_OK, "Consent withdrawn: %s.", items[k]);
	load(t, &pt->base);
}

static bool action(struct tui *t, struct tui_screen *sc, enum tui_action a)
{
	struct patient *pt = (struct patient *)sc;

	switch (a) {
	case TA_OPEN:
		if (pt->list.n)
			tui_open_series(t, pt->series[pt->list.sel].id);
		break;
	case TA_ADD:
		tui_push(t, tui_series_form_new(t, pt->id, 0));
		break;
	case TA_EDIT:
		tui_push(t, tui_patient_form_new(t, pt->id));
		break;
	case TA_EXPORT:
		tui_export(t, pt->id, 0);
		break;
	case TA_ARCHIVE:
		if (pt->loaded)
			archive(t, pt);
		break;
	case TA_CONSENT:
		if (pt->loaded)
			consent_add(t, pt);
		break;
	case TA_WITHDRAW:
		if (pt->loaded)
			consent_withdraw(t, pt);
		break;
	default:
		return false;
	}
	return true;
}

static const struct tui_screen_ops ops = {
	.name = "patient",
	.ctxs = ctxs,
	.private_size = sizeof(struct patient),
	.list_offset = offsetof(struct patient, list),
	.locked_title = "Patient",
	.load = load,
	.unload = unload,
	.draw = draw,
	.action = action,
};

struct tui_screen *tui_patient_new(struct tui *t, int64_t patient_id)
{
	struct patient *pt = tui_screen_alloc(t, &ops);

	if (!pt)
		return NULL;
	pt->id = patient_id;
	return tui_screen_open(t, &pt->base);
}
