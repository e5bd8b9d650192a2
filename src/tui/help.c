/* Help: every key of the screen it was opened from, read from the keymap
 * (so it cannot drift from what the keys do), grouped by context. */
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

struct help {
	struct tui_screen base;
	struct tui_text text;
};

static const enum tui_ctx ctxs[] = { TC_HELP, TC_GLOBAL, TC_END };

/* One line per action in ctx, with every key bound to it. */
static void add_ctx(struct help *h, enum tui_ctx ctx)
{
	bool any = false;

	for (size_t i = 0; i < tui_keymap_count; i++) {
		const struct tui_binding *b = &tui_keymap[i];
		struct tui_tline *l;
		bool seen = false;

		if (b->ctx != ctx)
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= tui_keymap[j].ctx == ctx && tui_keymap[j].action == b->action;
		if (seen)
			continue;
		if (!any) {
			if (h->text.n)
				tui_text_add(&h->text, TS_NORMAL, "%s", "");
			tui_text_add(&h->text, TS_HEADER, "── %s", tui_ctx_title(ctx));
			any = true;
		}
		if (!(l = tui_text_add(&h->text, TS_NORMAL, "%s", b->help)))
			return;
		l->indent = 26;
		l->head_st = TS_HINT_KEY;
		for (size_t j = i; j < tui_keymap_count; j++) {
			char name[32];
			size_t len = strlen(l->head);

			if (tui_keymap[j].ctx != ctx || tui_keymap[j].action != b->action)
				continue;
			tui_key_name(tui_keymap[j].key, name, sizeof(name));
			if (strstr(l->head, name))
				continue;
			snprintf(l->head + len, sizeof(l->head) - len, "%s%s", len ? ", " : "", name);
		}
	}
}

static void draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct help *h = (struct help *)sc;
	int rows, cols;

	(void)t;
	getmaxyx(w, rows, cols);
	tui_text_draw(w, &h->text, 0, 2, cols - 3, rows);
}

static void unload(struct tui_screen *sc)
{
	tui_text_clear(&((struct help *)sc)->text);
}

static const struct tui_screen_ops ops = {
	.name = "help",
	.ctxs = ctxs,
	.private_size = sizeof(struct help),
	.text_offset = offsetof(struct help, text),
	.unload = unload,
	.draw = draw,
};

struct tui_screen *tui_help_new(struct tui *t, const struct tui_screen *of)
{
	struct help *h = tui_screen_alloc(t, &ops);

	if (!h)
		return NULL;
	snprintf(h->base.title, sizeof(h->base.title), "Help");
	for (const enum tui_ctx *c = of->ctxs; *c != TC_END; c++)
		add_ctx(h, *c);
	/* a form's fields are edited with these */
	if (of->ctxs[0] == TC_SESSION_FORM || of->ctxs[0] == TC_FORM)
		add_ctx(h, TC_EDIT);
	return &h->base;
}
