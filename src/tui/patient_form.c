/* The patient form: add a patient or edit a profile (the core audits each
 * changed field). Contraindication flags are written "code[:date]",
 * separated by commas; allergies "code[:reaction[:severity]]" and
 * medications "code[:name[:start[:stop]]]", separated by ';', as the CLI
 * spells them and the core parses them; Enter on a list field adds one
 * from its vocabulary. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/record.h"
#include "needlelog/vocab.h"
#include "tui.h"

#define TEXT_BUF 4096
#define DRAFT_FORM "patient"   /* its drafts: see draft_form_save */

struct pform {
	struct tui_screen base;
	int64_t id;                 /* 0 = a new patient */
	struct tui_form fm;
	struct nl_patient orig;     /* as read, for edits */
	bool have_orig;
};

static const enum tui_ctx ctxs[] = { TC_FORM, TC_GLOBAL, TC_END };

static const struct tui_fdef defs[] = {
	{ "name", "Name", TF_TEXT, 40, false, "Full name (required)." },
	{ "dob", "Date of birth", TF_TEXT, 12, false, "YYYY-MM-DD." },
	{ "phone", "Phone", TF_TEXT, 20, false, "Digits, spaces and + - ( ) . /" },
	{ "email", "Email", TF_TEXT, 40, false, "name@example.org" },
	{ "skin", "Fitzpatrick", TF_PICK, 5, false, "Skin phototype I-VI. Enter picks. IV-VI: deeper or closer sessions warn." },
	{ "sex", "Sex", TF_PICK, 8, false, "female, male, other or unknown. Enter picks." },
	{ "consent", "Consent date", TF_TEXT, 12, false, "Treatment consent given on, YYYY-MM-DD (more consents: c on the profile)." },
	{ "flags", "Contraindications", TF_PICK, 0, false, "code[:date], separated by commas (isotretinoin:2026-03-01). Enter adds one." },
	{ "allergies", "Allergies", TF_PICK, 0, false, "code[:reaction[:severity]]; ... (lidocaine:hives:severe; nickel). Enter adds one." },
	{ "medications", "Medications", TF_PICK, 0, false, "code[:name[:start[:stop]]]; ... (anticoagulant:Warfarin 5 mg:2025-01-10). Enter adds one." },
	{ "notes", "Notes", TF_TEXT, 0, false, "Free text." },
};
#define NDEFS (sizeof(defs) / sizeof(defs[0]))

static int field(struct pform *f, const char *key)
{
	return tui_form_find(&f->fm, key, 0);
}

static void get(struct pform *f, const char *key, char *buf, size_t size)
{
	tui_form_get(&f->fm, (size_t)field(f, key), buf, size);
}

static char *dup_get(struct pform *f, const char *key)
{
	char v[TEXT_BUF];

	get(f, key, v, sizeof(v));
	return v[0] ? strdup(v) : NULL;
}

static void flags_text(const struct nl_patient *p, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < p->nflags; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s%s%s", i ? ", " : "",
			 p->flags[i].code, p->flags[i].date ? ":" : "",
			 p->flags[i].date ? p->flags[i].date : "");
}

/* The lists as the fields spell them (trailing empty parts left out). */
static void spec_add(char *buf, size_t size, const char *const *parts, size_t n)
{
	size_t last = 0, len = strlen(buf);

	for (size_t i = 0; i < n; i++)
		if (parts[i] && *parts[i])
			last = i;
	snprintf(buf + len, size - len, "%s", len ? "; " : "");
	for (size_t i = 0; i <= last; i++) {
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", i ? ":" : "", parts[i] ? parts[i] : "");
	}
}

static void allergies_text(const struct nl_patient *p, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < p->nallergy_list; i++) {
		const struct nl_allergy *a = &p->allergy_list[i];
		const char *parts[] = { a->code, a->reaction, a->severity };

		spec_add(buf, size, parts, 3);
	}
}

static void medications_text(const struct nl_patient *p, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < p->nmedication_list; i++) {
		const struct nl_medication *m = &p->medication_list[i];
		const char *parts[] = { m->code, m->name, m->start, m->stop };

		spec_add(buf, size, parts, 4);
	}
}

static char *dup_opt(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The lists from their fields, parsed by the core; what the fields do not
 * show (an allergy's dates and note, a medication's note) is kept from
 * the record as read, item by item of the same code. */
static int parse_lists(struct pform *f, struct nl_patient *p, struct nl_err *err)
{
	char v[TEXT_BUF], *save = NULL;
	int rc = NL_OK;

	get(f, "allergies", v, sizeof(v));
	for (char *tok = strtok_r(v, ";", &save); tok && rc == NL_OK; tok = strtok_r(NULL, ";", &save))
		if (tok[strspn(tok, " ")])
			rc = clin_allergy_add(p, tok + strspn(tok, " "), err);
	get(f, "medications", v, sizeof(v));
	save = NULL;
	for (char *tok = strtok_r(v, ";", &save); tok && rc == NL_OK; tok = strtok_r(NULL, ";", &save))
		if (tok[strspn(tok, " ")])
			rc = clin_medication_add(p, tok + strspn(tok, " "), err);
	for (size_t i = 0; f->have_orig && i < p->nallergy_list && i < f->orig.nallergy_list; i++) {
		const struct nl_allergy *o = &f->orig.allergy_list[i];
		struct nl_allergy *a = &p->allergy_list[i];

		if (a->code && o->code && strcmp(a->code, o->code) == 0) {
			a->date = dup_opt(o->date);
			a->end_date = dup_opt(o->end_date);
			a->note = dup_opt(o->note);
		}
	}
	for (size_t i = 0; f->have_orig && i < p->nmedication_list && i < f->orig.nmedication_list; i++)
		if (p->medication_list[i].code && f->orig.medication_list[i].code &&
		    strcmp(p->medication_list[i].code, f->orig.medication_list[i].code) == 0)
			p->medication_list[i].note = dup_opt(f->orig.medication_list[i].note);
	return rc;
}

static void fill(struct pform *f, const struct nl_patient *p)
{
	char buf[TEXT_BUF];

	tui_form_set(&f->fm, (size_t)field(f, "name"), p->name);
	tui_form_set(&f->fm, (size_t)field(f, "dob"), p->dob);
	tui_form_set(&f->fm, (size_t)field(f, "phone"), p->phone);
	tui_form_set(&f->fm, (size_t)field(f, "email"), p->email);
	tui_form_set(&f->fm, (size_t)field(f, "skin"), vocab_fitzpatrick_label(p->skin_type));
	tui_form_set(&f->fm, (size_t)field(f, "sex"), p->sex);
	flags_text(p, buf, sizeof(buf));
	tui_form_set(&f->fm, (size_t)field(f, "flags"), buf);
	allergies_text(p, buf, sizeof(buf));
	tui_form_set(&f->fm, (size_t)field(f, "allergies"), buf);
	medications_text(p, buf, sizeof(buf));
	tui_form_set(&f->fm, (size_t)field(f, "medications"), buf);
	tui_form_set(&f->fm, (size_t)field(f, "notes"), p->notes);
}

/* Parses the flags field into p (keeping end dates and notes of flags
 * that were there before); NL_EDATA with a message when a code is
 * unknown. */
static int parse_flags(struct pform *f, struct nl_patient *p, struct nl_err *err)
{
	char v[TEXT_BUF], *save = NULL;
	int rc = NL_OK;

	get(f, "flags", v, sizeof(v));
	p->flags = calloc(vocab_flag_count + 1, sizeof(*p->flags));
	if (!p->flags)
		return nl_error(err, NL_ENOMEM, "out of memory");
	for (char *tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *date, *end;
		struct nl_flag *fl;

		while (*tok == ' ')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && end[-1] == ' ')
			*--end = '\0';
		if (!*tok)
			continue;
		date = strchr(tok, ':');
		if (date)
			*date++ = '\0';
		if (!vocab_flag_find(tok))
			return nl_error(err, NL_EDATA, "unknown contraindication '%s' (Enter on the field lists them)", tok);
		if (p->nflags >= vocab_flag_count)
			break;
		fl = &p->flags[p->nflags++];
		fl->code = strdup(tok);
		fl->date = date && *date ? strdup(date) : NULL;
		for (size_t i = 0; f->have_orig && i < f->orig.nflags; i++) {
			if (strcmp(f->orig.flags[i].code, tok) != 0)
				continue;
			fl->end_date = f->orig.flags[i].end_date ? strdup(f->orig.flags[i].end_date) : NULL;
			fl->note = f->orig.flags[i].note ? strdup(f->orig.flags[i].note) : NULL;
		}
	}
	return rc;
}

static int build(struct pform *f, struct nl_patient *p, struct nl_err *err)
{
	char skin[16];
	int rc;

	memset(p, 0, sizeof(*p));
	p->id = f->id;
	p->name = dup_get(f, "name");
	p->dob = dup_get(f, "dob");
	p->phone = dup_get(f, "phone");
	p->email = dup_get(f, "email");
	p->consent_date = field(f, "consent") >= 0 ? dup_get(f, "consent") : NULL;
	p->sex = dup_get(f, "sex");
	p->notes = dup_get(f, "notes");
	get(f, "skin", skin, sizeof(skin));
	if (skin[0] && (rc = vocab_fitzpatrick_parse(skin, &p->skin_type, err)) != NL_OK)
		return rc;
	if (!p->name)
		return nl_error(err, NL_EDATA, "name: required");
	if ((rc = parse_flags(f, p, err)) != NL_OK)
		return rc;
	if ((rc = parse_lists(f, p, err)) != NL_OK)
		return rc;
	return check_patient(p, err);
}

static void draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct pform *f = (struct pform *)sc;
	int rows, cols, cy, cx;

	(void)t;
	getmaxyx(w, rows, cols);
	tui_put(w, 0, 1, cols - 2, tui_attr(TS_LABEL),
		f->id ? "Edit the profile (every change is audited)" : "New patient", false);
	tui_form_draw(w, &f->fm, 2, 1, cols - 2, rows - 4, &cy, &cx);
	sc->cy = cy;
	sc->cx = cx;
	if (f->fm.f[f->fm.focus].error[0])
		tui_put(w, rows - 1, 1, cols - 2, tui_attr(TS_ERROR), f->fm.f[f->fm.focus].error, false);
	else
		tui_put(w, rows - 1, 1, cols - 2, tui_attr(TS_DIM), f->fm.f[f->fm.focus].hint, false);
}

/* A code from a clinical vocabulary: set as the field's value, or (a
 * list) appended to it. */
static void pick_code(struct tui *t, struct pform *f, const char *title,
		      const struct clin_code *table, size_t n, bool append)
{
	const char *items[64];
	char labels[64][128], buf[TEXT_BUF];
	int k;

	for (size_t i = 0; i < n && i < 64; i++) {
		snprintf(labels[i], sizeof(labels[i]), "%-18s %s", table[i].code, table[i].label);
		items[i] = labels[i];
	}
	if ((k = tui_pick(t, title, items, n < 64 ? n : 64, -1)) < 0)
		return;
	buf[0] = '\0';
	if (append)
		tui_form_get(&f->fm, f->fm.focus, buf, sizeof(buf));
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", buf[0] ? "; " : "",
		 table[k].code);
	tui_form_set(&f->fm, f->fm.focus, buf);
	f->fm.changed = true;
}

static void pick(struct tui *t, struct tui_screen *sc)
{
	struct pform *f = (struct pform *)sc;
	const char *key = f->fm.f[f->fm.focus].key;
	char buf[TEXT_BUF];

	if (strcmp(key, "skin") == 0) {
		const char *items[] = { "I", "II", "III", "IV", "V", "VI", "(not recorded)" };
		int k = tui_pick(t, "Fitzpatrick skin type", items, 7, -1);

		if (k >= 0)
			tui_form_set(&f->fm, f->fm.focus, k < 6 ? items[k] : "");
	} else if (strcmp(key, "flags") == 0) {
		const char *items[64];
		char labels[64][128];
		size_t n = 0;
		int k;

		for (size_t i = 0; i < vocab_flag_count && n < 64; i++, n++) {
			snprintf(labels[n], sizeof(labels[n]), "%-20s %s", vocab_flags[i].code,
				 vocab_flags[i].label);
			items[n] = labels[n];
		}
		k = tui_pick(t, "Add a contraindication", items, n, -1);
		if (k >= 0) {
			tui_form_get(&f->fm, f->fm.focus, buf, sizeof(buf));
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
				 buf[0] ? ", " : "", vocab_flags[k].code);
			tui_form_set(&f->fm, f->fm.focus, buf);
		}
	} else if (strcmp(key, "sex") == 0) {
		pick_code(t, f, "Sex", clin_sexes, clin_sex_count, false);
	} else if (strcmp(key, "allergies") == 0) {
		pick_code(t, f, "Add an allergy", clin_allergens, clin_allergen_count, true);
	} else if (strcmp(key, "medications") == 0) {
		pick_code(t, f, "Add a medication", clin_medications, clin_medication_count, true);
	} else {
		tui_form_step(&f->fm, 1);
	}
}

/* Marks the field a core message names ("dob: ..."), and focuses it. */
static void mark(struct pform *f, const char *msg)
{
	static const struct {
		const char *prefix, *key;
	} alias[] = {
		{ "consent_date", "consent" }, { "consent", "consent" }, { "skin_type", "skin" },
		{ "skin", "skin" }, { "Fitzpatrick", "skin" }, { "flags", "flags" },
		{ "contraindication", "flags" }, { "unknown contraindication", "flags" },
		{ "allergy", "allergies" }, { "medication", "medications" }, { "flag", "flags" },
	};

	for (size_t i = 0; i < f->fm.n; i++)
		f->fm.f[i].error[0] = '\0';
	for (size_t i = 0; i < f->fm.n; i++) {
		const char *key = f->fm.f[i].key;
		size_t n = strlen(key);
		bool hit = strncmp(msg, key, n) == 0 && (msg[n] == ':' || msg[n] == ' ' || msg[n] == '[');

		for (size_t k = 0; !hit && k < sizeof(alias) / sizeof(alias[0]); k++)
			hit = strcmp(alias[k].key, key) == 0 &&
			      strncmp(msg, alias[k].prefix, strlen(alias[k].prefix)) == 0;
		if (hit) {
			snprintf(f->fm.f[i].error, sizeof(f->fm.f[i].error), "%.199s", msg);
			f->fm.focus = i;
			return;
		}
	}
}

static void save(struct tui *t, struct tui_screen *sc)
{
	struct pform *f = (struct pform *)sc;
	struct nl_patient p;
	struct nl_err err = { 0 };
	int64_t id = f->id;
	int rc = build(f, &p, &err);

	if (rc == NL_OK)
		rc = f->id ? record_patient_edit(t->store, &p, &err)
			   : record_patient_add(t->store, &p, &id, &err);
	record_patient_free(&p);
	if (rc != NL_OK) {
		mark(f, err.msg);
		tui_fail(t, "Not saved", &err);
		return;
	}
	tui_form_forget(t, DRAFT_FORM, f->id);
	tui_msg(t, TS_OK, f->id ? "Profile saved." : "Patient added (id %lld).", (long long)id);
	if (f->id) {
		tui_pop(t);
	} else {
		tui_pop(t);
		tui_push(t, tui_patient_new(t, id));
	}
}

/* Builds the fields (on open, and after a lock wiped them): a kept draft
 * first, else the profile as read. */
static int load(struct tui *t, struct tui_screen *sc)
{
	struct pform *f = (struct pform *)sc;
	struct nl_err err = { 0 };

	if (f->fm.n)
		return 0;   /* back from help or a dialog: as it was */
	if (tui_form_add_defs(&f->fm, defs, NDEFS, 0) != 0)
		return -1;
	f->fm.f[0].required = true;
	if (f->id)   /* consents of a known patient are records: c on the profile */
		tui_form_remove(&f->fm, (size_t)field(f, "consent"));
	if (f->id && !f->have_orig) {
		if (record_patient_get(t->store, f->id, &f->orig, &err) != NL_OK) {
			tui_fail(t, "Cannot read the patient", &err);
			return -1;
		}
		f->have_orig = true;
	}
	if (tui_form_resume(t, &f->fm, DRAFT_FORM, f->id))
		tui_msg(t, TS_OK, "The form is as you left it.");
	else if (f->have_orig)
		fill(f, &f->orig);
	return 0;
}

static void draft(const struct tui_screen *sc, const char **form, int64_t *ref)
{
	*form = DRAFT_FORM;
	*ref = ((const struct pform *)sc)->id;
}

static void unload(struct tui_screen *sc)
{
	struct pform *f = (struct pform *)sc;

	tui_form_wipe(&f->fm);
	if (f->have_orig)
		record_patient_free(&f->orig);
	f->have_orig = false;
}

static const struct tui_screen_ops ops = {
	.name = "patient form",
	.ctxs = ctxs,
	.private_size = sizeof(struct pform),
	.load = load,
	.unload = unload,
	.form_offset = offsetof(struct pform, fm),
	.draft = draft,
	.draw = draw,
	.pick = pick,
	.submit = save,
};

struct tui_screen *tui_patient_form_new(struct tui *t, int64_t patient_id)
{
	struct pform *f = tui_screen_alloc(t, &ops);

	if (!f)
		return NULL;
	f->id = patient_id;
	snprintf(f->base.title, sizeof(f->base.title), "%s", patient_id ? "Edit" : "New patient");
	return tui_screen_open(t, &f->base);
}
