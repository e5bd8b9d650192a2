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

/* "- **Allergy:** ..." an item; "none recorded" when there are none. */
static void list_items(FILE *out, const char *label, size_t n, const void *items,
		       size_t size, char *(*text)(const void *))
{
	if (!n)
		item(out, label, "none recorded");
	for (size_t i = 0; i < n; i++) {
		char *t = text((const char *)items + i * size);

		item(out, label, t);
		free(t);
	}
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
	snprintf(id, sizeof(id), "id %lld", (long long)p->id);
	item(out, "Patient", id);
	if (p->archived)
		item(out, "Archived", p->archived_at ? p->archived_at : "yes");
	item(out, "Born", p->dob);
	item(out, "Sex", p->sex ? xm_sex_label(p->sex) : NULL);
	if (p->skin_type)
		fprintf(out, "- **Skin type:** Fitzpatrick %s\n",
			vocab_fitzpatrick_label(p->skin_type));
	item(out, "Phone", p->phone);
	item(out, "Email", p->email);
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
	list_items(out, "Allergy", p->nallergy_list, (void *)p->allergy_list,
		   sizeof(*p->allergy_list), (char *(*)(const void *))xm_allergy_text);
	list_items(out, "Medication", p->nmedication_list, (void *)p->medication_list,
		   sizeof(*p->medication_list), (char *(*)(const void *))xm_medication_text);
	list_items(out, "Consent", m->nconsents, (void *)m->consents, sizeof(*m->consents),
		   (char *(*)(const void *))xm_consent_text);
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
		snprintf(n, sizeof(n), "#%d", num);
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

	char *lots = xm_lots_text(e);

	if (!e->notes && !e->aftercare && !e->nwarnings && !e->anesthetic &&
	    !e->endpoint && !e->cartridge && !e->practitioner && !lots) {
		free(lots);
		return;
	}
	/* One numbering: #n of the series; the record's own id says "id". */
	if (num)
		fprintf(out, "\n#### Session #%d, ", num);
	else
		fputs("\n#### Voided session, ", out);
	esc(out, e->date);
	fprintf(out, " (id %lld)\n\n", (long long)e->id);
	item(out, "Practitioner", e->practitioner);
	item(out, "Device serial", e->device_serial);
	item(out, "Cartridge", e->cartridge);
	item(out, "Lots", lots);
	free(lots);
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
	fputs("\n### Depth per area (mm), by session\n\n| Area |", out);
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

/* Every score on a dated row, against the baseline as the core reads it. */
static void scales_table(const struct nl_progress *p, FILE *out)
{
	if (!p->nscales)
		return;
	fputs("\n### Outcome scores\n\n"
	      "| Scale | Date | Session | Score | Against baseline |\n"
	      "| --- | --- | --- | --- | --- |\n", out);
	for (size_t k = 0; k < p->nscales; k++) {
		const struct progress_scale *sc = &p->scales[k];
		const char *unit = sc->unit && *sc->unit ? sc->unit : "";
		char v[96], n[24];

		if (sc->has_baseline) {
			vocab_scale_format(sc->scale, sc->baseline, v, sizeof(v));
			fputs("|", out);
			cell(out, sc->scale->label);
			cell(out, sc->baseline_date);
			cell(out, "baseline");
			cell(out, v);
			cell(out, "");
			fputc('\n', out);
		}
		for (size_t i = 0; i < sc->npoints; i++) {
			const struct progress_point *pt = &sc->points[i];
			size_t len;

			vocab_scale_format(sc->scale, pt->value, v, sizeof(v));
			len = strlen(v);
			if (*unit)
				snprintf(v + len, sizeof(v) - len, " %s", unit);
			snprintf(n, sizeof(n), "#%d", p->sessions[pt->session].number);
			fputs("|", out);
			cell(out, sc->scale->label);
			cell(out, pt->date);
			cell(out, n);
			cell(out, v);
			cell(out, sc->has_baseline ? pt->delta.text : "no baseline");
			fputc('\n', out);
		}
	}
}

/* The photos' facts, never their images (Markdown has none). */
static void photos_block(const struct xm *m, const struct xm_series *xs, FILE *out)
{
	char buf[512];

	if (!xs->nphotos)
		return;
	fprintf(out, "\n### Photographs\n\n");
	esc(out, xm_photo_withheld(m, xs) ? xm_photo_withheld(m, xs) : "images in the pdf");
	fputs("\n\n", out);
	for (size_t i = 0; i < xs->nphotos; i++) {
		fputs("- ", out);
		esc(out, xm_photo_text(&xs->photos[i], buf, sizeof(buf)));
		fputc('\n', out);
	}
}

static void series_block(const struct xm *m, const struct xm_series *xs, FILE *out)
{
	const struct nl_series *sr = &xs->series;
	const struct nl_progress *p = &xs->progress;
	char buf[256];

	fputs("\n## Series: ", out);
	esc(out, xm_indication_label(sr->indication));
	fputs(" (", out);
	esc(out, xm_status_label(sr->status));
	fprintf(out, ") (id %lld)\n\n", (long long)sr->id);
	{
		char plan[256];

		snprintf(buf, sizeof(buf), "%s from %s", xm_plan_text(sr, plan, sizeof(plan)),
			 sr->start_date);
	}
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
	photos_block(m, xs, out);
}

int xw_md(const struct xm *m, FILE *out, struct nl_err *err)
{
	(void)err;
	patient_block(m, out);
	if (!m->nseries)
		fputs("\nNo treatment series.\n", out);
	for (size_t i = 0; i < m->nseries; i++)
		series_block(m, &m->series[i], out);
	return NL_OK;
}
