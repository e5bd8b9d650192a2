/* Sessions left unsigned more than 24 hours after their date (U), oldest
 * first, as the core chases them (record_unsigned_list); Enter opens one
 * to sign it. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "needlelog/clinical.h"
#include "tui.h"

struct unsigned_list {
	struct tui_screen base;
	struct nl_unsigned *rows;
	struct tui_list list;
};

static const enum tui_ctx ctxs[] = {
	TC_LIST, TC_BROWSE, TC_GLOBAL, TC_END
};

static void unload(struct tui_screen *sc)
{
	struct unsigned_list *u = (struct unsigned_list *)sc;

	record_unsigned_list_free(u->rows, u->list.n);
	u->rows = NULL;
	u->list.n = 0;
}

static int load(struct tui *t, struct tui_screen *sc)
{
	struct unsigned_list *u = (struct unsigned_list *)sc;
	struct nl_err err = { 0 };
	size_t n = 0;

	unload(sc);
	if (record_unsigned_list(t->store, record_today(t->store), &u->rows, &n, &err) != NL_OK) {
		tui_fail(t, "Cannot list the unsigned sessions", &err);
		u->rows = NULL;
		n = 0;
	}
	u->list.n = n;
	return 0;
}

static void draw_row(WINDOW *w, int y, int x, int width, size_t row, attr_t a,
		     void *ctx)
{
	const struct nl_unsigned *r = &((struct unsigned_list *)ctx)->rows[row];

	tui_putf(w, y, x + 1, 16, a ? a : tui_attr(TS_DUE), "%d days ago", r->days);
	tui_put(w, y, x + 18, 11, a, r->date, false);
	tui_put(w, y, x + 30, width - 52 > 10 ? width - 52 : 10, a, r->patient_name, false);
	tui_put(w, y, x + width - 21, 20, a ? a : tui_attr(TS_DIM),
		r->practitioner ? r->practitioner : "", false);
}

static void draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct unsigned_list *u = (struct unsigned_list *)sc;
	int rows, cols;

	getmaxyx(w, rows, cols);
	tui_putf(w, 0, 1, cols - 2, tui_attr(TS_LABEL),
		 "Unsigned more than 24 hours after their date (today %s): %zu", record_today(t->store),
		 u->list.n);
	tui_put(w, 1, 1, 17, tui_attr(TS_HEADER), "Unsigned for", true);
	tui_put(w, 1, 18, 12, tui_attr(TS_HEADER), "Date", true);
	tui_put(w, 1, 30, cols - 51, tui_attr(TS_HEADER), "Patient", true);
	tui_put(w, 1, cols - 21, 20, tui_attr(TS_HEADER), "Practitioner", true);
	tui_list_draw(w, &u->list, 2, 0, cols, rows - 2, true,
		      "Every session is signed. Nothing to chase.", draw_row, u);
}

static bool action(struct tui *t, struct tui_screen *sc, enum tui_action a)
{
	struct unsigned_list *u = (struct unsigned_list *)sc;

	if (a == TA_OPEN && u->list.n) {
		t->select_session = u->rows[u->list.sel].session_id;
		tui_open_series(t, u->rows[u->list.sel].series_id);
		return true;
	}
	return a == TA_UNSIGNED;   /* already here */
}

static const struct tui_screen_ops ops = {
	.name = "unsigned",
	.ctxs = ctxs,
	.private_size = sizeof(struct unsigned_list),
	.list_offset = offsetof(struct unsigned_list, list),
	.load = load,
	.unload = unload,
	.draw = draw,
	.action = action,
};

struct tui_screen *tui_unsigned_new(struct tui *t)
{
	struct unsigned_list *u = tui_screen_alloc(t, &ops);

	if (!u)
		return NULL;
	snprintf(u->base.title, sizeof(u->base.title), "Unsigned");
	return tui_screen_open(t, &u->base);
}

/* The status line's count, asked whenever a screen loads: counted again
 * only when the file or the day changed (issue 15). The core reads it from
 * the index of unsigned live sessions (schema/008_unsigned.sql). */
void tui_chase(struct tui *t)
{
	struct nl_unsigned *rows = NULL;
	const char *today;
	uint64_t v = 0;
	size_t n = 0;
	bool versioned;

	if (!t->store) {
		t->unsigned_old = 0;
		t->chase_known = false;
		return;
	}
	today = record_today(t->store);
	versioned = record_data_version(t->store, &v, NULL) == NL_OK;
	if (versioned && t->chase_known && v == t->chase_version &&
	    strcmp(today, t->chase_today) == 0)
		return;
	t->unsigned_old = 0;
	t->chase_known = false;
	if (record_unsigned_list(t->store, today, &rows, &n, NULL) == NL_OK) {
		t->unsigned_old = n;
		t->chase_known = versioned;
		t->chase_version = v;
		snprintf(t->chase_today, sizeof(t->chase_today), "%s", today);
	}
	record_unsigned_list_free(rows, n);
}
