/* Decrypt-ahead for sequential reads: see readahead.h.
 *
 * A window is RA_PAGES consecutive pages; each page of it is in one state:
 *   FREE     not read (or the window is unused or being filled)
 *   PENDING  ciphertext, waiting to be decrypted
 *   BUSY     being decrypted, by the worker or by the reader
 *   READY    authenticated plaintext
 *   BAD      failed authentication: never served
 * The worker takes the earliest PENDING page. The reader, needing a
 * PENDING page, decrypts it itself; needing one the worker is on, it
 * decrypts the next PENDING one meanwhile, so both cores decrypt when
 * the worker falls behind. Only the reader moves a page out
 * of FREE or back to it, and only when the worker holds none of the
 * window's pages. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "needlelog/crypt.h"
#include "readahead.h"

#define RA_PAGES 16  /* a window: one 64 KiB read */
#define RA_WINDOWS 4 /* up to 64 pages (256 KiB) ahead of the reader */
#define RA_STREAK 2  /* in-order reads before reading ahead */

enum { FREE, PENDING, BUSY, READY, BAD };

struct window {
	uint32_t first; /* page number of the first page; 0: unused */
	int n;          /* pages in it */
	uint8_t state[RA_PAGES];
	uint8_t *pages; /* RA_PAGES pages, in the guarded block */
};

struct readahead {
	pthread_mutex_t mu;
	pthread_cond_t work; /* to the worker: a page is PENDING, or quit */
	pthread_cond_t done; /* to the reader: a BUSY page is done */
	pthread_t thread;
	int started;         /* memory and worker are there */
	int off;             /* could not start: never */
	int quit;
	int worker_busy;     /* the worker holds a page */
	int dirty;           /* some window has held plaintext since a wipe */
	const uint8_t *key, *file_id;
	uint8_t *mem;
	struct window win[RA_WINDOWS];
	uint32_t next;       /* first page not yet planned */
	uint32_t last;       /* page served last */
	int streak;          /* in-order reads ending at last */
};

static atomic_ulong served;

static uint8_t *page_of(struct window *w, int i)
{
	return w->pages + (size_t)i * NL_PAGE_SIZE;
}

/* The earliest PENDING page, by page number. */
static int next_pending(struct readahead *ra, struct window **out, int *idx)
{
	struct window *best = NULL;
	int best_i = 0;

	for (int k = 0; k < RA_WINDOWS; k++) {
		struct window *w = &ra->win[k];

		if (w->first == 0 || (best && best->first < w->first))
			continue;
		for (int i = 0; i < w->n; i++) {
			if (w->state[i] == PENDING) {
				best = w;
				best_i = i;
				break;
			}
		}
	}
	*out = best;
	*idx = best_i;
	return best != NULL;
}

static void *worker(void *arg)
{
	struct readahead *ra = arg;
	struct window *w;
	int i, ok;

	pthread_mutex_lock(&ra->mu);
	for (;;) {
		while (!ra->quit && !next_pending(ra, &w, &i))
			pthread_cond_wait(&ra->work, &ra->mu);
		if (ra->quit)
			break;
		w->state[i] = BUSY;
		ra->worker_busy = 1;
		pthread_mutex_unlock(&ra->mu);
		ok = crypt_page_open(ra->key, ra->file_id, CRYPT_KIND_DB,
				     w->first + (uint32_t)i, page_of(w, i)) == 0;
		pthread_mutex_lock(&ra->mu);
		w->state[i] = ok ? READY : BAD;
		ra->worker_busy = 0;
		pthread_cond_broadcast(&ra->done);
	}
	pthread_mutex_unlock(&ra->mu);
	return NULL;
}

struct readahead *ra_new(const uint8_t *key, const uint8_t *file_id)
{
	struct readahead *ra = calloc(1, sizeof(*ra));

	if (!ra)
		return NULL;
	if (pthread_mutex_init(&ra->mu, NULL) != 0) {
		free(ra);
		return NULL;
	}
	if (pthread_cond_init(&ra->work, NULL) != 0) {
		pthread_mutex_destroy(&ra->mu);
		free(ra);
		return NULL;
	}
	if (pthread_cond_init(&ra->done, NULL) != 0) {
		pthread_cond_destroy(&ra->work);
		pthread_mutex_destroy(&ra->mu);
		free(ra);
		return NULL;
	}
	ra->key = key;
	ra->file_id = file_id;
	return ra;
}

/* The guarded block and the worker, on the first sequential run. */
static int start(struct readahead *ra)
{
	if (ra->started)
		return 1;
	if (ra->off)
		return 0;
	ra->mem = crypt_secure_alloc((size_t)RA_WINDOWS * RA_PAGES * NL_PAGE_SIZE);
	if (!ra->mem || pthread_create(&ra->thread, NULL, worker, ra) != 0) {
		crypt_secure_free(ra->mem);
		ra->mem = NULL;
		ra->off = 1;
		return 0;
	}
	for (int k = 0; k < RA_WINDOWS; k++)
		ra->win[k].pages = ra->mem + (size_t)k * RA_PAGES * NL_PAGE_SIZE;
	ra->started = 1;
	return 1;
}

void ra_free(struct readahead *ra)
{
	if (!ra)
		return;
	if (ra->started) {
		pthread_mutex_lock(&ra->mu);
		ra->quit = 1;
		pthread_cond_signal(&ra->work);
		pthread_mutex_unlock(&ra->mu);
		pthread_join(ra->thread, NULL);
		crypt_secure_free(ra->mem); /* wipes */
	}
	pthread_cond_destroy(&ra->done);
	pthread_cond_destroy(&ra->work);
	pthread_mutex_destroy(&ra->mu);
	free(ra);
}

static struct window *window_of(struct readahead *ra, uint32_t pgno)
{
	for (int k = 0; k < RA_WINDOWS; k++) {
		struct window *w = &ra->win[k];

		if (w->first != 0 && pgno >= w->first &&
		    pgno < w->first + (uint32_t)w->n)
			return w;
	}
	return NULL;
}

/* The reader decrypts a PENDING page itself; with ra->mu held. */
static void decrypt(struct readahead *ra, struct window *w, int i)
{
	int ok;

	w->state[i] = BUSY;
	pthread_mutex_unlock(&ra->mu);
	ok = crypt_page_open(ra->key, ra->file_id, CRYPT_KIND_DB,
			     w->first + (uint32_t)i, page_of(w, i)) == 0;
	pthread_mutex_lock(&ra->mu);
	w->state[i] = ok ? READY : BAD;
}

int ra_take(struct readahead *ra, uint32_t pgno, uint8_t *out)
{
	struct window *w;
	int i, ok;

	if (!ra || !ra->started)
		return 0;
	pthread_mutex_lock(&ra->mu);
	w = window_of(ra, pgno);
	if (!w) {
		pthread_mutex_unlock(&ra->mu);
		return 0;
	}
	i = (int)(pgno - w->first);
	if (w->state[i] == PENDING)
		decrypt(ra, w, i);
	/* The worker has it: rather than wait idle, decrypt the next page
	 * it has not reached, which is the one wanted after this. */
	while (w->state[i] == BUSY) {
		struct window *w2;
		int j;

		if (next_pending(ra, &w2, &j))
			decrypt(ra, w2, j);
		else
			pthread_cond_wait(&ra->done, &ra->mu);
	}
	ok = w->state[i] == READY;
	pthread_mutex_unlock(&ra->mu);
	/* A READY page changes only when the reader (this thread) frees it. */
	if (ok) {
		memcpy(out, page_of(w, i), NL_PAGE_SIZE);
		atomic_fetch_add_explicit(&served, 1, memory_order_relaxed);
	}
	return ok;
}

/* Waits until the worker holds no page of w; with ra->mu held. */
static void quiesce(struct readahead *ra, struct window *w)
{
	for (;;) {
		int busy = 0;

		for (int i = 0; i < w->n; i++)
			busy |= w->state[i] == BUSY;
		if (!busy)
			return;
		pthread_cond_wait(&ra->done, &ra->mu);
	}
}

static void release(struct window *w)
{
	w->first = 0;
	w->n = 0;
	memset(w->state, FREE, sizeof(w->state));
}

int ra_sequential(struct readahead *ra, uint32_t pgno, int hit)
{
	if (!ra || ra->off)
		return 0;
	if (pgno != ra->last) {
		if (hit || pgno == ra->last + 1)
			ra->streak++;
		else
			ra->streak = 0;
		ra->last = pgno;
	}
	return ra->streak >= RA_STREAK;
}

uint8_t *ra_plan(struct readahead *ra, uint32_t pgno, uint32_t last,
		 uint32_t *first, int *n)
{
	struct window *spare = NULL;
	uint32_t horizon = pgno + RA_WINDOWS * RA_PAGES;

	if (!start(ra))
		return NULL;
	if (ra->next <= pgno || ra->next > horizon)
		ra->next = pgno + 1;
	if (ra->next > last)
		return NULL;
	pthread_mutex_lock(&ra->mu);
	for (int k = 0; k < RA_WINDOWS && !spare; k++) {
		struct window *w = &ra->win[k];

		/* Behind the reader, or far ahead: the scan has moved on. */
		if (w->first != 0 && (w->first + (uint32_t)w->n <= pgno ||
				      w->first > horizon)) {
			quiesce(ra, w);
			release(w);
		}
		if (w->first == 0)
			spare = w;
	}
	if (spare) {
		spare->first = ra->next;
		spare->n = last - ra->next + 1 < RA_PAGES ?
			   (int)(last - ra->next + 1) : RA_PAGES;
		*first = spare->first;
		*n = spare->n;
		ra->next += (uint32_t)spare->n;
		ra->dirty = 1;
	}
	pthread_mutex_unlock(&ra->mu);
	return spare ? spare->pages : NULL;
}

void ra_filled(struct readahead *ra, uint8_t *buf, int ok)
{
	struct window *w = NULL;

	pthread_mutex_lock(&ra->mu);
	for (int k = 0; k < RA_WINDOWS; k++)
		if (ra->win[k].pages == buf)
			w = &ra->win[k];
	if (w && ok) {
		memset(w->state, PENDING, (size_t)w->n);
		pthread_cond_signal(&ra->work);
	} else if (w) {
		/* All FREE: the worker never saw it. Plan again from here
		 * after the next in-order reads. */
		ra->next = w->first;
		ra->streak = 0;
		release(w);
	}
	pthread_mutex_unlock(&ra->mu);
}

void ra_drop(struct readahead *ra)
{
	if (!ra)
		return;
	ra->next = 0;
	ra->last = 0;
	ra->streak = 0;
	if (!ra->started)
		return;
	pthread_mutex_lock(&ra->mu);
	while (ra->worker_busy)
		pthread_cond_wait(&ra->done, &ra->mu);
	for (int k = 0; k < RA_WINDOWS; k++)
		release(&ra->win[k]);
	pthread_mutex_unlock(&ra->mu);
	if (ra->dirty)
		sodium_memzero(ra->mem, (size_t)RA_WINDOWS * RA_PAGES * NL_PAGE_SIZE);
	ra->dirty = 0;
}

unsigned long ra_pages_served(void)
{
	return atomic_load(&served);
}
