/* A treatment series: its sessions as a timeline, the depth per area over
 * time, each outcome scale against its baseline, done/planned and the next
 * due date. New sessions, amendments, signing and voiding start here. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "needlelog/audit.h"
#include "needlelog/clinical.h"
#include "needlelog/draft.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "needlelog/vocab.h"
#include "tui.h"

struct series {
	struct tui_screen base;
	int64_t id;
	bool loaded;
	struct nl_series sr;
	struct nl_patient p;
	bool have_patient;
	struct nl_progress pg;
	bool have_progress;
	struct nl_session *ses;     /* every session, voided too, by date */
	struct tui_list list;
	int pane;                   /* 0 depths, 1 scores (narrow screens) */
	char today[11];
};

static const enum tui_ctx ctxs[] = {
	TC_SERIES, TC_LIST, TC_BROWSE, TC_GLOBAL, TC_END
};

static void unload(struct tui_screen *sc)
{
	struct series *s = (struct series *)sc;

	record_session_list_free(s->ses, s->list.n);
	s->ses = NULL;
	s->list.n = 0;
	if (s->have_progress)
		progress_free(&s->pg);
	if (s->have_patient)
		record_patient_free(&s->p);
	if (s->loaded)
		record_series_free(&s->sr);
	s->have_progress = s->have_patient = s->loaded = false;
}

static int load(struct tui *t, struct tui_screen *sc)
{
	struct series *s = (struct series *)sc;
	int64_t keep = s->list.n ? s->ses[s->list.sel].id : -1;
	struct nl_err err = { 0 };
	const struct vocab_indication *ind;
	size_t n = 0;

	unload(sc);
	tui_today(t, s->today);
	if (record_series_get(t->store, s->id, &s->sr, &err) != NL_OK) {
		tui_fail(t, "Cannot read the series", &err);
		return -1;
	}
	s->loaded = true;
	s->have_patient = record_patient_get(t->store, s->sr.patient_id, &s->p, &err) == NL_OK;
	ind = vocab_indication_find(s->sr.indication);
	snprintf(s->base.title, sizeof(s->base.title), "%s",
		 ind ? ind->label : s->sr.indication);
	if (progress_series(t->store, s->id, s->today, &s->pg, &err) == NL_OK)
		s->have_progress = true;
	else
		tui_fail(t, "Cannot compute the progress", &err);
	if (record_session_list(t->store, s->id, true, &s->ses, &n, &err) != NL_OK) {
		tui_fail(t, "Cannot list the sessions", &err);
		s->ses = NULL;
		n = 0;
	}
	s->list.n = n;
	s->list.sel = n ? n - 1 : 0;
	for (size_t i = 0; i < n; i++)
		if (s->ses[i].id == keep)
			s->list.sel = i;
	for (size_t i = 0; t->select_session && i < n; i++)
		if (s->ses[i].id == t->select_session) {
			s->list.sel = i;
			t->select_session = 0;
		}
	return 0;
}

/* The session number among live sessions, 0 when voided. */
static int number_of(const struct series *s, int64_t id)
{
	for (size_t i = 0; s->have_progress && i < s->pg.nsessions; i++)
		if (s->pg.sessions[i].session_id == id)
			return s->pg.sessions[i].number;
	return 0;
}

/* The summary's rows: the plan is never cut (a phased plan's wording is
 * long), so when it does not fit on the first row it takes one of its
 * own. Returns the rows used. */
static int draw_summary(struct series *s, WINDOW *w, int width)
{
	const struct nl_progress *pg = &s->pg;
	enum tui_style ds = TS_NORMAL;
	char due[96], plan[128], head[256];
	int x, y = 1;

	x = 1 + tui_putf(w, 0, 1, width - 1, tui_attr(TS_LABEL), "%s", s->base.title);
	if (s->have_patient)
		x += tui_putf(w, 0, x, width - x, tui_attr(TS_DIM), "  %s", s->p.name);
	snprintf(head, sizeof(head), "  ·  %s  ·  %d of %d done", s->sr.status,
		 s->have_progress ? pg->done : 0, plan_total(&s->sr));
	x += tui_put(w, 0, x, width - x, A_NORMAL, head, false);
	plan_text(&s->sr, plan, sizeof(plan));
	if (x + 5 + tui_text_width(plan) > width)
		tui_putf(w, y++, 1, width - 1, A_NORMAL, "Plan: %s", plan);
	else
		tui_putf(w, 0, x, width - x, A_NORMAL, "  ·  %s", plan);
	if (!s->have_progress)
		return y;
	if (pg->due == PROGRESS_OVERDUE) {
		snprintf(due, sizeof(due), "OVERDUE since %s (%d days)", pg->next_due, -pg->days_until_due);
		ds = TS_OVERDUE;
	} else if (pg->due == PROGRESS_DUE) {
		snprintf(due, sizeof(due), "due TODAY (%s)", pg->next_due);
		ds = TS_DUE;
	} else if (pg->next_due[0]) {
		snprintf(due, sizeof(due), "next due %s (in %d days)", pg->next_due, pg->days_until_due);
	} else {
		snprintf(due, sizeof(due), "%s", progress_due_name(pg->due));
		ds = TS_DIM;
	}
	x = 1 + tui_putf(w, y, 1, width - 1, A_NORMAL, "Started %s  ·  ", s->sr.start_date);
	x += tui_put(w, y, x, width - x, tui_attr(ds), due, false);
	if (s->sr.goal)
		tui_putf(w, y, x, width - x, tui_attr(TS_DIM), "  ·  Goal: %s", s->sr.goal);
	return y + 1;
}

static void areas_text(const struct nl_session *ses, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ses->nareas && used < size; i++) {
		const struct nl_treatment *a = &ses->areas[i];
		int n;

		if (a->passes)
			n = snprintf(buf + used, size - used, "%s%s%s%s %gmm×%d", i ? ", " : "",
				     a->area, a->label ? ":" : "", a->label ? a->label : "",
				     a->depth_mm, a->passes);
		else
			n = snprintf(buf + used, size - used, "%s%s%s%s %gmm", i ? ", " : "",
				     a->area, a->label ? ":" : "", a->label ? a->label : "",
				     a->depth_mm);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static void draw_row(WINDOW *w, int y, int x, int width, size_t row, attr_t a,
		     void *ctx)
{
	struct series *s = ctx;
	const struct nl_session *ses = &s->ses[row];
	int num = number_of(s, ses->id), cx = x + 1;
	char buf[512];

	if (ses->voided)
		cx += tui_put(w, y, cx, 6, a ? a : tui_attr(TS_VOID), " void ", true);
	else
		cx += tui_putf(w, y, cx, 6, a ? a : tui_attr(TS_LABEL), "#%-4d", num);
	cx += tui_putf(w, y, cx, 12, a ? a : (ses->voided ? tui_attr(TS_VOID) : A_NORMAL),
		       "%s", ses->date) + 1;
	if (ses->voided)
		cx += tui_put(w, y, cx, 10, a ? a : tui_attr(TS_VOID), "voided", true);
	else if (ses->is_signed)
		cx += tui_put(w, y, cx, 10, a ? a : tui_attr(TS_SIGNED), "✔ signed", true);
	else
		cx += tui_put(w, y, cx, 10, a ? a : tui_attr(TS_DUE), "unsigned", true);
	if (ses->nwarnings)
		tui_putf(w, y, cx, 5, a ? a : tui_attr(TS_WARN), "⚠%zu", ses->nwarnings);
	cx += 5;
	if (ses->amendment_count)
		tui_put(w, y, cx, 4, a ? a : tui_attr(TS_DIM), "am.", false);
	cx += 4;
	areas_text(ses, buf, sizeof(buf));
	if (x + width - cx > 0)
		tui_put(w, y, cx, x + width - cx, a ? a : (ses->voided ? tui_attr(TS_VOID) : A_NORMAL), buf, false);
}

/* Depth per area: sessions down, areas across; the latest rows when they
 * do not all fit. */
static void draw_depths(struct series *s, WINDOW *w, int y, int x, int width,
			int height)
{
	const struct nl_progress *pg = &s->pg;
	const int lead = 18;
	size_t ncols, first;
	int rows, colw = 10;

	if (height < 2)
		return;
	if (!s->have_progress || pg->nsessions == 0 || pg->nareas == 0) {
		tui_put(w, y, x + 1, width - 1, tui_attr(TS_DIM), "No depths yet.", false);
		return;
	}
	for (size_t j = 0; j < pg->nareas; j++) {
		int need = tui_text_width(pg->areas[j]) + 2;

		if (need > colw)
			colw = need > 18 ? 18 : need;
	}
	ncols = (size_t)((width - lead) / colw);
	if (ncols > pg->nareas)
		ncols = pg->nareas;
	tui_put(w, y, x, lead, tui_attr(TS_HEADER), "  mm × passes", true);
	for (size_t j = 0; j < ncols; j++)
		tui_put(w, y, x + lead + (int)j * colw, colw - 1, tui_attr(TS_HEADER), pg->areas[j], true);
	rows = height - 1;
	first = pg->nsessions > (size_t)rows ? pg->nsessions - (size_t)rows : 0;
	for (size_t i = first; i < pg->nsessions; i++) {
		int yy = y + 1 + (int)(i - first);

		tui_putf(w, yy, x, lead, A_NORMAL, "  #%-2d %s", pg->sessions[i].number,
			 pg->sessions[i].date);
		for (size_t j = 0; j < ncols; j++) {
			double d = pg->depth_mm[i * pg->nareas + j];
			int ps = pg->passes[i * pg->nareas + j];
			double prev = i > 0 ? pg->depth_mm[(i - 1) * pg->nareas + j] : -1;
			enum tui_style st = d < 0 ? TS_DIM : (prev >= 0 && d > prev) ? TS_WARN : TS_NORMAL;

			if (d < 0)
				tui_put(w, yy, x + lead + (int)j * colw, colw - 1, tui_attr(st), "  ·", false);
			else if (ps)
				tui_putf(w, yy, x + lead + (int)j * colw, colw - 1, tui_attr(st), "%.2f×%d", d, ps);
			else
				tui_putf(w, yy, x + lead + (int)j * colw, colw - 1, tui_attr(st), "%.2f", d);
		}
	}
	if (ncols < pg->nareas)
		tui_putf(w, y, x + width - 12, 12, tui_attr(TS_DIM), "+%zu areas →", pg->nareas - ncols);
}

static enum tui_style verdict_style(enum progress_change c)
{
	return c == PROGRESS_BETTER ? TS_BETTER : c == PROGRESS_WORSE ? TS_WORSE : TS_DIM;
}

/* A sparkline of the latest values at (y, x), scaled to what was seen (a
 * hair count moves little on 0-500), the baseline first in its own
 * colour; returns the cells used. */
static int draw_spark(const struct progress_scale *ps, WINDOW *w, int y, int x)
{
	const struct vocab_scale *sc = ps->scale;
	double v[32] = { 0 }, lo, hi;
	size_t n = ps->npoints > 32 ? 32 : ps->npoints;

	for (size_t k = 0; k < n; k++)
		v[k] = ps->points[ps->npoints - n + k].value;
	lo = hi = ps->has_baseline ? ps->baseline : v[0];
	for (size_t k = 0; k < n; k++) {
		lo = v[k] < lo ? v[k] : lo;
		hi = v[k] > hi ? v[k] : hi;
	}
	if (hi - lo < (sc->max - sc->min) / 6) {
		/* but a step of one on a short scale is not a cliff */
		double mid = (hi + lo) / 2, half = (sc->max - sc->min) / 12;

		lo = mid - half;
		hi = mid + half;
	}
	if (ps->has_baseline)
		tui_sparkline(w, y, x, &ps->baseline, 1, lo, hi, tui_attr(TS_BASELINE));
	tui_sparkline(w, y, x + 1, v, n, lo, hi, tui_attr(TS_CHART));
	return (int)n + 2;
}

/* One scale in two rows, as the literature reads it: the change (stages
 * for Norwood and Ludwig, grades, or the difference and percentage with
 * the unit), then the dates it spans and the trend. Returns rows used. */
static int draw_scale(const struct series *s, const struct progress_scale *ps, WINDOW *w,
		      int y, int x, int width, int height)
{
	const struct vocab_scale *sc = ps->scale;
	const struct progress_point *last = ps->npoints ? &ps->points[ps->npoints - 1] : NULL;
	const char *unit = ps->unit && *ps->unit ? ps->unit : "";
	enum tui_style st = TS_NORMAL;
	char text[200], v[32], dates[160];
	int cx = x + 1, lead;

	/* the short label never truncates, so two rows never look alike */
	cx += tui_put(w, y, cx, VOCAB_SCALE_SHORT + 1, tui_attr(TS_LABEL), sc->short_label, true);
	lead = cx;
	if (last && ps->has_baseline) {
		snprintf(text, sizeof(text), "%s", ps->delta.text);
		st = verdict_style(ps->verdict);
	} else if (last) {
		vocab_scale_format(sc, ps->latest, v, sizeof(v));
		snprintf(text, sizeof(text), "now %s%s%s (no baseline)", v, *unit ? " " : "", unit);
	} else {
		vocab_scale_format(sc, ps->baseline, v, sizeof(v));
		snprintf(text, sizeof(text), "base %s%s%s, not scored since", v, *unit ? " " : "", unit);
		st = TS_BASELINE;
	}
	if (last && x + width - cx > (int)(ps->npoints > 32 ? 32 : ps->npoints) + 2 + tui_text_width(text))
		cx += draw_spark(ps, w, y, cx);
	tui_put(w, y, cx, x + width - cx, tui_attr(st), text, false);
	if (height < 2)
		return 1;
	if (last)
		snprintf(dates, sizeof(dates), "%s%s%s%s #%d %s%s%s",
			 ps->has_baseline ? "baseline " : "", ps->has_baseline ? ps->baseline_date : "",
			 ps->has_baseline ? " · " : "", "latest",
			 s->pg.sessions[last->session].number, last->date,
			 ps->trend != PROGRESS_TREND_NONE ? " · " : "",
			 ps->trend != PROGRESS_TREND_NONE ? progress_trend_name(ps->trend) : "");
	else
		snprintf(dates, sizeof(dates), "baseline %s", ps->baseline_date);
	tui_put(w, y + 1, lead, x + width - lead, tui_attr(TS_DIM), dates, false);
	return 2;
}

static void draw_scores(struct series *s, WINDOW *w, int y, int x, int width,
			int height)
{
	const struct nl_progress *pg = &s->pg;
	int row = 0;

	if (height < 1)
		return;
	if (!s->have_progress || pg->nscales == 0) {
		tui_put(w, y, x + 1, width - 1, tui_attr(TS_DIM),
			"No outcome scores yet (baseline or sessions).", false);
		return;
	}
	for (size_t i = 0; i < pg->nscales && row < height; i++)
		row += draw_scale(s, &pg->scales[i], w, y + row, x, width, height - row);
}

static void draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct series *s = (struct series *)sc;
	int rows, cols, y, lh, rest;

	(void)t;
	getmaxyx(w, rows, cols);
	if (!s->loaded) {
		tui_put(w, 1, 1, cols - 1, tui_attr(TS_DIM), "This series could not be read.", false);
		return;
	}
	y = draw_summary(s, w, cols - 1);
	tui_heading(w, y++, 0, cols, "Sessions");
	lh = (int)s->list.n;
	if (lh < 1)
		lh = 1;
	if (lh > (rows - y) / 2 - 1)
		lh = (rows - y) / 2 - 1;
	if (lh < 3)
		lh = 3;
	tui_list_draw(w, &s->list, y, 0, cols, lh, true,
		      "No sessions yet. Press n to log the first.", draw_row, s);
	y += lh;
	rest = rows - y - 1;
	if (cols >= 150) {
		int half = cols / 2;

		tui_heading(w, y, 0, half - 1, "Depth per area");
		tui_heading(w, y, half, cols - half, "Scores against baseline");
		draw_depths(s, w, y + 1, 0, half - 1, rest);
		draw_scores(s, w, y + 1, half, cols - half, rest);
	} else if (rest >= 8 && s->have_progress &&
		   (int)(s->pg.nsessions + 2 * s->pg.nscales) + 3 <= rest) {
		int dh = (int)s->pg.nsessions + 1;

		tui_heading(w, y, 0, cols, "Depth per area");
		draw_depths(s, w, y + 1, 0, cols, dh < 2 ? 2 : dh);
		y += (dh < 2 ? 2 : dh) + 1;
		tui_heading(w, y, 0, cols, "Scores against baseline");
		draw_scores(s, w, y + 1, 0, cols, rows - y - 1);
	} else {
		tui_heading(w, y, 0, cols, s->pane ? "Scores against baseline  (Tab: depths)"
						   : "Depth per area  (Tab: scores)");
		if (s->pane)
			draw_scores(s, w, y + 1, 0, cols, rest);
		else
			draw_depths(s, w, y + 1, 0, cols, rest);
	}
}

const char *tui_practitioner(struct tui *t, const char *why)
{
	char name[200] = "";

	if (t->practitioner[0])
		return t->practitioner;
	if (!tui_prompt(t, "Practitioner", why, name, sizeof(name)) || !name[0])
		return NULL;
	snprintf(t->practitioner, sizeof(t->practitioner), "%s", name);
	record_set_actor(t->store, t->practitioner, NULL);
	return t->practitioner;
}

bool tui_session_sign(struct tui *t, int64_t id, const char *what)
{
	struct nl_session_view v;
	struct nl_err err = { 0 };
	const char *by = NULL;
	char q[512];
	int rc;

	if (record_session_get(t->store, id, &v, &err) != NL_OK) {
		tui_fail(t, "Cannot read the session", &err);
		return false;
	}
	if (v.effective.is_signed || v.effective.voided) {
		tui_msg(t, TS_WARN, "%s is already %s; amend it to correct it.", what,
			v.effective.voided ? "voided" : "signed");
		record_session_view_free(&v);
		return false;
	}
	if (t->practitioner[0])
		by = t->practitioner;
	else if (!v.effective.practitioner)
		by = tui_practitioner(t, "Who signs? (your name, recorded with the signature)");
	if (!by && !v.effective.practitioner) {
		record_session_view_free(&v);
		tui_msg(t, TS_WARN, "Not signed: a signature needs the practitioner's name.");
		return false;
	}
	record_session_view_free(&v);
	snprintf(q, sizeof(q), "Sign %s%s%s? A signed session is locked: it can only be "
		 "corrected by an amendment, never changed.", what, by ? " as " : "", by ? by : "");
	if (!tui_confirm(t, "Sign session", q, false))
		return false;
	rc = record_session_sign(t->store, id, by, &err);
	if (rc != NL_OK) {
		tui_fail(t, "Not signed", &err);
		return false;
	}
	tui_msg(t, TS_OK, "Signed %s. It is now locked; corrections are amendments.", what);
	return true;
}

bool tui_session_void(struct tui *t, int64_t id, const char *what)
{
	struct nl_err err = { 0 };
	char q[512], reason[400] = "";

	snprintf(q, sizeof(q), "Void %s? It stays in the record, marked void, and leaves the "
		 "progress. This cannot be undone.", what);
	if (!tui_confirm(t, "Void session", q, false))
		return false;
	if (!tui_prompt(t, "Void session", "Why is it voided? (required, kept with the record)",
			reason, sizeof(reason)) || !reason[0]) {
		tui_msg(t, TS_WARN, "Not voided: a reason is required.");
		return false;
	}
	if (record_session_void(t->store, id, reason, t->practitioner[0] ? t->practitioner : NULL,
				&err) != NL_OK) {
		tui_fail(t, "Not voided", &err);
		return false;
	}
	tui_msg(t, TS_OK, "Voided %s.", what);
	return true;
}

static bool action(struct tui *t, struct tui_screen *sc, enum tui_action a)
{
	struct series *s = (struct series *)sc;
	const struct nl_session *ses = s->list.n ? &s->ses[s->list.sel] : NULL;
	char what[160] = "";

	if (ses)
		tui_session_name(t, s->id, ses->id, ses->date, what, sizeof(what));
	switch (a) {
	case TA_NEW_SESSION:
		if (s->loaded)
			tui_push(t, tui_session_form_new(t, s->id, 0, TUI_NEW));
		break;
	case TA_OPEN:
		if (ses)
			tui_push(t, tui_session_new(t, ses->id));
		break;
	case TA_EDIT:
		if (ses)
			tui_push(t, tui_session_form_new(t, s->id, ses->id, TUI_EDIT));
		break;
	case TA_AMEND:
		if (ses)
			tui_push(t, tui_session_form_new(t, s->id, ses->id, TUI_AMEND));
		break;
	case TA_SIGN:
		if (ses && tui_session_sign(t, ses->id, what))
			load(t, sc);
		break;
	case TA_VOID:
		if (ses && tui_session_void(t, ses->id, what))
			load(t, sc);
		break;
	case TA_PANE:
		s->pane = !s->pane;
		break;
	case TA_EDIT_SERIES:
		if (s->loaded)
			tui_push(t, tui_series_form_new(t, s->sr.patient_id, s->id));
		break;
	case TA_EXPORT:
		if (s->loaded)
			tui_export(t, s->sr.patient_id, s->id);
		break;
	case TA_PHOTOS:
		if (s->loaded)
			tui_push(t, tui_photos_new(t, s->id));
		break;
	default:
		return false;
	}
	return true;
}

static const struct tui_screen_ops ops = {
	.name = "series",
	.ctxs = ctxs,
	.private_size = sizeof(struct series),
	.list_offset = offsetof(struct series, list),
	.load = load,
	.unload = unload,
	.draw = draw,
	.action = action,
};

struct tui_screen *tui_series_new(struct tui *t, int64_t series_id)
{
	struct series *s = tui_screen_alloc(t, &ops);

	if (!s)
		return NULL;
	s->id = series_id;
	return tui_screen_open(t, &s->base);
}

void tui_open_series(struct tui *t, int64_t series_id)
{
	struct nl_err err = { 0 };
	char *text = NULL, *at = NULL, q[256], local[NL_TIME_LOCAL_BUF];
	struct tui_screen *sc = tui_series_new(t, series_id);
	int k;

	if (!sc)
		return;
	tui_push(t, sc);
	if (draft_load(t->store, series_id, &text, &at, &err) != NL_OK)
		return;
	free(text);
	snprintf(q, sizeof(q), "There is an unsaved session form for this series (saved %s).\n\n"
		 "r  resume it      d  discard it      Esc  later",
		 at ? nl_time_local(at, local, sizeof(local)) : "earlier");
	free(at);
	k = tui_ask(t, "Draft session", q, "rRdD");
	if (k == 'r' || k == 'R') {
		tui_push(t, tui_session_form_new(t, series_id, 0, TUI_DRAFT));
	} else if ((k == 'd' || k == 'D') &&
		   tui_confirm(t, "Discard draft", "Discard the unsaved form? It cannot be brought back.", false)) {
		if (draft_delete(t->store, series_id, &err) != NL_OK)
			tui_fail(t, "Cannot discard the draft", &err);
		else
			tui_msg(t, TS_OK, "Draft discarded.");
	}
}
