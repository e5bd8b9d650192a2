/* Tamper proofs (design section 7, items 4 and 5): a single flipped bit
 * anywhere in a small record file, swapped pages, a journal image copied
 * into the database, and a page from another file. Hot journals are in
 * test_journal.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tu.h"

#define PAGE 4096
#define HDR 4096
#define JHDR 512         /* journal header chunk (we report PSOW) */
#define JREC (4 + PAGE + 4)

/* ---- Single-bit flips over every byte of a small database ---- */

#define EMPTY_SLOTS 576

/* A flipped bit in an empty slot: reported as that slot damaged. */
static void expect_damaged_slot(struct store *s, size_t byte)
{
	struct store_slot_report r;
	struct nl_err err = { 0 };

	assert_int_equal(store_slot_report(s, &r, &err), NL_OK);
	if (r.damaged != 1 || r.damaged_slot[0] != (int)((byte - 256) / 320))
		fail_msg("header byte %zu: %d damaged slots reported", byte, r.damaged);
	assert_int_equal(r.users, 1);
}

static void db_every_byte(void **state)
{
	struct tu_files f;
	struct nl_err err;
	struct store *s;
	uint8_t ref[32], *orig, *now;
	size_t len, nlen;
	int inactive_slot_opens = 0, header_errs = 0, page_errs = 0;
	size_t stride = tu_stride();
	double t0 = tu_now();

	(void)state;
	tu_files_init(&f, "dbflip");
	tu_make_db(f.db, 3, 40);
	tu_good_digest(f.db, ref);
	orig = tu_read(f.db, &len);
	/* Small on purpose: a header and two pages. */
	assert_int_equal(len, HDR + 2 * PAGE);
	/* Created with slot 0 (256..575) in use, slots 1..11 (576..4095) empty. */
	for (size_t i = EMPTY_SLOTS; i < HDR; i++)
		assert_int_equal(orig[i], 0);

	for (size_t i = 0; i < len; i += stride) {
		int bit = (int)(i % 8), rc;

		tu_flip(f.db, i, bit);
		memset(&err, 0, sizeof(err));
		rc = tu_open_check(f.db, &s, &err);
		if (i < HDR) {
			if (rc == NL_OK) {
				uint8_t got[32];

				/* A damaged empty slot is what a torn passwd
				 * leaves: the intact slot must still open, and
				 * open the same records; the slot report (check)
				 * names the damage. */
				tu_digest(s, got);
				expect_damaged_slot(s, i);
				store_close(s);
				if (i < EMPTY_SLOTS)
					fail_msg("header byte %zu bit %d: opened", i, bit);
				assert_memory_equal(got, ref, 32);
				inactive_slot_opens++;
			} else if (rc != NL_EHEADER && rc != NL_EPASS && rc != NL_ENOTFILE) {
				fail_msg("header byte %zu bit %d: status %d (%s)", i, bit, rc, err.msg);
			} else {
				header_errs++;
			}
		} else {
			unsigned pgno = (unsigned)(i / PAGE);

			if (rc != NL_EAUTH)
				fail_msg("page byte %zu bit %d: status %d, not NL_EAUTH (%s)",
					 i, bit, rc, err.msg);
			if (!tu_names_page(&err, "database", pgno))
				fail_msg("byte %zu: message does not name page %u: %s", i, pgno, err.msg);
			page_errs++;
		}
		/* Never written to, and no journal left behind. */
		now = tu_read(f.db, &nlen);
		orig[i] ^= (uint8_t)(1u << bit);
		assert_int_equal(nlen, len);
		if (memcmp(now, orig, len) != 0)
			fail_msg("byte %zu: the failed open changed the file", i);
		orig[i] ^= (uint8_t)(1u << bit);
		free(now);
		assert_false(tu_exists(f.journal));
		tu_flip(f.db, i, bit);
	}
	print_message("db: %zu single-bit flips in %.1f s: %d header errors, %d page "
		      "authentication errors, %d opened via the intact slot\n",
		      (len + stride - 1) / stride, tu_now() - t0, header_errs, page_errs,
		      inactive_slot_opens);
	if (stride == 1)
		assert_int_equal(inactive_slot_opens, HDR - EMPTY_SLOTS);
	tu_good_digest(f.db, ref);
	free(orig);
	tu_rmdir(f.dir);
}

/* ---- Moved, replayed and foreign pages ---- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}


static void expect_auth_page(const char *path, unsigned pgno)
{
	struct nl_err err = { 0 };
	struct store *s;
	uint8_t before[32], after[32];

	tu_hash(path, before);
	assert_int_equal(tu_open_check(path, &s, &err), NL_EAUTH);
	if (!tu_names_page(&err, "database", pgno))
		fail_msg("message does not name database page %u: %s", pgno, err.msg);
	tu_hash(path, after);
	assert_memory_equal(before, after, 32);
}

static void put_page(uint8_t *file, unsigned pgno, const uint8_t *page)
{
	memcpy(file + (size_t)pgno * PAGE, page, PAGE);
}

static void page_swap(void **state)
{
	struct tu_files f;
	uint8_t *db, tmp[PAGE];
	size_t len;

	(void)state;
	tu_files_init(&f, "swap");
	tu_make_db(f.db, 20, 300);
	db = tu_read(f.db, &len);
	assert_true(len >= HDR + 4 * PAGE);
	memcpy(tmp, db + 2 * PAGE, PAGE);
	put_page(db, 2, db + 3 * PAGE);
	put_page(db, 3, tmp);
	tu_write(f.db, db, len);
	expect_auth_page(f.db, 2);

	/* Page 1 moved elsewhere fails at open. */
	free(db);
	tu_rmdir(f.dir);
	tu_files_init(&f, "swap1");
	tu_make_db(f.db, 20, 300);
	db = tu_read(f.db, &len);
	memcpy(tmp, db + 1 * PAGE, PAGE);
	put_page(db, 1, db + 4 * PAGE);
	put_page(db, 4, tmp);
	tu_write(f.db, db, len);
	expect_auth_page(f.db, 1);
	free(db);
	tu_rmdir(f.dir);
}

/* A journal image sealed for page P, copied over database page P: same
 * key, file and page number, but the wrong kind. */
static void journal_image_into_db(void **state)
{
	struct tu_files f;
	uint8_t *db, *j;
	size_t len, jlen;
	uint32_t pgno;

	(void)state;
	tu_files_init(&f, "jimg");
	tu_make_db(f.db, 20, 300);
	tu_make_hot_journal(f.db, false);
	j = tu_read(f.journal, &jlen);
	assert_true(jlen >= JHDR + JREC);
	pgno = be32(j + JHDR);
	/* Roll it back, then plant the image. */
	{
		uint8_t ref[32];

		tu_good_digest(f.db, ref);
	}
	db = tu_read(f.db, &len);
	assert_true(pgno >= 1 && (size_t)(pgno + 1) * PAGE <= len);
	put_page(db, pgno, j + JHDR + 4);
	tu_write(f.db, db, len);
	expect_auth_page(f.db, pgno);
	free(db);
	free(j);
	tu_rmdir(f.dir);
}

static void foreign_page(void **state)
{
	struct tu_files a, b;
	uint8_t *da, *db;
	size_t la, lb;

	(void)state;
	tu_files_init(&a, "fora");
	tu_files_init(&b, "forb");
	/* Same passphrase, same schema and rows: only the keys differ. */
	tu_make_db(a.db, 20, 300);
	tu_make_db(b.db, 20, 300);
	da = tu_read(a.db, &la);
	db = tu_read(b.db, &lb);
	assert_int_equal(la, lb);
	put_page(da, 3, db + 3 * PAGE);
	tu_write(a.db, da, la);
	expect_auth_page(a.db, 3);
	free(da);
	free(db);
	tu_rmdir(a.dir);
	tu_rmdir(b.dir);
}

/* Cut short: at any page boundary, down to the bare header, or mid-page.
 * SQLite takes a file without pages for a new database, so the store must
 * refuse one, and a new record file must never be without pages. */
static void truncated(void **state)
{
	struct tu_files f;
	struct nl_err err;
	struct store_pass p;
	struct store *s;
	uint8_t *orig, before[32], after[32];
	size_t len;
	int rc;

	(void)state;
	tu_files_init(&f, "trunc");
	tu_pass(&p, TU_PASS);
	assert_int_equal(store_create(f.db, &p, STORE_KDF_DEFAULT, &s, NULL), NL_OK);
	store_close(s);
	store_pass_free(&p);
	orig = tu_read(f.db, &len);
	assert_true(len >= HDR + PAGE);
	unlink(f.db);

	tu_make_db(f.db, 20, 300);
	free(orig);
	orig = tu_read(f.db, &len);
	for (size_t cut = HDR; cut < len; cut += PAGE / 2) {
		tu_write(f.db, orig, cut);
		tu_hash(f.db, before);
		memset(&err, 0, sizeof(err));
		rc = tu_open_check(f.db, &s, &err);
		if (rc != NL_EAUTH)
			fail_msg("cut at %zu of %zu: status %d (%s)", cut, len, rc, err.msg);
		if (cut == HDR)
			assert_non_null(strstr(err.msg, "no pages"));
		tu_hash(f.db, after);
		assert_memory_equal(before, after, 32);
	}
	free(orig);
	tu_rmdir(f.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(db_every_byte),
		cmocka_unit_test(page_swap),
		cmocka_unit_test(journal_image_into_db),
		cmocka_unit_test(foreign_page),
		cmocka_unit_test(truncated),
	};

	tu_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
