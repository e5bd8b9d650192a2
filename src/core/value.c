/* Clinical values as people write and read them (value.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "needlelog/clinical.h"
#include "needlelog/text.h"
#include "needlelog/value.h"

static int oom(struct nl_err *err)
{
	return nl_error(err, NL_ENOMEM, "out of memory");
}

int value_set_text(char **dst, const char *v, struct nl_err *err)
{
	char *d = NULL;

	if (v && *v && !(d = strdup(v)))
		return oom(err);
	free(*dst);
	*dst = d;
	return NL_OK;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* ---- areas ----------------------------------------------------------------- */

static void treatment_free(struct nl_treatment *t)
{
	free(t->area);
	free(t->label);
}

/* spec split into t's area and label and the text after the first ':'. */
static int split_area(const char *field, const char *spec, struct nl_treatment *t,
		      const char **rest, struct nl_err *err)
{
	const char *colon = strchr(spec, ':'), *eq;
	char q[NL_QUOTE_BUF];
	size_t len;

	if (!colon || colon == spec)
		return nl_error(err, NL_EDATA,
				"%s: '%s' is not AREA:DEPTH_MM[:PASSES] (e.g. cheek-l:1.5:3)", field,
				nl_quote_value(spec, q, sizeof(q)));
	len = (size_t)(colon - spec);
	eq = memchr(spec, '=', len);
	t->area = strndup(spec, eq ? (size_t)(eq - spec) : len);
	t->label = eq && eq + 1 < colon ? strndup(eq + 1, (size_t)(colon - eq - 1)) : NULL;
	if (!t->area || (eq && eq + 1 < colon && !t->label))
		return oom(err);
	if (!vocab_area_find(t->area))
		return nl_error(err, NL_EDATA, "%s: unknown area '%s' (see `needlelog vocab`)",
				field, nl_quote_value(t->area, q, sizeof(q)));
	*rest = colon + 1;
	return NL_OK;
}

/* "DEPTH[:PASSES]" into t, the messages naming the area. */
static int depth_passes(const char *field, const char *rest, struct nl_treatment *t,
			struct nl_err *err)
{
	const char *colon = strchr(rest, ':');
	char named[128], depth[64];
	int rc;

	snprintf(named, sizeof(named), "%s %s", field, t->area);
	if (colon && (size_t)(colon - rest) >= sizeof(depth))
		colon = NULL; /* too long to be a depth: let the parse say so */
	snprintf(depth, sizeof(depth), "%.*s", colon ? (int)(colon - rest) : (int)strlen(rest),
		 rest);
	rc = nl_parse_depth(named, colon ? depth : rest, &t->depth_mm, err);
	if (rc == NL_OK && colon)
		rc = nl_parse_int(named, colon + 1, VOCAB_PASSES_MIN, VOCAB_PASSES_MAX,
				  &t->passes, err);
	return rc;
}

int value_area_add(const char *field, const char *spec, struct nl_treatment **v,
		   size_t *n, struct nl_err *err)
{
	struct nl_treatment t = { 0 }, *nv;
	const char *rest = NULL;
	int rc = split_area(field, spec, &t, &rest, err);

	if (rc == NL_OK)
		rc = depth_passes(field, rest, &t, err);
	if (rc == NL_OK && !(nv = realloc(*v, (*n + 1) * sizeof(*nv))))
		rc = oom(err);
	if (rc != NL_OK) {
		treatment_free(&t);
		return rc;
	}
	*v = nv;
	nv[(*n)++] = t;
	return NL_OK;
}

void value_areas_clear(struct nl_treatment **v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		treatment_free(&(*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

/* ---- scores ---------------------------------------------------------------- */

static const struct vocab_scale *scale_named(const char *s, size_t len)
{
	char code[64];

	if (len >= sizeof(code))
		return NULL;
	memcpy(code, s, len);
	code[len] = '\0';
	return vocab_scale_find(code);
}

int value_score_parse(const char *field, const char *spec, struct nl_score *sc,
		      struct nl_err *err)
{
	const char *eq = strchr(spec, '=');
	const struct vocab_scale *v;
	char q[NL_QUOTE_BUF];

	if (!eq || eq == spec)
		return nl_error(err, NL_EDATA,
				"%s: '%s' is not SCALE=VALUE (see `needlelog vocab` for scales)",
				field, nl_quote_value(spec, q, sizeof(q)));
	if (!(v = scale_named(spec, (size_t)(eq - spec)))) {
		nl_quote_value(spec, q, sizeof(q));
		q[strcspn(q, "=")] = '\0';
		return nl_error(err, NL_EDATA,
				"%s: unknown scale '%s' (see `needlelog vocab` for scales)", field, q);
	}
	sc->scale = (char *)v->code;
	return vocab_scale_parse(v, eq + 1, &sc->value, err);
}

static size_t score_index(struct nl_score *v, size_t n, const char *code)
{
	size_t i = 0;

	while (i < n && strcmp(v[i].scale, code) != 0)
		i++;
	return i;
}

int value_scores_set(const char *field, const char *spec, struct nl_score **v,
		     size_t *n, struct nl_err *err)
{
	const char *eq = strchr(spec, '=');
	struct nl_score sc = { 0 }, *nv;
	size_t i;
	int rc;

	if (eq && !eq[1] && eq > spec) {    /* "SCALE=": remove it */
		const struct vocab_scale *s = scale_named(spec, (size_t)(eq - spec));

		if (!s)
			return value_score_parse(field, spec, &sc, err);
		if ((i = score_index(*v, *n, s->code)) < *n) {
			free((*v)[i].scale);
			memmove(&(*v)[i], &(*v)[i + 1], (*n - i - 1) * sizeof(**v));
			(*n)--;
		}
		return NL_OK;
	}
	if ((rc = value_score_parse(field, spec, &sc, err)) != NL_OK)
		return rc;
	if ((i = score_index(*v, *n, sc.scale)) == *n) {
		if (!(nv = realloc(*v, (*n + 1) * sizeof(*nv))))
			return oom(err);
		*v = nv;
		if (!(nv[*n].scale = strdup(sc.scale)))
			return oom(err);
		(*n)++;
	}
	(*v)[i].value = sc.value;
	return NL_OK;
}

int value_scores_set_all(const char *field, const char *const *specs, size_t n,
			 struct nl_score **v, size_t *nv, struct nl_err *err)
{
	char q[NL_QUOTE_BUF];
	int rc = NL_OK;

	for (size_t i = 0; i < n && rc == NL_OK; i++) {
		size_t len = strcspn(specs[i], "=");

		for (size_t j = 0; j < i; j++) {
			if (strcspn(specs[j], "=") != len || strncmp(specs[j], specs[i], len) != 0)
				continue;
			nl_quote_value(specs[i], q, sizeof(q));
			q[strcspn(q, "=")] = '\0';
			return nl_error(err, NL_EUSAGE, "%s %s is given twice; give each scale once",
					field, q);
		}
		rc = value_scores_set(field, specs[i], v, nv, err);
	}
	return rc;
}

char *value_join(char *const *v, size_t n, const char *sep)
{
	size_t len = 1, at = 0;
	char *s;

	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + strlen(sep);
	if (!n || !(s = malloc(len)))
		return NULL;
	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf(s + at, len - at, "%s%s", i ? sep : "", v[i]);
	return s;
}

int value_strv_add(char ***v, size_t *n, const char *s, struct nl_err *err)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return oom(err);
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return oom(err);
	(*n)++;
	return NL_OK;
}

/* ---- patient fields -------------------------------------------------------- */

static struct nl_flag *find_flag(struct nl_patient *p, const char *code, size_t len)
{
	for (size_t i = 0; i < p->nflags; i++)
		if (strlen(p->flags[i].code) == len && strncmp(p->flags[i].code, code, len) == 0)
			return &p->flags[i];
	return NULL;
}

static int flag_slot(struct nl_patient *p, const char *code, struct nl_flag **out,
		     struct nl_err *err)
{
	struct nl_flag *nf;

	if ((*out = find_flag(p, code, strlen(code))))
		return NL_OK;
	if (!(nf = realloc(p->flags, (p->nflags + 1) * sizeof(*nf))))
		return oom(err);
	p->flags = nf;
	*out = &nf[p->nflags++];
	memset(*out, 0, sizeof(**out));
	return value_set_text(&(*out)->code, code, err);
}

int value_flag_add(struct nl_patient *p, const char *spec, struct nl_err *err)
{
	char *copy = strdup(spec), *code, *date = NULL, *note = NULL, q[NL_QUOTE_BUF];
	struct nl_flag *f = NULL;
	int rc = NL_OK;

	if (!copy)
		return oom(err);
	if ((date = strchr(copy, ':'))) {
		*date++ = '\0';
		if ((note = strchr(date, ':')))
			*note++ = '\0';
	}
	code = trim(copy);
	if (!vocab_flag_find(code))
		rc = nl_error(err, NL_EDATA,
			      "flag: unknown contraindication '%s' (see `needlelog vocab` for flags)",
			      nl_quote_value(code, q, sizeof(q)));
	if (rc == NL_OK)
		rc = flag_slot(p, code, &f, err);
	if (rc == NL_OK)
		rc = value_set_text(&f->date, date ? trim(date) : NULL, err);
	if (rc == NL_OK)
		rc = value_set_text(&f->end_date, NULL, err);
	if (rc == NL_OK && note)
		rc = value_set_text(&f->note, trim(note), err);
	free(copy);
	return rc;
}

int value_flag_end(struct nl_patient *p, const char *spec, const char *today,
		   struct nl_err *err)
{
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	struct nl_flag *f = find_flag(p, spec, len);
	char q[NL_QUOTE_BUF];

	if (!f) {
		nl_quote_value(spec, q, sizeof(q));
		q[strcspn(q, ":")] = '\0';
		return nl_error(err, NL_EDATA, "--end-flag: patient id %lld has no flag '%s'",
				(long long)p->id, q);
	}
	return value_set_text(&f->end_date, colon ? colon + 1 : today, err);
}

int value_flag_remove(struct nl_patient *p, const char *code, struct nl_err *err)
{
	struct nl_flag *f = find_flag(p, code, strlen(code));
	char q[NL_QUOTE_BUF];

	if (!f)
		return nl_error(err, NL_EDATA, "--remove-flag: patient id %lld has no flag '%s'",
				(long long)p->id, nl_quote_value(code, q, sizeof(q)));
	free(f->code);
	free(f->date);
	free(f->end_date);
	free(f->note);
	memmove(f, f + 1, (size_t)(p->flags + p->nflags - f - 1) * sizeof(*f));
	p->nflags--;
	return NL_OK;
}

/* ---- allergies and medications (the lists of clinical.h) -------------------- */

/* spec "CODE[:DATE]": the code's length and the date (NULL without one). */
static size_t code_and_date(const char *spec, const char **date)
{
	const char *colon = strchr(spec, ':');

	*date = colon ? colon + 1 : NULL;
	return colon ? (size_t)(colon - spec) : strlen(spec);
}

static bool code_is(const char *code, const char *spec, size_t len)
{
	return code && strlen(code) == len && strncmp(code, spec, len) == 0;
}

static int no_item(const char *opt, const struct nl_patient *p, const char *what,
		   const char *spec, size_t len, struct nl_err *err)
{
	char q[NL_QUOTE_BUF];

	nl_quote_value(spec, q, sizeof(q));
	q[strcspn(q, ":")] = '\0';
	(void)len;
	return nl_error(err, NL_EDATA, "%s: patient id %lld has no %s '%s'", opt,
			(long long)p->id, what, q);
}

int value_allergy_end(struct nl_patient *p, const char *spec, const char *today,
		      struct nl_err *err)
{
	const char *date;
	size_t len = code_and_date(spec, &date), hits = 0;
	int rc = NL_OK;

	for (size_t i = 0; i < p->nallergy_list && rc == NL_OK; i++) {
		struct nl_allergy *a = &p->allergy_list[i];

		if (!code_is(a->code, spec, len) || a->end_date)
			continue;
		hits++;
		rc = value_set_text(&a->end_date, date ? date : today, err);
	}
	if (rc == NL_OK && !hits)
		return no_item("--end-allergy", p, "allergy in force", spec, len, err);
	return rc;
}

int value_allergy_remove(struct nl_patient *p, const char *code, struct nl_err *err)
{
	size_t kept = 0, len = strlen(code);

	for (size_t i = 0; i < p->nallergy_list; i++) {
		struct nl_allergy *a = &p->allergy_list[i];

		if (!code_is(a->code, code, len)) {
			p->allergy_list[kept++] = *a;
			continue;
		}
		free(a->code);
		free(a->reaction);
		free(a->severity);
		free(a->date);
		free(a->end_date);
		free(a->note);
	}
	if (kept == p->nallergy_list)
		return no_item("--remove-allergy", p, "allergy", code, len, err);
	p->nallergy_list = kept;
	return NL_OK;
}

int value_medication_stop(struct nl_patient *p, const char *spec, const char *today,
			  struct nl_err *err)
{
	const char *date;
	size_t len = code_and_date(spec, &date), hits = 0;
	int rc = NL_OK;

	for (size_t i = 0; i < p->nmedication_list && rc == NL_OK; i++) {
		struct nl_medication *m = &p->medication_list[i];

		if (!code_is(m->code, spec, len) || m->stop)
			continue;
		hits++;
		rc = value_set_text(&m->stop, date ? date : today, err);
	}
	if (rc == NL_OK && !hits)
		return no_item("--end-medication", p, "medication not yet stopped", spec, len,
			       err);
	return rc;
}

int value_medication_remove(struct nl_patient *p, const char *code, struct nl_err *err)
{
	size_t kept = 0, len = strlen(code);

	for (size_t i = 0; i < p->nmedication_list; i++) {
		struct nl_medication *m = &p->medication_list[i];

		if (!code_is(m->code, code, len)) {
			p->medication_list[kept++] = *m;
			continue;
		}
		free(m->code);
		free(m->name);
		free(m->start);
		free(m->stop);
		free(m->note);
	}
	if (kept == p->nmedication_list)
		return no_item("--remove-medication", p, "medication", code, len, err);
	p->nmedication_list = kept;
	return NL_OK;
}

/* The text fields of a patient by their CLI and CSV names. */
static const struct {
	const char *name;
	size_t off;
} patient_texts[] = {
	{ "name", offsetof(struct nl_patient, name) },
	{ "dob", offsetof(struct nl_patient, dob) },
	{ "phone", offsetof(struct nl_patient, phone) },
	{ "email", offsetof(struct nl_patient, email) },
	{ "allergies", offsetof(struct nl_patient, allergies) },
	{ "medications", offsetof(struct nl_patient, medications) },
	{ "consent", offsetof(struct nl_patient, consent_date) },
	{ "notes", offsetof(struct nl_patient, notes) },
	{ "sex", offsetof(struct nl_patient, sex) },
};

static int set_flags(struct nl_patient *p, const char *value, struct nl_err *err)
{
	char *copy = strdup(value ? value : ""), *save = NULL;
	int rc = copy ? NL_OK : oom(err);

	for (char *it = copy ? strtok_r(copy, ";", &save) : NULL; it && rc == NL_OK;
	     it = strtok_r(NULL, ";", &save))
		if (*trim(it))
			rc = value_flag_add(p, trim(it), err);
	free(copy);
	return rc;
}

static int set_skin(struct nl_patient *p, const char *value, struct nl_err *err)
{
	char q[NL_QUOTE_BUF];

	if (!value || !*value) {
		p->skin_type = 0;
		return NL_OK;
	}
	if (vocab_fitzpatrick_parse(value, &p->skin_type, NULL) != NL_OK)
		return nl_error(err, NL_EDATA,
				"skin-type: '%s' is not a Fitzpatrick type: use I, II, III, IV, V or VI",
				nl_quote_value(value, q, sizeof(q)));
	return NL_OK;
}

int value_patient_set(struct nl_patient *p, const char *field, const char *value,
		      struct nl_err *err)
{
	char q[NL_QUOTE_BUF];

	for (size_t i = 0; i < COUNT(patient_texts); i++)
		if (strcmp(field, patient_texts[i].name) == 0)
			return value_set_text((char **)((char *)p + patient_texts[i].off), value, err);
	if (strcmp(field, "skin-type") == 0 || strcmp(field, "skin_type") == 0)
		return set_skin(p, value, err);
	if (strcmp(field, "flags") == 0)
		return set_flags(p, value, err);
	return nl_error(err, NL_EDATA, "unknown patient field '%s'",
			nl_quote_value(field, q, sizeof(q)));
}

/* ---- format ---------------------------------------------------------------- */

void value_depth_text(double mm, char *buf, size_t size)
{
	char *p;

	snprintf(buf, size, "%.2f", mm);
	p = buf + strlen(buf) - 1;
	while (p > buf && *p == '0')
		*p-- = '\0';
	if (*p == '.')
		*p = '\0';
}

/* A growing string for the _text helpers. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *ns;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0 && b->len + (size_t)n + 1 > b->cap) {
		ns = realloc(b->s, b->len + (size_t)n + 64);
		if (ns) {
			b->s = ns;
			b->cap = b->len + (size_t)n + 64;
		}
	}
	if (n < 0 || b->len + (size_t)n + 1 > b->cap) {
		b->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static char *sb_done(struct sbuf *b)
{
	if (b->oom) {
		free(b->s);
		return NULL;
	}
	return b->s;
}

char *value_areas_text(const struct nl_treatment *a, size_t n)
{
	struct sbuf b = { 0 };
	char mm[32];

	sb_add(&b, "%s", "");
	for (size_t i = 0; i < n; i++) {
		value_depth_text(a[i].depth_mm, mm, sizeof(mm));
		sb_add(&b, "%s%s%s%s %s mm", i ? ", " : "", a[i].area, a[i].label ? " " : "",
		       a[i].label ? a[i].label : "", mm);
		if (a[i].passes > 0)
			sb_add(&b, " x%d", a[i].passes);
	}
	return sb_done(&b);
}

char *value_scores_text(const struct nl_score *sc, size_t n)
{
	struct sbuf b = { 0 };

	sb_add(&b, "%s", "");
	for (size_t i = 0; i < n; i++) {
		const struct vocab_scale *v = vocab_scale_find(sc[i].scale);
		char val[64];

		if (v)
			vocab_scale_format(v, sc[i].value, val, sizeof(val));
		else
			snprintf(val, sizeof(val), "%g", sc[i].value);
		sb_add(&b, "%s%s %s", i ? ", " : "", sc[i].scale, val);
	}
	return sb_done(&b);
}
