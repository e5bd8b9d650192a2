/* session add / show / amend / sign / void. A signed session is never
 * changed: corrections are amendments that keep the original. */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "needlelog/check.h"
#include "needlelog/record.h"
#include "needlelog/vocab.h"
#include "out.h"

enum {
	OPT_SERIES = OPT_LOCAL, OPT_DATE, OPT_AREA, OPT_DEVICE, OPT_CARTRIDGE,
	OPT_PRODUCT, OPT_ANESTHETIC, OPT_ANESTHETIC_MIN, OPT_ENDPOINT, OPT_PAIN,
	OPT_REACTION, OPT_ADVERSE, OPT_AFTERCARE, OPT_SCORE, OPT_NOTES,
	OPT_SIGN, OPT_REASON,
};

#define SESSION_FIELD_OPTIONS \
	{ "date", required_argument, NULL, OPT_DATE }, \
	{ "area", required_argument, NULL, OPT_AREA }, \
	{ "device", required_argument, NULL, OPT_DEVICE }, \
	{ "cartridge", required_argument, NULL, OPT_CARTRIDGE }, \
	{ "product", required_argument, NULL, OPT_PRODUCT }, \
	{ "anesthetic", required_argument, NULL, OPT_ANESTHETIC }, \
	{ "anesthetic-minutes", required_argument, NULL, OPT_ANESTHETIC_MIN }, \
	{ "endpoint", required_argument, NULL, OPT_ENDPOINT }, \
	{ "pain", required_argument, NULL, OPT_PAIN }, \
	{ "reaction", required_argument, NULL, OPT_REACTION }, \
	{ "adverse", required_argument, NULL, OPT_ADVERSE }, \
	{ "aftercare", required_argument, NULL, OPT_AFTERCARE }, \
	{ "score", required_argument, NULL, OPT_SCORE }, \
	{ "notes", required_argument, NULL, OPT_NOTES }, \
	OUT_PRACTITIONER_OPTION

/* The text fields an option sets directly. */
static const struct {
	int opt;
	size_t off;
} text_opts[] = {
	{ OPT_DATE, offsetof(struct nl_session, date) },
	{ OPT_DEVICE, offsetof(struct nl_session, device) },
	{ OPT_CARTRIDGE, offsetof(struct nl_session, cartridge) },
	{ OPT_ANESTHETIC, offsetof(struct nl_session, anesthetic) },
	{ OPT_ENDPOINT, offsetof(struct nl_session, endpoint) },
	{ OPT_REACTION, offsetof(struct nl_session, reaction) },
	{ OPT_ADVERSE, offsetof(struct nl_session, adverse) },
	{ OPT_AFTERCARE, offsetof(struct nl_session, aftercare) },
	{ OPT_NOTES, offsetof(struct nl_session, notes) },
};

struct session_opts {
	const char *series, *who, *reason;
	bool sign, areas_given, products_given;
	int nfields;
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

static void clear_areas(struct nl_session *ses)
{
	for (size_t i = 0; i < ses->nareas; i++) {
		free(ses->areas[i].area);
		free(ses->areas[i].label);
	}
	free(ses->areas);
	ses->areas = NULL;
	ses->nareas = 0;
}

/* "AREA[=LABEL]:DEPTH_MM[:PASSES]" appended to ses->areas. */
static int add_area(struct nl_session *ses, const char *spec, struct nl_err *err)
{
	const char *colon = strchr(spec, ':'), *eq;
	struct nl_treatment t = { 0 }, *nt;
	char field[96], *depth = NULL, *passes;
	size_t len;
	int rc;

	if (!colon || colon == spec)
		return nl_error(err, NL_EDATA,
				"--area: '%s' is not AREA:DEPTH_MM[:PASSES] (e.g. cheek-l:1.5:3)", spec);
	len = (size_t)(colon - spec);
	eq = memchr(spec, '=', len);
	snprintf(field, sizeof(field), "--area %.*s", (int)len, spec);
	t.area = strndup(spec, eq ? (size_t)(eq - spec) : len);
	t.label = eq && eq + 1 < colon ? strndup(eq + 1, (size_t)(colon - eq - 1)) : NULL;
	depth = strdup(colon + 1);
	if (!t.area || !depth || (eq && eq + 1 < colon && !t.label)) {
		rc = nl_error(err, NL_ENOMEM, "out of memory");
		goto fail;
	}
	if (!vocab_area_find(t.area)) {
		rc = nl_error(err, NL_EDATA, "--area: unknown area '%s' (see `needlelog vocab`)",
			      t.area);
		goto fail;
	}
	if ((passes = strchr(depth, ':')))
		*passes++ = '\0';
	rc = out_parse_double(field, depth, &t.depth_mm, err);
	if (rc == NL_OK && (t.depth_mm < VOCAB_DEPTH_MIN_MM || t.depth_mm > VOCAB_DEPTH_MAX_MM))
		rc = nl_error(err, NL_EDATA, "%s: depth %s mm is outside %.1f-%.1f mm", field,
			      depth, VOCAB_DEPTH_MIN_MM, VOCAB_DEPTH_MAX_MM);
	if (rc == NL_OK && passes)
		rc = out_parse_int(field, passes, VOCAB_PASSES_MIN, VOCAB_PASSES_MAX, &t.passes,
				   err);
	if (rc != NL_OK)
		goto fail;
	nt = realloc(ses->areas, (ses->nareas + 1) * sizeof(*nt));
	if (!nt) {
		rc = nl_error(err, NL_ENOMEM, "out of memory");
		goto fail;
	}
	ses->areas = nt;
	nt[ses->nareas++] = t;
	free(depth);
	return NL_OK;
fail:
	free(t.area);
	free(t.label);
	free(depth);
	return rc;
}

/* Applies one field option; areas and products given replace the lists,
 * scores are set one scale at a time. */
static int apply(struct nl_session *ses, struct session_opts *o, int opt,
		 const char *arg, struct nl_err *err)
{
	o->nfields++;
	for (size_t i = 0; i < sizeof(text_opts) / sizeof(text_opts[0]); i++)
		if (text_opts[i].opt == opt)
			return set_str((char **)((char *)ses + text_opts[i].off), arg, err);
	switch (opt) {
	case OPT_AREA:
		if (!o->areas_given)
			clear_areas(ses);
		o->areas_given = true;
		return add_area(ses, arg, err);
	case OPT_PRODUCT:
		if (!o->products_given) {
			record_strings_free(ses->products, ses->nproducts);
			ses->products = NULL;
			ses->nproducts = 0;
		}
		o->products_given = true;
		return *arg ? out_strv_add(&ses->products, &ses->nproducts, arg, err) : NL_OK;
	case OPT_ANESTHETIC_MIN:
		if (!*arg)
			return ses->anesthetic_minutes = -1, NL_OK;
		return out_parse_int("--anesthetic-minutes", arg, 0, VOCAB_ANESTHETIC_MINUTES_MAX,
				     &ses->anesthetic_minutes, err);
	case OPT_PAIN:
		if (!*arg)
			return ses->pain = -1, NL_OK;
		return out_parse_int("--pain", arg, VOCAB_PAIN_MIN, VOCAB_PAIN_MAX, &ses->pain, err);
	case OPT_SCORE:
		return out_score_set("--score", arg, &ses->scores, &ses->nscores, err);
	}
	return nl_error(err, NL_EINTERNAL, "unhandled option");
}

/* Collects options into ses; -1 to go on, else the exit code. *status
 * gets the first bad value's status (err filled). */
static int parse(struct cli *c, int argc, char **argv, const struct option *opts,
		 struct session_opts *o, struct nl_session *ses, struct nl_err *err,
		 int *status)
{
	int opt, rc;

	*status = NL_OK;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == OPT_PRACTITIONER)
			o->who = optarg;
		else if (opt == OPT_SERIES)
			o->series = optarg;
		else if (opt == OPT_SIGN)
			o->sign = true;
		else if (opt == OPT_REASON)
			o->reason = optarg;
		else if (opt >= OPT_DATE && opt <= OPT_NOTES) {
			if (*status == NL_OK)
				*status = apply(ses, o, opt, optarg, err);
		} else if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	}
	return -1;
}

static int run_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, SESSION_FIELD_OPTIONS,
		{ "series", required_argument, NULL, OPT_SERIES },
		{ "sign", no_argument, NULL, OPT_SIGN }, { 0 },
	};
	struct nl_session ses = { .pain = -1, .anesthetic_minutes = -1 };
	struct nl_warning *w = NULL;
	struct session_opts o = { 0 };
	struct nl_err err = { 0 };
	struct record *s = NULL;
	const char *who;
	char today[11];
	size_t nw = 0;
	int64_t id = 0;
	int rc, st;

	if ((rc = parse(c, argc, argv, opts, &o, &ses, &err, &st)) >= 0)
		goto out;
	if (optind != argc) {
		rc = cli_usage_error(c, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (st != NL_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	if (!o.series || !ses.nareas) {
		rc = cli_usage_error(c, "--series ID and at least one --area AREA:DEPTH_MM are required");
		goto out;
	}
	if ((rc = out_parse_id(c, "--series", o.series, &ses.series_id)) >= 0)
		goto out;
	who = out_practitioner(c, o.who);
	rc = set_str(&ses.practitioner, who, &err);
	if (rc == NL_OK && !ses.date)
		rc = out_today(c, NULL, today, &err) ? set_str(&ses.date, today, &err) : err.status;
	if (rc == NL_OK && o.sign && !ses.practitioner)
		rc = nl_error(&err, NL_EUSAGE,
			      "--sign needs a practitioner: give --practitioner NAME or set NEEDLELOG_PRACTITIONER");
	if (rc == NL_OK)
		rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = record_session_add(s, &ses, o.sign, &w, &nw, &id, &err);
	rc = rc == NL_OK ? EX_OK : cli_fail(&err);
	if (rc == EX_OK) {
		printf("%lld\n", (long long)id);
		out_warnings(w, nw);
	}
out:
	record_warnings_free(w, nw);
	record_close(s);
	record_session_free(&ses);
	return rc;
}

static int run_amend(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, SESSION_FIELD_OPTIONS,
		{ "reason", required_argument, NULL, OPT_REASON }, { 0 },
	};
	struct nl_session scratch = { .pain = -1, .anesthetic_minutes = -1 }, ses = { 0 };
	struct nl_session_view v = { 0 };
	struct nl_warning *w = NULL;
	struct session_opts o = { 0 };
	struct nl_err err = { 0 };
	struct record *s = NULL;
	const char *who;
	int64_t id, aid = 0;
	size_t nw = 0;
	int rc, st;

	/* First a dry run on scratch: bad values fail before the file opens. */
	if ((rc = parse(c, argc, argv, opts, &o, &scratch, &err, &st)) >= 0 ||
	    (rc = out_positional_id(c, argc, argv, "session", &id)) >= 0)
		goto out;
	if (st != NL_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	if (!o.reason || !*o.reason) {
		rc = cli_usage_error(c, "--reason TEXT is required: say why the record changes");
		goto out;
	}
	if (o.nfields == 0) {
		rc = cli_usage_error(c, "nothing to amend: give at least one field");
		goto out;
	}
	who = out_practitioner(c, o.who);
	rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = record_session_get(s, id, &v, &err);
	if (rc == NL_OK)
		rc = record_session_copy(&ses, &v.effective, &err);
	if (rc == NL_OK) {
		memset(&o, 0, sizeof(o));
		optind = 0;
		parse(c, argc, argv, opts, &o, &ses, &err, &rc);
	}
	if (rc == NL_OK)
		rc = record_session_amend(s, id, &ses, o.reason, who, &w, &nw, &aid, &err);
	rc = rc == NL_OK ? EX_OK : cli_fail(&err);
	if (rc == EX_OK) {
		printf("Session #%lld amended (amendment #%lld); the original stays readable\n",
		       (long long)id, (long long)aid);
		out_warnings(w, nw);
	}
out:
	record_warnings_free(w, nw);
	record_close(s);
	record_session_view_free(&v);
	record_session_free(&ses);
	record_session_free(&scratch);
	return rc;
}

static int run_sign(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, OUT_PRACTITIONER_OPTION, { 0 } };
	struct nl_session_view v = { 0 };
	struct nl_err err = { 0 };
	struct record *s = NULL;
	const char *opt_who = NULL, *by;
	int64_t id;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == OPT_PRACTITIONER)
			opt_who = optarg;
		else if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	}
	if ((rc = out_positional_id(c, argc, argv, "session", &id)) >= 0)
		return rc;
	by = out_practitioner(c, opt_who);
	rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = record_session_get(s, id, &v, &err);
	/* Without --practitioner, the session's own practitioner signs (a
	 * NULL "by"); the actor only when the session names nobody. */
	if (rc == NL_OK)
		rc = record_session_sign(s, id,
					 !opt_who && v.original.practitioner ? NULL : by,
					 &err);
	record_session_view_free(&v);
	if (rc == NL_OK)
		rc = record_session_get(s, id, &v, &err);
	record_close(s);
	if (rc != NL_OK) {
		record_session_view_free(&v);
		return cli_fail(&err);
	}
	printf("Session #%lld signed by %s at %s; hash %s\n", (long long)id,
	       v.original.signed_by ? v.original.signed_by : "?",
	       v.original.signed_at ? v.original.signed_at : "?",
	       v.original.hash ? v.original.hash : "?");
	record_session_view_free(&v);
	return EX_OK;
}

static int run_void(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, OUT_PRACTITIONER_OPTION,
		{ "reason", required_argument, NULL, OPT_REASON }, { 0 },
	};
	struct nl_err err = { 0 };
	const char *who = NULL, *reason = NULL;
	struct record *s = NULL;
	int64_t id;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == OPT_PRACTITIONER)
			who = optarg;
		else if (opt == OPT_REASON)
			reason = optarg;
		else if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	}
	if ((rc = out_positional_id(c, argc, argv, "session", &id)) >= 0)
		return rc;
	if (!reason || !*reason)
		return cli_usage_error(c, "--reason TEXT is required: say why the session is voided");
	who = out_practitioner(c, who);
	rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = record_session_void(s, id, reason, who, &err);
	record_close(s);
	if (rc != NL_OK)
		return cli_fail(&err);
	printf("Session #%lld voided; it stays readable and leaves the progress\n",
	       (long long)id);
	return EX_OK;
}

/* ---- show ---------------------------------------------------------------- */

static void line(const char *label, const char *value)
{
	out_field(stdout, 2, label, value);
}

static void print_fields(const struct nl_session *ses)
{
	char *areas = out_areas_text(ses->areas, ses->nareas);
	char *scores = out_scores_text(ses->scores, ses->nscores);
	char num[64];

	line("Date:", ses->date);
	line("Practitioner:", ses->practitioner);
	line("Areas:", areas);
	line("Device:", ses->device);
	line("Cartridge:", ses->cartridge);
	if (ses->nproducts) {
		printf("  %-14s", "Products:");
		for (size_t i = 0; i < ses->nproducts; i++)
			printf("%s%s", i ? ", " : " ", ses->products[i]);
		putchar('\n');
	}
	if (ses->anesthetic || ses->anesthetic_minutes >= 0) {
		snprintf(num, sizeof(num), "%s%s", ses->anesthetic ? ses->anesthetic : "", "");
		if (ses->anesthetic_minutes >= 0)
			snprintf(num + strlen(num), sizeof(num) - strlen(num), "%s%d min",
				 ses->anesthetic ? ", " : "", ses->anesthetic_minutes);
		line("Anaesthetic:", num);
	}
	line("Endpoint:", ses->endpoint);
	if (ses->pain >= 0) {
		snprintf(num, sizeof(num), "%d/10", ses->pain);
		line("Pain:", num);
	}
	line("Reaction:", ses->reaction);
	line("Adverse:", ses->adverse);
	line("Aftercare:", ses->aftercare);
	line("Scores:", scores);
	line("Notes:", ses->notes);
	free(areas);
	free(scores);
}

static void print_warnings(const struct nl_warning *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("  ! %s [%s]\n", w[i].message, w[i].code);
	if (!n)
		puts("  none");
}

static void print_view(const struct nl_session_view *v, const char *hash_now,
		       const struct nl_series *sr, const struct nl_patient *p)
{
	const struct nl_session *o = &v->original;

	printf("Session #%lld  %s  series #%lld (%s)  patient #%lld %s\n", (long long)o->id,
	       v->effective.date, (long long)o->series_id, sr->indication,
	       (long long)p->id, p->name);
	if (o->voided)
		printf("VOIDED at %s by %s: %s\n", o->voided_at ? o->voided_at : "?",
		       o->voided_by ? o->voided_by : "?", o->void_reason ? o->void_reason : "");
	if (o->is_signed) {
		printf("Signed at %s by %s\n", o->signed_at, o->signed_by);
		printf("Hash (BLAKE2b-256 of the original): %s (%s)\n", o->hash,
		       hash_now && o->hash && !strcmp(hash_now, o->hash) ? "verified"
										 : "DOES NOT MATCH");
	} else {
		puts("Not signed (sign it with `needlelog session sign ID`)");
	}
	printf("\n%s:\n", v->namendments ? "Effective values (the original with its amendments)"
					 : "Values");
	print_fields(&v->effective);
	puts("Warnings:");
	print_warnings(v->effective.warnings, v->effective.nwarnings);
	if (!v->namendments)
		return;
	puts("\nOriginal, as written:");
	print_fields(o);
	puts("Warnings when written:");
	print_warnings(o->warnings, o->nwarnings);
	puts("\nAmendments, oldest first:");
	for (size_t i = 0; i < v->namendments; i++) {
		const struct nl_amendment *a = &v->amendments[i];

		printf("  #%lld at %s by %s\n    reason: %s\n", (long long)a->id, a->at,
		       a->practitioner ? a->practitioner : "?", a->reason);
		for (size_t k = 0; k < a->nchanges; k++)
			printf("    %s: %s -> %s\n", a->changes[k].field,
			       a->changes[k].old_value ? a->changes[k].old_value : "(empty)",
			       a->changes[k].new_value ? a->changes[k].new_value : "(empty)");
	}
}

static json_t *view_json(const struct nl_session_view *v, const char *hash_now)
{
	const struct nl_session *o = &v->original;
	json_t *j = json_object(), *am = json_array();

	if (!j || !am) {
		json_decref(j);
		json_decref(am);
		return NULL;
	}
	for (size_t i = 0; i < v->namendments; i++) {
		const struct nl_amendment *a = &v->amendments[i];
		json_t *ch = json_array();

		for (size_t k = 0; ch && k < a->nchanges; k++)
			json_array_append_new(ch, json_pack("{s:s,s:o,s:o}", "field",
				a->changes[k].field, "old", out_jstr(a->changes[k].old_value),
				"new", out_jstr(a->changes[k].new_value)));
		json_array_append_new(am, json_pack("{s:I,s:s,s:o,s:s,s:o,s:o}",
			"id", (json_int_t)a->id, "at", a->at, "practitioner", out_jstr(a->practitioner),
			"reason", a->reason, "changes", ch,
			"warnings", out_json_warnings(a->warnings, a->nwarnings)));
	}
	out_jset(j, "id", json_integer(o->id));
	out_jset(j, "series_id", json_integer(o->series_id));
	out_jset(j, "signed", json_boolean(o->is_signed));
	out_jset(j, "signed_at", out_jstr(o->signed_at));
	out_jset(j, "signed_by", out_jstr(o->signed_by));
	out_jset(j, "hash", out_jstr(o->hash));
	out_jset(j, "hash_verified", o->hash ? json_boolean(hash_now && !strcmp(hash_now, o->hash))
					     : json_null());
	out_jset(j, "voided", json_boolean(o->voided));
	out_jset(j, "void_reason", out_jstr(o->void_reason));
	out_jset(j, "voided_at", out_jstr(o->voided_at));
	out_jset(j, "voided_by", out_jstr(o->voided_by));
	out_jset(j, "created_at", out_jstr(o->created_at));
	out_jset(j, "original", out_json_session(o));
	out_jset(j, "effective", out_json_session(&v->effective));
	out_jset(j, "amendments", am);
	return j;
}

static int run_show(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, OUT_FORMAT_OPTION, { 0 } };
	struct nl_session_view v = { 0 };
	struct nl_series sr = { 0 };
	struct nl_patient p = { 0 };
	enum out_format fmt = OUT_TEXT;
	struct nl_err err = { 0 };
	struct record *s = NULL;
	char hash[65] = "", *canon = NULL;
	int64_t id;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == OPT_FORMAT) {
			if ((rc = out_parse_format(c, optarg, OUT_TEXT | OUT_JSON, &fmt)) >= 0)
				return rc;
		} else if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	}
	if ((rc = out_positional_id(c, argc, argv, "session", &id)) >= 0)
		return rc;
	rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = record_session_get(s, id, &v, &err);
	if (rc == NL_OK)
		rc = record_series_get(s, v.original.series_id, &sr, &err);
	if (rc == NL_OK)
		rc = record_patient_get(s, sr.patient_id, &p, &err);
	/* Only a signed session has a hash to verify; a failure to recompute
	 * it shows as a mismatch rather than hiding the session. */
	if (rc == NL_OK && v.original.is_signed &&
	    record_session_canonical(s, id, &canon, hash, NULL) != NL_OK)
		hash[0] = '\0';
	record_close(s);
	free(canon);
	if (rc != NL_OK)
		rc = cli_fail(&err);
	else if (fmt == OUT_JSON)
		rc = out_json_print(view_json(&v, hash));
	else
		print_view(&v, hash, &sr, &p);
	record_session_view_free(&v);
	record_series_free(&sr);
	record_patient_free(&p);
	return rc;
}

#define SESSION_HELP \
	"  --date DATE                     the session's date (default today)\n" \
	"  --area AREA[=LABEL]:DEPTH_MM[:PASSES]\n" \
	"                                  a treated area with its needle depth in mm\n" \
	"                                  (0.1-3.0) and passes (1-20); repeatable;\n" \
	"                                  LABEL names a scar (scar=appendectomy:2:3)\n" \
	"  --device TEXT                   device and single-use tip lot\n" \
	"  --cartridge TEXT                needle cartridge, e.g. 12-pin, 36-pin, nano\n" \
	"  --product TEXT                  product, glide or adjunct (repeatable)\n" \
	"  --anesthetic TEXT               topical anaesthetic product\n" \
	"  --anesthetic-minutes N          minutes applied, 0-240\n" \
	"  --endpoint CODE                 erythema-mild, erythema-uniform,\n" \
	"                                  pinpoint-bleeding\n" \
	"  --pain N                        pain during the session, 0-10\n" \
	"  --reaction TEXT                 immediate reaction\n" \
	"  --adverse TEXT                  adverse events\n" \
	"  --aftercare TEXT                aftercare given\n" \
	"  --score SCALE=VALUE             an outcome score (repeatable), e.g.\n" \
	"                                  gais=3, norwood=IIIa, hair-density=140\n" \
	"  --notes TEXT                    clinical notes\n" \
	"  --practitioner NAME             who treats (else $NEEDLELOG_PRACTITIONER,\n" \
	"                                  else $USER)\n"

const struct cli_command cli_session_commands[] = {
	{ "session", "add", run_add, "--series ID --area AREA:DEPTH_MM[:PASSES]... [OPTIONS] [--sign]",
	  "Log a session.\n"
	  "Prints the new session id on stdout and each safety warning\n"
	  "on stderr (\"needlelog: warning: ...\"); warnings are stored with the\n"
	  "session and never block it. A value outside its hard limits is rejected\n"
	  "(exit 65) and nothing is written.",
	  "  --series ID                     the treatment series\n" SESSION_HELP
	  "  --sign                          sign and lock it at once\n" },
	{ "session", "show", run_show, "ID [--format text|json]",
	  "Show a session.\n"
	  "Its effective values, warnings, signature and hash, and,\n"
	  "when amended, the original as written and every amendment (reason, time,\n"
	  "practitioner, changed fields old -> new).",
	  "  --format FMT                    text (default) or json\n" },
	{ "session", "amend", run_amend, "ID --reason TEXT [OPTIONS]",
	  "Amend a session; the original stays readable.\n"
	  "Signed or not, the fields given change; the original stays\n"
	  "readable, and the reason, time and practitioner are kept. --area options\n"
	  "replace all the areas, --product options all the products; --score\n"
	  "SCALE=VALUE sets one score (SCALE= removes it); an empty value clears a\n"
	  "text field.",
	  "  --reason TEXT                   why the record changes (required)\n" SESSION_HELP },
	{ "session", "sign", run_sign, "ID [--practitioner NAME]",
	  "Sign and lock a session. The record file itself then refuses any change to\n"
	  "it; a hash of its canonical form is stored and verified by `needlelog check`.",
	  "  --practitioner NAME             who signs (default: the session's\n"
	  "                                  practitioner)\n" },
	{ "session", "void", run_void, "ID --reason TEXT",
	  "Void a session entered in error (never deleted).\n"
	  "It stays readable with the reason, and\n"
	  "leaves the progress and the due dates. Sessions are never deleted.",
	  "  --reason TEXT                   why it is voided (required)\n"
	  "  --practitioner NAME             who voids it\n" },
	{ 0 },
};
