/* The encrypting VFS shim. Design: docs/file-format.md, and the SQLite
 * source facts it rests on in the design note (storage-encryption.md).
 *
 * Main database: logical offset L is stored at physical L + 4096, behind
 * the container header; every page is sealed whole. Rollback journal: the
 * 4096-byte page images are sealed, the rest is plaintext structure.
 * Anything else (WAL, temp files) is refused, so a mistake fails loudly
 * instead of leaking plaintext. */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "needlelog/crypt.h"
#include "header.h"
#include "readahead.h"
#include "vfs.h"

#define LOCK_BYTE_PAGE ((uint32_t)(0x40000000 / NL_PAGE_SIZE) + 1)
#define MAX_KEYS 64
/* Longest plaintext structure write to a journal: headers are one 512-byte
 * sector (we report POWERSAFE_OVERWRITE); super-journal names are paths. */
#define JOURNAL_STRUCT_MAX 1024
/* Bytes 24..39 of page 1: change counter, page count, freelist head and
 * count. The pager reads just these at the start of every transaction. */
#define VERS_OFF 24
#define VERS_LEN 16

#define IOCAP_CLEARED (SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_ATOMIC512 | \
	SQLITE_IOCAP_ATOMIC1K | SQLITE_IOCAP_ATOMIC2K | SQLITE_IOCAP_ATOMIC4K | \
	SQLITE_IOCAP_ATOMIC8K | SQLITE_IOCAP_ATOMIC16K | SQLITE_IOCAP_ATOMIC32K | \
	SQLITE_IOCAP_ATOMIC64K | SQLITE_IOCAP_BATCH_ATOMIC | SQLITE_IOCAP_SAFE_APPEND)

struct vfs_key {
	int handle; /* 0 when the entry is free */
	uint8_t *dek;
	uint8_t file_id[NL_FILE_ID_BYTES];
	struct crypt_nonces nonces;
	uint32_t bad_page;
	int bad_kind;
};

struct nl_file {
	sqlite3_file base; /* first: SQLite sees this */
	struct vfs_key *key;
	int kind; /* CRYPT_KIND_DB, CRYPT_KIND_JOURNAL, 0: pass through */
	int readonly; /* the lower file was opened read-only: never written */
	sqlite3_int64 last4_off;
	uint32_t last4_val;
	int have_last4;
	uint8_t scratch[NL_PAGE_SIZE];
	/* Page 1 exactly as last sealed or authenticated through this handle
	 * (ciphertext), and its plaintext bytes 24..39. While the file still
	 * holds those very bytes, the pager's per-transaction change check is
	 * answered by comparing ciphertext instead of decrypting page 1: the
	 * answer is what decrypting would give. */
	int p1_known;
	uint8_t p1_vers[VERS_LEN];
	uint8_t p1_sealed[NL_PAGE_SIZE];
	/* Journal playback: where the next header must be checked, and the
	 * records [seg_start, seg_end) of the last checked one, whose
	 * checksums are verified (see journal_header). */
	sqlite3_int64 seg_next, seg_start, seg_end;
	uint32_t cksum_init;
	int ck_pending;
	sqlite3_int64 ck_off;
	uint32_t ck_val, ck_pgno;
	/* Main database: the lock level held, and decrypt-ahead for scans
	 * (readahead.h) with the file's page count while it is valid. */
	int lock;
	struct readahead *ra;
	uint32_t ra_last;
};

/* The lower VFS's file object lives right after ours. */
#define LOWER(f) ((sqlite3_file *)&((struct nl_file *)(f))[1])

static struct vfs_key keys[MAX_KEYS];
static int next_handle = 1;
static pthread_mutex_t keys_lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite3_vfs *lower_vfs;
static sqlite3_vfs nl_vfs;
static const sqlite3_io_methods nl_io;

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* ---- Keys ---- */

int vfs_key_add(const uint8_t *dek, const uint8_t *file_id)
{
	int handle = -1;

	pthread_mutex_lock(&keys_lock);
	for (int i = 0; i < MAX_KEYS; i++) {
		if (keys[i].handle != 0)
			continue;
		keys[i].dek = crypt_secure_alloc(NL_KEY_BYTES);
		if (!keys[i].dek)
			break;
		memcpy(keys[i].dek, dek, NL_KEY_BYTES);
		sodium_mprotect_readonly(keys[i].dek);
		memcpy(keys[i].file_id, file_id, NL_FILE_ID_BYTES);
		crypt_nonces_seed(&keys[i].nonces);
		keys[i].bad_page = 0;
		keys[i].handle = handle = next_handle++;
		break;
	}
	pthread_mutex_unlock(&keys_lock);
	return handle;
}

static struct vfs_key *key_find(int handle)
{
	struct vfs_key *k = NULL;

	pthread_mutex_lock(&keys_lock);
	for (int i = 0; i < MAX_KEYS && handle > 0; i++)
		if (keys[i].handle == handle)
			k = &keys[i];
	pthread_mutex_unlock(&keys_lock);
	return k;
}

void vfs_key_remove(int handle)
{
	struct vfs_key *k = key_find(handle);

	if (!k)
		return;
	pthread_mutex_lock(&keys_lock);
	crypt_secure_free(k->dek);
	memset(k, 0, sizeof(*k));
	pthread_mutex_unlock(&keys_lock);
}

const uint8_t *vfs_key_dek(int handle)
{
	struct vfs_key *k = key_find(handle);

	return k ? k->dek : NULL;
}

const uint8_t *vfs_key_file_id(int handle)
{
	struct vfs_key *k = key_find(handle);

	return k ? k->file_id : NULL;
}

uint32_t vfs_key_bad_page(int handle, int *kind)
{
	struct vfs_key *k = key_find(handle);

	if (!k)
		return 0;
	if (kind)
		*kind = k->bad_kind;
	return k->bad_page;
}

static struct vfs_key *key_from_uri(sqlite3_filename name)
{
	const char *v = sqlite3_uri_parameter(name, "nlkey");
	char *end;
	long h;

	if (!v)
		return NULL;
	h = strtol(v, &end, 10);
	if (*end || h <= 0 || h > INT_MAX)
		return NULL;
	return key_find((int)h);
}

/* ---- Pages ---- */

static int note_bad(struct nl_file *f, uint32_t pgno, int kind)
{
	f->key->bad_page = pgno;
	f->key->bad_kind = kind;
	sqlite3_log(SQLITE_IOERR_DATA,
		    "needlelog: %s page %u failed authentication",
		    kind == CRYPT_KIND_DB ? "database" : "journal", pgno);
	return SQLITE_IOERR_DATA;
}

/* Reads one sealed page at a physical offset. SHORT_READ (buffer zeroed)
 * when nothing is there; IOERR_DATA when only part of a page is. */
static int read_sealed(struct nl_file *f, uint8_t *buf, sqlite3_int64 phys)
{
	sqlite3_file *low = LOWER(f);
	sqlite3_int64 size = 0;
	int rc = low->pMethods->xRead(low, buf, NL_PAGE_SIZE, phys);

	if (rc != SQLITE_IOERR_SHORT_READ)
		return rc;
	memset(buf, 0, NL_PAGE_SIZE);
	rc = low->pMethods->xFileSize(low, &size);
	if (rc != SQLITE_OK)
		return rc;
	return size <= phys ? SQLITE_IOERR_SHORT_READ : SQLITE_IOERR_DATA;
}

static int open_sealed(struct nl_file *f, uint8_t *buf, sqlite3_int64 phys,
		       uint32_t pgno, int kind)
{
	int page1 = kind == CRYPT_KIND_DB && pgno == 1;
	int rc = read_sealed(f, buf, phys);

	if (page1)
		f->p1_known = 0;
	if (rc == SQLITE_IOERR_DATA)
		return note_bad(f, pgno, kind);
	if (rc != SQLITE_OK)
		return rc;
	if (page1)
		memcpy(f->p1_sealed, buf, NL_PAGE_SIZE);
	if (crypt_page_open(f->key->dek, f->key->file_id, kind, pgno, buf) != 0)
		return note_bad(f, pgno, kind);
	if (page1) {
		memcpy(f->p1_vers, buf + VERS_OFF, VERS_LEN);
		f->p1_known = 1;
	}
	return SQLITE_OK;
}

/* The change check, without decrypting: when page 1 on disk is byte for
 * byte the sealed page this handle last wrote or authenticated, its bytes
 * 24..39 are the ones remembered. Anything else (a change by another
 * connection, a torn or tampered page, a read error) takes the full path,
 * which authenticates and reports. */
static int db_read_vers(struct nl_file *f, uint8_t *out)
{
	sqlite3_file *low = LOWER(f);

	if (!f->p1_known ||
	    low->pMethods->xRead(low, f->scratch, NL_PAGE_SIZE, HDR_SIZE) != SQLITE_OK ||
	    memcmp(f->scratch, f->p1_sealed, NL_PAGE_SIZE) != 0)
		return 0;
	memcpy(out, f->p1_vers, VERS_LEN);
	return 1;
}

/* Database page pgno is at physical pgno * 4096: (pgno - 1) pages after
 * the 4096-byte header. */
static int db_read_page(struct nl_file *f, uint8_t *buf, uint32_t pgno)
{
	return open_sealed(f, buf, (sqlite3_int64)pgno * NL_PAGE_SIZE, pgno,
			   CRYPT_KIND_DB);
}

/* A read that is not one aligned page: each touched page is read whole,
 * authenticated and decrypted into scratch, and the slice copied out. */
static int db_read_slice(struct nl_file *f, uint8_t *out, int amt,
			 sqlite3_int64 off)
{
	int rc = SQLITE_OK;

	while (amt > 0) {
		uint32_t pgno = (uint32_t)(off / NL_PAGE_SIZE) + 1;
		int in = (int)(off % NL_PAGE_SIZE);
		int n = amt < NL_PAGE_SIZE - in ? amt : NL_PAGE_SIZE - in;

		rc = db_read_page(f, f->scratch, pgno);
		if (rc != SQLITE_OK)
			break;
		memcpy(out, f->scratch + in, (size_t)n);
		out += n;
		off += n;
		amt -= n;
	}
	sodium_memzero(f->scratch, sizeof(f->scratch));
	if (amt > 0)
		memset(out, 0, (size_t)amt);
	return rc;
}

/* Forgets what was read ahead: the file may change from here on. */
static void ra_forget(struct nl_file *f)
{
	ra_drop(f->ra);
	f->ra_last = 0;
}

/* After page pgno was served under a SHARED lock or more: while the reads
 * are in order, the next windows' ciphertext is read for the worker. */
static void read_ahead(struct nl_file *f, uint32_t pgno, int hit)
{
	sqlite3_file *low = LOWER(f);
	uint32_t first;
	uint8_t *buf;
	int n;

	if (!ra_sequential(f->ra, pgno, hit))
		return;
	if (f->ra_last == 0) {
		sqlite3_int64 size;

		if (low->pMethods->xFileSize(low, &size) != SQLITE_OK ||
		    size < 2 * HDR_SIZE)
			return;
		f->ra_last = (uint32_t)((size - HDR_SIZE) / NL_PAGE_SIZE);
	}
	while ((buf = ra_plan(f->ra, pgno, f->ra_last, &first, &n))) {
		int rc = low->pMethods->xRead(low, buf, n * NL_PAGE_SIZE,
					      (sqlite3_int64)first * NL_PAGE_SIZE);

		ra_filled(f->ra, buf, rc == SQLITE_OK);
		if (rc != SQLITE_OK)
			break;
	}
}

/* A whole page: from a window if it is there, else read and opened. */
static int db_read_whole(struct nl_file *f, uint8_t *buf, uint32_t pgno)
{
	int locked = f->ra && f->lock >= SQLITE_LOCK_SHARED;
	int hit = locked && ra_take(f->ra, pgno, buf);
	int rc = hit ? SQLITE_OK : db_read_page(f, buf, pgno);

	if (rc == SQLITE_OK && locked && pgno > 1)
		read_ahead(f, pgno, hit);
	return rc;
}

static int db_read(struct nl_file *f, uint8_t *buf, int amt, sqlite3_int64 off)
{
	int rc;

	if (amt == NL_PAGE_SIZE && off % NL_PAGE_SIZE == 0)
		return db_read_whole(f, buf, (uint32_t)(off / NL_PAGE_SIZE) + 1);
	if (off == VERS_OFF && amt == VERS_LEN && db_read_vers(f, buf))
		return SQLITE_OK;
	rc = db_read_slice(f, buf, amt, off);
	/* SQLite reads these 100 bytes at open, with no lock and before any
	 * hot journal is rolled back. A page 1 torn by a power loss must not
	 * fail the open: the journal restores it, and page 1 is read again,
	 * whole and under a lock, where a real fault is reported. */
	if (rc == SQLITE_IOERR_DATA && off == 0 && amt == 100)
		return SQLITE_IOERR_SHORT_READ;
	return rc;
}

static int db_write(struct nl_file *f, const uint8_t *buf, int amt,
		    sqlite3_int64 off)
{
	sqlite3_file *low = LOWER(f);
	uint32_t pgno = (uint32_t)(off / NL_PAGE_SIZE) + 1;
	int rc;

	ra_forget(f);
	if (f->readonly)
		return SQLITE_READONLY;
	if (amt != NL_PAGE_SIZE || off % NL_PAGE_SIZE != 0) {
		sqlite3_log(SQLITE_IOERR_WRITE,
			    "needlelog: refused a %d-byte database write at %lld",
			    amt, (long long)off);
		return SQLITE_IOERR_WRITE;
	}
	/* Page 1 must say 4096-byte pages with 40 reserved bytes, or SQLite
	 * would keep data where the nonce and tag go. */
	if (pgno == 1 && (buf[16] != 0x10 || buf[17] != 0 || buf[20] != NL_RESERVE)) {
		sqlite3_log(SQLITE_IOERR_WRITE,
			    "needlelog: refused page 1 without page size 4096 and reserve 40");
		return SQLITE_IOERR_WRITE;
	}
	crypt_page_seal(f->key->dek, f->key->file_id, &f->key->nonces,
			CRYPT_KIND_DB, pgno, buf, f->scratch);
	if (pgno != 1)
		return low->pMethods->xWrite(low, f->scratch, NL_PAGE_SIZE,
					     off + HDR_SIZE);
	f->p1_known = 0;
	rc = low->pMethods->xWrite(low, f->scratch, NL_PAGE_SIZE, off + HDR_SIZE);
	if (rc == SQLITE_OK) {
		memcpy(f->p1_sealed, f->scratch, NL_PAGE_SIZE);
		memcpy(f->p1_vers, buf + VERS_OFF, VERS_LEN);
		f->p1_known = 1;
	}
	return rc;
}

/* The page number of the journal record whose image starts at off: the
 * 4-byte big-endian number just before it. */
static int journal_pgno(struct nl_file *f, sqlite3_int64 off, uint32_t *pgno)
{
	sqlite3_file *low = LOWER(f);
	uint8_t b[4];

	if (off < 4)
		return SQLITE_IOERR_DATA;
	if (f->have_last4 && f->last4_off == off - 4) {
		*pgno = f->last4_val;
	} else {
		int rc = low->pMethods->xRead(low, b, 4, off - 4);

		if (rc != SQLITE_OK)
			return rc;
		*pgno = get32(b);
	}
	if (*pgno < 1 || *pgno == LOCK_BYTE_PAGE)
		return SQLITE_IOERR_DATA;
	return SQLITE_OK;
}

/* The journal's plaintext structure decides how much SQLite rolls back: a
 * header with a bad magic, or a record whose checksum does not match, ends
 * the playback early and silently (pager.c, readJournalHdr and
 * pager_playback_one_page), leaving uncommitted pages in the database. A
 * power loss cannot produce either under a header SQLite reaches through
 * synced records: with synchronous FULL or EXTRA a header's record count
 * is written only after its records are synced, and before any database
 * page is touched. So the shim checks exactly those headers (the first,
 * and each one right after a checked one's records) when their count is
 * non-zero, and the checksums of their records: a mismatch is tampering
 * or damage, reported as a failed authentication. An unsynced header says
 * 0 records and is left to SQLite. */
#define JOURNAL_HDR 512 /* one sector: we report POWERSAFE_OVERWRITE */
#define JOURNAL_REC (4 + NL_PAGE_SIZE + 4)

static const uint8_t journal_magic[8] = {
	0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7
};

static int journal_header(struct nl_file *f, sqlite3_int64 off)
{
	sqlite3_file *low = LOWER(f);
	int expected = off == f->seg_next;
	uint8_t h[28];
	uint32_t nrec;
	int rc = low->pMethods->xRead(low, h, sizeof(h), off);

	f->seg_next = -1;
	f->seg_start = f->seg_end = 0;
	if (rc == SQLITE_IOERR_SHORT_READ)
		return SQLITE_OK; /* no whole header: SQLite stops there */
	if (rc != SQLITE_OK)
		return rc;
	nrec = get32(h + 8);
	if (!expected || nrec == 0 || nrec == 0xffffffff)
		return SQLITE_OK;
	if (memcmp(h, journal_magic, sizeof(journal_magic)) != 0 ||
	    get32(h + 20) != JOURNAL_HDR || get32(h + 24) != NL_PAGE_SIZE)
		return note_bad(f, 0, CRYPT_KIND_JOURNAL);
	f->cksum_init = get32(h + 12);
	f->seg_start = off + JOURNAL_HDR;
	f->seg_end = f->seg_start + (sqlite3_int64)nrec * JOURNAL_REC;
	f->seg_next = (f->seg_end + JOURNAL_HDR - 1) / JOURNAL_HDR * JOURNAL_HDR;
	return SQLITE_OK;
}

/* After an image at off is authenticated: the checksum SQLite will read
 * next, if the record lies in a checked header's range (pager_cksum). */
static void journal_expect_cksum(struct nl_file *f, const uint8_t *page,
				 sqlite3_int64 off, uint32_t pgno)
{
	sqlite3_int64 rec = off - 4;
	uint32_t ck = f->cksum_init;

	f->ck_pending = 0;
	if (rec < f->seg_start || rec + JOURNAL_REC > f->seg_end ||
	    (rec - f->seg_start) % JOURNAL_REC != 0)
		return;
	for (int i = NL_PAGE_SIZE - 200; i > 0; i -= 200)
		ck += page[i];
	f->ck_pending = 1;
	f->ck_off = off + NL_PAGE_SIZE;
	f->ck_val = ck;
	f->ck_pgno = pgno;
}

static int journal_write(struct nl_file *f, const uint8_t *buf, int amt,
			 sqlite3_int64 off)
{
	sqlite3_file *low = LOWER(f);
	uint32_t pgno;

	f->seg_next = 0;
	f->seg_start = f->seg_end = 0;
	f->ck_pending = 0;
	if (amt == 4) {
		f->last4_off = off;
		f->last4_val = get32(buf);
		f->have_last4 = 1;
	} else if (amt == NL_PAGE_SIZE) {
		if (journal_pgno(f, off, &pgno) != SQLITE_OK) {
			sqlite3_log(SQLITE_IOERR_WRITE,
				    "needlelog: refused a journal page with no page number at %lld",
				    (long long)off);
			return SQLITE_IOERR_WRITE;
		}
		crypt_page_seal(f->key->dek, f->key->file_id, &f->key->nonces,
				CRYPT_KIND_JOURNAL, pgno, buf, f->scratch);
		buf = f->scratch;
	} else if (amt > JOURNAL_STRUCT_MAX) {
		sqlite3_log(SQLITE_IOERR_WRITE,
			    "needlelog: refused a %d-byte journal write", amt);
		return SQLITE_IOERR_WRITE;
	}
	return low->pMethods->xWrite(low, buf, amt, off);
}

static int journal_read(struct nl_file *f, uint8_t *buf, int amt,
			sqlite3_int64 off)
{
	sqlite3_file *low = LOWER(f);
	uint32_t pgno;
	int rc;

	if (amt == 8 && off % JOURNAL_HDR == 0) {
		rc = journal_header(f, off);
		if (rc != SQLITE_OK)
			return rc;
	}
	if (amt == 4 && f->ck_pending && off == f->ck_off) {
		f->ck_pending = 0;
		rc = low->pMethods->xRead(low, buf, amt, off);
		if (rc == SQLITE_OK && get32(buf) != f->ck_val)
			return note_bad(f, f->ck_pgno, CRYPT_KIND_JOURNAL);
		return rc;
	}
	if (amt != NL_PAGE_SIZE)
		return low->pMethods->xRead(low, buf, amt, off);
	rc = journal_pgno(f, off, &pgno);
	if (rc == SQLITE_IOERR_DATA)
		return note_bad(f, 0, CRYPT_KIND_JOURNAL);
	if (rc != SQLITE_OK)
		return rc;
	rc = open_sealed(f, buf, off, pgno, CRYPT_KIND_JOURNAL);
	if (rc == SQLITE_OK)
		journal_expect_cksum(f, buf, off, pgno);
	return rc;
}

/* ---- io_methods ---- */

static int nl_close(sqlite3_file *file)
{
	struct nl_file *f = (struct nl_file *)file;
	sqlite3_file *low = LOWER(f);
	int rc;

	ra_free(f->ra);
	f->ra = NULL;
	rc = low->pMethods->xClose(low);
	sodium_memzero(f->scratch, sizeof(f->scratch));
	sodium_memzero(f->p1_vers, sizeof(f->p1_vers));
	f->p1_known = 0;
	return rc;
}

static int nl_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
	struct nl_file *f = (struct nl_file *)file;
	sqlite3_file *low = LOWER(f);

	if (f->kind == CRYPT_KIND_DB)
		return db_read(f, buf, amt, off);
	if (f->kind == CRYPT_KIND_JOURNAL)
		return journal_read(f, buf, amt, off);
	return low->pMethods->xRead(low, buf, amt, off);
}

static int nl_write(sqlite3_file *file, const void *buf, int amt,
		    sqlite3_int64 off)
{
	struct nl_file *f = (struct nl_file *)file;
	sqlite3_file *low = LOWER(f);

	if (f->kind == CRYPT_KIND_DB)
		return db_write(f, buf, amt, off);
	if (f->kind == CRYPT_KIND_JOURNAL)
		return journal_write(f, buf, amt, off);
	return low->pMethods->xWrite(low, buf, amt, off);
}

static int nl_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct nl_file *f = (struct nl_file *)file;
	sqlite3_file *low = LOWER(f);

	if (f->kind == CRYPT_KIND_DB) {
		if (size % NL_PAGE_SIZE != 0)
			return SQLITE_IOERR_TRUNCATE;
		size += HDR_SIZE;
		f->p1_known = 0;
		ra_forget(f);
	}
	return low->pMethods->xTruncate(low, size);
}

static int nl_sync(sqlite3_file *file, int flags)
{
	sqlite3_file *low = LOWER(file);

	return low->pMethods->xSync(low, flags);
}

static int nl_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct nl_file *f = (struct nl_file *)file;
	sqlite3_file *low = LOWER(f);
	int rc = low->pMethods->xFileSize(low, size);

	if (rc == SQLITE_OK && f->kind == CRYPT_KIND_DB)
		*size = *size > HDR_SIZE ? *size - HDR_SIZE : 0;
	return rc;
}

static int nl_lock(sqlite3_file *file, int level)
{
	struct nl_file *f = (struct nl_file *)file;
	sqlite3_file *low = LOWER(f);
	int rc = low->pMethods->xLock(low, level);

	if (rc == SQLITE_OK && level > f->lock)
		f->lock = level;
	return rc;
}

/* Below SHARED, another connection may write: what was read ahead goes. */
static int nl_unlock(sqlite3_file *file, int level)
{
	struct nl_file *f = (struct nl_file *)file;
	sqlite3_file *low = LOWER(f);

	if (level < SQLITE_LOCK_SHARED)
		ra_forget(f);
	if (level < f->lock)
		f->lock = level;
	return low->pMethods->xUnlock(low, level);
}

static int nl_check_reserved(sqlite3_file *file, int *out)
{
	sqlite3_file *low = LOWER(file);

	return low->pMethods->xCheckReservedLock(low, out);
}

static int nl_file_control(sqlite3_file *file, int op, void *arg)
{
	struct nl_file *f = (struct nl_file *)file;
	sqlite3_file *low = LOWER(f);

	switch (op) {
	case SQLITE_FCNTL_SIZE_HINT:
		if (f->kind == CRYPT_KIND_DB) {
			sqlite3_int64 hint = *(sqlite3_int64 *)arg + HDR_SIZE;

			return low->pMethods->xFileControl(low, op, &hint);
		}
		break;
	case SQLITE_FCNTL_MMAP_SIZE:
		/* Pages in a mapping would be ciphertext: never map. */
		*(sqlite3_int64 *)arg = 0;
		return SQLITE_OK;
	}
	return low->pMethods->xFileControl(low, op, arg);
}

static int nl_sector_size(sqlite3_file *file)
{
	sqlite3_file *low = LOWER(file);

	return low->pMethods->xSectorSize(low);
}

/* With POWERSAFE_OVERWRITE the pager uses 512-byte sectors, so journal
 * headers are 512 bytes and only page images are 4096 bytes long. No
 * atomic-write claims: a sealed page is not written in place atomically. */
static int nl_device_characteristics(sqlite3_file *file)
{
	sqlite3_file *low = LOWER(file);
	int dc = low->pMethods->xDeviceCharacteristics(low);

	return (dc & ~IOCAP_CLEARED) | SQLITE_IOCAP_POWERSAFE_OVERWRITE;
}

static const sqlite3_io_methods nl_io = {
	.iVersion = 1, /* no xShmMap: no WAL; no xFetch: no mmap */
	.xClose = nl_close,
	.xRead = nl_read,
	.xWrite = nl_write,
	.xTruncate = nl_truncate,
	.xSync = nl_sync,
	.xFileSize = nl_file_size,
	.xLock = nl_lock,
	.xUnlock = nl_unlock,
	.xCheckReservedLock = nl_check_reserved,
	.xFileControl = nl_file_control,
	.xSectorSize = nl_sector_size,
	.xDeviceCharacteristics = nl_device_characteristics,
};

/* ---- The VFS ---- */

static const char *type_name(int type)
{
	switch (type) {
	case SQLITE_OPEN_TEMP_DB: return "temporary database";
	case SQLITE_OPEN_TEMP_JOURNAL: return "temporary journal";
	case SQLITE_OPEN_TRANSIENT_DB: return "transient database";
	case SQLITE_OPEN_SUBJOURNAL: return "statement journal";
	case SQLITE_OPEN_WAL: return "write-ahead log";
	default: return "unknown";
	}
}

static int refuse(const char *why, const char *name)
{
	sqlite3_log(SQLITE_CANTOPEN, "needlelog: refused to open %s %s", why,
		    name ? name : "(anonymous)");
	return SQLITE_CANTOPEN;
}

/* A main database must carry a key handle and our header, for this key. */
static int check_main(struct nl_file *f, const char *name)
{
	sqlite3_file *low = LOWER(f);
	uint8_t hdr[HDR_SIZE], fid[NL_FILE_ID_BYTES];
	int rc = low->pMethods->xRead(low, hdr, HDR_SIZE, 0);

	if (rc == SQLITE_OK && header_check_fixed(hdr, fid) == NL_OK &&
	    sodium_memcmp(fid, f->key->file_id, sizeof(fid)) == 0)
		return SQLITE_OK;
	return refuse("a database without a matching needlelog header:", name);
}

static int nl_open(sqlite3_vfs *vfs, sqlite3_filename name,
		   sqlite3_file *file, int flags, int *out_flags)
{
	struct nl_file *f = (struct nl_file *)file;
	int type = flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_TEMP_DB |
			    SQLITE_OPEN_TRANSIENT_DB | SQLITE_OPEN_MAIN_JOURNAL |
			    SQLITE_OPEN_TEMP_JOURNAL | SQLITE_OPEN_SUBJOURNAL |
			    SQLITE_OPEN_SUPER_JOURNAL | SQLITE_OPEN_WAL);
	sqlite3_file *main_file;
	int rc, got = 0;

	(void)vfs;
	memset(f, 0, sizeof(*f));
	if (!name)
		return refuse("an anonymous temporary file", NULL);
	switch (type) {
	case SQLITE_OPEN_MAIN_DB:
		f->key = key_from_uri(name);
		if (!f->key)
			return refuse("a database without a key:", name);
		f->kind = CRYPT_KIND_DB;
		break;
	case SQLITE_OPEN_MAIN_JOURNAL:
		main_file = sqlite3_database_file_object(name);
		if (!main_file || main_file->pMethods != &nl_io ||
		    ((struct nl_file *)main_file)->kind != CRYPT_KIND_DB)
			return refuse("a journal of a database not ours:", name);
		f->key = ((struct nl_file *)main_file)->key;
		f->kind = CRYPT_KIND_JOURNAL;
		break;
	case SQLITE_OPEN_SUPER_JOURNAL:
		break; /* file names only */
	default:
		return refuse(type_name(type), name);
	}
	rc = lower_vfs->xOpen(lower_vfs, name, LOWER(f), flags, &got);
	if (out_flags)
		*out_flags = got;
	if (rc != SQLITE_OK)
		return rc;
	f->readonly = (got & SQLITE_OPEN_READONLY) != 0;
	if (f->kind == CRYPT_KIND_DB && (rc = check_main(f, name)) != SQLITE_OK) {
		LOWER(f)->pMethods->xClose(LOWER(f));
		return rc;
	}
	/* Without it (out of memory), every page takes the ordinary path. */
	if (f->kind == CRYPT_KIND_DB)
		f->ra = ra_new(f->key->dek, f->key->file_id);
	f->base.pMethods = &nl_io;
	return SQLITE_OK;
}

static int fwd_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
	(void)v;
	return lower_vfs->xDelete(lower_vfs, name, sync_dir);
}

static int fwd_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return lower_vfs->xAccess(lower_vfs, name, flags, out);
}

static int fwd_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return lower_vfs->xFullPathname(lower_vfs, name, n, out);
}

static int fwd_randomness(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	randombytes_buf(out, (size_t)n);
	return n;
}

static int fwd_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return lower_vfs->xSleep(lower_vfs, us);
}

static int fwd_current_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return lower_vfs->xCurrentTime(lower_vfs, out);
}

static int fwd_last_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return lower_vfs->xGetLastError(lower_vfs, n, out);
}

static int fwd_current_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return lower_vfs->xCurrentTimeInt64(lower_vfs, out);
}

/* A forked child has the parent's nonce prefixes and counts: it gets new
 * prefixes, so no nonce is ever used by both. The table is locked across
 * the fork so the child finds it consistent. */
static void fork_prepare(void)
{
	pthread_mutex_lock(&keys_lock);
}

static void fork_parent(void)
{
	pthread_mutex_unlock(&keys_lock);
}

static void fork_child(void)
{
	for (int i = 0; i < MAX_KEYS; i++)
		if (keys[i].handle != 0)
			crypt_nonces_seed(&keys[i].nonces);
	pthread_mutex_unlock(&keys_lock);
}

int vfs_register(void)
{
	if (sqlite3_vfs_find(NL_VFS_NAME))
		return SQLITE_OK;
	if (pthread_atfork(fork_prepare, fork_parent, fork_child) != 0)
		return SQLITE_ERROR;
	lower_vfs = sqlite3_vfs_find(NULL);
	if (!lower_vfs || lower_vfs->iVersion < 2)
		return SQLITE_ERROR;
	nl_vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(struct nl_file) + lower_vfs->szOsFile,
		.mxPathname = lower_vfs->mxPathname,
		.zName = NL_VFS_NAME,
		.xOpen = nl_open,
		.xDelete = fwd_delete,
		.xAccess = fwd_access,
		.xFullPathname = fwd_full_pathname,
		.xRandomness = fwd_randomness,
		.xSleep = fwd_sleep,
		.xCurrentTime = fwd_current_time,
		.xGetLastError = fwd_last_error,
		.xCurrentTimeInt64 = fwd_current_time64,
	};
	return sqlite3_vfs_register(&nl_vfs, 0);
}

/* ---- Raw I/O below the shim ---- */

/* A file opened on the lower VFS; the unix VFS keeps a pointer to the
 * name while the file is open, so the name lives as long as the file. */
struct raw_file {
	sqlite3_filename name;
	sqlite3_file *f;
};

static int raw_open(const char *path, int flags, struct raw_file *r)
{
	int rc;

	r->name = sqlite3_create_filename(path, "", "", 0, NULL);
	r->f = sqlite3_malloc(lower_vfs->szOsFile);
	if (!r->name || !r->f) {
		rc = SQLITE_NOMEM;
		goto fail;
	}
	memset(r->f, 0, (size_t)lower_vfs->szOsFile);
	rc = lower_vfs->xOpen(lower_vfs, r->name, r->f,
			      flags | SQLITE_OPEN_MAIN_DB, NULL);
	if (rc == SQLITE_OK)
		return rc;
fail:
	sqlite3_free_filename(r->name);
	sqlite3_free(r->f);
	return rc;
}

static int raw_close(struct raw_file *r)
{
	int rc = r->f->pMethods->xClose(r->f);

	sqlite3_free(r->f);
	sqlite3_free_filename(r->name);
	return rc;
}

int vfs_raw_create(const char *path, const uint8_t *header)
{
	struct raw_file r;
	int rc = raw_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					SQLITE_OPEN_EXCLUSIVE, &r);

	if (rc != SQLITE_OK)
		return rc;
	chmod(path, 0600);
	rc = r.f->pMethods->xWrite(r.f, header, HDR_SIZE, 0);
	if (rc == SQLITE_OK)
		rc = r.f->pMethods->xSync(r.f, SQLITE_SYNC_FULL);
	raw_close(&r);
	if (rc != SQLITE_OK) /* we created it: leave nothing half-made */
		lower_vfs->xDelete(lower_vfs, path, 0);
	return rc;
}

int vfs_raw_read(const char *path, uint8_t *buf, int n)
{
	struct raw_file r;
	int rc = raw_open(path, SQLITE_OPEN_READONLY, &r);

	if (rc != SQLITE_OK)
		return rc;
	rc = r.f->pMethods->xRead(r.f, buf, n, 0);
	raw_close(&r);
	return rc;
}

/* ---- On an open main database ---- */

int vfs_file_is_ours(sqlite3_file *f)
{
	return f && f->pMethods == &nl_io &&
	       ((struct nl_file *)f)->kind == CRYPT_KIND_DB;
}

int vfs_header_read(sqlite3_file *f, uint8_t *buf)
{
	sqlite3_file *low = LOWER(f);

	return low->pMethods->xRead(low, buf, HDR_SIZE, 0);
}

int vfs_header_write(sqlite3_file *f, int offset, const uint8_t *buf, int n)
{
	sqlite3_file *low = LOWER(f);
	int rc;

	if (offset < 0 || offset + n > HDR_SIZE)
		return SQLITE_MISUSE;
	if (((struct nl_file *)f)->readonly)
		return SQLITE_READONLY;
	rc = low->pMethods->xWrite(low, buf, n, offset);
	if (rc == SQLITE_OK)
		rc = low->pMethods->xSync(low, SQLITE_SYNC_FULL);
	return rc;
}

/* Marks the free-list leaf pages. A leaf holds nothing SQLite reads
 * again: one taken back into use is written whole, neither read nor
 * journaled first (pager.c, PAGER_GET_NOCONTENT), so a power loss that
 * tears that write leaves a leaf that fails authentication, and that is
 * no damage. Page 1 and the trunks are authenticated on the way, and
 * integrity_check checks the list itself. */
static int free_leaves(struct nl_file *f, uint64_t pages, uint8_t *leaf)
{
	int rc = db_read_page(f, f->scratch, 1);
	uint32_t trunk = get32(f->scratch + 32), left = get32(f->scratch + 36);

	while (rc == SQLITE_OK && trunk >= 1 && trunk <= pages && left > 0) {
		uint32_t n;

		rc = db_read_page(f, f->scratch, trunk);
		n = get32(f->scratch + 4);
		if (rc != SQLITE_OK || n > NL_PAGE_DATA / 4 - 2)
			break;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t pg = get32(f->scratch + 8 + 4 * i);

			if (pg >= 1 && pg <= pages && pg != trunk)
				leaf[pg] = 1;
		}
		left -= left > n ? n + 1 : left; /* ends a looping list */
		trunk = get32(f->scratch);
	}
	return rc;
}

int vfs_verify_pages(sqlite3_file *file, store_progress_fn progress, void *ctx,
		     uint32_t *bad_page)
{
	struct nl_file *f = (struct nl_file *)file;
	sqlite3_file *low = LOWER(f);
	sqlite3_int64 size;
	uint64_t pages;
	uint8_t *leaf = NULL;
	int rc = low->pMethods->xFileSize(low, &size);

	*bad_page = 0;
	if (rc != SQLITE_OK)
		return rc;
	size = size > HDR_SIZE ? size - HDR_SIZE : 0;
	pages = (uint64_t)(size / NL_PAGE_SIZE);
	if (size % NL_PAGE_SIZE != 0) {
		*bad_page = (uint32_t)pages + 1;
		return note_bad(f, *bad_page, CRYPT_KIND_DB);
	}
	if (pages > 0) {
		leaf = sqlite3_malloc64(pages + 1);
		if (!leaf)
			return SQLITE_NOMEM;
		memset(leaf, 0, pages + 1);
		rc = free_leaves(f, pages, leaf);
		if (rc == SQLITE_IOERR_DATA)
			*bad_page = f->key->bad_page;
	}
	for (uint64_t p = 1; p <= pages && rc == SQLITE_OK; p++) {
		/* SQLite never writes the lock-byte page, never reads a leaf. */
		if (p != LOCK_BYTE_PAGE && !leaf[p]) {
			rc = db_read_page(f, f->scratch, (uint32_t)p);
			if (rc == SQLITE_IOERR_DATA)
				*bad_page = (uint32_t)p;
		}
		if (progress && (p % 256 == 0 || p == pages) && progress(ctx, p, pages))
			break;
	}
	sqlite3_free(leaf);
	sodium_memzero(f->scratch, sizeof(f->scratch));
	return rc;
}
