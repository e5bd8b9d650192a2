/* The title bar (where you are) and the two bottom lines: the status line
 * (the record file and the last message) and the key hints, generated from
 * the keymap for the screen on top. */
#include <stdio.h>
#include <string.h>

#include "tui.h"

static int breadcrumb(const struct tui_screen *sc, char *buf, size_t size)
{
	int n = 0;

	if (!sc)
		return 0;
	if (sc->below)
		n = breadcrumb(sc->below, buf, size);
	if ((size_t)n < size && sc->title[0])
		n += snprintf(buf + n, size - (size_t)n, "%s%s", n ? " › " : "",
			      sc->title);
	return n;
}

void tui_title_draw(struct tui *t)
{
	char crumbs[512] = "";
	const char *right = t->store ? "" : "locked";
	int rw = tui_text_width(right);

	werase(t->title);
	tui_fill(t->title, 0, 0, t->cols, tui_attr(TS_TITLE));
	/* while locked, nothing of the records: not even a name in the path */
	if (t->store)
		breadcrumb(t->top, crumbs, sizeof(crumbs));
	else if (t->top)
		snprintf(crumbs, sizeof(crumbs), "%s", t->top->title);
	tui_putf(t->title, 0, 0, t->cols - rw - 2, tui_attr(TS_TITLE),
		 " needlelog  %s", crumbs);
	if (rw)
		tui_put(t->title, 0, t->cols - rw - 1, rw, tui_attr(TS_TITLE), right, false);
	wnoutrefresh(t->title);
}

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "";
}

static void draw_hints(struct tui *t, int y)
{
	const enum tui_ctx *ctxs = t->top ? t->top->ctxs : NULL;
	enum tui_action seen[64];
	int seen_keys[64];
	size_t nseen = 0;
	int x = 1;

	if (!ctxs)
		return;
	for (; *ctxs != TC_END; ctxs++) {
		for (size_t i = 0; i < tui_keymap_count; i++) {
			const struct tui_binding *b = &tui_keymap[i];
			char name[32], item[96];
			bool dup = false;
			int w;

			if (b->ctx != *ctxs || !b->hint)
				continue;
			for (size_t j = 0; j < nseen; j++)
				dup |= seen[j] == b->action || seen_keys[j] == b->key;
			if (dup || nseen == 64)
				continue;
			seen[nseen] = b->action;
			seen_keys[nseen++] = b->key;
			tui_key_name(b->key, name, sizeof(name));
			snprintf(item, sizeof(item), "%s %s", name, b->hint);
			w = tui_text_width(item);
			if (x + w + 1 > t->cols)
				return;
			x += tui_put(t->status, y, x, t->cols - x, tui_attr(TS_HINT_KEY), name, false);
			x += tui_putf(t->status, y, x, t->cols - x, tui_attr(TS_HINT), " %s  ", b->hint);
		}
	}
}

void tui_status_draw(struct tui *t)
{
	const char *file = base_name(t->path);
	int x;

	werase(t->status);
	tui_fill(t->status, 0, 0, t->cols, tui_attr(TS_STATUS));
	x = tui_putf(t->status, 0, 0, t->cols / 3, tui_attr(TS_STATUS), " %s ", file);
	x += tui_put(t->status, 0, x, 2, tui_attr(TS_STATUS), "│ ", false);
	if (t->msg[0]) {
		tui_put(t->status, 0, x, t->cols - x, tui_attr(tui_msg_style(t->msg_style)),
			t->msg, true);
	} else {
		char remind[128];

		tui_backup_reminder(t, remind, sizeof(remind));
		if (remind[0])
			tui_put(t->status, 0, x, t->cols - x, tui_attr(TS_MSG_WARN), remind, true);
	}
	draw_hints(t, 1);
	wnoutrefresh(t->status);
}
