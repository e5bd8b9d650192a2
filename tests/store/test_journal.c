/* Hot journals (design section 7, items 4 and 10): a hot journal left by
 * a dead writer rolls back; one flipped bit in a page image fails with an
 * authentication error and the database untouched; and one flipped bit at
 * every byte of a hot journal, with each outcome accounted for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tu.h"

#define PAGE 4096
#define JHDR 512         /* journal header chunk (we report PSOW) */
#define JREC (4 + PAGE + 4)

static const uint8_t journal_magic[8] = {
	0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* What a journal byte is, from the journal's own structure. */
enum jbyte { J_HEADER, J_PAD, J_PGNO, J_IMAGE, J_CKSUM, J_OTHER };

static const char *const jbyte_name[] = {
	"header field", "header padding", "page number", "page image",
	"checksum", "other"
};

/* Walks the headers as SQLite does: one at 0, then one at the next sector
 * boundary after each header's records. A header SQLite has not finished
 * (magic still zero, no record count) ends the walk. */
static void classify_journal(const uint8_t *j, size_t n, enum jbyte *cls,
			     int *records)
{
	size_t off = 0;

	*records = 0;
	for (size_t i = 0; i < n; i++)
		cls[i] = J_OTHER;
	while (off + JHDR <= n) {
		uint32_t nrec = be32(j + off + 8);

		for (size_t i = off; i < off + JHDR; i++)
			cls[i] = i < off + 28 ? J_HEADER : J_PAD;
		if (memcmp(j + off, journal_magic, 8) != 0)
			break;
		off += JHDR;
		for (uint32_t r = 0; r < nrec && off + JREC <= n; r++, off += JREC) {
			for (size_t i = 0; i < JREC; i++)
				cls[off + i] = i < 4 ? J_PGNO : i < 4 + PAGE ? J_IMAGE : J_CKSUM;
			(*records)++;
		}
		off = (off + JHDR - 1) / JHDR * JHDR;
	}
}

static void hot_journal_rolls_back(bool kill9)
{
	struct tu_files f;
	uint8_t ref[32], got[32];

	tu_files_init(&f, kill9 ? "hotkill" : "hotexit");
	tu_make_db(f.db, 20, 300);
	tu_good_digest(f.db, ref);
	tu_make_hot_journal(f.db, kill9);
	tu_good_digest(f.db, got);
	assert_memory_equal(got, ref, 32);
	assert_false(tu_exists(f.journal));
	tu_rmdir(f.dir);
}

static void hot_journal_exit(void **state)
{
	(void)state;
	hot_journal_rolls_back(false);
}

static void hot_journal_sigkill(void **state)
{
	(void)state;
	hot_journal_rolls_back(true);
}

/* One flipped byte in a journal page image: authentication error, the
 * database untouched, the journal kept; restored, it rolls back. */
static void hot_journal_image_flip(void **state)
{
	struct tu_files f;
	struct nl_err err = { 0 };
	struct store *s;
	uint8_t ref[32], got[32], dbh[32], dbh2[32], jh[32], jh2[32];
	uint8_t *j;
	size_t jlen;
	uint32_t pgno;

	(void)state;
	tu_files_init(&f, "hotflip");
	tu_make_db(f.db, 20, 300);
	tu_good_digest(f.db, ref);
	tu_make_hot_journal(f.db, true);
	j = tu_read(f.journal, &jlen);
	assert_true(jlen >= JHDR + JREC);
	assert_memory_equal(j, journal_magic, 8);
	assert_true(be32(j + 8) >= 1);
	pgno = be32(j + JHDR);
	free(j);

	tu_flip(f.journal, JHDR + 4 + 1000, 5);
	tu_hash(f.db, dbh);
	tu_hash(f.journal, jh);
	assert_int_equal(tu_open_check(f.db, &s, &err), NL_EAUTH);
	assert_null(s);
	if (!tu_names_page(&err, "journal", pgno))
		fail_msg("message does not name journal page %u: %s", pgno, err.msg);
	tu_hash(f.db, dbh2);
	tu_hash(f.journal, jh2);
	assert_memory_equal(dbh, dbh2, 32);
	assert_memory_equal(jh, jh2, 32);

	tu_flip(f.journal, JHDR + 4 + 1000, 5);
	tu_good_digest(f.db, got);
	assert_memory_equal(got, ref, 32);
	assert_false(tu_exists(f.journal));
	tu_rmdir(f.dir);
}

/* Every byte of a hot journal, one bit each: a flip in a page image or a
 * page number fails as NL_EAUTH with the journal kept; one in a header
 * field or a checksum is refused too (the shim checks what SQLite would
 * otherwise take as "the rollback ends here") or changes nothing; padding
 * changes nothing. Never an open that succeeds with other records.
 * (Not covered by single-bit flips, and not detectable without a MAC over
 * the header: a record count or original database size made smaller.
 * Both are like truncating the journal, which design section 5 lists as
 * undetected.) */
static void hot_journal_every_byte(void **state)
{
	struct tu_files f;
	struct nl_err err;
	struct store *s;
	uint8_t ref[32], got[32], dbh[32], jh[32], now[32];
	uint8_t *db, *j;
	size_t dblen, jlen, first_end = JHDR + JREC;
	int recovered = 0;
	size_t stride = tu_stride();
	enum jbyte *cls;
	int records, counts[6][3] = { { 0 } }; /* [class][error, same, different] */
	double t0 = tu_now();

	(void)state;
	tu_files_init(&f, "hotall");
	tu_make_db(f.db, 20, 300);
	tu_good_digest(f.db, ref);
	tu_make_hot_journal(f.db, false);
	db = tu_read(f.db, &dblen);
	j = tu_read(f.journal, &jlen);
	tu_hash(f.db, dbh);
	cls = calloc(jlen, sizeof(*cls));
	assert_non_null(cls);
	classify_journal(j, jlen, cls, &records);
	assert_true(records >= 2);

	for (size_t i = 0; i < jlen; i += stride) {
		int bit = (int)(i % 8), rc, outcome;

		tu_write(f.db, db, dblen);
		tu_write(f.journal, j, jlen);
		tu_flip(f.journal, i, bit);
		tu_hash(f.journal, jh);
		memset(&err, 0, sizeof(err));
		rc = tu_open_check(f.db, &s, &err);
		if (rc == NL_OK) {
			tu_digest(s, got);
			store_close(s);
			outcome = memcmp(got, ref, 32) == 0 ? 1 : 2;
		} else {
			outcome = 0;
		}
		counts[cls[i]][outcome]++;
		switch (cls[i]) {
		case J_IMAGE:
		case J_PGNO:
			if (rc != NL_EAUTH)
				fail_msg("journal byte %zu (%s): status %d, not NL_EAUTH (%s)",
					 i, jbyte_name[cls[i]], rc, err.msg);
			/* The journal is kept as it is. */
			tu_hash(f.journal, now);
			if (memcmp(now, jh, 32) != 0)
				fail_msg("journal byte %zu: the journal was changed or deleted", i);
			/* Records before the bad one may already be rolled
			 * back; before the first, nothing was written. */
			tu_hash(f.db, now);
			if (i < first_end && memcmp(now, dbh, 32) != 0)
				fail_msg("journal byte %zu: the database was changed", i);
			/* Whatever was written, the kept journal still
			 * completes the rollback once repaired. */
			if (cls[i] == J_PGNO || i % 61 == 0) {
				tu_flip(f.journal, i, bit);
				tu_good_digest(f.db, got);
				assert_memory_equal(got, ref, 32);
				recovered++;
			}
			break;
		case J_PAD:
		case J_OTHER:
			if (outcome != 1)
				fail_msg("journal byte %zu (%s): status %d, %s", i,
					 jbyte_name[cls[i]], rc,
					 outcome ? "different records" : err.msg);
			break;
		default:
			/* Header fields and checksums: refused, or harmless. */
			if (outcome == 2 || (rc != NL_OK && rc != NL_EAUTH))
				fail_msg("journal byte %zu (%s): status %d, %s", i,
					 jbyte_name[cls[i]], rc,
					 outcome ? "different records" : err.msg);
			if (rc == NL_OK)
				break;
			/* Refused. Where the journal was kept, repairing it
			 * completes the rollback. (A larger original size is
			 * played back, and store_check then finds the pages
			 * that never were.) */
			tu_hash(f.journal, now);
			if (memcmp(now, jh, 32) != 0)
				break;
			tu_flip(f.journal, i, bit);
			tu_good_digest(f.db, got);
			assert_memory_equal(got, ref, 32);
			recovered++;
		}
	}
	print_message("hot journal: %zu bytes, %d records, one bit each, %.1f s "
		      "(errors / same records / different records); %d repaired "
		      "and rolled back:\n", jlen, records, tu_now() - t0, recovered);
	for (int c = 0; c < 6; c++)
		if (counts[c][0] + counts[c][1] + counts[c][2])
			print_message("  %-15s %5d / %5d / %5d\n", jbyte_name[c],
				      counts[c][0], counts[c][1], counts[c][2]);
	/* No flip anywhere gave other records; every image byte was caught. */
	for (int c = 0; c < 6; c++)
		assert_int_equal(counts[c][2], 0);
	assert_int_equal(counts[J_IMAGE][1] + counts[J_IMAGE][2], 0);
	assert_int_equal(counts[J_PGNO][1] + counts[J_PGNO][2], 0);
	if (stride == 1)
		assert_int_equal(counts[J_IMAGE][0], records * PAGE);
	free(cls);
	free(db);
	free(j);
	tu_rmdir(f.dir);
}

/* The journal checks must not refuse what SQLite itself writes: a live
 * transaction that spills into several journal segments, rolls back to
 * savepoints and as a whole, then commits. */
static void live_rollbacks_spilled(void **state)
{
	struct tu_files f;
	struct store *s;
	struct nl_err err = { 0 };
	uint8_t ref[32], got[32];

	(void)state;
	tu_files_init(&f, "live");
	tu_make_db(f.db, 60, 300);
	tu_good_digest(f.db, ref);
	assert_int_equal(tu_open_check(f.db, &s, &err), NL_OK);
	tu_exec(s, "PRAGMA cache_size=2; BEGIN;"
		   "UPDATE t SET v = zeroblob(300) WHERE id <= 20; SAVEPOINT a;"
		   "UPDATE t SET v = randomblob(300) WHERE id > 20; SAVEPOINT b;"
		   "DELETE FROM t WHERE id % 3 = 0; ROLLBACK TO b;"
		   "UPDATE t SET v = x'00' WHERE id % 7 = 0; ROLLBACK TO a;"
		   "RELEASE a; ROLLBACK");
	tu_digest(s, got);
	assert_memory_equal(ref, got, 32);
	/* A plain ROLLBACK reads the first header back: a checked one. */
	tu_exec(s, "BEGIN; UPDATE t SET v = randomblob(300) WHERE id % 2 = 0;"
		   "UPDATE t SET v = zeroblob(300) WHERE id % 2 = 1; ROLLBACK");
	tu_digest(s, got);
	assert_memory_equal(ref, got, 32);
	tu_exec(s, "BEGIN; UPDATE t SET v = zeroblob(300); SAVEPOINT c;"
		   "DELETE FROM t WHERE id > 30; ROLLBACK TO c; RELEASE c; COMMIT");
	assert_int_equal(tu_int(store_db(s), "SELECT count(*) FROM t WHERE v = zeroblob(300)"), 60);
	assert_int_equal(store_check(s, NULL, NULL, &err), NL_OK);
	store_close(s);
	assert_false(tu_exists(f.journal));
	tu_rmdir(f.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hot_journal_exit),
		cmocka_unit_test(hot_journal_sigkill),
		cmocka_unit_test(hot_journal_image_flip),
		cmocka_unit_test(live_rollbacks_spilled),
		cmocka_unit_test(hot_journal_every_byte),
	};

	tu_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
