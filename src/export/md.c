/* The follow-up summary as Markdown (CommonMark with GFM tables). Free
 * text is escaped so a name or a note cannot become markup. */
#include <stdlib.h>
#include <string.h>

#include "needlelog/vocab.h"
#include "model.h"

/* Writes s with the characters that make inline markup escaped (values
 * never start a line, so block markers like # - 1. need no escape); line
 * breaks become <br>, which also keeps a table row on one line. */
static void esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\r')
			continue;
		if (*s == '\n')
			fputs("<br>", out);
		else if (strchr("\\`*_[]<>|~&", *s))
			fprintf(out, "\\%c", *s);
		else
			fputc(*s, out);
	}
}

static void item(FILE *out, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	fprintf(out, "- **%s:** ", label);
	esc(out, value);
	fputc('\n', out);
}

static void patient_block(const struct xm *m, FILE *out)
{
	const struct nl_patient *p = &m->patient;
	char id[32];

	fputs("# Follow-up summary: ", out);
	esc(out, p->name);
	fputs("\n\n", out);
	item(out, "Practice", m->practice);
	item(out, "For", m->recipient);
	snprintf(id, sizeof(id), "%lld", (long long)p->id);
	item(out, "Patient number", id);
	if (p->archived)
		item(out, "Archived", p->archived_at ? p->archived_at : "yes");
	item(out, "Born", p->dob);
	if (p->skin_type)
		fprintf(out, "- **Skin type:** Fitzpatrick %s\n",
			vocab_fitzpatrick_label(p->skin_type));
	item(out, "Phone", p->phone);
	item(out, "Email", p->email);
	item(out, "Consent", p->consent_date);
	for (size_t i = 0; i < p->nflags; i++) {
		const struct vocab_flag *f = vocab_flag_find(p->flags[i].code);

		fputs("- **Contraindication:** ", out);
		esc(out, f ? f->label : p->flags[i].code);
		if (p->flags[i].date) {
			fputs(" (", out);
			esc(out, p->flags[i].date);
			if (p->flags[i].end_date) {
				fputs(" to ", out);
				esc(out, p->flags[i].end_date);
			}
			fputs(")", out);
		}
		if (p->flags[i].note) {
			fputs(": ", out);
			esc(out, p->flags[i].note);
		}
		fputc('\n', out);
	}
	item(out, "Allergies", p->allergies);
	item(out, "Medications", p->medications);
	item(out, "Generated", m->generated_at);
}

static void cell(FILE *out, const char *s)
{
	fputc(' ', out);
	esc(out, s ? s : "");
	fputs(" |", out);
}

static void session_row(const struct xm_series *xs,
			const struct nl_session_view *v, FILE *out)
{
	const struct nl_session *e = &v->effective;
	int num = xm_session_number(xs, e->id);
	char n[32], pain[16] = "", status[1024];
	char *areas = xm_areas_text(e);
	char *products = xm_join(e->products, e->nproducts, "; ");
	char *scores = xm_scores_text(e->scores, e->nscores);

	if (num)
		snprintf(n, sizeof(n), "%d", num);
	else
		snprintf(n, sizeof(n), "void");
	if (e->pain >= 0)
		snprintf(pain, sizeof(pain), "%d/10", e->pain);
	fputs("|", out);
	cell(out, n);
	cell(out, e->date);
	cell(out, areas);
	cell(out, e->device);
	cell(out, products);
	cell(out, pain);
	cell(out, e->reaction);
	cell(out, e->adverse);
	cell(out, scores);
	cell(out, xm_session_status(v, status, sizeof(status)));
	fputc('\n', out);
	free(areas);
	free(products);
	free(scores);
}

static void session_notes(const struct xm_series *xs,
			  const struct nl_session_view *v, FILE *out)
{
	const struct nl_session *e = &v->effective;
	int num = xm_session_number(xs, e->id);

	if (!e->notes && !e->aftercare && !e->nwarnings && !e->anesthetic &&
	    !e->endpoint && !e->cartridge && !e->practitioner)
		return;
	fprintf(out, "\n#### Session %s%d, ", num ? "" : "(voided) #",
		num ? num : (int)e->id);
	esc(out, e->date);
	fputs("\n\n", out);
	item(out, "Practitioner", e->practitioner);
	item(out, "Cartridge", e->cartridge);
	if (e->anesthetic) {
		fputs("- **Anaesthetic:** ", out);
		esc(out, e->anesthetic);
		if (e->anesthetic_minutes >= 0)
			fprintf(out, " (%d min)", e->anesthetic_minutes);
		fputc('\n', out);
	}
	item(out, "Endpoint", e->endpoint ? xm_endpoint_label(e->endpoint) : NULL);
	item(out, "Aftercare", e->aftercare);
	for (size_t i = 0; i < e->nwarnings; i++)
		item(out, "Warning", e->warnings[i].message);
	item(out, "Notes", e->notes);
}

static void depth_table(const struct nl_progress *p, FILE *out)
{
	if (!p->nareas || !p->nsessions)
		return;
	fputs("\n### Depth per area (mm)\n\n| Area |", out);
	for (size_t i = 0; i < p->nsessions; i++)
		fprintf(out, " #%d |", p->sessions[i].number);
	fputs("\n| --- |", out);
	for (size_t i = 0; i < p->nsessions; i++)
		fputs(" ---: |", out);
	fputc('\n', out);
	for (size_t j = 0; j < p->nareas; j++) {
		char label[256];

		xm_progress_area_label(p->areas[j], label, sizeof(label));
		fputs("|", out);
		cell(out, label);
		for (size_t i = 0; i < p->nsessions; i++) {
			double d = p->depth_mm[i * p->nareas + j];
			char v[32] = "-";

			if (d >= 0)
				xm_depth(d, v, sizeof(v));
			cell(out, v);
		}
		fputc('\n', out);
	}
}

static void scales_table(const struct nl_progress *p, FILE *out)
{
	if (!p->nscales)
		return;
	fputs("\n### Outcome scores\n\n"
	      "| Scale | Baseline | Scores by session | Latest | Trend |\n"
	      "| --- | --- | --- | --- | --- |\n", out);
	for (size_t k = 0; k < p->nscales; k++) {
		const struct progress_scale *sc = &p->scales[k];
		char v[64], pts[1024] = "";
		size_t len = 0;

		fputs("|", out);
		cell(out, sc->scale->label);
		if (sc->has_baseline)
			vocab_scale_format(sc->scale, sc->baseline, v, sizeof(v));
		else
			snprintf(v, sizeof(v), "none");
		cell(out, v);
		for (size_t i = 0; i < sc->npoints && len < sizeof(pts); i++) {
			vocab_scale_format(sc->scale, sc->points[i].value, v, sizeof(v));
			len += (size_t)snprintf(pts + len, sizeof(pts) - len, "%s#%d %s",
						i ? ", " : "",
						p->sessions[sc->points[i].session].number, v);
		}
		cell(out, pts);
		cell(out, sc->npoints ? progress_change_name(sc->verdict) : "");
		cell(out, progress_trend_name(sc->trend));
		fputc('\n', out);
	}
}

static void series_block(const struct xm_series *xs, FILE *out)
{
	const struct nl_series *sr = &xs->series;
	const struct nl_progress *p = &xs->progress;
	char buf[256];

	fprintf(out, "\n## Series %lld: ", (long long)sr->id);
	esc(out, xm_indication_label(sr->indication));
	fputs(" (", out);
	esc(out, xm_status_label(sr->status));
	fputs(")\n\n", out);
	snprintf(buf, sizeof(buf), "%d sessions every %d days from %s", sr->planned,
		 sr->interval_days, sr->start_date);
	item(out, "Plan", buf);
	for (size_t i = 0; i < sr->nareas; i++) {
		xm_area_label(sr->areas[i], NULL, buf, sizeof(buf));
		item(out, "Target area", buf);
	}
	item(out, "Goal", sr->goal);
	snprintf(buf, sizeof(buf), "%d of %d", p->done, p->planned);
	item(out, "Done", buf);
	item(out, "Last session", p->last_date);
	item(out, "Next due", xm_next_due_text(p, buf, sizeof(buf)));
	if (xs->nsessions) {
		fputs("\n### Sessions\n\n"
		      "| # | Date | Areas (depth) | Device | Products | Pain | Reaction |"
		      " Adverse events | Scores | Status |\n"
		      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n", out);
		for (size_t i = 0; i < xs->nsessions; i++)
			session_row(xs, &xs->sessions[i], out);
		for (size_t i = 0; i < xs->nsessions; i++)
			session_notes(xs, &xs->sessions[i], out);
	}
	depth_table(p, out);
	scales_table(p, out);
}

int xw_md(const struct xm *m, FILE *out, struct nl_err *err)
{
	(void)err;
	patient_block(m, out);
	if (!m->nseries)
		fputs("\nNo treatment series.\n", out);
	for (size_t i = 0; i < m->nseries; i++)
		series_block(&m->series[i], out);
	return NL_OK;
}
