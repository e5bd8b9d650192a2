/* patient add / list / show / edit / archive. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "needlelog/check.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "needlelog/vocab.h"
#include "out.h"

/* Text fields of a patient by their CLI / CSV name. */
static const struct {
	const char *name;
	size_t off;
} text_fields[] = {
	{ "name", offsetof(struct nl_patient, name) },
	{ "dob", offsetof(struct nl_patient, dob) },
	{ "phone", offsetof(struct nl_patient, phone) },
	{ "email", offsetof(struct nl_patient, email) },
	{ "allergies", offsetof(struct nl_patient, allergies) },
	{ "medications", offsetof(struct nl_patient, medications) },
	{ "consent", offsetof(struct nl_patient, consent_date) },
	{ "notes", offsetof(struct nl_patient, notes) },
};

static int set_str(char **dst, const char *v, struct nl_err *err)
{
	char *d = NULL;

	if (v && *v && !(d = strdup(v)))
		return nl_error(err, NL_ENOMEM, "out of memory");
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

static struct nl_flag *find_flag(struct nl_patient *p, const char *code)
{
	for (size_t i = 0; i < p->nflags; i++)
		if (strcmp(p->flags[i].code, code) == 0)
			return &p->flags[i];
	return NULL;
}

int patient_add_flag(struct nl_patient *p, const char *spec,
		     struct nl_err *err)
{
	char *copy = strdup(spec), *code, *date = NULL, *note = NULL, *colon;
	struct nl_flag *f;
	int rc = NL_OK;

	if (!copy)
		return nl_error(err, NL_ENOMEM, "out of memory");
	code = copy;
	if ((colon = strchr(code, ':'))) {
		*colon = '\0';
		date = colon + 1;
		if ((colon = strchr(date, ':'))) {
			*colon = '\0';
			note = colon + 1;
		}
	}
	code = trim(code);
	if (!vocab_flag_find(code)) {
		rc = nl_error(err, NL_EDATA,
			      "flag: unknown contraindication '%s' (see `needlelog vocab` for flags)",
			      code);
		goto out;
	}
	f = find_flag(p, code);
	if (!f) {
		struct nl_flag *nf = realloc(p->flags, (p->nflags + 1) * sizeof(*nf));

		if (!nf) {
			rc = nl_error(err, NL_ENOMEM, "out of memory");
			goto out;
		}
		p->flags = nf;
		f = &nf[p->nflags++];
		memset(f, 0, sizeof(*f));
		rc = set_str(&f->code, code, err);
	}
	/* Given again, a flag is in force again: its end date goes. */
	if (rc == NL_OK)
		rc = set_str(&f->date, date ? trim(date) : NULL, err);
	if (rc == NL_OK)
		rc = set_str(&f->end_date, NULL, err);
	if (rc == NL_OK && note)
		rc = set_str(&f->note, trim(note), err);
out:
	free(copy);
	return rc;
}

/* "CODE[:DATE]": the flag stops applying on DATE (default today). */
static int end_flag(struct nl_patient *p, const char *spec, const char *today,
		    struct nl_err *err)
{
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	struct nl_flag *f = NULL;

	for (size_t i = 0; i < p->nflags; i++)
		if (strlen(p->flags[i].code) == len && !strncmp(p->flags[i].code, spec, len))
			f = &p->flags[i];
	if (!f)
		return nl_error(err, NL_EDATA, "--end-flag: patient #%lld has no flag '%.*s'",
				(long long)p->id, (int)len, spec);
	return set_str(&f->end_date, colon ? colon + 1 : today, err);
}

static int remove_flag(struct nl_patient *p, const char *code, struct nl_err *err)
{
	struct nl_flag *f = find_flag(p, code);

	if (!f)
		return nl_error(err, NL_EDATA, "--remove-flag: patient #%lld has no flag '%s'",
				(long long)p->id, code);
	free(f->code);
	free(f->date);
	free(f->end_date);
	free(f->note);
	memmove(f, f + 1, (size_t)(p->flags + p->nflags - f - 1) * sizeof(*f));
	p->nflags--;
	return NL_OK;
}

int patient_set_field(struct nl_patient *p, const char *field,
		      const char *value, struct nl_err *err)
{
	for (size_t i = 0; i < sizeof(text_fields) / sizeof(text_fields[0]); i++)
		if (strcmp(field, text_fields[i].name) == 0)
			return set_str((char **)((char *)p + text_fields[i].off), value, err);
	if (strcmp(field, "skin_type") == 0 || strcmp(field, "skin-type") == 0) {
		if (!value || !*value) {
			p->skin_type = 0;
			return NL_OK;
		}
		return vocab_fitzpatrick_parse(value, &p->skin_type, err);
	}
	if (strcmp(field, "flags") == 0) {
		char *copy = strdup(value ? value : ""), *save = NULL;
		int rc = copy ? NL_OK : nl_error(err, NL_ENOMEM, "out of memory");

		for (char *it = copy ? strtok_r(copy, ";", &save) : NULL; it && rc == NL_OK;
		     it = strtok_r(NULL, ";", &save))
			if (*trim(it))
				rc = patient_add_flag(p, trim(it), err);
		free(copy);
		return rc;
	}
	return nl_error(err, NL_EDATA, "unknown patient field '%s'", field);
}

bool patient_flag_in_force(const struct nl_flag *f, const char *today,
			   char until[11])
{
	const struct vocab_flag *vf = vocab_flag_find(f->code);

	until[0] = '\0';
	if (f->end_date && strcmp(f->end_date, today) < 0)
		return false;
	if (vf && f->date && (vf->window_months || vf->window_days)) {
		int rc = vf->window_months
			 ? check_date_add_months(f->date, vf->window_months, until, NULL)
			 : check_date_add_days(f->date, vf->window_days, until, NULL);

		if (rc != NL_OK)
			until[0] = '\0';
		else if (strcmp(until, today) < 0)
			return false;
	}
	return true;
}

/* ---- add / edit -------------------------------------------------------- */

enum {
	OPT_NAME = OPT_LOCAL, OPT_DOB, OPT_PHONE, OPT_EMAIL, OPT_SKIN, OPT_FLAG,
	OPT_END_FLAG, OPT_REMOVE_FLAG, OPT_ALLERGIES, OPT_MEDS, OPT_CONSENT,
	OPT_NOTES, OPT_SEARCH, OPT_ALL, OPT_UNDO,
};

#define PATIENT_FIELD_OPTIONS \
	{ "name", required_argument, NULL, OPT_NAME }, \
	{ "dob", required_argument, NULL, OPT_DOB }, \
	{ "phone", required_argument, NULL, OPT_PHONE }, \
	{ "email", required_argument, NULL, OPT_EMAIL }, \
	{ "skin-type", required_argument, NULL, OPT_SKIN }, \
	{ "flag", required_argument, NULL, OPT_FLAG }, \
	{ "allergies", required_argument, NULL, OPT_ALLERGIES }, \
	{ "medications", required_argument, NULL, OPT_MEDS }, \
	{ "consent", required_argument, NULL, OPT_CONSENT }, \
	{ "notes", required_argument, NULL, OPT_NOTES }, \
	OUT_PRACTITIONER_OPTION

/* An option's field name, for patient_set_field. */
static const char *const opt_field[] = {
	[OPT_NAME - OPT_LOCAL] = "name",
	[OPT_DOB - OPT_LOCAL] = "dob",
	[OPT_PHONE - OPT_LOCAL] = "phone",
	[OPT_EMAIL - OPT_LOCAL] = "email",
	[OPT_SKIN - OPT_LOCAL] = "skin_type",
	[OPT_ALLERGIES - OPT_LOCAL] = "allergies",
	[OPT_MEDS - OPT_LOCAL] = "medications",
	[OPT_CONSENT - OPT_LOCAL] = "consent",
	[OPT_NOTES - OPT_LOCAL] = "notes",
};

/* One option applied to p. Flags, ends and removals need the patient. */
struct pending_opt {
	int opt;
	const char *arg;
};

static int apply_opts(struct nl_patient *p, const struct pending_opt *po, size_t n,
		      const char *today, struct nl_err *err)
{
	int rc = NL_OK;

	for (size_t i = 0; i < n && rc == NL_OK; i++) {
		if (po[i].opt == OPT_FLAG)
			rc = patient_add_flag(p, po[i].arg, err);
		else if (po[i].opt == OPT_END_FLAG)
			rc = end_flag(p, po[i].arg, today, err);
		else if (po[i].opt == OPT_REMOVE_FLAG)
			rc = remove_flag(p, po[i].arg, err);
		else
			rc = patient_set_field(p, opt_field[po[i].opt - OPT_LOCAL], po[i].arg, err);
		if (rc == NL_EDATA && po[i].opt == OPT_SKIN)
			rc = nl_error(err, NL_EDATA,
				      "--skin-type: '%s' is not a Fitzpatrick type: use I, II, III, IV, V or VI",
				      po[i].arg);
	}
	return rc;
}

/* Parses the options of add and edit; *po gets the field options in order. */
static int parse_fields(struct cli *c, int argc, char **argv, bool edit,
			struct pending_opt **po, size_t *n, const char **who,
			const char **today_opt)
{
	static const struct option add_opts[] = {
		CLI_COMMON_OPTIONS, PATIENT_FIELD_OPTIONS, OUT_TODAY_OPTION, { 0 },
	};
	static const struct option edit_opts[] = {
		CLI_COMMON_OPTIONS, PATIENT_FIELD_OPTIONS, OUT_TODAY_OPTION,
		{ "end-flag", required_argument, NULL, OPT_END_FLAG },
		{ "remove-flag", required_argument, NULL, OPT_REMOVE_FLAG },
		{ 0 },
	};
	int opt, rc;

	*po = calloc((size_t)argc + 1, sizeof(**po));
	*n = 0;
	if (!*po)
		return EX_OSERR;
	while ((opt = getopt_long(argc, argv, "", edit ? edit_opts : add_opts, NULL)) != -1) {
		if (opt == OPT_PRACTITIONER)
			*who = optarg;
		else if (opt == OPT_TODAY)
			*today_opt = optarg;
		else if (opt >= OPT_NAME && opt <= OPT_NOTES)
			(*po)[(*n)++] = (struct pending_opt){ opt, optarg };
		else if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	}
	return -1;
}

static int run_add(struct cli *c, int argc, char **argv)
{
	struct nl_patient p = { 0 };
	struct nl_err err = { 0 };
	struct pending_opt *po = NULL;
	const char *who = NULL, *today_opt = NULL, *today;
	struct record *s = NULL;
	char tbuf[11];
	int64_t id = 0;
	size_t n;
	int rc;

	if ((rc = parse_fields(c, argc, argv, false, &po, &n, &who, &today_opt)) >= 0)
		goto out;
	rc = NL_OK;
	if (optind != argc) {
		rc = cli_usage_error(c, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	today = out_today(c, today_opt, tbuf, &err);
	rc = today ? apply_opts(&p, po, n, today, &err) : err.status;
	if (rc == NL_OK && !p.name) {
		rc = cli_usage_error(c, "--name is required");
		goto out;
	}
	out_practitioner(c, who);
	if (rc == NL_OK)
		rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = record_patient_add(s, &p, &id, &err);
	rc = rc == NL_OK ? EX_OK : cli_fail(&err);
	if (rc == EX_OK)
		printf("%lld\n", (long long)id);
out:
	record_close(s);
	record_patient_free(&p);
	free(po);
	return rc;
}

static int run_edit(struct cli *c, int argc, char **argv)
{
	struct nl_patient p = { 0 };
	struct nl_err err = { 0 };
	struct pending_opt *po = NULL;
	const char *who = NULL, *today_opt = NULL, *today;
	struct record *s = NULL;
	char tbuf[11];
	int64_t id;
	size_t n;
	int rc;

	if ((rc = parse_fields(c, argc, argv, true, &po, &n, &who, &today_opt)) >= 0 ||
	    (rc = out_positional_id(c, argc, argv, "patient", &id)) >= 0)
		goto out;
	if (n == 0) {
		rc = cli_usage_error(c, "nothing to change: give at least one field");
		goto out;
	}
	out_practitioner(c, who);
	today = out_today(c, today_opt, tbuf, &err);
	rc = today ? cli_open(c, &s, &err) : err.status;
	if (rc == NL_OK)
		rc = record_patient_get(s, id, &p, &err);
	if (rc == NL_OK)
		rc = apply_opts(&p, po, n, today, &err);
	if (rc == NL_OK)
		rc = record_patient_edit(s, &p, &err);
	rc = rc == NL_OK ? EX_OK : cli_fail(&err);
	if (rc == EX_OK)
		printf("Patient #%lld updated\n", (long long)id);
out:
	record_close(s);
	record_patient_free(&p);
	free(po);
	return rc;
}

static int run_archive(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, OUT_PRACTITIONER_OPTION,
		{ "undo", no_argument, NULL, OPT_UNDO }, { 0 },
	};
	struct nl_err err = { 0 };
	const char *who = NULL;
	struct record *s = NULL;
	bool undo = false;
	int64_t id;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == OPT_UNDO)
			undo = true;
		else if (opt == OPT_PRACTITIONER)
			who = optarg;
		else if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	}
	if ((rc = out_positional_id(c, argc, argv, "patient", &id)) >= 0)
		return rc;
	out_practitioner(c, who);
	rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = record_patient_archive(s, id, !undo, &err);
	record_close(s);
	if (rc != NL_OK)
		return cli_fail(&err);
	printf(undo ? "Patient #%lld restored\n"
		    : "Patient #%lld archived (restore with `needlelog patient archive %lld --undo`)\n",
	       (long long)id, (long long)id);
	return EX_OK;
}

/* ---- list ---------------------------------------------------------------- */

static json_t *summary_json(const struct nl_patient_summary *r)
{
	return json_pack("{s:I,s:s,s:o,s:o,s:o,s:b,s:I,s:I,s:o,s:o,s:i,s:i,s:o}",
		"id", (json_int_t)r->id, "name", r->name, "dob", out_jstr(r->dob),
		"phone", out_jstr(r->phone),
		"skin_type", r->skin_type ? json_string(vocab_fitzpatrick_label(r->skin_type))
					  : json_null(),
		"archived", r->archived, "flags", (json_int_t)r->nflags,
		"active_series", (json_int_t)r->active_series,
		"series_id", r->series_id ? json_integer(r->series_id) : json_null(),
		"indication", out_jstr(r->indication), "done", r->done,
		"planned", r->planned, "next_due", out_jstr(r->next_due[0] ? r->next_due : NULL));
}

static int print_list(const struct nl_patient_summary *rows, size_t n,
		      enum out_format fmt, bool all)
{
	static const char *const head[] = { "ID", "NAME", "DOB", "PHONE", "SKIN", "FLAGS",
					    "SERIES", "DONE", "NEXT DUE", "ARCHIVED" };
	struct out_table t;

	if (fmt == OUT_JSON) {
		json_t *a = json_array();

		for (size_t i = 0; a && i < n; i++)
			json_array_append_new(a, summary_json(&rows[i]));
		return out_json_print(a);
	}
	out_table_init(&t, head, all || fmt == OUT_CSV ? 10 : 9);
	t.right = 1u | (1u << 5);
	for (size_t i = 0; i < n; i++) {
		const struct nl_patient_summary *r = &rows[i];
		char id[24], flags[24], done[32] = "";

		snprintf(id, sizeof(id), "%lld", (long long)r->id);
		snprintf(flags, sizeof(flags), "%zu", r->nflags);
		if (r->series_id)
			snprintf(done, sizeof(done), "%d/%d", r->done, r->planned);
		out_table_row(&t, (const char *const[]){ id, r->name, r->dob, r->phone,
			vocab_fitzpatrick_label(r->skin_type), flags, r->indication, done,
			r->next_due, r->archived ? "yes" : "" });
	}
	out_table_print(&t, stdout, fmt);
	out_table_free(&t);
	if (fmt == OUT_TEXT && n == 0)
		fputs("(no patients)\n", stdout);
	return EX_OK;
}

static int run_list(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, OUT_FORMAT_OPTION,
		{ "search", required_argument, NULL, OPT_SEARCH },
		{ "all", no_argument, NULL, OPT_ALL }, { 0 },
	};
	struct nl_patient_summary *rows = NULL;
	enum out_format fmt = OUT_TEXT;
	struct nl_err err = { 0 };
	const char *search = NULL;
	struct record *s = NULL;
	bool all = false;
	size_t n = 0;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == OPT_SEARCH)
			search = optarg;
		else if (opt == OPT_ALL)
			all = true;
		else if (opt == OPT_FORMAT) {
			if ((rc = out_parse_format(c, optarg, OUT_TEXT | OUT_CSV | OUT_JSON, &fmt)) >= 0)
				return rc;
		} else if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	}
	if (optind != argc)
		return cli_usage_error(c, "unexpected argument '%s' (search with --search TEXT)",
				       argv[optind]);
	rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = record_patient_list(s, search, all, &rows, &n, &err);
	record_close(s);
	if (rc != NL_OK)
		return cli_fail(&err);
	rc = print_list(rows, n, fmt, all);
	record_patient_list_free(rows, n);
	return rc;
}

/* ---- show ---------------------------------------------------------------- */

struct series_due {
	struct nl_progress prog;
	bool ok;
};

static json_t *patient_json(const struct nl_patient *p, const char *today,
			    const struct nl_series *sr, const struct series_due *due,
			    size_t nsr)
{
	json_t *o = json_object(), *flags = json_array(), *series = json_array();
	json_t *warnings = json_array();

	if (!o || !flags || !series || !warnings) {
		json_decref(o);
		json_decref(flags);
		json_decref(series);
		json_decref(warnings);
		return NULL;
	}
	for (size_t i = 0; i < p->nflags; i++) {
		char until[11];
		bool force = patient_flag_in_force(&p->flags[i], today, until);

		json_array_append_new(flags, json_pack("{s:s,s:o,s:o,s:o,s:b,s:o}",
			"code", p->flags[i].code, "date", out_jstr(p->flags[i].date),
			"end_date", out_jstr(p->flags[i].end_date), "note", out_jstr(p->flags[i].note),
			"in_force", force, "until", out_jstr(until[0] ? until : NULL)));
		if (force)
			json_array_append_new(warnings, json_pack("{s:s,s:s}", "code",
				"contraindication", "flag", p->flags[i].code));
	}
	if (!p->consent_date)
		json_array_append_new(warnings, json_pack("{s:s}", "code", "no-consent"));
	for (size_t i = 0; i < nsr; i++) {
		json_t *js = json_pack("{s:I,s:s,s:s,s:i,s:i,s:s,s:o}", "id", (json_int_t)sr[i].id,
			"indication", sr[i].indication, "status", sr[i].status,
			"planned", sr[i].planned, "interval_days", sr[i].interval_days,
			"start_date", sr[i].start_date, "goal", out_jstr(sr[i].goal));

		if (js && due[i].ok) {
			out_jset(js, "done", json_integer(due[i].prog.done));
			out_jset(js, "next_due", out_jstr(due[i].prog.next_due[0]
							  ? due[i].prog.next_due : NULL));
			out_jset(js, "due", json_string(progress_due_name(due[i].prog.due)));
		}
		json_array_append_new(series, js);
	}
	out_jset(o, "id", json_integer(p->id));
	out_jset(o, "name", out_jstr(p->name));
	out_jset(o, "dob", out_jstr(p->dob));
	out_jset(o, "phone", out_jstr(p->phone));
	out_jset(o, "email", out_jstr(p->email));
	out_jset(o, "skin_type", p->skin_type ? json_string(vocab_fitzpatrick_label(p->skin_type))
					      : json_null());
	out_jset(o, "allergies", out_jstr(p->allergies));
	out_jset(o, "medications", out_jstr(p->medications));
	out_jset(o, "consent_date", out_jstr(p->consent_date));
	out_jset(o, "notes", out_jstr(p->notes));
	out_jset(o, "archived", json_boolean(p->archived));
	out_jset(o, "archived_at", out_jstr(p->archived_at));
	out_jset(o, "created_at", out_jstr(p->created_at));
	out_jset(o, "updated_at", out_jstr(p->updated_at));
	out_jset(o, "flags", flags);
	out_jset(o, "warnings", warnings);
	out_jset(o, "series", series);
	return o;
}

static void field_line(const char *label, const char *value)
{
	out_field(stdout, 2, label, value);
}

static void print_flags(const struct nl_patient *p, const char *today)
{
	if (!p->nflags) {
		puts("Contraindications: none recorded");
		return;
	}
	puts("Contraindications:");
	for (size_t i = 0; i < p->nflags; i++) {
		const struct nl_flag *f = &p->flags[i];
		const struct vocab_flag *vf = vocab_flag_find(f->code);
		char until[11];
		bool force = patient_flag_in_force(f, today, until);

		printf("  %s %s", force ? "!" : " ", f->code);
		if (f->date)
			printf(" %s %s", vf && vf->hint ? vf->hint : "since", f->date);
		if (f->end_date)
			printf(", ended %s", f->end_date);
		if (force && until[0])
			printf(" (in force until %s)", until);
		else if (!force)
			printf(" (no longer in force)");
		if (f->note)
			printf(": %s", f->note);
		putchar('\n');
	}
}

static void print_patient(const struct nl_patient *p, const char *today,
			  const struct nl_series *sr, const struct series_due *due,
			  size_t nsr)
{
	static const char *const head[] = { "SERIES", "INDICATION", "STATUS", "DONE",
					    "EVERY", "STARTED", "NEXT DUE", "" };
	struct out_table t;
	size_t nforce = 0;
	char until[11];

	printf("Patient #%lld  %s%s%s\n", (long long)p->id, p->name,
	       p->archived ? "  [archived " : "", p->archived ? (p->archived_at ? p->archived_at : "") : "");
	if (p->archived)
		fputs("]\n", stdout);
	field_line("Date of birth:", p->dob);
	field_line("Phone:", p->phone);
	field_line("Email:", p->email);
	if (p->skin_type)
		printf("  %-14s Fitzpatrick %s\n", "Skin type:", vocab_fitzpatrick_label(p->skin_type));
	printf("  %-14s %s\n", "Consent:", p->consent_date ? p->consent_date : "none on file");
	field_line("Allergies:", p->allergies);
	field_line("Medications:", p->medications);
	field_line("Notes:", p->notes);
	print_flags(p, today);
	for (size_t i = 0; i < p->nflags; i++)
		nforce += patient_flag_in_force(&p->flags[i], today, until);
	if (nforce || !p->consent_date) {
		puts("Warnings:");
		if (nforce)
			printf("  %zu contraindication%s in force (marked !): sessions will be flagged\n",
			       nforce, nforce == 1 ? "" : "s");
		if (!p->consent_date)
			puts("  no consent date on file: record it with `needlelog patient edit ID --consent DATE`");
	}
	if (!nsr) {
		puts("Series: none yet (plan one with `needlelog series add`)");
		return;
	}
	puts("Series:");
	out_table_init(&t, head, 8);
	for (size_t i = 0; i < nsr; i++) {
		char id[24], done[32] = "?", every[24], due_w[40] = "";

		snprintf(id, sizeof(id), "%lld", (long long)sr[i].id);
		snprintf(every, sizeof(every), "%d d", sr[i].interval_days);
		if (due[i].ok) {
			snprintf(done, sizeof(done), "%d/%d", due[i].prog.done, due[i].prog.planned);
			if (due[i].prog.due == PROGRESS_OVERDUE || due[i].prog.due == PROGRESS_DUE)
				snprintf(due_w, sizeof(due_w), "%s", progress_due_name(due[i].prog.due));
		}
		out_table_row(&t, (const char *const[]){ id, sr[i].indication, sr[i].status, done,
			every, sr[i].start_date, due[i].ok ? due[i].prog.next_due : "", due_w });
	}
	out_table_print(&t, stdout, OUT_TEXT);
	out_table_free(&t);
}

static int run_show(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, OUT_FORMAT_OPTION, OUT_TODAY_OPTION, { 0 },
	};
	struct nl_patient p = { 0 };
	struct nl_series *sr = NULL;
	struct series_due *due = NULL;
	enum out_format fmt = OUT_TEXT;
	struct nl_err err = { 0 };
	const char *today_opt = NULL, *today;
	struct record *s = NULL;
	char tbuf[11];
	size_t nsr = 0;
	int64_t id;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == OPT_FORMAT) {
			if ((rc = out_parse_format(c, optarg, OUT_TEXT | OUT_JSON, &fmt)) >= 0)
				return rc;
		} else if (opt == OPT_TODAY)
			today_opt = optarg;
		else if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	}
	if ((rc = out_positional_id(c, argc, argv, "patient", &id)) >= 0)
		return rc;
	today = out_today(c, today_opt, tbuf, &err);
	rc = today ? cli_open(c, &s, &err) : err.status;
	if (rc == NL_OK)
		rc = record_patient_get(s, id, &p, &err);
	if (rc == NL_OK)
		rc = record_series_list(s, id, &sr, &nsr, &err);
	if (rc == NL_OK && nsr && !(due = calloc(nsr, sizeof(*due))))
		rc = nl_error(&err, NL_ENOMEM, "out of memory");
	for (size_t i = 0; rc == NL_OK && i < nsr; i++)
		due[i].ok = progress_series(s, sr[i].id, today, &due[i].prog, NULL) == NL_OK;
	record_close(s);
	if (rc != NL_OK)
		rc = cli_fail(&err);
	else if (fmt == OUT_JSON)
		rc = out_json_print(patient_json(&p, today, sr, due, nsr));
	else
		print_patient(&p, today, sr, due, nsr);
	for (size_t i = 0; due && i < nsr; i++)
		if (due[i].ok)
			progress_free(&due[i].prog);
	free(due);
	record_series_list_free(sr, nsr);
	record_patient_free(&p);
	return rc;
}

#define FIELD_HELP \
	"  --name NAME                 the patient's name (UTF-8)\n" \
	"  --dob DATE                  date of birth, YYYY-MM-DD\n" \
	"  --phone PHONE               digits, spaces and + - ( ) . /\n" \
	"  --email EMAIL\n" \
	"  --skin-type TYPE            Fitzpatrick I, II, III, IV, V or VI\n" \
	"  --flag CODE[:DATE[:NOTE]]   a contraindication (repeatable); DATE is e.g.\n" \
	"                              isotretinoin's last dose (see `needlelog vocab`)\n" \
	"  --allergies TEXT\n" \
	"  --medications TEXT\n" \
	"  --consent DATE              the date written consent was given\n" \
	"  --notes TEXT\n" \
	"  --practitioner NAME         who makes the change (else $NEEDLELOG_PRACTITIONER,\n" \
	"                              else $USER), for the audit trail\n"

const struct cli_command cli_patient_commands[] = {
	{ "patient", "add", run_add, "--name NAME [FIELD OPTIONS]",
	  "Add a patient and print the new patient's id.", FIELD_HELP },
	{ "patient", "list", run_list, "[--search TEXT] [--all] [--format text|csv|json]",
	  "List patients, one line each.\n"
	  "By name, with the active series due soonest and its next due date.",
	  "  --search TEXT          part of the name (any case, accents kept), of the\n"
	  "                         date of birth, the phone's digits, or the id (#12)\n"
	  "  --all                  include archived patients\n"
	  "  --format FMT           text (default), csv (RFC 4180) or json\n" },
	{ "patient", "show", run_show, "ID [--format text|json] [--today DATE]",
	  "Show a patient.\n"
	  "The profile, contraindications in force, warnings and series.",
	  "  --format FMT           text (default) or json\n"
	  "  --today DATE           the day to judge flags and due dates against\n"
	  "                         (else $NEEDLELOG_TODAY, else today)\n" },
	{ "patient", "edit", run_edit, "ID [FIELD OPTIONS] [--end-flag CODE[:DATE]]",
	  "Change a patient's profile. Only the fields given change; an empty value\n"
	  "(--notes '') clears a field. Every change is audited with old and new values.",
	  FIELD_HELP
	  "  --end-flag CODE[:DATE]      the flag stops applying on DATE (default today);\n"
	  "                              it stays on file\n"
	  "  --remove-flag CODE          take off a flag entered in error (audited)\n"
	  "  --today DATE                the default end date (else $NEEDLELOG_TODAY,\n"
	  "                              else today)\n" },
	{ "patient", "archive", run_archive, "ID [--undo]",
	  "Archive a patient (never deleted), or restore one.\n"
	  "Archived patients leave the list; every record stays readable.\n"
	  "--undo restores the patient.",
	  "  --undo                 restore an archived patient\n"
	  "  --practitioner NAME    who archives, for the audit trail\n" },
	{ 0 },
};
