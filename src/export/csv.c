/* The sessions as CSV (RFC 4180) for spreadsheets: a header row, then one
 * row per treated area per session, CRLF line ends. A field is quoted when
 * it holds a comma, a quote, CR or LF (quotes doubled). A free-text field
 * that starts with = + - @ or a tab is prefixed with ' so a spreadsheet
 * does not run it as a formula (CSV injection). */
#include <stdlib.h>
#include <string.h>

#include "model.h"

static const char *const columns[] = {
	"patient_id", "patient_name", "series_id", "indication", "series_status",
	"session_id", "session_number", "date", "practitioner", "area",
	"area_label", "depth_mm", "passes", "device", "cartridge", "products",
	"anesthetic", "anesthetic_minutes", "endpoint", "pain", "reaction",
	"adverse_events", "scores", "signed", "signed_at", "signed_by",
	"amendments", "voided", "notes", "next_due",
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

static void field(FILE *out, const char *s, bool first, bool text)
{
	bool guard;

	if (!first)
		fputc(',', out);
	if (!s)
		return;
	guard = text && s[0] && strchr("=+-@\t\r", s[0]);
	if (!guard && !strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (guard)
		fputc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void num(FILE *out, long long v)
{
	fprintf(out, ",%lld", v);
}

static void session_rows(const struct xm *m, const struct xm_series *xs,
			 const struct nl_session_view *v, FILE *out)
{
	const struct nl_session *e = &v->effective;
	char *products = xm_join(e->products, e->nproducts, "; ");
	char *scores = NULL;
	char n[32] = "", mins[16] = "", pain[16] = "", count[16];

	/* Scores by code ("gais=3; norwood=IIIa"): stable for a spreadsheet. */
	{
		size_t cap = 1, len = 0;
		for (size_t i = 0; i < e->nscores; i++)
			cap += strlen(e->scores[i].scale) + 72;
		scores = malloc(cap);
		if (scores) {
			scores[0] = '\0';
			for (size_t i = 0; i < e->nscores; i++) {
				char val[64];

				xm_score(e->scores[i].scale, e->scores[i].value, val, sizeof(val));
				len += (size_t)snprintf(scores + len, cap - len, "%s%s=%s",
							i ? "; " : "", e->scores[i].scale, val);
			}
		}
	}
	if (xm_session_number(xs, e->id))
		snprintf(n, sizeof(n), "%d", xm_session_number(xs, e->id));
	if (e->anesthetic_minutes >= 0)
		snprintf(mins, sizeof(mins), "%d", e->anesthetic_minutes);
	if (e->pain >= 0)
		snprintf(pain, sizeof(pain), "%d", e->pain);
	snprintf(count, sizeof(count), "%zu", v->namendments);
	for (size_t a = 0; a < e->nareas; a++) {
		const struct nl_treatment *t = &e->areas[a];
		char label[256], depth[32], passes[16] = "";

		xm_area_label(t->area, t->label, label, sizeof(label));
		xm_depth(t->depth_mm, depth, sizeof(depth));
		if (t->passes > 0)
			snprintf(passes, sizeof(passes), "%d", t->passes);
		fprintf(out, "%lld", (long long)m->patient.id);
		field(out, m->patient.name, false, true);
		num(out, xs->series.id);
		field(out, xs->series.indication, false, false);
		field(out, xs->series.status, false, false);
		num(out, e->id);
		field(out, n, false, false);
		field(out, e->date, false, false);
		field(out, e->practitioner, false, true);
		field(out, t->area, false, false);
		field(out, label, false, true);
		field(out, depth, false, false);
		field(out, passes, false, false);
		field(out, e->device, false, true);
		field(out, e->cartridge, false, true);
		field(out, products, false, true);
		field(out, e->anesthetic, false, true);
		field(out, mins, false, false);
		field(out, e->endpoint, false, false);
		field(out, pain, false, false);
		field(out, e->reaction, false, true);
		field(out, e->adverse, false, true);
		field(out, scores, false, false);
		field(out, e->is_signed ? "yes" : "no", false, false);
		field(out, e->signed_at, false, false);
		field(out, e->signed_by, false, true);
		field(out, count, false, false);
		field(out, e->voided ? "yes" : "no", false, false);
		field(out, e->notes, false, true);
		field(out, xs->progress.next_due, false, false);
		fputs("\r\n", out);
	}
	free(products);
	free(scores);
}

int xw_csv(const struct xm *m, FILE *out, struct nl_err *err)
{
	for (size_t i = 0; i < NCOLUMNS; i++)
		field(out, columns[i], i == 0, false);
	fputs("\r\n", out);
	for (size_t i = 0; i < m->nseries; i++)
		for (size_t j = 0; j < m->series[i].nsessions; j++)
			session_rows(m, &m->series[i], &m->series[i].sessions[j], out);
	(void)err;
	return NL_OK;
}
