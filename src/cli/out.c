/* Output and option helpers shared by the clinical command groups. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <wchar.h>

#include "needlelog/audit.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/csvw.h"
#include "needlelog/text.h"
#include "needlelog/value.h"
#include "needlelog/vocab.h"
#include "out.h"

int out_scores(struct cli *c, const char *name, struct nl_score **v, size_t *n,
	       struct nl_err *err)
{
	const char *specs[CLI_MAX_VALS];
	size_t k = cli_values(c, name, specs, CLI_MAX_VALS);
	char field[64];
	int rc;

	snprintf(field, sizeof(field), "--%s", name);
	rc = value_scores_set_all(field, specs, k, v, n, err);
	if (rc == NL_EUSAGE)
		c->usage = true;
	return rc;
}

int out_show(struct cli *c, const struct out_show *how, void *state, struct nl_err *err)
{
	enum out_format fmt = OUT_TEXT;
	int64_t id = 0;
	int rc = out_format(c, OUT_TEXT | OUT_JSON, &fmt, err);

	if (rc == NL_OK)
		rc = cli_arg_id(c, 0, how->what, &id, err);
	if (rc == NL_OK)
		rc = how->read(c, id, state, err);
	if (rc == NL_OK && fmt == OUT_JSON)
		rc = out_json_print(how->json(state), err);
	else if (rc == NL_OK)
		rc = how->text(state, err);
	how->release(state);
	return rc;
}

int out_format(struct cli *c, unsigned allowed, enum out_format *f,
	       struct nl_err *err)
{
	static const char *const names[] = { "text", "csv", "json" };
	static const enum out_format fmts[] = { OUT_TEXT, OUT_CSV, OUT_JSON };
	const char *given[3];
	enum out_format which[3];
	size_t n = 0, i;
	int rc;

	for (i = 0; i < 3; i++)
		if (allowed & fmts[i]) {
			given[n] = names[i];
			which[n++] = fmts[i];
		}
	rc = cli_format(c, given, n, &i, err);
	if (rc == NL_OK)
		*f = which[i];
	return rc;
}

void out_warnings(const struct nl_warning *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fputs("needlelog: warning: ", stderr);
		nl_term_fputs(stderr, w[i].message, false);
		fputc('\n', stderr);
	}
}

void out_text(FILE *f, const char *s)
{
	nl_term_fputs(f, s, false);
}

void out_line(FILE *f, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	nl_term_fputs(f, s, false);
	fputc('\n', f);
	free(s);
}

void out_field(FILE *f, int indent, const char *label, const char *value)
{
	char *safe;

	if (!value || !*value)
		return;
	fprintf(f, "%*s%-*s ", indent, "", 14, label);
	if (!(safe = nl_term_safe(value, true))) {
		fputs("(out of memory)\n", f);
		return;
	}
	/* Continuation lines of multi-line text line up under the value. */
	for (const char *p = safe; *p; p++) {
		fputc(*p, f);
		if (*p == '\n')
			fprintf(f, "%*s", indent + 15, "");
	}
	fputc('\n', f);
	free(safe);
}

/* Columns s takes on the terminal. Most cells (ids, dates, phones, codes)
 * are printable ASCII, one column a byte: measured without converting; the
 * rest through the locale's wide characters (on the stack when short, as
 * a table measures every cell of thousands of rows). */
size_t out_width(const char *s)
{
	wchar_t stack[128], *ws = stack;
	size_t n;
	int w;

	if (nl_term_plain(s, &n))
		return n;
	if ((n = mbstowcs(NULL, s, 0)) == (size_t)-1)
		return strlen(s);
	if (n >= sizeof(stack) / sizeof(stack[0]) && !(ws = malloc((n + 1) * sizeof(*ws))))
		return strlen(s);
	mbstowcs(ws, s, n + 1);
	w = wcswidth(ws, n);
	if (ws != stack)
		free(ws);
	return w < 0 ? n : (size_t)w;
}

void out_pad(FILE *f, const char *s, size_t width)
{
	size_t w = out_width(s);

	fputs(s, f);
	for (; w < width; w++)
		fputc(' ', f);
}

void out_table_init(struct out_table *t, const char *const *head,
		    size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->head = head;
	t->ncols = ncols;
}

int out_table_row(struct out_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **p = realloc(t->cells, cap * t->ncols * sizeof(*p));

		if (!p)
			return -1;
		t->cells = p;
		t->cap = cap;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		char *d = strdup(cells[i] ? cells[i] : "");

		if (!d) {
			while (i-- > 0)
				free(t->cells[t->nrows * t->ncols + i]);
			return -1;
		}
		t->cells[t->nrows * t->ncols + i] = d;
	}
	t->nrows++;
	return 0;
}

static void print_text_row(const struct out_table *t, FILE *f,
			   const char *const *cells, const size_t *w)
{
	size_t ncols = t->ncols;

	/* No trailing blanks: stop at the last cell with text. */
	while (ncols > 1 && !cells[ncols - 1][0] && !(t->right & (1u << (ncols - 1))))
		ncols--;
	for (size_t i = 0; i < ncols; i++) {
		size_t cw = out_width(cells[i]);
		int pad = w[i] > cw ? (int)(w[i] - cw) : 0;
		bool last = i + 1 == ncols, right = t->right & (1u << i);

		if (right)
			fprintf(f, "%*s", pad, "");
		fputs(cells[i], f);
		if (!last && !right)
			fprintf(f, "%*s", pad, "");
		fputs(last ? "\n" : "  ", f);
	}
}

static int print_csv(const struct out_table *t, FILE *f, bool bom, struct nl_err *err)
{
	struct nl_csv w;

	nl_csv_init(&w, f, ',', bom);
	nl_csv_row(&w, t->head, t->ncols);
	for (size_t r = 0; r < t->nrows; r++)
		nl_csv_row(&w, (const char *const *)&t->cells[r * t->ncols], t->ncols);
	return nl_csv_finish(&w, err);
}

/* Every cell shown safely on a terminal, in place. */
static int make_safe(struct out_table *t, struct nl_err *err)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++) {
		size_t len;
		char *safe;

		if (nl_term_plain(t->cells[i], &len))
			continue;           /* shown as it is: no copy */
		if (!(safe = nl_term_safe(t->cells[i], false)))
			return nl_error(err, NL_ENOMEM, "out of memory");
		free(t->cells[i]);
		t->cells[i] = safe;
	}
	return NL_OK;
}

int out_table_print(struct out_table *t, FILE *f, enum out_format fmt, bool bom,
		    struct nl_err *err)
{
	char **head = NULL;
	size_t *w = NULL;

	if (fmt == OUT_CSV)
		return print_csv(t, f, bom, err);
	if (make_safe(t, err) != NL_OK || !(w = calloc(t->ncols, sizeof(*w))) ||
	    !(head = calloc(t->ncols, sizeof(*head)))) {
		free(w);
		return nl_error(err, NL_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < t->ncols; i++) {
		head[i] = nl_term_safe(t->head[i], false);
		w[i] = out_width(head[i] ? head[i] : "");
	}
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t i = 0; i < t->ncols; i++) {
			size_t cw = out_width(t->cells[r * t->ncols + i]);

			if (cw > w[i])
				w[i] = cw;
		}
	print_text_row(t, f, (const char *const *)head, w);
	for (size_t r = 0; r < t->nrows; r++)
		print_text_row(t, f, (const char *const *)&t->cells[r * t->ncols], w);
	for (size_t i = 0; i < t->ncols; i++)
		free(head[i]);
	free(head);
	free(w);
	return ferror(f) ? nl_error(err, NL_EIO, "cannot write the output") : NL_OK;
}

void out_table_free(struct out_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

int out_stream_init(struct out_stream *s, const char *const *head, size_t ncols,
		    unsigned right, enum out_format fmt, FILE *f, bool bom,
		    struct nl_err *err)
{
	memset(s, 0, sizeof(*s));
	out_table_init(&s->t, head, ncols);
	s->t.right = right;
	s->fmt = fmt;
	s->f = f;
	s->bom = bom;
	if (ncols > OUT_STREAM_MAXCOLS)
		return nl_error(err, NL_EINTERNAL, "a streamed table has at most %d columns",
				OUT_STREAM_MAXCOLS);
	if (fmt == OUT_CSV)
		return NL_OK;
	if (!(s->w = calloc(ncols, sizeof(*s->w))))
		return nl_error(err, NL_ENOMEM, "out of memory");
	return out_stream_measure(s, head, err);
}

/* Each cell as out_table_print shows it, sanitized for the terminal, in
 * shown: the cell itself when it is plain, else a copy kept in owned. */
static int stream_safe(const struct out_stream *s, const char *const *cells,
		       const char **shown, char **owned, struct nl_err *err)
{
	for (size_t i = 0; i < s->t.ncols; i++) {
		const char *c = cells[i] ? cells[i] : "";
		size_t len;

		owned[i] = NULL;
		shown[i] = c;
		if (nl_term_plain(c, &len))
			continue;
		if (!(shown[i] = owned[i] = nl_term_safe(c, false))) {
			while (i-- > 0)
				free(owned[i]);
			return nl_error(err, NL_ENOMEM, "out of memory");
		}
	}
	return NL_OK;
}

static void stream_unsafe(const struct out_stream *s, char **owned)
{
	for (size_t i = 0; i < s->t.ncols; i++)
		free(owned[i]);
}

int out_stream_measure(struct out_stream *s, const char *const *cells, struct nl_err *err)
{
	const char *shown[OUT_STREAM_MAXCOLS];
	char *owned[OUT_STREAM_MAXCOLS];
	int rc;

	if (s->fmt == OUT_CSV)
		return NL_OK;
	if ((rc = stream_safe(s, cells, shown, owned, err)) != NL_OK)
		return rc;
	for (size_t i = 0; i < s->t.ncols; i++) {
		size_t cw = out_width(shown[i]);

		if (cw > s->w[i])
			s->w[i] = cw;
	}
	stream_unsafe(s, owned);
	return NL_OK;
}

int out_stream_begin(struct out_stream *s, struct nl_err *err)
{
	if (s->fmt == OUT_CSV) {
		nl_csv_init(&s->csv, s->f, ',', s->bom);
		nl_csv_row(&s->csv, s->t.head, s->t.ncols);
		return NL_OK;
	}
	return out_stream_row(s, s->t.head, err);
}

int out_stream_row(struct out_stream *s, const char *const *cells, struct nl_err *err)
{
	const char *shown[OUT_STREAM_MAXCOLS];
	char *owned[OUT_STREAM_MAXCOLS];
	int rc;

	if (s->fmt == OUT_CSV) {
		const char *v[OUT_STREAM_MAXCOLS];

		/* as out_table_row stores them: NULL is empty */
		for (size_t i = 0; i < s->t.ncols; i++)
			v[i] = cells[i] ? cells[i] : "";
		nl_csv_row(&s->csv, v, s->t.ncols);
		return NL_OK;
	}
	if ((rc = stream_safe(s, cells, shown, owned, err)) != NL_OK)
		return rc;
	print_text_row(&s->t, s->f, shown, s->w);
	stream_unsafe(s, owned);
	return ferror(s->f) ? nl_error(err, NL_EIO, "cannot write the output") : NL_OK;
}

int out_stream_end(struct out_stream *s, struct nl_err *err)
{
	if (s->fmt == OUT_CSV)
		return nl_csv_finish(&s->csv, err);
	return ferror(s->f) ? nl_error(err, NL_EIO, "cannot write the output") : NL_OK;
}

void out_stream_free(struct out_stream *s)
{
	free(s->w);
	s->w = NULL;
}

/* jansson's JSON_INDENT(2) for an array: "[", each element on its own
 * lines indented by two more, ",\n" between, "\n]"; "[]" when empty. */
int out_json_item(size_t index, json_t *v, struct nl_err *err)
{
	char *text;

	if (!v)
		return nl_error(err, NL_ENOMEM, "out of memory");
	text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(v);
	if (!text)
		return nl_error(err, NL_ENOMEM, "out of memory");
	fputs(index == 0 ? "[\n  " : ",\n  ", stdout);
	for (const char *p = text; *p; p++) {
		fputc(*p, stdout);
		if (*p == '\n')
			fputs("  ", stdout);
	}
	free(text);
	return ferror(stdout) ? nl_error(err, NL_EIO, "cannot write the JSON output") : NL_OK;
}

int out_json_items_end(size_t n, struct nl_err *err)
{
	fputs(n == 0 ? "[]\n" : "\n]\n", stdout);
	return ferror(stdout) ? nl_error(err, NL_EIO, "cannot write the JSON output") : NL_OK;
}

json_t *out_jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

void out_jset(json_t *obj, const char *key, json_t *v)
{
	if (v)
		json_object_set_new(obj, key, v);
}

int out_json_print(json_t *v, struct nl_err *err)
{
	int rc;

	if (!v)
		return nl_error(err, NL_ENOMEM, "out of memory");
	rc = json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(v);
	if (rc != 0 || fputc('\n', stdout) == EOF)
		return nl_error(err, NL_EIO, "cannot write the JSON output");
	return NL_OK;
}

json_t *out_json_warnings(const struct nl_warning *w, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:s?,s:s?}", "code", w[i].code,
						   "message", w[i].message));
	return a;
}

static json_t *score_json(const char *code, double value)
{
	const struct vocab_scale *sc = vocab_scale_find(code);
	char text[64] = "";

	if (sc)
		vocab_scale_format(sc, value, text, sizeof(text));
	return json_pack("{s:s,s:f,s:s}", "scale", code, "value", value, "text", text);
}

json_t *out_json_scores(const struct nl_score *sc, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, score_json(sc[i].scale, sc[i].value));
	return a;
}

static json_t *strings_json(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *int_or_null(int v, int none)
{
	return v == none ? json_null() : json_integer(v);
}

/* Each product with its lot and expiry: [{"name", "lot", "expiry"}]. */
static json_t *product_lots_json(const struct nl_session *ses)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < ses->nproducts; i++) {
		const struct nl_product_lot *l = i < ses->nproduct_lots ? &ses->product_lots[i]
									 : NULL;

		json_array_append_new(a, json_pack("{s:s,s:o,s:o}", "name", ses->products[i],
			"lot", out_jstr(l ? l->lot : NULL), "expiry", out_jstr(l ? l->expiry : NULL)));
	}
	return a;
}

json_t *out_json_session(const struct nl_session *ses)
{
	json_t *o = json_object(), *areas = json_array();

	if (!o || !areas) {
		json_decref(o);
		json_decref(areas);
		return NULL;
	}
	for (size_t i = 0; i < ses->nareas; i++) {
		const struct nl_treatment *t = &ses->areas[i];

		json_array_append_new(areas, json_pack("{s:s,s:s?,s:f,s:o}", "area", t->area,
						       "label", t->label, "depth_mm", t->depth_mm,
						       "passes", int_or_null(t->passes, 0)));
	}
	out_jset(o, "id", json_integer(ses->id));
	out_jset(o, "series_id", json_integer(ses->series_id));
	out_jset(o, "date", out_jstr(ses->date));
	out_jset(o, "practitioner", out_jstr(ses->practitioner));
	out_jset(o, "areas", areas);
	out_jset(o, "device", out_jstr(ses->device));
	out_jset(o, "cartridge", out_jstr(ses->cartridge));
	out_jset(o, "device_serial", out_jstr(ses->device_serial));
	out_jset(o, "cartridge_lot", out_jstr(ses->cartridge_lot));
	out_jset(o, "cartridge_expiry", out_jstr(ses->cartridge_expiry));
	out_jset(o, "products", strings_json(ses->products, ses->nproducts));
	out_jset(o, "product_lots", product_lots_json(ses));
	out_jset(o, "anesthetic", out_jstr(ses->anesthetic));
	out_jset(o, "anesthetic_minutes", int_or_null(ses->anesthetic_minutes, -1));
	out_jset(o, "endpoint", out_jstr(ses->endpoint));
	out_jset(o, "pain", int_or_null(ses->pain, -1));
	out_jset(o, "reaction", out_jstr(ses->reaction));
	out_jset(o, "adverse", out_jstr(ses->adverse));
	out_jset(o, "aftercare", out_jstr(ses->aftercare));
	out_jset(o, "notes", out_jstr(ses->notes));
	out_jset(o, "scores", out_json_scores(ses->scores, ses->nscores));
	out_jset(o, "warnings", out_json_warnings(ses->warnings, ses->nwarnings));
	return o;
}

json_t *out_json_phases(const struct nl_series *sr)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < sr->nphases; i++)
		json_array_append_new(a, json_pack("{s:i,s:i}", "count", sr->phases[i].count,
						   "interval_days", sr->phases[i].interval_days));
	return a;
}

/* A score against the baseline as the core reads it (progress_delta):
 * change by stage or grade for ordinal scales, with the percentage and the
 * unit for numeric ones, and the words. */
static void delta_json(json_t *o, const struct progress_delta *d, bool has)
{
	out_jset(o, "change", has ? json_real(d->change) : json_null());
	out_jset(o, "percent", has && d->has_percent ? json_real(d->percent) : json_null());
	out_jset(o, "against_baseline", has ? json_string(d->text) : json_null());
}

static json_t *scale_json(const struct nl_progress *p, const struct progress_scale *sc)
{
	json_t *pts = json_array(), *o;

	for (size_t i = 0; pts && i < sc->npoints; i++) {
		json_t *pt = json_pack("{s:s,s:f,s:s}", "date", sc->points[i].date,
			"value", sc->points[i].value,
			"verdict", progress_change_name(sc->points[i].verdict));

		delta_json(pt, &sc->points[i].delta, sc->has_baseline);
		json_array_append_new(pts, pt);
	}
	o = json_pack("{s:s,s:o,s:o,s:o,s:o,s:s,s:s,s:o}", "scale", sc->scale->code,
		"unit", out_jstr(sc->unit && *sc->unit ? sc->unit : NULL),
		"baseline", sc->has_baseline ? json_real(sc->baseline) : json_null(),
		"baseline_date", out_jstr(sc->baseline_date[0] ? sc->baseline_date : NULL),
		"latest", sc->npoints ? json_real(sc->latest) : json_null(),
		"verdict", progress_change_name(sc->verdict),
		"trend", progress_trend_name(sc->trend), "points", pts);
	out_jset(o, "latest_date", sc->npoints ? json_string(p->sessions[
		sc->points[sc->npoints - 1].session].date) : json_null());
	delta_json(o, &sc->delta, sc->has_baseline && sc->npoints);
	return o;
}

/* One session of a progress: its depth per area, date, interval, state. */
static json_t *progress_session_json(const struct nl_progress *p, size_t i)
{
	const struct progress_session *ps = &p->sessions[i];
	json_t *areas = json_object();

	for (size_t j = 0; areas && j < p->nareas; j++) {
		double mm = p->depth_mm[i * p->nareas + j];

		if (mm >= 0)
			json_object_set_new(areas, p->areas[j], json_real(mm));
	}
	return json_pack("{s:I,s:i,s:s,s:o,s:b,s:I,s:o}",
		"session_id", (json_int_t)ps->session_id, "number", ps->number,
		"date", ps->date, "interval_days", int_or_null(ps->interval_days, -1),
		"signed", ps->is_signed, "warnings", (json_int_t)ps->nwarnings,
		"depth_mm", areas ? areas : json_null());
}

json_t *out_json_progress(const struct nl_progress *p, const struct nl_series *sr)
{
	json_t *o = json_object(), *sessions = json_array(), *scales = json_array();
	char plan[160];

	if (!o || !sessions || !scales) {
		json_decref(o);
		json_decref(sessions);
		json_decref(scales);
		return NULL;
	}
	for (size_t i = 0; i < p->nsessions; i++)
		json_array_append_new(sessions, progress_session_json(p, i));
	for (size_t k = 0; k < p->nscales; k++)
		json_array_append_new(scales, scale_json(p, &p->scales[k]));
	out_jset(o, "series_id", json_integer(p->series_id));
	out_jset(o, "patient_id", json_integer(p->patient_id));
	out_jset(o, "done", json_integer(p->done));
	out_jset(o, "planned", json_integer(p->planned));
	out_jset(o, "interval_days", json_integer(p->interval_days));
	out_jset(o, "plan", json_string(plan_text(sr, plan, sizeof(plan))));
	out_jset(o, "phases", out_json_phases(sr));
	out_jset(o, "start_date", json_string(p->start_date));
	out_jset(o, "last_date", out_jstr(p->last_date[0] ? p->last_date : NULL));
	out_jset(o, "next_due", out_jstr(p->next_due[0] ? p->next_due : NULL));
	out_jset(o, "days_until_due", p->next_due[0] ? json_integer(p->days_until_due)
						     : json_null());
	out_jset(o, "due", json_string(progress_due_name(p->due)));
	out_jset(o, "sessions", sessions);
	out_jset(o, "scales", scales);
	return o;
}

static const char *due_words(const struct nl_progress *p, char *buf, size_t size)
{
	switch (p->due) {
	case PROGRESS_OVERDUE:
		snprintf(buf, size, "OVERDUE by %d day%s", -p->days_until_due,
			 p->days_until_due == -1 ? "" : "s");
		break;
	case PROGRESS_DUE:
		snprintf(buf, size, "due today");
		break;
	case PROGRESS_UPCOMING:
		snprintf(buf, size, "in %d day%s", p->days_until_due,
			 p->days_until_due == 1 ? "" : "s");
		break;
	default:
		snprintf(buf, size, "%s", progress_due_name(p->due));
	}
	return buf;
}

static void print_depth_table(FILE *f, const struct nl_progress *p)
{
	const char **head = calloc(p->nareas + 2, sizeof(*head));
	const char **cells = calloc(p->nareas + 2, sizeof(*cells));
	char (*mm)[32] = calloc(p->nareas + 1, sizeof(*mm));
	struct out_table t;

	if (!head || !cells || !mm)
		goto out;
	head[0] = "#";
	head[1] = "DATE";
	for (size_t j = 0; j < p->nareas; j++)
		head[j + 2] = p->areas[j];
	out_table_init(&t, head, p->nareas + 2);
	t.right = 1u;
	for (size_t i = 0; i < p->nsessions; i++) {
		snprintf(mm[p->nareas], sizeof(mm[0]), "%d", p->sessions[i].number);
		cells[0] = mm[p->nareas];
		cells[1] = p->sessions[i].date;
		for (size_t j = 0; j < p->nareas; j++) {
			double d = p->depth_mm[i * p->nareas + j];
			int passes = p->passes[i * p->nareas + j];
			size_t len;

			mm[j][0] = '\0';
			if (d >= 0) {
				value_depth_text(d, mm[j], sizeof(mm[j]));
				len = strlen(mm[j]);
				if (passes > 0)
					snprintf(mm[j] + len, sizeof(mm[j]) - len, " x%d", passes);
			} else {
				strcpy(mm[j], "-");
			}
			cells[j + 2] = mm[j];
		}
		out_table_row(&t, cells);
	}
	fputs("\nDepth per area (mm, x passes):\n", f);
	out_table_print(&t, f, OUT_TEXT, false, NULL);
	out_table_free(&t);
out:
	free(head);
	free(cells);
	free(mm);
}

/* "120 /cm²": a value on its scale with the unit. */
static void scale_value(const struct progress_scale *sc, double v, char *buf, size_t size)
{
	size_t len;

	vocab_scale_format(sc->scale, v, buf, size);
	len = strlen(buf);
	if (sc->unit && *sc->unit)
		snprintf(buf + len, size - len, " %s", sc->unit);
}

/* The change as the core reads it: by stage or grade for ordinal scales,
 * with the percentage for numeric ones ("+40 (+33%)"). */
static void change_text(const struct progress_delta *d, char *buf, size_t size)
{
	if (d->has_percent)
		snprintf(buf, size, "%+g (%+.0f%%)", d->change, d->percent);
	else
		snprintf(buf, size, "%+g", d->change);
}

static void scale_row(struct out_table *t, const struct nl_progress *p,
		      const struct progress_scale *sc)
{
	char base[64] = "-", latest[64] = "-", change[64] = "-";
	const char *date = "-";

	if (sc->has_baseline)
		scale_value(sc, sc->baseline, base, sizeof(base));
	if (sc->npoints) {
		scale_value(sc, sc->latest, latest, sizeof(latest));
		date = p->sessions[sc->points[sc->npoints - 1].session].date;
	}
	if (sc->has_baseline && sc->npoints)
		change_text(&sc->delta, change, sizeof(change));
	out_table_row(t, (const char *const[]){ sc->scale->code, base, latest, date, change,
		sc->npoints ? progress_change_name(sc->verdict) : "-",
		sc->npoints > 1 ? progress_trend_name(sc->trend) : "-" });
}

/* Every score line, dated, against the baseline in the core's words. */
static void print_score_lines(FILE *f, const struct nl_progress *p)
{
	static const char *const head[] = { "DATE", "SCALE", "SCORE", "AGAINST BASELINE" };
	struct out_table t;

	out_table_init(&t, head, 4);
	for (size_t k = 0; k < p->nscales; k++) {
		const struct progress_scale *sc = &p->scales[k];

		for (size_t i = 0; i < sc->npoints; i++) {
			char v[64];

			scale_value(sc, sc->points[i].value, v, sizeof(v));
			out_table_row(&t, (const char *const[]){ sc->points[i].date, sc->scale->code,
				v, sc->has_baseline ? sc->points[i].delta.text : "no baseline" });
		}
	}
	if (t.nrows) {
		fputs("\nEvery score, dated:\n", f);
		out_table_print(&t, f, OUT_TEXT, false, NULL);
	}
	out_table_free(&t);
}

static void print_scales(FILE *f, const struct nl_progress *p)
{
	static const char *const head[] = { "SCALE", "BASELINE", "LATEST", "ON", "CHANGE",
					    "VERDICT", "TREND" };
	struct out_table t;

	out_table_init(&t, head, 7);
	for (size_t k = 0; k < p->nscales; k++)
		scale_row(&t, p, &p->scales[k]);
	fprintf(f, "\nScores against the baseline of %s (ordinal scales by stage or grade):\n",
		p->start_date);
	out_table_print(&t, f, OUT_TEXT, false, NULL);
	out_table_free(&t);
	print_score_lines(f, p);
}

void out_progress_text(FILE *f, const struct nl_progress *p, const struct nl_series *sr)
{
	char due[64], plan[160];

	fprintf(f, "Sessions: %d of %d done; plan: %s, from %s\n", p->done, p->planned,
		plan_text(sr, plan, sizeof(plan)), p->start_date);
	if (p->last_date[0])
		fprintf(f, "Last session: %s\n", p->last_date);
	if (p->next_due[0])
		fprintf(f, "Next due: %s (%s)\n", p->next_due, due_words(p, due, sizeof(due)));
	else
		fprintf(f, "Next due: none (%s)\n", progress_due_name(p->due));
	if (p->nsessions && p->nareas)
		print_depth_table(f, p);
	if (p->nscales)
		print_scales(f, p);
}
