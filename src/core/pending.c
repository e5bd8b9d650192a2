/* Functions not yet implemented: each returns NL_EINTERNAL. Temporary. */
#include <stdlib.h>
#include "needlelog/record.h"
#include "needlelog/check.h"
#include "needlelog/progress.h"
#include "needlelog/audit.h"
#include "needlelog/draft.h"

#define TODO(err) nl_error(err, NL_EINTERNAL, "%s: not implemented yet", __func__)

int record_patient_add(struct store *s, const struct nl_patient *in, int64_t *id, struct nl_err *err)
{
	(void)s;
	(void)in;
	(void)id;
	return TODO(err);
}

int record_patient_get(struct store *s, int64_t id, struct nl_patient *out, struct nl_err *err)
{
	(void)s;
	(void)id;
	(void)out;
	return TODO(err);
}

int record_patient_edit(struct store *s, const struct nl_patient *in, struct nl_err *err)
{
	(void)s;
	(void)in;
	return TODO(err);
}

int record_patient_archive(struct store *s, int64_t id, bool archived, struct nl_err *err)
{
	(void)s;
	(void)id;
	(void)archived;
	return TODO(err);
}

int record_patient_list(struct store *s, const char *search, bool include_archived, struct nl_patient_summary **out, size_t *n, struct nl_err *err)
{
	(void)s;
	(void)search;
	(void)include_archived;
	(void)out;
	(void)n;
	return TODO(err);
}

void record_patient_free(struct nl_patient *p)
{
	(void)p;

}

void record_patient_list_free(struct nl_patient_summary *rows, size_t n)
{
	(void)rows;
	(void)n;

}

int record_series_add(struct store *s, const struct nl_series *in, int64_t *id, struct nl_err *err)
{
	(void)s;
	(void)in;
	(void)id;
	return TODO(err);
}

int record_series_get(struct store *s, int64_t id, struct nl_series *out, struct nl_err *err)
{
	(void)s;
	(void)id;
	(void)out;
	return TODO(err);
}

int record_series_edit(struct store *s, const struct nl_series *in, struct nl_err *err)
{
	(void)s;
	(void)in;
	return TODO(err);
}

int record_series_list(struct store *s, int64_t patient_id, struct nl_series **out, size_t *n, struct nl_err *err)
{
	(void)s;
	(void)patient_id;
	(void)out;
	(void)n;
	return TODO(err);
}

void record_series_free(struct nl_series *sr)
{
	(void)sr;

}

void record_series_list_free(struct nl_series *rows, size_t n)
{
	(void)rows;
	(void)n;

}

int record_session_add(struct store *s, const struct nl_session *in, bool sign, struct nl_warning **warnings, size_t *nwarnings, int64_t *id, struct nl_err *err)
{
	(void)s;
	(void)in;
	(void)sign;
	(void)warnings;
	(void)nwarnings;
	(void)id;
	return TODO(err);
}

int record_session_get(struct store *s, int64_t id, struct nl_session_view *out, struct nl_err *err)
{
	(void)s;
	(void)id;
	(void)out;
	return TODO(err);
}

int record_session_list(struct store *s, int64_t series_id, bool include_voided, struct nl_session **out, size_t *n, struct nl_err *err)
{
	(void)s;
	(void)series_id;
	(void)include_voided;
	(void)out;
	(void)n;
	return TODO(err);
}

int record_session_edit(struct store *s, const struct nl_session *in, struct nl_warning **warnings, size_t *nwarnings, struct nl_err *err)
{
	(void)s;
	(void)in;
	(void)warnings;
	(void)nwarnings;
	return TODO(err);
}

int record_session_amend(struct store *s, int64_t id, const struct nl_session *in, const char *reason, const char *practitioner, struct nl_warning **warnings, size_t *nwarnings, int64_t *amendment_id, struct nl_err *err)
{
	(void)s;
	(void)id;
	(void)in;
	(void)reason;
	(void)practitioner;
	(void)warnings;
	(void)nwarnings;
	(void)amendment_id;
	return TODO(err);
}

int record_session_sign(struct store *s, int64_t id, const char *by, struct nl_err *err)
{
	(void)s;
	(void)id;
	(void)by;
	return TODO(err);
}

int record_session_void(struct store *s, int64_t id, const char *reason, const char *who, struct nl_err *err)
{
	(void)s;
	(void)id;
	(void)reason;
	(void)who;
	return TODO(err);
}

int record_verify_signatures(struct store *s, size_t *checked, int64_t **bad, size_t *nbad, struct nl_err *err)
{
	(void)s;
	(void)checked;
	(void)bad;
	(void)nbad;
	return TODO(err);
}

int record_session_canonical(struct store *s, int64_t id, char **canonical, char hash_hex[65], struct nl_err *err)
{
	(void)s;
	(void)id;
	(void)canonical;
	(void)hash_hex;
	return TODO(err);
}

void record_session_free(struct nl_session *ses)
{
	(void)ses;

}

void record_session_list_free(struct nl_session *rows, size_t n)
{
	(void)rows;
	(void)n;

}

void record_session_view_free(struct nl_session_view *v)
{
	(void)v;

}

void record_amendment_free(struct nl_amendment *a)
{
	(void)a;

}

void record_warnings_free(struct nl_warning *w, size_t n)
{
	(void)w;
	(void)n;

}

int record_session_copy(struct nl_session *dst, const struct nl_session *src, struct nl_err *err)
{
	(void)dst;
	(void)src;
	return TODO(err);
}

int record_picklist(struct store *s, enum record_pick which, const char *practitioner, char ***out, size_t *n, struct nl_err *err)
{
	(void)s;
	(void)which;
	(void)practitioner;
	(void)out;
	(void)n;
	return TODO(err);
}

void record_strings_free(char **v, size_t n)
{
	(void)v;
	(void)n;

}

bool check_date_valid(const char *s)
{
	(void)s;
	return false;
}

int check_date_parse(const char *field, const char *s, int32_t *day, struct nl_err *err)
{
	(void)field;
	(void)s;
	(void)day;
	return TODO(err);
}

void check_date_format(int32_t day, char out[11])
{
	(void)day;
	(void)out;

}

int check_date_add_days(const char *date, int days, char out[11], struct nl_err *err)
{
	(void)date;
	(void)days;
	(void)out;
	return TODO(err);
}

int check_date_add_months(const char *date, int months, char out[11], struct nl_err *err)
{
	(void)date;
	(void)months;
	(void)out;
	return TODO(err);
}

int check_date_diff(const char *from, const char *to, int *days, struct nl_err *err)
{
	(void)from;
	(void)to;
	(void)days;
	return TODO(err);
}

void check_today_utc(char out[11])
{
	(void)out;

}

void check_now_utc(char out[21])
{
	(void)out;

}

int check_patient(const struct nl_patient *p, struct nl_err *err)
{
	(void)p;
	return TODO(err);
}

int check_series(const struct nl_series *sr, struct nl_err *err)
{
	(void)sr;
	return TODO(err);
}

int check_session(const struct nl_session *ses, struct nl_err *err)
{
	(void)ses;
	return TODO(err);
}

int check_score(const char *field, const struct nl_score *sc, struct nl_err *err)
{
	(void)field;
	(void)sc;
	return TODO(err);
}

int check_text(const char *field, const char *value, size_t max, bool required, struct nl_err *err)
{
	(void)field;
	(void)value;
	(void)max;
	(void)required;
	return TODO(err);
}

int check_session_warnings(const struct check_context *ctx, const struct nl_session *ses, struct nl_warning **w, size_t *n, struct nl_err *err)
{
	(void)ctx;
	(void)ses;
	(void)w;
	(void)n;
	return TODO(err);
}

int check_session_preview(struct store *s, const struct nl_session *ses, int64_t self_id, struct nl_warning **w, size_t *n, struct nl_err *err)
{
	(void)s;
	(void)ses;
	(void)self_id;
	(void)w;
	(void)n;
	return TODO(err);
}

int progress_series(struct store *s, int64_t series_id, const char *today, struct nl_progress *out, struct nl_err *err)
{
	(void)s;
	(void)series_id;
	(void)today;
	(void)out;
	return TODO(err);
}

void progress_free(struct nl_progress *p)
{
	(void)p;

}

enum progress_due progress_due_state(const char *next_due, const char *today, int *days_until)
{
	(void)next_due;
	(void)today;
	(void)days_until;
	return 0;
}

enum progress_change progress_compare(const struct vocab_scale *sc, double baseline, double value)
{
	(void)sc;
	(void)baseline;
	(void)value;
	return 0;
}

int progress_due_list(struct store *s, const char *today, int within_days, struct nl_due **out, size_t *n, struct nl_err *err)
{
	(void)s;
	(void)today;
	(void)within_days;
	(void)out;
	(void)n;
	return TODO(err);
}

void progress_due_list_free(struct nl_due *rows, size_t n)
{
	(void)rows;
	(void)n;

}

void audit_set_actor(const char *who)
{
	(void)who;

}

int audit_add(struct store *s, const char *action, const char *entity, int64_t entity_id, const char *who, const char *detail, struct nl_err *err)
{
	(void)s;
	(void)action;
	(void)entity;
	(void)entity_id;
	(void)who;
	(void)detail;
	return TODO(err);
}

int audit_list(struct store *s, size_t limit, const char *entity, int64_t entity_id, struct nl_audit **out, size_t *n, struct nl_err *err)
{
	(void)s;
	(void)limit;
	(void)entity;
	(void)entity_id;
	(void)out;
	(void)n;
	return TODO(err);
}

void audit_list_free(struct nl_audit *rows, size_t n)
{
	(void)rows;
	(void)n;

}

int draft_save(struct store *s, int64_t series_id, const char *text, struct nl_err *err)
{
	(void)s;
	(void)series_id;
	(void)text;
	return TODO(err);
}

int draft_load(struct store *s, int64_t series_id, char **text, char **saved_at, struct nl_err *err)
{
	(void)s;
	(void)series_id;
	(void)text;
	(void)saved_at;
	return TODO(err);
}

int draft_delete(struct store *s, int64_t series_id, struct nl_err *err)
{
	(void)s;
	(void)series_id;
	return TODO(err);
}

int draft_list(struct store *s, int64_t **ids, size_t *n, struct nl_err *err)
{
	(void)s;
	(void)ids;
	(void)n;
	return TODO(err);
}
