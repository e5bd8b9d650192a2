/* The follow-up summary as PDF for a referring clinician, drawn with cairo
 * and laid out with pango (UTF-8 text, real fonts, extractable text).
 * Page one is the summary a GP reads in a minute: the patient, allergies,
 * medications, active warnings, and per series the indication, the plan
 * in its phases, sessions done, and the latest scores against baseline
 * with their dates and the change. Then per series: the sessions table
 * (continued across pages with its header repeated), the details, a
 * scores table, and charts on a date axis (outcome scales; the depth per
 * area with a marker shape per area, side by side where depths coincide,
 * and a legend). Every page says "page N of M": the document is laid out
 * twice, the first time to count. Body text is 9 pt. A4 portrait, points.
 *
 * Chart labels are placed only where they overlap nothing drawn before
 * them; the boxes are kept (struct xw_layout) so a test can check that. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "needlelog/check.h"
#include "needlelog/image.h"
#include "needlelog/vocab.h"
#include "model.h"

#define PAGE_W 595.276
#define PAGE_H 841.89
#define MARGIN 42.0
#define BODY_W (PAGE_W - 2 * MARGIN)
#define TOP MARGIN
#define BOTTOM (PAGE_H - MARGIN - 18) /* room for the footer */
#define FONT "DejaVu Sans"
#define BODY 9.0        /* body text, points */
#define SMALL 7.5       /* chart ticks and labels */
#define CELL_PAD 3.0
#define CELL_MAX_H 260.0 /* a longer cell is cut with an ellipsis */
#define CHART_H 170.0
#define LEGEND_W 120.0

struct pdf {
	const struct xm *m;
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoLayout *layout;
	double y;
	int page, pages;        /* pages: the total, from the first pass (0: counting) */
	struct xw_layout *lay;  /* every chart box, or NULL */
	size_t chart_first;     /* the current chart's first box in lay */
	int chart;
	bool oom;
};

static const double palette[][3] = {
	{ 0.12, 0.38, 0.70 }, { 0.85, 0.37, 0.01 }, { 0.16, 0.60, 0.24 },
	{ 0.75, 0.13, 0.18 }, { 0.50, 0.30, 0.65 }, { 0.55, 0.34, 0.29 },
	{ 0.89, 0.47, 0.76 }, { 0.40, 0.40, 0.40 }, { 0.74, 0.74, 0.13 },
	{ 0.09, 0.75, 0.81 },
};
#define NPALETTE (sizeof(palette) / sizeof(palette[0]))

/* ---- text ---------------------------------------------------------------- */

/* Sets layout up for text in width (max_h > 0: cut there with an
 * ellipsis); returns its height. */
static double lay_out(PangoLayout *layout, const char *text, double width,
		      double size, bool bold, double max_h)
{
	PangoFontDescription *fd = pango_font_description_from_string(FONT);
	int w, h;

	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD
					      : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(layout, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(layout, width > 0 ? (int)(width * PANGO_SCALE) : -1);
	pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_ellipsize(layout, max_h > 0 ? PANGO_ELLIPSIZE_END
						     : PANGO_ELLIPSIZE_NONE);
	pango_layout_set_height(layout, max_h > 0 ? (int)(max_h * PANGO_SCALE) : -1);
	pango_layout_set_text(layout, text ? text : "", -1);
	pango_layout_get_size(layout, &w, &h);
	return (double)h / PANGO_SCALE;
}

/* Lays text out (see lay_out) and returns its height; draws it at (x, y)
 * when draw. */
static double text_at(struct pdf *p, const char *text, double x, double y,
		      double width, double size, bool bold, double max_h,
		      bool draw)
{
	double h = lay_out(p->layout, text, width, size, bold, max_h);

	if (draw) {
		cairo_move_to(p->cr, x, y);
		pango_cairo_show_layout(p->cr, p->layout);
		cairo_new_path(p->cr); /* or the next shape starts from here */
	}
	return h;
}

/* The width and height of one line of text (no wrapping). */
static void text_size(struct pdf *p, const char *text, double size, double *w,
		      double *h)
{
	int iw, ih;

	lay_out(p->layout, text, -1, size, false, 0);
	pango_layout_get_size(p->layout, &iw, &ih);
	*w = (double)iw / PANGO_SCALE;
	*h = (double)ih / PANGO_SCALE;
}

static void footer(struct pdf *p)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s · follow-up summary · confidential health data · "
		 "page %d of %d", p->m->patient.name, p->page, p->pages ? p->pages : p->page);
	cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
	text_at(p, buf, MARGIN, PAGE_H - MARGIN, BODY_W, 7.5, false, 0, true);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
}

static void new_page(struct pdf *p)
{
	if (p->page)
		cairo_show_page(p->cr);
	p->page++;
	p->y = TOP;
	footer(p);
}

/* Makes room for h points, starting a new page when they do not fit. */
static bool ensure(struct pdf *p, double h)
{
	if (p->y + h <= BOTTOM)
		return false;
	new_page(p);
	return true;
}

/* A paragraph over the full width, broken across pages line by line. It
 * has its own layout: a page break draws the footer with p->layout. */
static void paragraph(struct pdf *p, const char *text, double size, bool bold,
		      double indent)
{
	PangoLayout *layout = pango_cairo_create_layout(p->cr);
	PangoLayoutIter *it;

	lay_out(layout, text, BODY_W - indent, size, bold, 0);
	it = pango_layout_get_iter(layout);
	do {
		PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
		PangoRectangle logical;
		double h, baseline;

		pango_layout_iter_get_line_extents(it, NULL, &logical);
		h = (double)logical.height / PANGO_SCALE;
		baseline = (double)(pango_layout_iter_get_baseline(it) - logical.y) /
			   PANGO_SCALE;
		ensure(p, h);
		cairo_move_to(p->cr, MARGIN + indent + (double)logical.x / PANGO_SCALE,
			      p->y + baseline);
		pango_cairo_show_layout_line(p->cr, line);
		cairo_new_path(p->cr);
		p->y += h;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	g_object_unref(layout);
}

static void labelled_indent(struct pdf *p, const char *label, const char *value,
			    double indent)
{
	size_t n;
	char *buf;

	if (!value || !*value)
		return;
	n = strlen(label) + strlen(value) + 3;
	buf = malloc(n);
	if (!buf)
		return;
	snprintf(buf, n, "%s: %s", label, value);
	paragraph(p, buf, BODY, false, indent);
	free(buf);
}

static void labelled(struct pdf *p, const char *label, const char *value)
{
	labelled_indent(p, label, value, 0);
}

static void gap(struct pdf *p, double h)
{
	p->y += h;
}

static void rule(struct pdf *p)
{
	cairo_set_line_width(p->cr, 0.6);
	cairo_move_to(p->cr, MARGIN, p->y);
	cairo_line_to(p->cr, MARGIN + BODY_W, p->y);
	cairo_stroke(p->cr);
}

static void grey(struct pdf *p, bool on)
{
	if (on)
		cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
	else
		cairo_set_source_rgb(p->cr, 0, 0, 0);
}

/* ---- page one: the summary ---------------------------------------------------- */

static void patient_line(struct pdf *p)
{
	const struct nl_patient *pt = &p->m->patient;
	char buf[1024];

	snprintf(buf, sizeof(buf), "id %lld%s%s%s%s%s%s%s", (long long)pt->id,
		 pt->dob ? " · born " : "", pt->dob ? pt->dob : "",
		 pt->sex ? " · " : "", pt->sex ? xm_sex_label(pt->sex) : "",
		 pt->skin_type ? " · Fitzpatrick " : "",
		 vocab_fitzpatrick_label(pt->skin_type), pt->archived ? " · archived" : "");
	paragraph(p, buf, BODY, false, 0);
	labelled(p, "Phone", pt->phone);
	labelled(p, "Email", pt->email);
}

static void header(struct pdf *p)
{
	char buf[128];

	if (p->m->practice) {
		cairo_set_source_rgb(p->cr, 0.2, 0.2, 0.45);
		paragraph(p, p->m->practice, 11, true, 0);
		grey(p, false);
	}
	paragraph(p, "Follow-up summary", 17, true, 0);
	if (p->m->recipient) {
		snprintf(buf, sizeof(buf), "For %s", p->m->recipient);
		paragraph(p, buf, 10, false, 0);
	}
	gap(p, 2);
	paragraph(p, p->m->patient.name, 14, true, 0);
	patient_line(p);
	snprintf(buf, sizeof(buf), "Generated %s", p->m->generated_at);
	grey(p, true);
	paragraph(p, buf, 8, false, 0);
	grey(p, false);
	gap(p, 4);
	rule(p);
	gap(p, 6);
}

/* A list under a bold heading, one paragraph an item ("None recorded."). */
static void item_list(struct pdf *p, const char *title, char **items, size_t n)
{
	paragraph(p, title, 10, true, 0);
	if (!n)
		paragraph(p, "None recorded.", BODY, false, 10);
	for (size_t i = 0; i < n; i++)
		if (items[i])
			paragraph(p, items[i], BODY, false, 10);
	gap(p, 3);
}

static void free_items(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

static void allergies_meds(struct pdf *p)
{
	const struct nl_patient *pt = &p->m->patient;
	size_t n = pt->nallergy_list > pt->nmedication_list ? pt->nallergy_list
							     : pt->nmedication_list;
	char **items = calloc(n + 1, sizeof(*items));

	if (!items)
		return;
	for (size_t i = 0; i < pt->nallergy_list; i++)
		items[i] = xm_allergy_text(&pt->allergy_list[i]);
	item_list(p, "Allergies", items, pt->nallergy_list);
	for (size_t i = 0; i < pt->nallergy_list; i++) {
		free(items[i]);
		items[i] = NULL;
	}
	for (size_t i = 0; i < pt->nmedication_list; i++)
		items[i] = xm_medication_text(&pt->medication_list[i]);
	item_list(p, "Medications", items, pt->nmedication_list);
	free_items(items, n);
}

/* Flags in force, and the warnings of each series' latest live session. */
static void warnings(struct pdf *p)
{
	const struct xm *m = p->m;
	size_t cap = m->patient.nflags + 64, n = 0;
	char **items = calloc(cap, sizeof(*items));
	char line[VOCAB_TEXT_MAX + 256];

	if (!items)
		return;
	for (size_t i = 0; i < m->patient.nflags; i++) {
		const struct nl_flag *f = &m->patient.flags[i];
		const struct vocab_flag *v = vocab_flag_find(f->code);
		char until[11] = "";

		if (!check_flag_in_force(f, m->today, until))
			continue;
		snprintf(line, sizeof(line), "%s%s%s%s%s%s", v ? v->label : f->code,
			 until[0] ? " (until " : "", until, until[0] ? ")" : "",
			 f->note ? ": " : "", f->note ? f->note : "");
		items[n++] = strdup(line);
	}
	for (size_t s = 0; s < m->nseries; s++) {
		const struct xm_series *xs = &m->series[s];

		for (size_t i = xs->nsessions; i-- > 0;) {
			const struct nl_session *e = &xs->sessions[i].effective;

			if (e->voided)
				continue;
			for (size_t w = 0; w < e->nwarnings && n < cap; w++) {
				snprintf(line, sizeof(line), "%s (session of %s)",
					 e->warnings[w].message, e->date);
				items[n++] = strdup(line);
			}
			break;
		}
	}
	item_list(p, "Active warnings", items, n);
	free_items(items, n);
}

static void consents(struct pdf *p)
{
	char **items = calloc(p->m->nconsents + 1, sizeof(*items));

	if (!items)
		return;
	for (size_t i = 0; i < p->m->nconsents; i++)
		items[i] = xm_consent_text(&p->m->consents[i]);
	item_list(p, "Consents", items, p->m->nconsents);
	free_items(items, p->m->nconsents);
}

/* "Norwood-Hamilton (men): IIIa (2026-01-10) to III-vertex (2026-03-02):
 * ..." with the core's reading of the change. */
static void latest_scores(struct pdf *p, const struct nl_progress *pr)
{
	for (size_t k = 0; k < pr->nscales; k++) {
		const struct progress_scale *ps = &pr->scales[k];
		const struct progress_point *last;
		char buf[512], v[64], b[64];

		if (!ps->npoints)
			continue;
		last = &ps->points[ps->npoints - 1];
		vocab_scale_format(ps->scale, last->value, v, sizeof(v));
		if (ps->has_baseline) {
			vocab_scale_format(ps->scale, ps->baseline, b, sizeof(b));
			snprintf(buf, sizeof(buf), "%s: baseline %s (%s), latest %s (%s): %s",
				 ps->scale->label, b, ps->baseline_date, v, last->date,
				 ps->delta.text);
		} else {
			snprintf(buf, sizeof(buf), "%s: latest %s (%s), no baseline",
				 ps->scale->label, v, last->date);
		}
		paragraph(p, buf, BODY, false, 10);
	}
}

static void series_summary(struct pdf *p, const struct xm_series *xs)
{
	const struct nl_series *sr = &xs->series;
	const struct nl_progress *pr = &xs->progress;
	char buf[1024], plan[256], due[128];

	snprintf(buf, sizeof(buf), "%s (%s)", xm_indication_label(sr->indication),
		 xm_status_label(sr->status));
	paragraph(p, buf, 10, true, 0);
	snprintf(buf, sizeof(buf), "Plan: %s from %s; %d of %d sessions done%s%s; next due %s",
		 xm_plan_text(sr, plan, sizeof(plan)), sr->start_date, pr->done, pr->planned,
		 pr->last_date[0] ? ", last " : "", pr->last_date,
		 xm_next_due_text(pr, due, sizeof(due)));
	paragraph(p, buf, BODY, false, 10);
	latest_scores(p, pr);
	gap(p, 3);
}

static void summary(struct pdf *p)
{
	const struct xm *m = p->m;

	allergies_meds(p);
	warnings(p);
	paragraph(p, m->nseries ? "Treatment" : "No treatment series.", 10, true, 0);
	gap(p, 2);
	for (size_t i = 0; i < m->nseries; i++)
		series_summary(p, &m->series[i]);
	consents(p);
}

/* ---- tables ------------------------------------------------------------------ */

struct col {
	const char *title;
	double width;
};

/* Draws (or measures) a row; returns its height. */
static double row(struct pdf *p, const struct col *cols, size_t ncols,
		  char *const *cells, bool bold, bool draw)
{
	double x = MARGIN, h = 0;

	for (size_t i = 0; i < ncols; i++) {
		double ch = text_at(p, cells[i], x + CELL_PAD, p->y + CELL_PAD,
				    cols[i].width - 2 * CELL_PAD, BODY, bold, CELL_MAX_H, draw);

		if (ch > h)
			h = ch;
		x += cols[i].width;
	}
	h += 2 * CELL_PAD;
	if (draw) {
		cairo_set_line_width(p->cr, 0.3);
		cairo_set_source_rgb(p->cr, 0.6, 0.6, 0.6);
		cairo_move_to(p->cr, MARGIN, p->y + h);
		cairo_line_to(p->cr, MARGIN + BODY_W, p->y + h);
		cairo_stroke(p->cr);
		grey(p, false);
	}
	return h;
}

static void table_header(struct pdf *p, const struct col *cols, size_t ncols)
{
	char *titles[16];
	double h;

	for (size_t i = 0; i < ncols && i < 16; i++)
		titles[i] = (char *)cols[i].title;
	h = row(p, cols, ncols, titles, true, false);
	cairo_set_source_rgb(p->cr, 0.90, 0.92, 0.96);
	cairo_rectangle(p->cr, MARGIN, p->y, BODY_W, h);
	cairo_fill(p->cr);
	grey(p, false);
	p->y += row(p, cols, ncols, titles, true, true);
}

/* A table row, on a new page (with the header again) when it does not fit. */
static void table_row(struct pdf *p, const struct col *cols, size_t ncols,
		      char *const *cells, bool dim)
{
	double h = row(p, cols, ncols, cells, false, false);

	if (ensure(p, h))
		table_header(p, cols, ncols);
	if (dim)
		cairo_set_source_rgb(p->cr, 0.5, 0.5, 0.5);
	p->y += row(p, cols, ncols, cells, false, true);
	grey(p, false);
}

static const struct col session_cols[] = {
	{ "#", 22 }, { "Date", 62 }, { "Areas, depth", 110 }, { "Device", 62 },
	{ "Products", 62 }, { "Pain", 32 }, { "Reactions, adverse events", 80 },
	{ "Status", 81.276 },
};
#define NSESSION_COLS (sizeof(session_cols) / sizeof(session_cols[0]))

static char *status_cell(const struct nl_session_view *v)
{
	const struct nl_session *e = &v->effective;
	char buf[2048];
	size_t len;

	if (e->voided)
		len = (size_t)snprintf(buf, sizeof(buf), "VOIDED: %s",
				       e->void_reason ? e->void_reason : "");
	else if (e->is_signed)
		len = (size_t)snprintf(buf, sizeof(buf), "Signed %.10s by %s",
				       e->signed_at ? e->signed_at : "",
				       e->signed_by ? e->signed_by : "?");
	else
		len = (size_t)snprintf(buf, sizeof(buf), "Not signed");
	if (v->namendments && len < sizeof(buf))
		snprintf(buf + len, sizeof(buf) - len, "\nAmended %zu×, latest %.10s: %s",
			 v->namendments, v->amendments[v->namendments - 1].at,
			 v->amendments[v->namendments - 1].reason);
	return strdup(buf);
}

static void session_cells(const struct xm_series *xs,
			  const struct nl_session_view *v, char **cells)
{
	const struct nl_session *e = &v->effective;
	int num = xm_session_number(xs, e->id);
	char buf[64];
	size_t n;

	snprintf(buf, sizeof(buf), num ? "%d" : "–", num);
	cells[0] = strdup(buf);
	cells[1] = strdup(e->date);
	cells[2] = xm_areas_text(e);
	cells[3] = strdup(e->device ? e->device : "");
	cells[4] = xm_join(e->products, e->nproducts, "; ");
	if (e->pain >= 0)
		snprintf(buf, sizeof(buf), "%d/10", e->pain);
	else
		buf[0] = '\0';
	cells[5] = strdup(buf);
	n = (e->reaction ? strlen(e->reaction) : 0) + (e->adverse ? strlen(e->adverse) : 0) + 32;
	cells[6] = malloc(n);
	if (cells[6])
		snprintf(cells[6], n, "%s%s%s%s", e->reaction ? e->reaction : "",
			 e->reaction && e->adverse ? "\n" : "",
			 e->adverse ? "Adverse: " : "", e->adverse ? e->adverse : "");
	cells[7] = status_cell(v);
}

static void session_table(struct pdf *p, const struct xm_series *xs)
{
	if (!xs->nsessions) {
		paragraph(p, "No sessions yet.", BODY, false, 0);
		return;
	}
	ensure(p, 100);
	table_header(p, session_cols, NSESSION_COLS);
	for (size_t i = 0; i < xs->nsessions; i++) {
		char *cells[NSESSION_COLS] = { 0 };

		session_cells(xs, &xs->sessions[i], cells);
		table_row(p, session_cols, NSESSION_COLS, cells,
			  xs->sessions[i].effective.voided);
		for (size_t c = 0; c < NSESSION_COLS; c++)
			free(cells[c]);
	}
}

/* Notes, warnings, lots and amendments in full, after the table. */
static void session_detail(struct pdf *p, const struct xm_series *xs,
			   const struct nl_session_view *v)
{
	const struct nl_session *e = &v->effective;
	char buf[512], status[1024];
	int num = xm_session_number(xs, e->id);
	char *lots = xm_lots_text(e);

	gap(p, 3);
	if (num)
		snprintf(buf, sizeof(buf), "Session #%d, %s", num, e->date);
	else
		snprintf(buf, sizeof(buf), "Voided session (id %lld), %s", (long long)e->id,
			 e->date);
	ensure(p, 24);
	paragraph(p, buf, BODY, true, 0);
	labelled(p, "Record", xm_session_status(v, status, sizeof(status)));
	labelled(p, "Practitioner", e->practitioner);
	labelled(p, "Cartridge", e->cartridge);
	labelled(p, "Device serial", e->device_serial);
	labelled(p, "Lots", lots);
	if (e->anesthetic) {
		snprintf(buf, sizeof(buf), e->anesthetic_minutes >= 0 ? "%s (%d min)" : "%s",
			 e->anesthetic, e->anesthetic_minutes);
		labelled(p, "Anaesthetic", buf);
	}
	labelled(p, "Endpoint", e->endpoint ? xm_endpoint_label(e->endpoint) : NULL);
	labelled(p, "Immediate reaction", e->reaction);
	labelled(p, "Adverse events", e->adverse);
	labelled(p, "Aftercare", e->aftercare);
	for (size_t w = 0; w < e->nwarnings; w++)
		labelled(p, "Warning", e->warnings[w].message);
	labelled(p, "Notes", e->notes);
	for (size_t a = 0; a < v->namendments; a++) {
		const struct nl_amendment *am = &v->amendments[a];

		snprintf(status, sizeof(status), "%s by %s: %s", am->at,
			 am->practitioner ? am->practitioner : "?", am->reason);
		labelled(p, "Amendment", status);
	}
	free(lots);
}

static void session_details(struct pdf *p, const struct xm_series *xs)
{
	bool any = false;

	for (size_t i = 0; i < xs->nsessions; i++) {
		const struct nl_session_view *v = &xs->sessions[i];
		const struct nl_session *e = &v->effective;

		if (!e->notes && !e->nwarnings && !v->namendments && !e->aftercare &&
		    !e->adverse && !e->reaction && !e->practitioner && !e->anesthetic &&
		    !e->cartridge_lot && !e->nproduct_lots)
			continue;
		if (!any) {
			gap(p, 6);
			ensure(p, 30);
			paragraph(p, "Session details", 11, true, 0);
			any = true;
		}
		session_detail(p, xs, v);
	}
}

static const struct col score_cols[] = {
	{ "Date", 64 }, { "Session", 48 }, { "Scale", 170 }, { "Score", 70 },
	{ "Against baseline", 159.276 },
};
#define NSCORE_COLS (sizeof(score_cols) / sizeof(score_cols[0]))

/* Every score, dated, with its change from the baseline. */
static void scores_table(struct pdf *p, const struct nl_progress *pr)
{
	char num[16], v[64];

	if (!pr->nscales)
		return;
	gap(p, 6);
	ensure(p, 100);
	paragraph(p, "Scores", 11, true, 0);
	table_header(p, score_cols, NSCORE_COLS);
	for (size_t k = 0; k < pr->nscales; k++) {
		const struct progress_scale *ps = &pr->scales[k];

		if (ps->has_baseline) {
			char *cells[] = { (char *)ps->baseline_date, "baseline", (char *)ps->scale->label,
					  v, "" };

			vocab_scale_format(ps->scale, ps->baseline, v, sizeof(v));
			table_row(p, score_cols, NSCORE_COLS, cells, false);
		}
		for (size_t i = 0; i < ps->npoints; i++) {
			const struct progress_point *pt = &ps->points[i];
			char *cells[] = { (char *)pt->date, num, (char *)ps->scale->label, v,
					  (char *)(ps->has_baseline ? pt->delta.text : "no baseline") };

			snprintf(num, sizeof(num), "#%d", pr->sessions[pt->session].number);
			vocab_scale_format(ps->scale, pt->value, v, sizeof(v));
			if (ps->unit && *ps->unit && strlen(v) + strlen(ps->unit) + 2 < sizeof(v))
				strcat(strcat(v, " "), ps->unit);
			table_row(p, score_cols, NSCORE_COLS, cells, false);
		}
	}
}

/* ---- chart layout: boxes that must not overlap ----------------------------- */

bool xw_box_overlap(const struct xw_box *a, const struct xw_box *b)
{
	return a->page == b->page && a->x < b->x + b->w && b->x < a->x + a->w &&
	       a->y < b->y + b->h && b->y < a->y + a->h;
}

static bool box_add(struct pdf *p, const struct xw_box *b)
{
	struct xw_layout *l = p->lay;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct xw_box *nb = realloc(l->boxes, cap * sizeof(*nb));

		if (!nb) {
			p->oom = true;
			return false;
		}
		l->boxes = nb;
		l->cap = cap;
	}
	l->boxes[l->n++] = *b;
	return true;
}

/* Whether a box is free of every box of the current chart. */
static bool box_free(const struct pdf *p, const struct xw_box *b)
{
	for (size_t i = p->chart_first; i < p->lay->n; i++)
		if (xw_box_overlap(b, &p->lay->boxes[i]))
			return false;
	return true;
}

static struct xw_box box_of(struct pdf *p, enum xw_box_kind kind, int series,
			    const char *text, double x, double y, double w, double h)
{
	struct xw_box b = { .page = p->page, .chart = p->chart, .kind = kind,
			    .series = series, .x = x, .y = y, .w = w, .h = h };

	/* Only the start, to recognise a box by. */
	if (text) {
		size_t n = strnlen(text, sizeof(b.text) - 1);

		memcpy(b.text, text, n);
		b.text[n] = '\0';
	}
	return b;
}

/* Draws text at the first candidate position where it overlaps nothing
 * drawn in this chart, or nowhere (every value is in the scores table).
 * A candidate (dx, dy) puts the box's left edge dx right of x (dx >= 0)
 * or its right edge -dx left of x (dx < 0), and its top dy below y (dy >=
 * 0) or its bottom -dy above y. Returns whether it was drawn. */
static bool place_label(struct pdf *p, enum xw_box_kind kind, int series,
			const char *text, double x, double y, const double (*cand)[2],
			size_t ncand, double size)
{
	double w, h;

	text_size(p, text, size, &w, &h);
	for (size_t i = 0; i < ncand; i++) {
		double bx = cand[i][0] >= 0 ? x + cand[i][0] : x + cand[i][0] - w;
		double by = cand[i][1] >= 0 ? y + cand[i][1] : y + cand[i][1] - h;
		struct xw_box b = box_of(p, kind, series, text, bx, by, w, h);

		if (!box_free(p, &b))
			continue;
		if (!box_add(p, &b))
			return false;
		text_at(p, text, b.x, b.y, -1, size, false, 0, true);
		return true;
	}
	return false;
}

/* ---- charts on a date axis ----------------------------------------------------- */

struct chart {
	double x, y, w, h;      /* the plot area */
	double lo, hi;          /* value range */
	long d0, d1;            /* day numbers of the date range */
};

/* Days since 1970-01-01 of "YYYY-MM-DD" (Howard Hinnant's civil algorithm). */
static long day_number(const char *date)
{
	int y = atoi(date), m = atoi(date + 5), d = atoi(date + 8);
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static double cx(const struct chart *c, const char *date)
{
	if (c->d1 <= c->d0)
		return c->x + c->w / 2;
	return c->x + c->w * (double)(day_number(date) - c->d0) / (double)(c->d1 - c->d0);
}

static double cy(const struct chart *c, double v)
{
	return c->y + c->h - (v - c->lo) / (c->hi - c->lo) * c->h;
}

/* A step of 1, 2 or 5 times a power of ten giving about five ticks. */
static double nice_step(double span, bool integer)
{
	double raw = span / 5, p10 = pow(10, floor(log10(raw > 0 ? raw : 1))), step;

	step = raw <= p10 ? p10 : raw <= 2 * p10 ? 2 * p10 : raw <= 5 * p10 ? 5 * p10
								      : 10 * p10;
	return integer && step < 1 ? 1 : step;
}

/* The value axis from the data: a margin around it, at least min_span
 * wide, within the scale's limits, on whole steps. */
static void auto_range(struct chart *c, double lo, double hi, double min_span,
		       double floor_v, double ceil_v, bool integer)
{
	double pad = (hi - lo) * 0.15, step;

	lo -= pad;
	hi += pad;
	if (hi - lo < min_span) {
		double mid = (hi + lo) / 2;

		lo = mid - min_span / 2;
		hi = mid + min_span / 2;
	}
	step = nice_step(hi - lo, integer);
	c->lo = floor(lo / step) * step;
	c->hi = ceil(hi / step) * step;
	if (c->lo < floor_v)
		c->lo = floor_v;
	if (c->hi > ceil_v)
		c->hi = ceil_v;
	if (c->hi <= c->lo)
		c->hi = c->lo + step;
}

static void chart_begin(struct pdf *p, struct chart *c, const char *title,
			const char *first_date, const char *last_date)
{
	ensure(p, CHART_H + 24);
	paragraph(p, title, BODY, true, 0);
	c->x = MARGIN + 52;
	c->y = p->y + 8;
	c->w = BODY_W - 52 - LEGEND_W - 8;
	c->h = CHART_H - 48;
	c->d0 = day_number(first_date);
	c->d1 = day_number(last_date);
	p->chart++;
	p->chart_first = p->lay->n;
	cairo_set_line_width(p->cr, 0.5);
	cairo_set_source_rgb(p->cr, 0.4, 0.4, 0.4);
	cairo_rectangle(p->cr, c->x, c->y, c->w, c->h);
	cairo_stroke(p->cr);
}

static void y_tick(struct pdf *p, const struct chart *c, double v, const char *label)
{
	static const double left[][2] = { { -4, 0 } };
	double w, h;

	cairo_set_source_rgb(p->cr, 0.88, 0.88, 0.88);
	cairo_move_to(p->cr, c->x, cy(c, v));
	cairo_line_to(p->cr, c->x + c->w, cy(c, v));
	cairo_stroke(p->cr);
	cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
	text_size(p, label, SMALL, &w, &h);
	place_label(p, XW_BOX_TICK, -1, label, c->x, cy(c, v) - h / 2, left, 1, SMALL);
}

/* Numeric ticks on whole steps; ordinal ones at every level in range. */
static void y_axis(struct pdf *p, const struct chart *c, const struct vocab_scale *sc)
{
	char buf[64];

	if (sc && sc->kind == VOCAB_SCALE_ORDINAL) {
		for (double v = c->lo; v <= c->hi + 1e-9; v += 1) {
			vocab_scale_format(sc, v, buf, sizeof(buf));
			y_tick(p, c, v, buf);
		}
		return;
	}
	double step = nice_step(c->hi - c->lo, sc ? sc->integer : false);

	for (double v = c->lo; v <= c->hi + 1e-9; v += step) {
		if (sc)
			vocab_scale_format(sc, v, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%g", v);
		y_tick(p, c, v, buf);
	}
}

/* Date ticks: the first and last date, and those between that fit. */
static void x_axis(struct pdf *p, const struct chart *c, char (*dates)[11], size_t n)
{
	static const double below[][2] = { { 0, 3 } };
	size_t order[512];
	size_t k = 0;

	if (!n)
		return;
	/* First, last, then the middle ones, so the ends always show. */
	order[k++] = 0;
	if (n > 1)
		order[k++] = n - 1;
	for (size_t i = 1; i + 1 < n && k < 512; i++)
		order[k++] = i;
	cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
	for (size_t i = 0; i < k; i++) {
		const char *d = dates[order[i]];
		double w, h, x = cx(c, d);

		text_size(p, d, SMALL, &w, &h);
		x -= w / 2;
		if (x + w > c->x + c->w + 20)
			x = c->x + c->w + 20 - w;
		place_label(p, XW_BOX_TICK, -1, d, x, c->y + c->h + 3, below, 1, SMALL);
	}
	grey(p, false);
}

enum marker { M_CIRCLE, M_SQUARE, M_TRIANGLE, M_DIAMOND, M_CROSS, NMARKERS };

static void marker(struct pdf *p, enum marker m, double x, double y)
{
	const double r = 2.8;

	cairo_new_path(p->cr);
	switch (m) {
	case M_SQUARE:
		cairo_rectangle(p->cr, x - r, y - r, 2 * r, 2 * r);
		break;
	case M_TRIANGLE:
		cairo_move_to(p->cr, x, y - r - 0.6);
		cairo_line_to(p->cr, x + r + 0.6, y + r);
		cairo_line_to(p->cr, x - r - 0.6, y + r);
		cairo_close_path(p->cr);
		break;
	case M_DIAMOND:
		cairo_move_to(p->cr, x, y - r - 0.8);
		cairo_line_to(p->cr, x + r + 0.8, y);
		cairo_line_to(p->cr, x, y + r + 0.8);
		cairo_line_to(p->cr, x - r - 0.8, y);
		cairo_close_path(p->cr);
		break;
	case M_CROSS:
		cairo_set_line_width(p->cr, 1.4);
		cairo_move_to(p->cr, x - r, y - r);
		cairo_line_to(p->cr, x + r, y + r);
		cairo_move_to(p->cr, x - r, y + r);
		cairo_line_to(p->cr, x + r, y - r);
		cairo_stroke(p->cr);
		return;
	default:
		cairo_arc(p->cr, x, y, r, 0, 2 * M_PI);
		break;
	}
	cairo_fill(p->cr);
}

static void marker_box(struct pdf *p, int series, double x, double y)
{
	struct xw_box b = box_of(p, XW_BOX_MARKER, series, "", x - 3.6, y - 3.6, 7.2, 7.2);

	box_add(p, &b);
}

/* One legend entry, right of the plot: the marker and the line's name. */
static void legend(struct pdf *p, const struct chart *c, int j, const char *label,
		   enum marker m, const double *col)
{
	double ly = c->y + 2 + (double)j * 11;
	struct xw_box b;

	if (ly + 9 > c->y + c->h + 30)
		return;
	cairo_set_source_rgb(p->cr, col[0], col[1], col[2]);
	marker(p, m, c->x + c->w + 14, ly + 4.5);
	grey(p, false);
	b = box_of(p, XW_BOX_LEGEND, j, label, c->x + c->w + 22, ly, LEGEND_W - 22, 9.5);
	box_add(p, &b);
	text_at(p, label, b.x, b.y, b.w, SMALL, false, 9.5, true);
}

static void chart_end(struct pdf *p, const struct chart *c)
{
	grey(p, false);
	p->y = c->y + c->h + 20;
}

/* The date range of a progress: the baseline (the start) to the last. */
static void date_range(const struct nl_progress *pr, const char *start, char first[11],
		       char last[11])
{
	snprintf(first, 11, "%s", start && *start ? start : pr->nsessions ? pr->sessions[0].date
									   : "");
	snprintf(last, 11, "%s", pr->nsessions ? pr->sessions[pr->nsessions - 1].date : first);
	if (pr->nsessions && strcmp(pr->sessions[0].date, first) < 0)
		snprintf(first, 11, "%s", pr->sessions[0].date);
}

static void scale_range(struct chart *c, const struct progress_scale *ps)
{
	const struct vocab_scale *sc = ps->scale;
	double lo = ps->has_baseline ? ps->baseline : ps->points[0].value, hi = lo;

	for (size_t i = 0; i < ps->npoints; i++) {
		lo = fmin(lo, ps->points[i].value);
		hi = fmax(hi, ps->points[i].value);
	}
	if (sc->kind == VOCAB_SCALE_ORDINAL) {
		/* Every level from one below the lowest to one above the highest. */
		c->lo = fmax(sc->min, lo - 1);
		c->hi = fmin(sc->max, hi + 1);
		if (c->hi <= c->lo)
			c->hi = c->lo + 1;
		return;
	}
	/* A sensible floor: a tenth of the scale, so 142 to 179 /cm2 shows a
	 * real rise without a one-hair wobble looking like a cliff. */
	auto_range(c, lo, hi, fmax((sc->max - sc->min) / 10, sc->integer ? 2 : 0.5), sc->min,
		   sc->max, sc->integer);
}

static void baseline_line(struct pdf *p, const struct chart *c,
			  const struct progress_scale *ps)
{
	static const double spots[][2] = { { 4, -2 }, { 4, 2 } };
	const double dash[] = { 3, 2 };
	char v[64], label[96];

	cairo_set_source_rgb(p->cr, 0.5, 0.5, 0.5);
	cairo_set_dash(p->cr, dash, 2, 0);
	cairo_move_to(p->cr, c->x, cy(c, ps->baseline));
	cairo_line_to(p->cr, c->x + c->w, cy(c, ps->baseline));
	cairo_stroke(p->cr);
	cairo_set_dash(p->cr, NULL, 0, 0);
	vocab_scale_format(ps->scale, ps->baseline, v, sizeof(v));
	snprintf(label, sizeof(label), "baseline %s", v);
	place_label(p, XW_BOX_LABEL, -1, label, c->x + c->w, cy(c, ps->baseline), spots, 2,
		    SMALL);
}

static void scale_chart(struct pdf *p, const struct nl_progress *pr,
			const struct progress_scale *ps, const char *start)
{
	static const double spots[][2] = { { 4, -2 }, { 4, 3 }, { -4, -2 }, { -4, 3 } };
	const struct vocab_scale *sc = ps->scale;
	const char *dir = sc->direction == VOCAB_DIR_LOWER ? "lower is better"
			  : sc->direction == VOCAB_DIR_HIGHER ? "higher is better" : "";
	char title[512], v[64], first[11], last[11], dates[512][11];
	struct chart c = { 0 };
	size_t nd = 0;

	if (!ps->npoints)
		return;
	snprintf(title, sizeof(title), "%s%s%s%s", sc->label, *dir ? " (" : "", dir,
		 *dir ? ")" : "");
	date_range(pr, ps->has_baseline ? start : NULL, first, last);
	scale_range(&c, ps);
	chart_begin(p, &c, title, first, last);
	y_axis(p, &c, sc);
	if (ps->has_baseline)
		snprintf(dates[nd++], 11, "%s", first);
	for (size_t i = 0; i < ps->npoints && nd < 512; i++)
		snprintf(dates[nd++], 11, "%s", ps->points[i].date);
	x_axis(p, &c, dates, nd);
	if (ps->has_baseline)
		baseline_line(p, &c, ps);
	cairo_set_source_rgb(p->cr, palette[0][0], palette[0][1], palette[0][2]);
	cairo_set_line_width(p->cr, 1.4);
	for (size_t i = 0; i < ps->npoints; i++) {
		double x = cx(&c, ps->points[i].date), y = cy(&c, ps->points[i].value);

		if (i == 0)
			cairo_move_to(p->cr, x, y);
		else
			cairo_line_to(p->cr, x, y);
	}
	cairo_stroke(p->cr);
	for (size_t i = 0; i < ps->npoints; i++) {
		double x = cx(&c, ps->points[i].date), y = cy(&c, ps->points[i].value);

		cairo_set_source_rgb(p->cr, palette[0][0], palette[0][1], palette[0][2]);
		marker(p, M_CIRCLE, x, y);
		marker_box(p, 0, x, y);
	}
	/* Values beside the points, where they fit (an ordinal axis already
	 * names every level). */
	grey(p, false);
	for (size_t i = 0; sc->kind != VOCAB_SCALE_ORDINAL && i < ps->npoints; i++) {
		vocab_scale_format(sc, ps->points[i].value, v, sizeof(v));
		place_label(p, XW_BOX_LABEL, 0, v, cx(&c, ps->points[i].date),
			    cy(&c, ps->points[i].value), spots, 4, SMALL);
	}
	chart_end(p, &c);
}

/* Areas that share a depth on a date are drawn side by side, a few points
 * apart, in the order of the legend. */
static double offset_of(const struct nl_progress *pr, size_t i, size_t j)
{
	double d = pr->depth_mm[i * pr->nareas + j];
	size_t same = 0, before = 0;

	for (size_t k = 0; k < pr->nareas; k++) {
		if (fabs(pr->depth_mm[i * pr->nareas + k] - d) < 1e-9) {
			same++;
			if (k < j)
				before++;
		}
	}
	return same > 1 ? ((double)before - (double)(same - 1) / 2) * 6.0 : 0;
}

static void depth_range(struct chart *c, const struct nl_progress *pr)
{
	double lo = 1e9, hi = -1e9;

	for (size_t i = 0; i < pr->nsessions * pr->nareas; i++) {
		if (pr->depth_mm[i] < 0)
			continue;
		lo = fmin(lo, pr->depth_mm[i]);
		hi = fmax(hi, pr->depth_mm[i]);
	}
	if (hi < lo)
		lo = hi = 0;
	auto_range(c, lo, hi, 0.5, 0, VOCAB_DEPTH_MAX_MM, false);
}

static void depth_line(struct pdf *p, const struct chart *c, const struct nl_progress *pr,
		       size_t j)
{
	const double *col = palette[j % NPALETTE];
	bool down = false;

	cairo_set_source_rgb(p->cr, col[0], col[1], col[2]);
	cairo_set_line_width(p->cr, 1.1);
	for (size_t i = 0; i < pr->nsessions; i++) {
		double d = pr->depth_mm[i * pr->nareas + j];
		double x = cx(c, pr->sessions[i].date) + offset_of(pr, i, j);

		if (d < 0) {
			down = false;
			continue;
		}
		if (down)
			cairo_line_to(p->cr, x, cy(c, d));
		else
			cairo_move_to(p->cr, x, cy(c, d));
		down = true;
	}
	cairo_stroke(p->cr);
	for (size_t i = 0; i < pr->nsessions; i++) {
		double d = pr->depth_mm[i * pr->nareas + j];
		double x = cx(c, pr->sessions[i].date) + offset_of(pr, i, j);

		if (d < 0)
			continue;
		cairo_set_source_rgb(p->cr, col[0], col[1], col[2]);
		marker(p, (enum marker)(j % NMARKERS), x, cy(c, d));
		marker_box(p, (int)j, x, cy(c, d));
	}
}

static void depth_chart(struct pdf *p, const struct nl_progress *pr)
{
	struct chart c = { 0 };
	char first[11], last[11], dates[512][11], label[256];
	size_t nd = 0;

	if (!pr->nareas || !pr->nsessions)
		return;
	date_range(pr, NULL, first, last);
	depth_range(&c, pr);
	chart_begin(p, &c, "Needle depth per area (mm)", first, last);
	y_axis(p, &c, NULL);
	for (size_t i = 0; i < pr->nsessions && nd < 512; i++)
		snprintf(dates[nd++], 11, "%s", pr->sessions[i].date);
	x_axis(p, &c, dates, nd);
	for (size_t j = 0, shown = 0; j < pr->nareas; j++) {
		bool treated = false;

		for (size_t i = 0; i < pr->nsessions; i++)
			treated |= pr->depth_mm[i * pr->nareas + j] >= 0;
		if (!treated)
			continue; /* a target area never treated has no line */
		xm_progress_area_label(pr->areas[j], label, sizeof(label));
		legend(p, &c, (int)shown++, label, (enum marker)(j % NMARKERS),
		       palette[j % NPALETTE]);
		depth_line(p, &c, pr, j);
	}
	chart_end(p, &c);
}

/* ---- photographs ------------------------------------------------------------- */

#define PHOTO_GAP 14.0
#define PHOTO_W ((BODY_W - PHOTO_GAP) / 2)
#define PHOTO_H 230.0
#define CAPTION_H 26.0

/* Decoded pixels as a cairo surface (RGB24 rows), or NULL. */
static cairo_surface_t *photo_surface(const unsigned char *data, size_t len)
{
	struct image_pixels px = { 0 };
	cairo_surface_t *s;
	unsigned char *dst;
	int stride;

	if (image_decode_fit(data, len, IMAGE_PREVIEW_EDGE, IMAGE_PREVIEW_EDGE, &px, NULL) != NL_OK)
		return NULL;
	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, px.width, px.height);
	if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
		cairo_surface_flush(s);
		dst = cairo_image_surface_get_data(s);
		stride = cairo_image_surface_get_stride(s);
		for (int y = 0; y < px.height; y++)
			for (int x = 0; x < px.width; x++) {
				const unsigned char *q = px.rgb + ((size_t)y * px.width + x) * 3;

				((uint32_t *)(void *)(dst + (size_t)y * stride))[x] =
					(uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2];
			}
		cairo_surface_mark_dirty(s);
	}
	image_pixels_free(&px);
	return s;
}

/* One photograph fitted into the box at (x, y), its caption right under
 * it; returns the height used. */
static double photo_cell(struct pdf *p, const struct xm_series *xs, long i, const char *role,
		       double x, double y)
{
	const struct nl_photo *ph = &xs->photos[i];
	cairo_surface_t *s = photo_surface(xs->photo_data[i], xs->photo_len[i]);
	double w = PHOTO_W, h = PHOTO_H, ch;
	char cap[256];

	if (s && cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
		int iw = cairo_image_surface_get_width(s), ih = cairo_image_surface_get_height(s);
		double k = fmin(PHOTO_W / iw, PHOTO_H / ih);

		w = iw * k;
		h = ih * k;
		cairo_save(p->cr);
		cairo_translate(p->cr, x, y);
		cairo_scale(p->cr, k, k);
		cairo_set_source_surface(p->cr, s, 0, 0);
		cairo_paint(p->cr);
		cairo_restore(p->cr);
	} else {
		text_at(p, "(the image could not be decoded)", x, y, PHOTO_W, BODY, false, 0, true);
	}
	if (s)
		cairo_surface_destroy(s);
	box_add(p, &(struct xw_box){ .page = p->page, .chart = p->chart, .kind = XW_BOX_PHOTO,
				     .series = -1, .x = x, .y = y, .w = w, .h = h });
	snprintf(cap, sizeof(cap), "%s: %s, taken %s (photo %lld)", role,
		 ph->timepoint ? ph->timepoint : "", ph->taken ? ph->taken : "?",
		 (long long)ph->id);
	ch = text_at(p, cap, x, y + h + 3, PHOTO_W, BODY, false, CAPTION_H, true);
	box_add(p, &(struct xw_box){ .page = p->page, .chart = p->chart, .kind = XW_BOX_LABEL,
				     .series = -1, .x = x, .y = y + h + 3, .w = PHOTO_W,
				     .h = ch });
	return h + 3 + ch;
}

/* A view's pair side by side: the reference left, the latest right. */
static void photo_pair_block(struct pdf *p, const struct xm_series *xs,
			     const struct xm_photo_pair *pp)
{
	char title[300];
	double h, h2 = 0;

	ensure(p, PHOTO_H + CAPTION_H + 30);
	paragraph(p, xm_photo_view_text(&xs->photos[pp->base], title, sizeof(title)), BODY,
		  true, 0);
	gap(p, 3);
	p->chart++;
	p->chart_first = p->lay->n;
	h = photo_cell(p, xs, pp->base, pp->base == pp->now ? "Only photograph" : "Reference",
		       MARGIN, p->y);
	if (pp->now != pp->base)
		h2 = photo_cell(p, xs, pp->now, "Latest", MARGIN + PHOTO_W + PHOTO_GAP, p->y);
	gap(p, fmax(h, h2) + 10);
}

static void photos_block(struct pdf *p, const struct xm_series *xs)
{
	const char *why = xm_photo_withheld(p->m, xs);
	char buf[256];

	if (!xs->nphotos)
		return;
	gap(p, 6);
	ensure(p, 40);
	paragraph(p, "Photographs", 10, true, 0);
	snprintf(buf, sizeof(buf), "%zu on record; %s.", xs->nphotos,
		 why ? why : "per view, the reference (baseline) beside the latest");
	paragraph(p, buf, BODY, false, 0);
	gap(p, 4);
	if (why)
		return;
	for (size_t k = 0; k < xs->npairs; k++)
		photo_pair_block(p, xs, &xs->pairs[k]);
}

/* ---- series ----------------------------------------------------------------- */

static void series_block(struct pdf *p, const struct xm_series *xs)
{
	const struct nl_series *sr = &xs->series;
	const struct nl_progress *pr = &xs->progress;
	char buf[2048], plan[256], due[128];
	size_t len = 0;

	ensure(p, 80);
	gap(p, 4);
	snprintf(buf, sizeof(buf), "Series: %s (%s)", xm_indication_label(sr->indication),
		 xm_status_label(sr->status));
	paragraph(p, buf, 12, true, 0);
	len = (size_t)snprintf(buf, sizeof(buf), "%s from %s",
			       xm_plan_text(sr, plan, sizeof(plan)), sr->start_date);
	for (size_t i = 0; i < sr->nareas && len < sizeof(buf); i++) {
		char label[256];

		xm_area_label(sr->areas[i], NULL, label, sizeof(label));
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? ", " : "; target areas: ", label);
	}
	labelled(p, "Plan", buf);
	labelled(p, "Goal", sr->goal);
	snprintf(buf, sizeof(buf), "%d of %d%s%s", pr->done, pr->planned,
		 pr->last_date[0] ? "; last " : "", pr->last_date);
	labelled(p, "Sessions done", buf);
	snprintf(buf, sizeof(buf), "Next due: %s", xm_next_due_text(pr, due, sizeof(due)));
	paragraph(p, buf, 10, true, 0);
	gap(p, 4);
	session_table(p, xs);
	session_details(p, xs);
	scores_table(p, pr);
	if (pr->nsessions) {
		gap(p, 8);
		for (size_t k = 0; k < pr->nscales; k++)
			scale_chart(p, pr, &pr->scales[k], sr->start_date);
		depth_chart(p, pr);
	}
	photos_block(p, xs);
	gap(p, 6);
}

/* ---- the document -------------------------------------------------------------- */

static cairo_status_t write_stream(void *closure, const unsigned char *data,
				   unsigned int length)
{
	if (!closure)
		return CAIRO_STATUS_SUCCESS; /* the counting pass */
	return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
							  : CAIRO_STATUS_WRITE_ERROR;
}

/* Lays the whole document out on a PDF surface writing to out (NULL: to
 * nowhere); pages gets the page count. */
static int render(const struct xm *m, FILE *out, int total, struct xw_layout *lay,
		  int *pages, struct nl_err *err)
{
	struct pdf p = { .m = m, .pages = total, .lay = lay };
	cairo_status_t st;
	char title[512];

	p.surface = cairo_pdf_surface_create_for_stream(write_stream, out, PAGE_W, PAGE_H);
	snprintf(title, sizeof(title), "Follow-up summary: %s", m->patient.name);
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATOR, "needlelog");
	p.cr = cairo_create(p.surface);
	p.layout = pango_cairo_create_layout(p.cr);
	new_page(&p);
	header(&p);
	summary(&p);
	for (size_t i = 0; i < m->nseries; i++) {
		/* The details start on page two: page one is the summary. */
		if (i == 0)
			new_page(&p);
		series_block(&p, &m->series[i]);
	}
	*pages = p.page;
	g_object_unref(p.layout);
	cairo_destroy(p.cr);
	cairo_surface_finish(p.surface);
	st = cairo_surface_status(p.surface);
	cairo_surface_destroy(p.surface);
	if (p.oom)
		return nl_error(err, NL_ENOMEM, "out of memory laying out the PDF");
	if (st != CAIRO_STATUS_SUCCESS)
		return nl_error(err, st == CAIRO_STATUS_WRITE_ERROR ? NL_EIO : NL_EINTERNAL,
				"writing the PDF: %s", cairo_status_to_string(st));
	return NL_OK;
}

int xw_pdf_layout(const struct xm *m, struct xw_layout *out, struct nl_err *err)
{
	int pages = 0, rc;

	memset(out, 0, sizeof(*out));
	rc = render(m, NULL, 0, out, &pages, err);
	xw_layout_free(out);
	if (rc == NL_OK)
		rc = render(m, NULL, pages, out, &pages, err);
	out->pages = pages;
	for (size_t i = 0; i < out->n; i++)
		if (out->boxes[i].chart > out->charts)
			out->charts = out->boxes[i].chart;
	return rc;
}

void xw_layout_free(struct xw_layout *l)
{
	free(l->boxes);
	memset(l, 0, sizeof(*l));
}

int xw_pdf(const struct xm *m, FILE *out, struct nl_err *err)
{
	struct xw_layout lay = { 0 };
	int pages = 0, rc;

	/* Twice: the first pass counts the pages for "page N of M". */
	rc = render(m, NULL, 0, &lay, &pages, err);
	xw_layout_free(&lay);
	if (rc == NL_OK)
		rc = render(m, out, pages, &lay, &pages, err);
	xw_layout_free(&lay);
	return rc;
}
