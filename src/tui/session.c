/* One session, read only: its effective values, the safety warnings
 * recorded with it, its signature, and every amendment with its reason and
 * changes (the original stays readable). */
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "needlelog/clinical.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "needlelog/vocab.h"
#include "tui.h"

struct session {
	struct tui_screen base;
	int64_t id, series_id;
	struct tui_text text;
	char date[11];
	char name[160];     /* "session #2 of series Acne scars (2026-11-17)" */
	bool is_signed, voided;
};

/* The one way people are told which session: its number among the
 * series' live sessions, the series by its indication, and the date. */
int tui_session_name(struct tui *t, int64_t series_id, int64_t session_id,
		      const char *date, char *buf, size_t size)
{
	struct nl_progress pg;
	struct nl_series sr;
	struct nl_err err = { 0 };
	const struct vocab_indication *ind = NULL;
	char series[96] = "";
	int number = 0;

	if (record_series_get(t->store, series_id, &sr, &err) == NL_OK) {
		ind = vocab_indication_find(sr.indication);
		snprintf(series, sizeof(series), "%s", ind ? ind->label : sr.indication);
		record_series_free(&sr);
	}
	if (progress_series(t->store, series_id, record_today(t->store), &pg, &err) == NL_OK) {
		for (size_t i = 0; i < pg.nsessions; i++)
			if (pg.sessions[i].session_id == session_id)
				number = pg.sessions[i].number;
		progress_free(&pg);
	}
	if (number)
		snprintf(buf, size, "session #%d of series %s (%s)", number, series, date);
	else
		snprintf(buf, size, "the voided session of %s in series %s", date, series);
	return number;
}

static const enum tui_ctx ctxs[] = {
	TC_SESSION, TC_LIST, TC_BROWSE, TC_GLOBAL, TC_END
};

#define add(s, st, ...) tui_text_add(&(s)->text, st, __VA_ARGS__)

static void field(struct session *s, const char *label, const char *value)
{
	struct tui_tline *l;

	if (value && *value && (l = add(s, TS_NORMAL, "%-14s %s", label, value)))
		l->cont = 15;   /* continuation rows under the value */
}

static void fill(struct session *s, const struct nl_session_view *v)
{
	const struct nl_session *e = &v->effective;
	char buf[512], at[NL_TIME_LOCAL_BUF];

	add(s, TS_LABEL, "%c%s  (id %lld)%s", s->name[0] == 's' ? 'S' : 'T', s->name + 1,
	    (long long)s->id, e->voided ? "  VOIDED" : "");
	if (e->voided)
		add(s, TS_WARN, "Voided %s by %s: %s", nl_time_local(e->voided_at, at, sizeof(at)),
		    e->voided_by ? e->voided_by : "?", e->void_reason ? e->void_reason : "");
	if (e->is_signed)
		add(s, TS_SIGNED, "✔ Signed %s by %s  (hash %.16s…)",
		    nl_time_local(e->signed_at, at, sizeof(at)),
		    e->signed_by ? e->signed_by : "?", e->hash ? e->hash : "");
	else
		add(s, TS_DUE, "Not signed yet (s signs and locks it)");
	add(s, TS_NORMAL, "%s", "");
	add(s, TS_HEADER, "Treated areas");
	for (size_t i = 0; i < e->nareas; i++) {
		const struct nl_treatment *a = &e->areas[i];
		const struct vocab_area *va = vocab_area_find(a->area);

		if (a->passes)
			snprintf(buf, sizeof(buf), "%d passes", a->passes);
		else
			snprintf(buf, sizeof(buf), "passes not recorded");
		char name[160];

		if (a->label)
			snprintf(name, sizeof(name), "%s: %s", va ? va->label : a->area, a->label);
		else
			snprintf(name, sizeof(name), "%s", va ? va->label : a->area);
		add(s, TS_NORMAL, "  %-28s %4.2f mm   %s", name, a->depth_mm, buf);
	}
	add(s, TS_NORMAL, "%s", "");
	field(s, "Practitioner", e->practitioner);
	field(s, "Device", e->device);
	field(s, "Cartridge", e->cartridge);
	if (e->anesthetic) {
		if (e->anesthetic_minutes >= 0)
			snprintf(buf, sizeof(buf), "%s, %d min", e->anesthetic, e->anesthetic_minutes);
		else
			snprintf(buf, sizeof(buf), "%s", e->anesthetic);
		field(s, "Anaesthetic", buf);
	}
	field(s, "Serial", e->device_serial);
	if (e->cartridge_lot || e->cartridge_expiry) {
		snprintf(buf, sizeof(buf), "%s%s%s", e->cartridge_lot ? e->cartridge_lot : "—",
			 e->cartridge_expiry ? ", expires " : "",
			 e->cartridge_expiry ? e->cartridge_expiry : "");
		field(s, "Cartridge lot", buf);
	}
	buf[0] = '\0';
	for (size_t i = 0; i < e->nproducts; i++) {
		const struct nl_product_lot *pl = i < e->nproduct_lots ? &e->product_lots[i] : NULL;

		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s%s%s%s%s%s", i ? ", " : "",
			 e->products[i], pl && pl->lot ? " lot " : "", pl && pl->lot ? pl->lot : "",
			 pl && pl->expiry ? " (expires " : "", pl && pl->expiry ? pl->expiry : "",
			 pl && pl->expiry ? ")" : "");
	}
	field(s, "Products", buf);
	field(s, "Endpoint", e->endpoint);
	if (e->pain >= 0) {
		snprintf(buf, sizeof(buf), "%d / 10", e->pain);
		field(s, "Pain", buf);
	}
	field(s, "Reaction", e->reaction);
	field(s, "Adverse", e->adverse);
	field(s, "Aftercare", e->aftercare);
	field(s, "Notes", e->notes);
	for (size_t i = 0; i < e->nscores; i++) {
		const struct vocab_scale *sc = vocab_scale_find(e->scores[i].scale);
		char val[32];

		if (sc)
			vocab_scale_format(sc, e->scores[i].value, val, sizeof(val));
		else
			snprintf(val, sizeof(val), "%g", e->scores[i].value);
		field(s, sc ? sc->short_label : e->scores[i].scale, val);
	}
	add(s, TS_NORMAL, "%s", "");
	add(s, TS_HEADER, "Safety warnings");
	if (!e->nwarnings)
		add(s, TS_DIM, "  none");
	for (size_t i = 0; i < e->nwarnings; i++)
		add(s, TS_WARN, "  ⚠ %s", e->warnings[i].message);
	if (v->namendments) {
		add(s, TS_NORMAL, "%s", "");
		add(s, TS_HEADER, "Amendments (the original is kept)");
	}
	for (size_t i = 0; i < v->namendments; i++) {
		const struct nl_amendment *am = &v->amendments[i];

		add(s, TS_LABEL, "  %s by %s — reason: %s", nl_time_local(am->at, at, sizeof(at)),
		    am->practitioner ? am->practitioner : "?",
		    am->reason);
		for (size_t j = 0; j < am->nchanges; j++)
			add(s, TS_NORMAL, "    %s: %s → %s", am->changes[j].field,
			    am->changes[j].old_value ? am->changes[j].old_value : "(empty)",
			    am->changes[j].new_value ? am->changes[j].new_value : "(empty)");
	}
}

static int load(struct tui *t, struct tui_screen *sc)
{
	struct session *s = (struct session *)sc;
	struct nl_session_view v;
	struct nl_err err = { 0 };
	int num;

	tui_text_clear(&s->text);
	if (record_session_get(t->store, s->id, &v, &err) != NL_OK) {
		tui_fail(t, "Cannot read the session", &err);
		return -1;
	}
	s->series_id = v.effective.series_id;
	snprintf(s->date, sizeof(s->date), "%s", v.effective.date);
	s->is_signed = v.effective.is_signed;
	s->voided = v.effective.voided;
	num = tui_session_name(t, s->series_id, s->id, s->date, s->name, sizeof(s->name));
	if (num)
		snprintf(s->base.title, sizeof(s->base.title), "Session #%d", num);
	else
		snprintf(s->base.title, sizeof(s->base.title), "Voided session %s", s->date);
	fill(s, &v);
	record_session_view_free(&v);
	return 0;
}

static void draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct session *s = (struct session *)sc;
	int rows, cols;

	(void)t;
	getmaxyx(w, rows, cols);
	tui_text_draw(w, &s->text, 0, 1, cols - 2, rows);
}

static bool action(struct tui *t, struct tui_screen *sc, enum tui_action a)
{
	struct session *s = (struct session *)sc;
	char what[160];

	snprintf(what, sizeof(what), "%s", s->name);
	switch (a) {
	case TA_EDIT:
		tui_push(t, tui_session_form_new(t, s->series_id, s->id, TUI_EDIT));
		break;
	case TA_AMEND:
		tui_push(t, tui_session_form_new(t, s->series_id, s->id, TUI_AMEND));
		break;
	case TA_SIGN:
		if (tui_session_sign(t, s->id, what))
			load(t, sc);
		break;
	case TA_VOID:
		if (tui_session_void(t, s->id, what))
			load(t, sc);
		break;
	default:
		return false;
	}
	return true;
}

static void unload(struct tui_screen *sc)
{
	struct session *s = (struct session *)sc;

	tui_text_clear(&s->text);
	memset(s->name, 0, sizeof(s->name));
}

static const struct tui_screen_ops ops = {
	.name = "session",
	.ctxs = ctxs,
	.private_size = sizeof(struct session),
	.text_offset = offsetof(struct session, text),
	.locked_title = "Session",
	.load = load,
	.unload = unload,
	.draw = draw,
	.action = action,
};

struct tui_screen *tui_session_new(struct tui *t, int64_t session_id)
{
	struct session *s = tui_screen_alloc(t, &ops);

	if (!s)
		return NULL;
	s->id = session_id;
	return tui_screen_open(t, &s->base);
}
