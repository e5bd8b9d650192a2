/* The series form: plan a treatment series for a patient (indication, the
 * plan in phases, target areas, start, goal, baseline scores). The plan is
 * written as the CLI's --phase takes it, COUNTxDAYS, phases in order
 * ("12x7, 6x28"), and read back in the core's words as it is typed. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "needlelog/vocab.h"
#include "tui.h"

#define TEXT_BUF 4096

struct srform {
	struct tui_screen base;
	int64_t patient_id;
	int64_t series_id;          /* 0 = a new series */
	struct tui_form fm;
};

/* Where its draft is kept (see draft_form_save). */
static const char *draft_form(const struct srform *f)
{
	return f->series_id ? "series" : "series-new";
}

static int64_t draft_ref(const struct srform *f)
{
	return f->series_id ? f->series_id : f->patient_id;
}

static const enum tui_ctx ctxs[] = { TC_FORM, TC_GLOBAL, TC_END };

static const struct tui_fdef defs[] = {
	{ "indication", "Indication", TF_PICK, 20, false, "What is treated. Enter picks (required)." },
	{ "plan", "Plan", TF_TEXT, 30, false, "COUNTxDAYS phases in order: 6x28, or 12x7, 6x28 for 12 weekly then 6 monthly." },
	{ "areas", "Target areas", TF_PICK, 0, false, "Area codes separated by commas. Enter adds one from the list." },
	{ "start", "Start date", TF_TEXT, 12, false, "YYYY-MM-DD (empty = today)." },
	{ "goal", "Goal", TF_TEXT, 0, false, "What the series aims for (free text)." },
	{ "baseline", "Baseline scores", TF_PICK, 0, false, "scale=value, separated by commas (gais=4, pain=3). Enter adds a scale." },
	{ "status", "Status", TF_PICK, 12, false, "active, or why it ended. Enter picks." },
};
#define NDEFS (sizeof(defs) / sizeof(defs[0]))

static void get(struct srform *f, const char *key, char *buf, size_t size)
{
	tui_form_get(&f->fm, (size_t)tui_form_find(&f->fm, key, 0), buf, size);
}

/* Splits "a, b, c" in place; returns how many parts went into parts. */
static size_t split(char *s, char **parts, size_t max)
{
	char *save = NULL;
	size_t n = 0;

	for (char *tok = strtok_r(s, ",", &save); tok && n < max; tok = strtok_r(NULL, ",", &save)) {
		char *end;

		while (*tok == ' ')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && end[-1] == ' ')
			*--end = '\0';
		if (*tok)
			parts[n++] = tok;
	}
	return n;
}

/* The plan field's phases into sr (one phase: the one-phase form, as
 * record.h asks); empty leaves the default (new) or the stored plan. */
static int build_plan(struct srform *f, struct nl_series *sr, struct nl_err *err)
{
	char v[TEXT_BUF], *parts[64];
	size_t n;
	int rc;

	get(f, "plan", v, sizeof(v));
	n = split(v, parts, 64);
	for (size_t i = 0; i < n; i++)
		if ((rc = plan_phase_add(sr, parts[i], err)) != NL_OK)
			return rc;
	if (sr->nphases) {
		sr->planned = plan_total(sr);
		sr->interval_days = sr->phases[0].interval_days;
	}
	return NL_OK;
}

static int build(struct srform *f, struct nl_series *sr, struct nl_err *err)
{
	char v[TEXT_BUF], *parts[64];
	size_t n;
	int rc;

	memset(sr, 0, sizeof(*sr));
	sr->id = f->series_id;
	sr->patient_id = f->patient_id;
	get(f, "status", v, sizeof(v));
	if (v[0] && !vocab_status_find(v))
		return nl_error(err, NL_EDATA, "status: '%s' is not known (Enter lists them)", v);
	sr->status = v[0] ? strdup(v) : NULL;
	get(f, "indication", v, sizeof(v));
	if (!vocab_indication_find(v))
		return nl_error(err, NL_EDATA, "indication: '%s' is not known (Enter lists them)", v);
	sr->indication = strdup(v);
	if ((rc = build_plan(f, sr, err)) != NL_OK)
		return rc;
	get(f, "start", v, sizeof(v));
	sr->start_date = v[0] ? strdup(v) : NULL;
	get(f, "goal", v, sizeof(v));
	sr->goal = v[0] ? strdup(v) : NULL;
	get(f, "areas", v, sizeof(v));
	n = split(v, parts, 64);
	sr->areas = calloc(n ? n : 1, sizeof(*sr->areas));
	for (size_t i = 0; sr->areas && i < n; i++) {
		if (!vocab_area_find(parts[i]))
			return nl_error(err, NL_EDATA, "target areas: '%s' is not an area (Enter lists them)",
					parts[i]);
		sr->areas[sr->nareas++] = strdup(parts[i]);
	}
	get(f, "baseline", v, sizeof(v));
	n = split(v, parts, 64);
	sr->baseline = calloc(n ? n : 1, sizeof(*sr->baseline));
	for (size_t i = 0; sr->baseline && i < n; i++) {
		char *eq = strchr(parts[i], '=');
		const struct vocab_scale *sc;

		if (!eq)
			return nl_error(err, NL_EDATA, "baseline: write scale=value, not '%s'", parts[i]);
		*eq++ = '\0';
		sc = vocab_scale_find(parts[i]);
		if (!sc)
			return nl_error(err, NL_EDATA, "baseline: '%s' is not a scale", parts[i]);
		if ((rc = vocab_scale_parse(sc, eq, &sr->baseline[sr->nbaseline].value, err)) != NL_OK)
			return rc;
		sr->baseline[sr->nbaseline++].scale = strdup(sc->code);
	}
	return check_series(sr, err);
}

/* The plan as the core words it, as it is typed (or what is wrong). */
static void draw_plan(struct srform *f, WINDOW *w, int y, int width)
{
	struct nl_series sr = { 0 };
	struct nl_err err = { 0 };
	char text[256];

	if (build_plan(f, &sr, &err) != NL_OK)
		tui_putf(w, y, 1, width, tui_attr(TS_ERROR), "✖ Plan: %s", err.msg);
	else if (sr.nphases)
		tui_putf(w, y, 1, width, tui_attr(TS_OK), "The plan reads: %s (%d sessions)",
			 plan_text(&sr, text, sizeof(text)), plan_total(&sr));
	free(sr.phases);
}

static void draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct srform *f = (struct srform *)sc;
	int rows, cols, cy, cx;

	(void)t;
	getmaxyx(w, rows, cols);
	tui_put(w, 0, 1, cols - 2, tui_attr(TS_LABEL),
		f->series_id ? "Edit the series (every change is audited)" : "New treatment series", false);
	tui_form_draw(w, &f->fm, 2, 1, cols - 2, rows - 5, &cy, &cx);
	sc->cy = cy;
	sc->cx = cx;
	draw_plan(f, w, rows - 2, cols - 2);
	tui_put(w, rows - 1, 1, cols - 2, tui_attr(TS_DIM), f->fm.f[f->fm.focus].hint, false);
}

static void append(struct srform *f, const char *text, const char *sep)
{
	char buf[TEXT_BUF];

	tui_form_get(&f->fm, f->fm.focus, buf, sizeof(buf));
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", buf[0] ? sep : "", text);
	tui_form_set(&f->fm, f->fm.focus, buf);
}

static void pick(struct tui *t, struct tui_screen *sc)
{
	struct srform *f = (struct srform *)sc;
	const char *key = f->fm.f[f->fm.focus].key;
	char labels[64][128];
	const char *items[64];
	size_t n = 0;
	int k;

	if (strcmp(key, "indication") == 0) {
		for (; n < vocab_indication_count && n < 64; n++) {
			snprintf(labels[n], sizeof(labels[n]), "%-18s %s", vocab_indications[n].code,
				 vocab_indications[n].label);
			items[n] = labels[n];
		}
		if ((k = tui_pick(t, "Indication", items, n, -1)) >= 0)
			tui_form_set(&f->fm, f->fm.focus, vocab_indications[k].code);
	} else if (strcmp(key, "areas") == 0) {
		for (; n < vocab_area_count && n < 64; n++) {
			snprintf(labels[n], sizeof(labels[n]), "%-18s %s", vocab_areas[n].code,
				 vocab_areas[n].label);
			items[n] = labels[n];
		}
		if ((k = tui_pick(t, "Add a target area", items, n, -1)) >= 0)
			append(f, vocab_areas[k].code, ", ");
	} else if (strcmp(key, "baseline") == 0) {
		for (; n < vocab_scale_count && n < 64; n++) {
			snprintf(labels[n], sizeof(labels[n]), "%-20s %s", vocab_scales[n].code,
				 vocab_scales[n].value_help ? vocab_scales[n].value_help : vocab_scales[n].label);
			items[n] = labels[n];
		}
		if ((k = tui_pick(t, "Add a baseline score", items, n, -1)) >= 0) {
			char buf[64];

			snprintf(buf, sizeof(buf), "%s=", vocab_scales[k].code);
			append(f, buf, ", ");
		}
	} else if (strcmp(key, "status") == 0) {
		for (; n < vocab_status_count && n < 64; n++) {
			snprintf(labels[n], sizeof(labels[n]), "%-12s %s", vocab_statuses[n].code,
				 vocab_statuses[n].label);
			items[n] = labels[n];
		}
		if ((k = tui_pick(t, "Series status", items, n, -1)) >= 0)
			tui_form_set(&f->fm, f->fm.focus, vocab_statuses[k].code);
	} else {
		tui_form_step(&f->fm, 1);
	}
}

static void save(struct tui *t, struct tui_screen *sc)
{
	struct srform *f = (struct srform *)sc;
	struct nl_series sr;
	struct nl_err err = { 0 };
	int64_t id = 0;
	bool edited;
	int rc = build(f, &sr, &err);

	if (rc == NL_OK)
		rc = f->series_id ? record_series_edit(t->store, &sr, &err)
				  : record_series_add(t->store, &sr, &id, &err);
	record_series_free(&sr);
	if (rc != NL_OK) {
		tui_fail(t, "Not saved", &err);
		return;
	}
	tui_form_forget(t, draft_form(f), draft_ref(f));
	edited = f->series_id != 0;
	tui_pop(t);   /* frees f */
	if (edited) {
		tui_msg(t, TS_OK, "Series saved.");
		return;
	}
	tui_msg(t, TS_OK, "Series planned (id %lld). n logs its first session.", (long long)id);
	tui_push(t, tui_series_new(t, id));
}

static void draft(const struct tui_screen *sc, const char **form, int64_t *ref)
{
	*form = draft_form((const struct srform *)sc);
	*ref = draft_ref((const struct srform *)sc);
}

static void unload(struct tui_screen *sc)
{
	tui_form_wipe(&((struct srform *)sc)->fm);
}

/* Fills the form from a series being edited. */
static void fill(struct srform *f, const struct nl_series *sr)
{
	char buf[TEXT_BUF] = "", val[64];

	tui_form_set(&f->fm, (size_t)tui_form_find(&f->fm, "indication", 0), sr->indication);
	for (size_t i = 0; i < sr->nphases; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%dx%d", i ? ", " : "",
			 sr->phases[i].count, sr->phases[i].interval_days);
	if (!sr->nphases)
		snprintf(buf, sizeof(buf), "%dx%d", sr->planned, sr->interval_days);
	tui_form_set(&f->fm, (size_t)tui_form_find(&f->fm, "plan", 0), buf);
	buf[0] = '\0';
	for (size_t i = 0; i < sr->nareas; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? ", " : "",
			 sr->areas[i]);
	tui_form_set(&f->fm, (size_t)tui_form_find(&f->fm, "areas", 0), buf);
	tui_form_set(&f->fm, (size_t)tui_form_find(&f->fm, "start", 0), sr->start_date);
	tui_form_set(&f->fm, (size_t)tui_form_find(&f->fm, "goal", 0), sr->goal);
	buf[0] = '\0';
	for (size_t i = 0; i < sr->nbaseline; i++) {
		const struct vocab_scale *sc = vocab_scale_find(sr->baseline[i].scale);

		if (sc)
			vocab_scale_format(sc, sr->baseline[i].value, val, sizeof(val));
		else
			snprintf(val, sizeof(val), "%g", sr->baseline[i].value);
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s=%s", i ? ", " : "",
			 sr->baseline[i].scale, val);
	}
	tui_form_set(&f->fm, (size_t)tui_form_find(&f->fm, "baseline", 0), buf);
	tui_form_set(&f->fm, (size_t)tui_form_find(&f->fm, "status", 0), sr->status);
}

/* A new series' defaults: today, 6 sessions 28 days apart (6x28), active. */
static void defaults(struct tui *t, struct srform *f)
{
	char today[11];

	tui_today(t, today);
	tui_form_set(&f->fm, (size_t)tui_form_find(&f->fm, "start", 0), today);
	tui_form_set(&f->fm, (size_t)tui_form_find(&f->fm, "plan", 0), "6x28");
	tui_form_set(&f->fm, (size_t)tui_form_find(&f->fm, "status", 0), VOCAB_STATUS_ACTIVE);
}

/* Builds the fields (on open, and after a lock wiped them): a kept draft
 * first, else the series as read, else the defaults. */
static int load(struct tui *t, struct tui_screen *sc)
{
	struct srform *f = (struct srform *)sc;
	struct nl_err err = { 0 };
	struct nl_series sr;

	if (f->fm.n)
		return 0;   /* back from help or a dialog: as it was */
	if (tui_form_add_defs(&f->fm, defs, NDEFS, 0) != 0)
		return -1;
	f->fm.f[0].required = true;
	if (tui_form_resume(t, &f->fm, draft_form(f), draft_ref(f))) {
		tui_msg(t, TS_OK, "The form is as you left it.");
		return 0;
	}
	if (!f->series_id) {
		defaults(t, f);
		return 0;
	}
	if (record_series_get(t->store, f->series_id, &sr, &err) != NL_OK) {
		tui_fail(t, "Cannot read the series", &err);
		return -1;
	}
	fill(f, &sr);
	record_series_free(&sr);
	return 0;
}

static const struct tui_screen_ops ops = {
	.name = "series form",
	.ctxs = ctxs,
	.private_size = sizeof(struct srform),
	.load = load,
	.unload = unload,
	.form_offset = offsetof(struct srform, fm),
	.draft = draft,
	.draw = draw,
	.pick = pick,
	.submit = save,
};

struct tui_screen *tui_series_form_new(struct tui *t, int64_t patient_id,
				       int64_t series_id)
{
	struct srform *f = tui_screen_alloc(t, &ops);

	if (!f)
		return NULL;
	f->patient_id = patient_id;
	f->series_id = series_id;
	snprintf(f->base.title, sizeof(f->base.title), "%s", series_id ? "Edit series" : "New series");
	return tui_screen_open(t, &f->base);
}
