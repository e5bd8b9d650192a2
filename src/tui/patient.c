/* A patient: the profile with its flags and warnings in plain sight
 * (contraindications, allergies, skin type, consent), and the series. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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

/* The profile lines; returns the next free row. */
static int draw_profile(struct tui *t, struct patient *pt, WINDOW *w,
			int width)
{
	const struct nl_patient *p = &pt->p;
	int y = 0, x;
	char buf[512];

	(void)t;
	x = tui_put(w, y, 1, width - 1, tui_attr(TS_LABEL), p->name, false) + 2;
	x += tui_putf(w, y, x, width - x, tui_attr(TS_DIM), "#%lld", (long long)p->id) + 2;
	if (p->archived)
		tui_put(w, y, x, width - x, tui_attr(TS_WARN), "ARCHIVED", false);
	y++;
	snprintf(buf, sizeof(buf), "Born %s   Phone %s   Email %s", p->dob ? p->dob : "—",
		 p->phone ? p->phone : "—", p->email ? p->email : "—");
	tui_put(w, y++, 1, width - 1, A_NORMAL, buf, false);
	x = 1 + tui_put(w, y, 1, width - 1, A_NORMAL, "Fitzpatrick ", false);
	if (p->skin_type)
		x += tui_put(w, y, x, width - x,
			     tui_attr(p->skin_type >= 4 ? TS_WARN : TS_LABEL),
			     vocab_fitzpatrick_label(p->skin_type), false);
	else
		x += tui_put(w, y, x, width - x, tui_attr(TS_DIM), "not recorded", false);
	x += tui_put(w, y, x, width - x, A_NORMAL, "   Consent ", false);
	if (p->consent_date)
		tui_put(w, y, x, width - x, tui_attr(TS_OK), p->consent_date, false);
	else
		tui_put(w, y, x, width - x, tui_attr(TS_WARN), "NONE ON FILE", false);
	y++;
	x = 1 + tui_put(w, y, 1, width - 1, A_NORMAL, "Allergies ", false);
	tui_put(w, y++, x, width - x, tui_attr(p->allergies ? TS_WARN : TS_DIM),
		p->allergies ? p->allergies : "none recorded", false);
	if (p->medications) {
		x = 1 + tui_put(w, y, 1, width - 1, A_NORMAL, "Medications ", false);
		tui_put(w, y++, x, width - x, A_NORMAL, p->medications, false);
	}
	if (p->nflags == 0)
		tui_put(w, y++, 1, width - 1, tui_attr(TS_DIM), "No contraindications on file.", false);
	for (size_t i = 0; i < p->nflags; i++) {
		const struct nl_flag *f = &p->flags[i];
		bool ended = f->end_date && strcmp(f->end_date, pt->today) < 0;

		snprintf(buf, sizeof(buf), "%s %s%s%s%s%s%s%s", ended ? " " : "⚠",
			 label_of(vocab_flag_find(f->code), f->code),
			 f->date ? "  since " : "", f->date ? f->date : "",
			 f->end_date ? "  ended " : "", f->end_date ? f->end_date : "",
			 f->note ? "  — " : "", f->note ? f->note : "");
		tui_put(w, y++, 1, width - 1, tui_attr(ended ? TS_DIM : TS_WARN), buf, false);
	}
	if (p->notes) {
		x = 1 + tui_put(w, y, 1, width - 1, A_NORMAL, "Notes ", false);
		tui_put(w, y++, x, width - x, tui_attr(TS_DIM), p->notes, false);
	}
	return y;
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
	tui_putf(w, y, cx, 10, a, "%d/%d done", pg->done, sr->planned);
	cx += 11;
	tui_putf(w, y, cx, 10, a, "every %dd", sr->interval_days);
	cx += 11;
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
