/* Help: every key of the screen it was opened from, read from the keymap
 * (so it cannot drift from what the keys do), grouped by context. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

struct hline {
	bool heading;
	char keys[64];
	char text[160];
};

struct help {
	struct tui_screen base;
	struct hline *lines;
	size_t n;
	struct tui_list list;   /* sel is the first line shown */
};

static const enum tui_ctx ctxs[] = { TC_HELP, TC_GLOBAL, TC_END };

static struct hline *add(struct help *h)
{
	struct hline *nl = realloc(h->lines, (h->n + 1) * sizeof(*nl));

	if (!nl)
		return NULL;
	h->lines = nl;
	memset(&nl[h->n], 0, sizeof(*nl));
	return &nl[h->n++];
}

/* One line per action in ctx, with every key bound to it. */
static void add_ctx(struct help *h, enum tui_ctx ctx)
{
	bool any = false;

	for (size_t i = 0; i < tui_keymap_count; i++) {
		const struct tui_binding *b = &tui_keymap[i];
		struct hline *l;
		bool seen = false;

		if (b->ctx != ctx)
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= tui_keymap[j].ctx == ctx && tui_keymap[j].action == b->action;
		if (seen)
			continue;
		if (!any) {
			if (h->n && (l = add(h)))
				l->text[0] = '\0';
			if ((l = add(h))) {
				l->heading = true;
				snprintf(l->text, sizeof(l->text), "%s", tui_ctx_title(ctx));
			}
			any = true;
		}
		if (!(l = add(h)))
			return;
		snprintf(l->text, sizeof(l->text), "%s", b->help);
		for (size_t j = i; j < tui_keymap_count; j++) {
			char name[32];
			size_t len = strlen(l->keys);

			if (tui_keymap[j].ctx != ctx || tui_keymap[j].action != b->action)
				continue;
			tui_key_name(tui_keymap[j].key, name, sizeof(name));
			if (strstr(l->keys, name))
				continue;
			snprintf(l->keys + len, sizeof(l->keys) - len, "%s%s", len ? ", " : "", name);
		}
	}
}

static void draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct help *h = (struct help *)sc;
	int rows, cols;

	(void)t;
	getmaxyx(w, rows, cols);
	if (h->list.sel + (size_t)rows > h->n)
		h->list.sel = h->n > (size_t)rows ? h->n - (size_t)rows : 0;
	h->list.height = rows;
	for (int i = 0; i < rows && h->list.sel + (size_t)i < h->n; i++) {
		const struct hline *l = &h->lines[h->list.sel + (size_t)i];

		if (l->heading) {
			tui_heading(w, i, 0, cols, l->text);
			continue;
		}
		tui_put(w, i, 2, 22, tui_attr(TS_HINT_KEY), l->keys, false);
		tui_put(w, i, 26, cols - 27, A_NORMAL, l->text, false);
	}
}

static void action(struct tui *t, struct tui_screen *sc, enum tui_action a)
{
	struct help *h = (struct help *)sc;

	if (tui_list_move(&h->list, a))
		return;
	if (a == TA_BACK)
		tui_pop(t);
}

static void destroy(struct tui_screen *sc)
{
	struct help *h = (struct help *)sc;

	free(h->lines);
	free(h);
}

static const struct tui_screen_ops ops = {
	.name = "help",
	.ctxs = ctxs,
	.draw = draw,
	.action = action,
	.destroy = destroy,
};

struct tui_screen *tui_help_new(struct tui *t, const struct tui_screen *of)
{
	struct help *h = calloc(1, sizeof(*h));

	(void)t;
	if (!h)
		return NULL;
	h->base.ops = &ops;
	snprintf(h->base.title, sizeof(h->base.title), "Help");
	for (const enum tui_ctx *c = of->ctxs; *c != TC_END; c++)
		add_ctx(h, *c);
	/* a form's fields are edited with these */
	if (of->ctxs[0] == TC_SESSION_FORM || of->ctxs[0] == TC_FORM)
		add_ctx(h, TC_EDIT);
	h->list.n = h->n;
	return &h->base;
}
