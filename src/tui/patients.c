/* The patient list: search as you type (name, date of birth, phone, id),
 * each patient's active series and next due date, overdue in red. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "needlelog/draft.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "needlelog/vocab.h"
#include "tui.h"

/* The rows are loaded once (every patient, or every one with archived)
 * and filtered in memory per keystroke by the core's rule
 * (record_patient_matches); they are read again only when
 * record_data_version says the file changed (issue 15). */
struct patients {
	struct tui_screen base;
	struct nl_patient_summary *all;
	size_t nall;
	bool loaded, loaded_archived;
	uint64_t version;         /* record_data_version when loaded */
	size_t *shown;            /* indexes into all: what the search leaves */
	int64_t *drafts;          /* patients with a draft, by id */
	size_t ndrafts;
	struct tui_list list;
	struct tui_form search;   /* one field */
	bool searching;
	bool archived;
	char today[11];
};

static const enum tui_ctx browse_ctxs[] = {
	TC_PATIENTS, TC_LIST, TC_BROWSE, TC_GLOBAL, TC_END
};
static const enum tui_ctx search_ctxs[] = {
	TC_SEARCH, TC_EDIT, TC_GLOBAL, TC_END
};

/* How many times the list was read from the core: a test reads it from
 * $NEEDLELOG_TEST_RELOADS (a file, rewritten at each read). */
static unsigned long reloads;

static void count_reload(void)
{
	const char *path = getenv("NEEDLELOG_TEST_RELOADS");
	FILE *f;

	reloads++;
	if (path && *path && (f = fopen(path, "w"))) {
		fprintf(f, "%lu\n", reloads);
		fclose(f);
	}
}

static void free_all(struct patients *p)
{
	record_patient_list_free(p->all, p->nall);
	p->all = NULL;
	p->nall = 0;
	p->loaded = false;
}

static void free_rows(struct patients *p)
{
	free_all(p);
	free(p->shown);
	p->shown = NULL;
	p->list.n = 0;
	free(p->drafts);
	p->drafts = NULL;
	p->ndrafts = 0;
}

static const struct nl_patient_summary *row_at(const struct patients *p, size_t i)
{
	return &p->all[p->shown[i]];
}

static bool has_draft(const struct patients *p, int64_t id)
{
	for (size_t i = 0; i < p->ndrafts; i++)
		if (p->drafts[i] == id)
			return true;
	return false;
}

/* The search box: one field, made again after a lock wiped it. */
static int search_field(struct patients *p)
{
	if (p->search.n)
		return 0;
	if (tui_form_insert(&p->search, 0, "search", "", TF_TEXT, 0, 0, false) < 0)
		return -1;
	tui_form_layout(&p->search);
	return 0;
}

/* Every patient (with the archived when shown), their folded names and
 * the file's version they were read at. */
static void read_all(struct tui *t, struct patients *p)
{
	struct nl_err err = { 0 };
	size_t n = 0;

	free_all(p);
	count_reload();
	if (record_data_version(t->store, &p->version, &err) != NL_OK ||
	    record_patient_list(t->store, NULL, p->archived, &p->all, &n, &err) != NL_OK) {
		tui_fail(t, "Cannot list the patients", &err);
		return;
	}
	p->nall = n;
	p->loaded = true;
	p->loaded_archived = p->archived;
}

/* Whether what was read is still the file's. */
static bool stale(struct tui *t, struct patients *p)
{
	struct nl_err err = { 0 };
	uint64_t v;

	if (!p->loaded || p->loaded_archived != p->archived)
		return true;
	return record_data_version(t->store, &v, &err) != NL_OK || v != p->version;
}

/* The rows the search leaves, in the core's order; the selection kept on
 * the same patient when it is still there. */
static void filter_rows(struct tui *t, struct patients *p, int64_t keep)
{
	struct nl_patient_search q;
	struct nl_err err = { 0 };
	char text[256];
	size_t n = 0;

	tui_form_get(&p->search, 0, text, sizeof(text));
	free(p->shown);
	p->list.n = 0;
	p->list.sel = 0;
	if (!(p->shown = calloc(p->nall ? p->nall : 1, sizeof(*p->shown))) ||
	    record_patient_search_init(&q, text, &err) != NL_OK) {
		tui_msg(t, TS_ERROR, "Out of memory.");
		return;
	}
	for (size_t i = 0; i < p->nall; i++)
		if (record_patient_matches(&q, &p->all[i]))
			p->shown[n++] = i;
	record_patient_search_free(&q);
	p->list.n = n;
	for (size_t i = 0; keep && i < n; i++)
		if (row_at(p, i)->id == keep)
			p->list.sel = i;
}

/* Drafts are written through the same handle, so a new draft changes the
 * version too: both are read again together. */
static void load_rows(struct tui *t, struct patients *p)
{
	int64_t keep = p->list.n ? row_at(p, p->list.sel)->id : 0;
	struct nl_err err = { 0 };

	tui_today(t, p->today);
	if (!t->store) {
		free_rows(p);
		return;
	}
	if (stale(t, p)) {
		free(p->drafts);
		p->drafts = NULL;
		p->ndrafts = 0;
		if (draft_patients(t->store, &p->drafts, &p->ndrafts, &err) != NL_OK)
			tui_fail(t, "Cannot list the drafts", &err);
		read_all(t, p);
	}
	filter_rows(t, p, keep);
}

static int load(struct tui *t, struct tui_screen *sc)
{
	struct patients *p = (struct patients *)sc;

	if (search_field(p) != 0) {
		tui_msg(t, TS_ERROR, "Out of memory.");
		return -1;
	}
	load_rows(t, p);
	return 0;
}

struct cols {
	int id, name, dob, phone, series, due;
};

static struct cols columns(int width)
{
	struct cols c = { 6, 0, 11, 0, 20, 20 };
	int rest;

	if (width >= 100) {
		c.series = 26;
		c.due = 22;
	}
	rest = width - c.id - c.dob - c.series - c.due - 1;
	if (rest >= 22 + 16) {
		c.phone = 16;
		rest -= 16;
	}
	c.name = rest;
	return c;
}

static void series_text(const struct nl_patient_summary *r, char *buf,
			size_t size)
{
	const struct vocab_indication *ind;

	if (!r->series_id) {
		snprintf(buf, size, "%s", r->active_series ? "" : "no active series");
		return;
	}
	ind = vocab_indication_find(r->indication ? r->indication : "");
	snprintf(buf, size, "%s %d/%d%s", ind ? ind->label : r->indication, r->done,
		 r->planned, r->active_series > 1 ? " +" : "");
}

/* "2026-12-01", "today", "5 days late"; the style for it. */
static enum tui_style due_text(const char *next_due, const char *today,
			       char *buf, size_t size)
{
	enum progress_due d;
	int days = 0;

	if (!next_due || !next_due[0]) {
		snprintf(buf, size, "—");
		return TS_DIM;
	}
	d = progress_due_state(next_due, today, &days);
	if (d == PROGRESS_OVERDUE) {
		snprintf(buf, size, "%s %dd late", next_due, -days);
		return TS_OVERDUE;
	}
	if (d == PROGRESS_DUE) {
		snprintf(buf, size, "%s today", next_due);
		return TS_DUE;
	}
	snprintf(buf, size, "%s", next_due);
	return TS_NORMAL;
}

static void draw_row(WINDOW *w, int y, int x, int width, size_t row, attr_t a,
		     void *ctx)
{
	struct patients *p = ctx;
	const struct nl_patient_summary *r = row_at(p, row);
	struct cols c = columns(width);
	char buf[256];
	enum tui_style ds;
	int nx;

	tui_putf(w, y, x, c.id, a ? a : tui_attr(TS_DIM), "%5lld", (long long)r->id);
	bool draft = has_draft(p, r->id);

	nx = tui_put(w, y, x + c.id, c.name - 3 - (draft ? 8 : 0), a ? a : (r->archived ? tui_attr(TS_VOID) : A_NORMAL),
		     r->name, false);
	if (r->nflags)
		nx += 1 + tui_put(w, y, x + c.id + nx + 1, 2, a ? a : tui_attr(TS_WARN), "⚠", false);
	if (draft)
		tui_put(w, y, x + c.id + nx + 1, 8, a ? a : tui_attr(TS_DUE), "✎ draft", false);
	x += c.id + c.name;
	tui_put(w, y, x, c.dob - 1, a, r->dob ? r->dob : "", false);
	x += c.dob;
	if (c.phone) {
		tui_put(w, y, x, c.phone - 1, a, r->phone ? r->phone : "", false);
		x += c.phone;
	}
	series_text(r, buf, sizeof(buf));
	tui_put(w, y, x, c.series - 1, a ? a : (r->series_id ? A_NORMAL : tui_attr(TS_DIM)), buf, false);
	x += c.series;
	ds = due_text(r->next_due, p->today, buf, sizeof(buf));
	tui_put(w, y, x, c.due, a ? a : tui_attr(ds), buf, false);
}

static void draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct patients *p = (struct patients *)sc;
	int rows, cols, cy, cx, x = 0;
	struct cols c;

	(void)t;
	getmaxyx(w, rows, cols);
	c = columns(cols);
	tui_put(w, 0, 1, 8, tui_attr(p->searching ? TS_LABEL : TS_NORMAL), "Search:", false);
	tui_form_draw(w, &p->search, 0, 9, cols - 32 > 20 ? cols - 32 : 20, 1, &cy, &cx);
	tui_putf(w, 0, cols - 22, 22, tui_attr(TS_DIM), "%zu patient%s%s", p->list.n,
		 p->list.n == 1 ? "" : "s", p->archived ? " (+archived)" : "");
	if (p->searching) {
		sc->cy = cy;
		sc->cx = cx;
	}
	wattrset(w, tui_attr(TS_HEADER));
	tui_put(w, 1, x, c.id, tui_attr(TS_HEADER), "   id", true);
	x += c.id;
	tui_put(w, 1, x, c.name, tui_attr(TS_HEADER), "Name", true);
	x += c.name;
	tui_put(w, 1, x, c.dob, tui_attr(TS_HEADER), "Born", true);
	x += c.dob;
	if (c.phone) {
		tui_put(w, 1, x, c.phone, tui_attr(TS_HEADER), "Phone", true);
		x += c.phone;
	}
	tui_put(w, 1, x, c.series, tui_attr(TS_HEADER), "Active series", true);
	x += c.series;
	tui_put(w, 1, x, cols - x, tui_attr(TS_HEADER), "Next due", true);
	tui_list_draw(w, &p->list, 2, 0, cols, rows - 2, !p->searching,
		      p->search.n && p->search.f[0].len ? "No patient matches the search. Esc clears it."
					 : "No patients yet. Press a to add one.",
		      draw_row, p);
}

static bool input(struct tui *t, struct tui_screen *sc, int key)
{
	struct patients *p = (struct patients *)sc;

	if (!p->searching)
		return false;
	if (key == TUI_ESC || key == '\n' || key == '\r' || key == TUI_FN(KEY_DOWN) ||
	    key == TUI_FN(KEY_UP))
		return false;
	if (!tui_form_input(&p->search, key))
		return false;
	if (p->search.changed) {
		p->search.changed = false;
		load_rows(t, p);
		p->list.sel = 0;
	}
	return true;
}

static void set_searching(struct patients *p, bool on)
{
	p->searching = on;
	p->base.ctxs = on ? search_ctxs : browse_ctxs;
}

static int64_t selected(struct patients *p)
{
	return p->list.n ? row_at(p, p->list.sel)->id : 0;
}

static bool action(struct tui *t, struct tui_screen *sc, enum tui_action a)
{
	struct patients *p = (struct patients *)sc;

	switch (a) {
	case TA_SEARCH:
		/* a fresh search: what is typed never appends to the last one */
		if (p->search.f[0].len) {
			tui_form_set(&p->search, 0, "");
			load_rows(t, p);
		}
		set_searching(p, true);
		break;
	case TA_SEARCH_DONE:
		set_searching(p, false);
		break;
	case TA_SEARCH_CLEAR:
		tui_form_set(&p->search, 0, "");
		set_searching(p, false);
		load_rows(t, p);
		break;
	case TA_OPEN:
		if (selected(p))
			tui_push(t, tui_patient_new(t, selected(p)));
		break;
	case TA_ADD:
		tui_push(t, tui_patient_form_new(t, 0));
		break;
	case TA_EDIT:
		if (selected(p))
			tui_push(t, tui_patient_form_new(t, selected(p)));
		break;
	case TA_ARCHIVED:
		p->archived = !p->archived;
		load_rows(t, p);
		tui_msg(t, TS_STATUS, "%s archived patients.", p->archived ? "Showing" : "Hiding");
		break;
	case TA_BACK:
		if (p->search.n && p->search.f[0].len) {
			tui_form_set(&p->search, 0, "");
			load_rows(t, p);
		} else {
			t->quit = true;
		}
		break;
	default:
		return false;
	}
	return true;
}

static void unload(struct tui_screen *sc)
{
	struct patients *p = (struct patients *)sc;

	free_rows(p);
	tui_form_wipe(&p->search);
}

static const struct tui_screen_ops ops = {
	.name = "patients",
	.ctxs = browse_ctxs,
	.private_size = sizeof(struct patients),
	.list_offset = offsetof(struct patients, list),
	.load = load,
	.unload = unload,
	.draw = draw,
	.input = input,
	.action = action,
};

struct tui_screen *tui_patients_new(struct tui *t)
{
	struct patients *p = tui_screen_alloc(t, &ops);

	if (!p)
		return NULL;
	snprintf(p->base.title, sizeof(p->base.title), "Patients");
	return tui_screen_open(t, &p->base);
}
