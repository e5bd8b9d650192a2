/* A fictional practice of any size, written through the record API like
 * any other record (so its audit trail and signatures are real): patients
 * who came in over the years, their treatment series one after another,
 * sessions at each series' interval up to today, most signed, a few
 * amended, voided or archived. The same seed and today give the same
 * practice (timestamps such as created_at aside, which are the clock's).
 *
 * Core-free: it calls only record.h, check.h and vocab.h, never SQL.
 * The demo command and the clinic-scale benchmark (bench/clinic.c) use it. */
#ifndef NL_CLI_DEMO_GEN_H
#define NL_CLI_DEMO_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "needlelog/err.h"
#include "needlelog/record.h"

/* What was written. */
struct demo_gen_counts {
	size_t patients, series, sessions, signed_sessions, amended, voided, archived;
};

struct demo_gen_opts {
	size_t patients;       /* how many (1..DEMO_GEN_MAX_PATIENTS) */
	int years;             /* the practice's history, 1..DEMO_GEN_MAX_YEARS */
	uint64_t seed;         /* the same seed, the same practice */
	const char *today;     /* "YYYY-MM-DD"; NULL or "" = record_today(r) */
	struct demo_gen_counts *counts; /* filled when not NULL */
};

#define DEMO_GEN_MAX_PATIENTS 1000000
#define DEMO_GEN_MAX_YEARS 40

/* Writes the practice into r in one transaction (record_begin ..
 * record_commit): all or nothing. About 10 sessions per patient over 10
 * years. NL_EUSAGE for options out of range or when a change is already
 * open on r; else what the record API returns. The audit "who" is each session's practitioner, or
 * the handle's actor. */
int demo_generate(struct record *r, const struct demo_gen_opts *o,
		  struct nl_err *err);

/* xorshift64*: small, fast and the same everywhere; the fixed demo and the
 * generated practice draw from it. */
struct demo_rng {
	uint64_t s;
};
uint64_t demo_rng_next(struct demo_rng *r);
/* A whole number from lo to hi. */
int demo_rng_int(struct demo_rng *r, int lo, int hi);

#endif
