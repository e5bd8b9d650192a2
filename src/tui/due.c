/* Who is due: every active series, across patients, whose next session is
 * due or overdue (or due within the window ahead), most overdue first. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "needlelog/progress.h"
#include "needlelog/vocab.h"
#include "tui.h"

#define WINDOW_DEFAULT 7

struct due {
	struct tui_screen base;
	struct nl_due *rows;
	struct tui_list list;
	int within;
	char today[11];
};

static const enum tui_ctx ctxs[] = {
	TC_DUE, TC_LIST, TC_BROWSE, TC_GLOBAL, TC_END
};

static void unload(struct tui_screen *sc)
{
	struct due *d = (struct due *)sc;

	progress_due_list_free(d->rows, d->list.n);
	d->rows = NULL;
	d->list.n = 0;
}

static int load(struct tui *t, struct tui_screen *sc)
{
	struct due *d = (struct due *)sc;
	struct nl_err err = { 0 };
	size_t n = 0;

	unload(sc);
	tui_today(t, d->today);
	if (progress_due_list(t->store, d->today, d->within, &d->rows, &n, &err) != NL_OK) {
		tui_fail(t, "Cannot list who is due", &err);
		d->rows = NULL;
		n = 0;
	}
	d->list.n = n;
	return 0;
}

struct cols {
	int when, next, name, phone, series, done, last;
};

/* Phone and last-session columns only where there is room. */
static struct cols columns(int width)
{
	struct cols c = { 17, 12, 0, 0, 20, 7, 0 };
	int rest = width - 1 - c.when - c.next - c.series - c.done;

	if (rest >= 20 + 16) {
		c.phone = 16;
		rest -= 16;
	}
	if (rest >= 20 + 12) {
		c.last = 12;
		rest -= 12;
	}
	c.name = rest;
	return c;
}

static void draw_row(WINDOW *w, int y, int x, int width, size_t row, attr_t a,
		     void *ctx)
{
	struct due *d = ctx;
	const struct nl_due *r = &d->rows[row];
	const struct vocab_indication *ind = vocab_indication_find(r->indication);
	enum tui_style st = r->due == PROGRESS_OVERDUE ? TS_OVERDUE
			    : r->due == PROGRESS_DUE ? TS_DUE : TS_NORMAL;
	struct cols c = columns(width);
	char when[48];

	if (r->due == PROGRESS_OVERDUE)
		snprintf(when, sizeof(when), "%d days overdue", -r->days_until_due);
	else if (r->due == PROGRESS_DUE)
		snprintf(when, sizeof(when), "due today");
	else
		snprintf(when, sizeof(when), "in %d days", r->days_until_due);
	x += 1;
	tui_put(w, y, x, c.when - 1, a ? a : tui_attr(st), when, false);
	x += c.when;
	tui_put(w, y, x, c.next - 1, a, r->next_due, false);
	x += c.next;
	tui_put(w, y, x, c.name - 1, a, r->patient_name, false);
	x += c.name;
	if (c.phone) {
		tui_put(w, y, x, c.phone - 1, a, r->phone ? r->phone : "", false);
		x += c.phone;
	}
	tui_put(w, y, x, c.series - 1, a, ind ? ind->label : r->indication, false);
	x += c.series;
	tui_putf(w, y, x, c.done - 1, a, "%d/%d", r->done, r->planned);
	x += c.done;
	if (c.last)
		tui_put(w, y, x, c.last - 1, a ? a : tui_attr(TS_DIM),
			r->last_date[0] ? r->last_date : "none yet", false);
}

static void draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct due *d = (struct due *)sc;
	int rows, cols, x = 1;
	struct cols c;
	size_t overdue = 0;

	(void)t;
	getmaxyx(w, rows, cols);
	c = columns(cols);
	for (size_t i = 0; i < d->list.n; i++)
		overdue += d->rows[i].due == PROGRESS_OVERDUE;
	tui_putf(w, 0, 1, cols - 2, tui_attr(TS_LABEL),
		 "Due today (%s) or within %d days: %zu series, %zu overdue",
		 d->today, d->within, d->list.n, overdue);
	tui_put(w, 1, x, c.when, tui_attr(TS_HEADER), "When", true);
	x += c.when;
	tui_put(w, 1, x, c.next, tui_attr(TS_HEADER), "Next due", true);
	x += c.next;
	tui_put(w, 1, x, c.name, tui_attr(TS_HEADER), "Patient", true);
	x += c.name;
	if (c.phone) {
		tui_put(w, 1, x, c.phone, tui_attr(TS_HEADER), "Phone", true);
		x += c.phone;
	}
	tui_put(w, 1, x, c.series, tui_attr(TS_HEADER), "Series", true);
	x += c.series;
	tui_put(w, 1, x, c.done, tui_attr(TS_HEADER), "Done", true);
	x += c.done;
	if (c.last)
		tui_put(w, 1, x, c.last, tui_attr(TS_HEADER), "Last", true);
	tui_list_draw(w, &d->list, 2, 0, cols, rows - 2, true,
		      "Nobody is due. + looks a week further ahead.", draw_row, d);
}

static bool action(struct tui *t, struct tui_screen *sc, enum tui_action a)
{
	struct due *d = (struct due *)sc;

	switch (a) {
	case TA_OPEN:
		if (d->list.n)
			tui_open_series(t, d->rows[d->list.sel].series_id);
		break;
	case TA_WIDER:
	case TA_NARROWER:
		d->within += a == TA_WIDER ? 7 : -7;
		if (d->within < 0)
			d->within = 0;
		if (d->within > 365)
			d->within = 365;
		load(t, sc);
		break;
	default:
		return false;
	}
	return true;
}

static const struct tui_screen_ops ops = {
	.name = "due",
	.ctxs = ctxs,
	.private_size = sizeof(struct due),
	.list_offset = offsetof(struct due, list),
	.load = load,
	.unload = unload,
	.draw = draw,
	.action = action,
};

struct tui_screen *tui_due_new(struct tui *t)
{
	struct due *d = tui_screen_alloc(t, &ops);

	if (!d)
		return NULL;
	d->within = WINDOW_DEFAULT;
	snprintf(d->base.title, sizeof(d->base.title), "Due");
	return tui_screen_open(t, &d->base);
}
