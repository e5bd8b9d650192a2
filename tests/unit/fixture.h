/* A real, encrypted record file in a temporary folder for each test. */
#ifndef NL_TEST_FIXTURE_H
#define NL_TEST_FIXTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "needlelog/audit.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/draft.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "needlelog/store.h"
#include "needlelog/text.h"
#include "needlelog/vocab.h"

struct fx {
	char dir[256];
	char path[300];
	struct record *s;
};

/* cmocka group setup/teardown: *state becomes a struct fx. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* The message must contain each of the NULL-terminated fragments. */
#define assert_msg(err, ...) fx_assert_msg(&(err), __FILE__, __LINE__, __VA_ARGS__, (const char *)NULL)
void fx_assert_msg(const struct nl_err *err, const char *file, int line, ...);

/* A patient with a consent date and skin type II; returns its id. */
int64_t fx_patient(struct record *s, const char *name);
/* A series for the patient (planned 6, every 28 days from start). */
int64_t fx_series(struct record *s, int64_t patient, const char *indication,
		  const char *start);

/* A session to fill on the stack: one area, no optional values. */
struct fx_session {
	struct nl_session ses;
	struct nl_treatment areas[4];
	struct nl_score scores[4];
	char *products[4];
};
void fx_session_init(struct fx_session *f, int64_t series, const char *date,
		     const char *area, double depth);
/* Adds it (unsigned); returns the id and asserts success. */
int64_t fx_session_add(struct record *s, int64_t series, const char *date,
		       const char *area, double depth);

/* Counts rows of a query returning one integer. */
int64_t fx_count(struct record *s, const char *sql);
/* Whether warnings hold the code. */
int fx_has_warning(const struct nl_warning *w, size_t n, const char *code);

#endif
