#include <string.h>

#include <sodium.h>

#include "header.h"

static const uint8_t magic[16] = "needlelog record";

#define FORMAT_VERSION 2

/* Offsets inside the fixed part. */
#define F_MAGIC 0
#define F_VERSION HDR_VERSION_OFF
#define F_PAGE_SIZE 20
#define F_RESERVE 24
#define F_HEADER_SIZE 28
#define F_FILE_ID 32

/* ---- format 1 slot (512 bytes at 512 and 1024) ---- */
#define V1_SEQ 0
#define V1_ALG 8
#define V1_OPS 12
#define V1_MEM 20
#define V1_SALT 28
#define V1_NONCE 44
#define V1_WRAPPED 68
#define V1_HASH (V1_WRAPPED + NL_KEY_BYTES + NL_TAG_BYTES)
#define V1_END (V1_HASH + 32)
static const int v1_off[HDR_V1_SLOTS] = { 512, 1024 };

/* ---- format 2 slot (320 bytes) ----
 * The secret key's wrap binds kind, KDF, salt and public key (bytes 8..79),
 * not the file id, the sequence or the lookup tag: a re-key or a backup
 * carries the wrapped secret key into a new file unchanged (header_reseal)
 * and only re-seals the data key, so no passphrase is needed for it. */
#define S_SEQ 0
#define S_KIND 8
#define S_ALG 12
#define S_OPS 16
#define S_MEM 24
#define S_SALT 32
#define S_PK 48
#define S_TAG 80
#define S_NONCE 96
#define S_WRAPPED 120   /* secret key 32 + 16 */
#define S_SEALED 168    /* crypto_box_seal of the data key: 32 + 48 */
#define S_NAME 248      /* name padded to 32 + 16, under the name key */
#define S_HASH 296      /* BLAKE2b-128 of the file id and bytes 0..295 */
#define S_END 312
#define AD_FROM S_KIND
#define AD_TO S_TAG
#define TAG_BYTES 16
#define HASH_BYTES 16
#define SEALED_BYTES (crypto_box_SEALBYTES + NL_KEY_BYTES)
#define NAME_PAD STORE_USER_NAME_MAX

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	return sodium_is_zero(p, n) == 1;
}

bool header_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > STORE_USER_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return false;
	return true;
}

void header_new(struct header *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->raw + F_MAGIC, magic, sizeof(magic));
	put32(h->raw + F_VERSION, FORMAT_VERSION);
	put32(h->raw + F_PAGE_SIZE, NL_PAGE_SIZE);
	put32(h->raw + F_RESERVE, NL_RESERVE);
	put32(h->raw + F_HEADER_SIZE, HDR_SIZE);
	randombytes_buf(h->file_id, NL_FILE_ID_BYTES);
	memcpy(h->raw + F_FILE_ID, h->file_id, NL_FILE_ID_BYTES);
	h->version = FORMAT_VERSION;
}

/* Format 1 keeps 48..511 zero (its slots are parsed apart); format 2 keeps
 * 48..255 zero, and each slot's own padding is checked with the slot. */
int header_check_fixed(const uint8_t *raw, uint8_t *file_id)
{
	uint32_t v = get32(raw + F_VERSION);

	if (memcmp(raw + F_MAGIC, magic, sizeof(magic)) != 0)
		return NL_ENOTFILE;
	if ((v != 1 && v != 2) ||
	    get32(raw + F_PAGE_SIZE) != NL_PAGE_SIZE ||
	    get32(raw + F_RESERVE) != NL_RESERVE ||
	    get32(raw + F_HEADER_SIZE) != HDR_SIZE ||
	    !all_zero(raw + HDR_FIXED_LEN, (v == 1 ? 512 : HDR_SLOT_BASE) - HDR_FIXED_LEN))
		return NL_EHEADER;
	if (file_id)
		memcpy(file_id, raw + F_FILE_ID, NL_FILE_ID_BYTES);
	return NL_OK;
}

/* ---- format 1 ---- */

static void v1_hash(const uint8_t *raw, const uint8_t *slot, uint8_t out[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, raw, HDR_FIXED_LEN);
	crypto_generichash_update(&st, slot, V1_HASH);
	crypto_generichash_final(&st, out, 32);
}

static void v1_parse_slot(const uint8_t *raw, int i, struct header_slot *s)
{
	const uint8_t *p = raw + v1_off[i];
	uint8_t hash[32];

	memset(s, 0, sizeof(*s));
	if (all_zero(p, HDR_V1_SLOT_SIZE))
		return;
	s->state = SLOT_DAMAGED;
	if (!all_zero(p + V1_END, HDR_V1_SLOT_SIZE - V1_END))
		return;
	v1_hash(raw, p, hash);
	if (sodium_memcmp(hash, p + V1_HASH, sizeof(hash)) != 0)
		return;
	s->seq = get64(p + V1_SEQ);
	s->kdf.opslimit = get64(p + V1_OPS);
	s->kdf.memlimit = get64(p + V1_MEM);
	if (get32(p + V1_ALG) == crypto_pwhash_ALG_ARGON2ID13 &&
	    crypt_kdf_acceptable(&s->kdf))
		s->state = SLOT_INTACT;
}

bool header_v1_any(const struct header *h)
{
	return h->v1[0].state == SLOT_INTACT || h->v1[1].state == SLOT_INTACT;
}

static int v1_unwrap_slot(const struct header *h, int i,
			  const struct store_pass *pass, uint8_t *dek)
{
	const uint8_t *p = h->raw + v1_off[i];
	uint8_t ad[HDR_FIXED_LEN + V1_NONCE];
	uint8_t *kek = crypt_secure_alloc(NL_KEY_BYTES);
	int rc;

	if (!kek)
		return NL_ENOMEM;
	if (crypt_kdf_derive(kek, pass->buf, pass->len, p + V1_SALT,
			     &h->v1[i].kdf) != 0) {
		crypt_secure_free(kek);
		return NL_ENOMEM;
	}
	memcpy(ad, h->raw, HDR_FIXED_LEN);
	memcpy(ad + HDR_FIXED_LEN, p, V1_NONCE);
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
		dek, NULL, NULL, p + V1_WRAPPED, NL_KEY_BYTES + NL_TAG_BYTES,
		ad, sizeof(ad), p + V1_NONCE, kek);
	crypt_secure_free(kek);
	return rc == 0 ? NL_OK : NL_EPASS;
}

static int kdf_oom(struct nl_err *err, const struct crypt_kdf *kdf)
{
	return nl_error(err, NL_ENOMEM,
			"not enough memory to derive the key (Argon2id needs %llu MiB)",
			(unsigned long long)(kdf->memlimit >> 20));
}

int header_v1_unwrap(const struct header *h, const struct store_pass *pass,
		     uint8_t *dek, struct nl_err *err)
{
	int first = h->v1[1].state == SLOT_INTACT &&
		    (h->v1[0].state != SLOT_INTACT || h->v1[1].seq > h->v1[0].seq);

	for (int k = 0; k < HDR_V1_SLOTS; k++) {
		int i = k == 0 ? first : 1 - first, rc;

		if (h->v1[i].state != SLOT_INTACT)
			continue;
		rc = v1_unwrap_slot(h, i, pass, dek);
		if (rc == NL_OK)
			return NL_OK;
		if (rc == NL_ENOMEM)
			return kdf_oom(err, &h->v1[i].kdf);
	}
	return nl_error(err, NL_EPASS, "wrong passphrase");
}

/* ---- format 2 ---- */

static void slot_hash(const struct header *h, const uint8_t *p, uint8_t out[HASH_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, HASH_BYTES);
	crypto_generichash_update(&st, h->file_id, NL_FILE_ID_BYTES);
	crypto_generichash_update(&st, p, S_HASH);
	crypto_generichash_final(&st, out, HASH_BYTES);
}

static void parse_slot(struct header *h, int i)
{
	const uint8_t *p = h->raw + HDR_SLOT_OFF(i);
	struct header_slot *s = &h->slot[i];
	uint8_t hash[HASH_BYTES];
	uint32_t kind;

	memset(s, 0, sizeof(*s));
	if (all_zero(p, HDR_SLOT_SIZE))
		return;
	s->state = SLOT_DAMAGED;
	if (!all_zero(p + S_END, HDR_SLOT_SIZE - S_END))
		return;
	slot_hash(h, p, hash);
	if (sodium_memcmp(hash, p + S_HASH, sizeof(hash)) != 0)
		return;
	kind = get32(p + S_KIND);
	s->seq = get64(p + S_SEQ);
	s->kdf.opslimit = get64(p + S_OPS);
	s->kdf.memlimit = get64(p + S_MEM);
	if ((kind == SLOT_USER || kind == SLOT_RECOVERY) &&
	    get32(p + S_ALG) == crypto_pwhash_ALG_ARGON2ID13 &&
	    crypt_kdf_acceptable(&s->kdf)) {
		s->kind = (enum slot_kind)kind;
		s->state = SLOT_INTACT;
	}
}

static bool any_intact(const struct header *h)
{
	for (int i = 0; i < HDR_SLOTS; i++)
		if (h->slot[i].state == SLOT_INTACT)
			return true;
	return false;
}

int header_parse(struct header *h, struct nl_err *err)
{
	int rc = header_check_fixed(h->raw, h->file_id);

	if (rc == NL_ENOTFILE)
		return nl_error(err, rc, "not a needlelog record file");
	if (rc != NL_OK)
		return nl_error(err, rc, "the record file's header is damaged");
	h->version = get32(h->raw + F_VERSION);
	memset(h->v1, 0, sizeof(h->v1));
	memset(h->slot, 0, sizeof(h->slot));
	if (h->version == 1)
		for (int i = 0; i < HDR_V1_SLOTS; i++)
			v1_parse_slot(h->raw, i, &h->v1[i]);
	/* A format-1 header may hold format-2 slots past its own: an upgrade
	 * that a crash interrupted. */
	for (int i = h->version == 1 ? HDR_UPGRADE_SLOT : 0; i < HDR_SLOTS; i++)
		parse_slot(h, i);
	if (!any_intact(h) && !header_v1_any(h))
		return nl_error(err, NL_EHEADER,
				"the record file's header is damaged: no intact key slot");
	return NL_OK;
}

static void name_tag(const uint8_t *file_id, const char *name, uint8_t out[TAG_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, file_id, NL_FILE_ID_BYTES, TAG_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)"needlelog user\0", 15);
	crypto_generichash_update(&st, (const uint8_t *)name, strlen(name));
	crypto_generichash_final(&st, out, TAG_BYTES);
}

/* The key names are encrypted under: from the data key, so any unlocked
 * user can list the others. */
static void name_key(const uint8_t *dek, uint8_t out[NL_KEY_BYTES])
{
	crypto_generichash(out, NL_KEY_BYTES, (const uint8_t *)"needlelog user names", 20,
			   dek, NL_KEY_BYTES);
}

/* Unique per slot write: the salt is fresh each time. */
static void name_nonce(const uint8_t *p, uint8_t out[NL_NONCE_BYTES])
{
	crypto_generichash(out, NL_NONCE_BYTES, p + S_SALT, HDR_SALT_BYTES + crypto_box_PUBLICKEYBYTES,
			   NULL, 0);
}

static int name_seal(const struct header *h, uint8_t *p, const char *name,
		     const uint8_t *dek)
{
	uint8_t pad[NAME_PAD] = { 0 }, nonce[NL_NONCE_BYTES];
	uint8_t *key = crypt_secure_alloc(NL_KEY_BYTES);

	if (!key)
		return NL_ENOMEM;
	if (name)
		memcpy(pad, name, strlen(name));
	name_key(dek, key);
	name_nonce(p, nonce);
	crypto_aead_xchacha20poly1305_ietf_encrypt(p + S_NAME, NULL, pad, sizeof(pad),
						   h->file_id, NL_FILE_ID_BYTES, NULL,
						   nonce, key);
	crypt_secure_free(key);
	sodium_memzero(pad, sizeof(pad));
	return NL_OK;
}

int header_slot_name(const struct header *h, int i, const uint8_t *dek,
		     char *name)
{
	const uint8_t *p = h->raw + HDR_SLOT_OFF(i);
	uint8_t pad[NAME_PAD], nonce[NL_NONCE_BYTES];
	uint8_t *key = crypt_secure_alloc(NL_KEY_BYTES);
	int rc;

	name[0] = '\0';
	if (!key)
		return -1;
	name_key(dek, key);
	name_nonce(p, nonce);
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(pad, NULL, NULL, p + S_NAME,
							NAME_PAD + NL_TAG_BYTES,
							h->file_id, NL_FILE_ID_BYTES,
							nonce, key);
	crypt_secure_free(key);
	if (rc != 0)
		return -1;
	memcpy(name, pad, NAME_PAD);
	name[NAME_PAD] = '\0';
	return 0;
}

/* Unwraps slot i's secret key with pass, then opens the sealed data key;
 * sk_out (may be NULL) gets the secret key. */
static int open_slot(const struct header *h, int i, const struct store_pass *pass,
		     uint8_t *dek, uint8_t *sk_out)
{
	const uint8_t *p = h->raw + HDR_SLOT_OFF(i);
	uint8_t *kek = crypt_secure_alloc(NL_KEY_BYTES + crypto_box_SECRETKEYBYTES);
	uint8_t *sk = kek ? kek + NL_KEY_BYTES : NULL;
	int rc = NL_EPASS;

	if (!kek)
		return NL_ENOMEM;
	if (crypt_kdf_derive(kek, pass->buf, pass->len, p + S_SALT, &h->slot[i].kdf) != 0) {
		crypt_secure_free(kek);
		return NL_ENOMEM;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    sk, NULL, NULL, p + S_WRAPPED, crypto_box_SECRETKEYBYTES + NL_TAG_BYTES,
		    p + AD_FROM, AD_TO - AD_FROM, p + S_NONCE, kek) == 0)
		rc = crypto_box_seal_open(dek, p + S_SEALED, SEALED_BYTES, p + S_PK, sk) == 0
		     ? NL_OK : NL_EHEADER;
	if (rc == NL_OK && sk_out)
		memcpy(sk_out, sk, crypto_box_SECRETKEYBYTES);
	crypt_secure_free(kek);
	return rc;
}

/* Intact user slots whose lookup tag is tag, newest first. */
static int by_tag(const struct header *h, const uint8_t *tag, int *idx, int max)
{
	int n = 0;

	for (int i = 0; i < HDR_SLOTS && n < max; i++)
		if (h->slot[i].state == SLOT_INTACT && h->slot[i].kind == SLOT_USER &&
		    sodium_memcmp(tag, h->raw + HDR_SLOT_OFF(i) + S_TAG, TAG_BYTES) == 0)
			idx[n++] = i;
	/* newest first: a passphrase change writes the new slot before it
	 * wipes the old one */
	for (int a = 1; a < n; a++)
		for (int b = a; b > 0 && h->slot[idx[b]].seq > h->slot[idx[b - 1]].seq; b--) {
			int t = idx[b];

			idx[b] = idx[b - 1];
			idx[b - 1] = t;
		}
	return n;
}

int header_user_slots(const struct header *h, const char *name, int *idx, int max)
{
	uint8_t tag[TAG_BYTES];

	name_tag(h->file_id, name, tag);
	return by_tag(h, tag, idx, max);
}

static bool same_tag(const struct header *h, int a, int b)
{
	return memcmp(h->raw + HDR_SLOT_OFF(a) + S_TAG, h->raw + HDR_SLOT_OFF(b) + S_TAG,
		      TAG_BYTES) == 0;
}

/* Intact user slots, one per user (the newest of a user's), into idx. */
static int distinct_users(const struct header *h, int *idx)
{
	int n = 0;

	for (int i = 0; i < HDR_SLOTS; i++) {
		int k;

		if (h->slot[i].state != SLOT_INTACT || h->slot[i].kind != SLOT_USER)
			continue;
		for (k = 0; k < n && !same_tag(h, idx[k], i); k++)
			;
		if (k == n)
			idx[n++] = i;
		else if (h->slot[i].seq > h->slot[idx[k]].seq)
			idx[k] = i;
	}
	return n;
}

int header_user_count(const struct header *h)
{
	int idx[HDR_SLOTS];

	return distinct_users(h, idx);
}

int header_recovery_slot(const struct header *h)
{
	int best = -1;

	for (int i = 0; i < HDR_SLOTS; i++)
		if (h->slot[i].state == SLOT_INTACT && h->slot[i].kind == SLOT_RECOVERY &&
		    (best < 0 || h->slot[i].seq > h->slot[best].seq))
			best = i;
	return best;
}

int header_spare_slot(const struct header *h)
{
	for (int i = 0; i < HDR_SLOTS; i++)
		if (h->slot[i].state == SLOT_FREE)
			return i;
	for (int i = 0; i < HDR_SLOTS; i++)
		if (h->slot[i].state == SLOT_DAMAGED)
			return i;
	return -1;
}

uint64_t header_max_seq(const struct header *h)
{
	uint64_t m = 0;

	for (int i = 0; i < HDR_SLOTS; i++)
		if (h->slot[i].state == SLOT_INTACT && h->slot[i].seq > m)
			m = h->slot[i].seq;
	for (int i = 0; i < HDR_V1_SLOTS; i++)
		if (h->v1[i].state == SLOT_INTACT && h->v1[i].seq > m)
			m = h->v1[i].seq;
	return m;
}

/* The candidate slots for who is unlocking: a named user's, the only
 * user's, or the recovery key's; *n of them into idx. */
static int candidates(const struct header *h, const char *user, bool recovery,
		      int *idx, int *n, struct nl_err *err)
{
	*n = 0;
	if (recovery) {
		idx[0] = header_recovery_slot(h);
		if (idx[0] < 0)
			return nl_error(err, NL_EPASS, "the file has no recovery key");
		*n = 1;
		return NL_OK;
	}
	if (user) {
		*n = header_user_slots(h, user, idx, HDR_SLOTS);
		if (*n == 0)
			return nl_error(err, NL_EPASS, "no user '%s' in this file", user);
		return NL_OK;
	}
	*n = distinct_users(h, idx);
	if (*n > 1)
		return nl_error(err, NL_EUSAGE, "the file has %d users: say which with --user "
				"NAME (or $NEEDLELOG_USER)", *n);
	if (*n == 0)
		return nl_error(err, NL_EPASS, "the file has no user key slot");
	*n = by_tag(h, h->raw + HDR_SLOT_OFF(idx[0]) + S_TAG, idx, HDR_SLOTS);
	return NL_OK;
}

/* What slot i opened with: who it was (name), and where (*slot). */
static int opened(const struct header *h, int i, bool recovery, const uint8_t *dek,
		  int *slot, char *name, struct nl_err *err)
{
	if (slot)
		*slot = i;
	if (name && recovery)
		name[0] = '\0';
	else if (name && header_slot_name(h, i, dek, name) != 0)
		return nl_error(err, NL_EHEADER, "the record file's header is "
				"damaged: a user's name does not decrypt");
	return NL_OK;
}

int header_unlock(const struct header *h, const char *user, bool recovery,
		  const struct store_pass *pass, uint8_t *dek, uint8_t *sk,
		  int *slot, char *name, struct nl_err *err)
{
	int idx[HDR_SLOTS], n, rc = candidates(h, user, recovery, idx, &n, err);

	if (rc != NL_OK)
		return rc;
	for (int k = 0; k < n; k++) {
		rc = open_slot(h, idx[k], pass, dek, sk);
		if (rc == NL_ENOMEM)
			return kdf_oom(err, &h->slot[idx[k]].kdf);
		if (rc == NL_OK)
			return opened(h, idx[k], recovery, dek, slot, name, err);
	}
	return nl_error(err, NL_EPASS, recovery ? "wrong recovery key" : "wrong passphrase");
}

/* The parts of a slot that header_reseal carries unchanged: kind, KDF,
 * salt, public key, and the secret key's nonce and wrap. */
static bool same_wrap(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a + S_KIND, b + S_KIND, S_TAG - S_KIND) == 0 &&
	       memcmp(a + S_NONCE, b + S_NONCE, S_SEALED - S_NONCE) == 0;
}

int header_find_wrap(const struct header *h, const uint8_t *wrap)
{
	for (int i = 0; i < HDR_SLOTS; i++)
		if (h->slot[i].state == SLOT_INTACT && same_wrap(h->raw + HDR_SLOT_OFF(i), wrap))
			return i;
	return -1;
}

int header_unlock_by_key(const struct header *h, const char *user, bool recovery,
			 const uint8_t *wrap, const uint8_t *sk, uint8_t *dek,
			 int *slot, char *name, struct nl_err *err)
{
	int idx[HDR_SLOTS], n, rc = candidates(h, user, recovery, idx, &n, err);

	if (rc != NL_OK)
		return rc;
	for (int k = 0; k < n; k++) {
		const uint8_t *p = h->raw + HDR_SLOT_OFF(idx[k]);

		if (!same_wrap(p, wrap))
			continue;
		if (crypto_box_seal_open(dek, p + S_SEALED, SEALED_BYTES, p + S_PK, sk) != 0)
			return nl_error(err, NL_EHEADER, "the record file's header is damaged: "
					"the data key in %s's slot does not open",
					recovery ? "the recovery key" : user ? user : "the user");
		return opened(h, idx[k], recovery, dek, slot, name, err);
	}
	return nl_error(err, NL_EPASS, "no key slot carries the passphrase%s that opened "
			"the original", recovery ? " (the recovery key)" : "");
}

bool header_same_slots(const struct header *a, const struct header *b)
{
	for (int i = 0; i < HDR_SLOTS; i++) {
		bool x = a->slot[i].state == SLOT_INTACT, y = b->slot[i].state == SLOT_INTACT;

		if (x != y || (x && (a->slot[i].kind != b->slot[i].kind ||
				     !same_wrap(a->raw + HDR_SLOT_OFF(i), b->raw + HDR_SLOT_OFF(i)))))
			return false;
	}
	return true;
}

static void slot_seal(const struct header *h, uint8_t *p)
{
	slot_hash(h, p, p + S_HASH);
}

int header_make_slot(struct header *h, int i, enum slot_kind kind,
		     uint64_t seq, const char *name,
		     const struct store_pass *pass, const struct crypt_kdf *kdf,
		     const uint8_t *dek, struct nl_err *err)
{
	uint8_t *p = h->raw + HDR_SLOT_OFF(i);
	uint8_t *kek = crypt_secure_alloc(NL_KEY_BYTES + crypto_box_SECRETKEYBYTES);
	uint8_t *sk = kek ? kek + NL_KEY_BYTES : NULL;

	if (!kek)
		return nl_error(err, NL_ENOMEM, "out of secure memory");
	memset(p, 0, HDR_SLOT_SIZE);
	put64(p + S_SEQ, seq);
	put32(p + S_KIND, kind);
	put32(p + S_ALG, crypto_pwhash_ALG_ARGON2ID13);
	put64(p + S_OPS, kdf->opslimit);
	put64(p + S_MEM, kdf->memlimit);
	randombytes_buf(p + S_SALT, HDR_SALT_BYTES);
	crypto_box_keypair(p + S_PK, sk);
	if (kind == SLOT_USER)
		name_tag(h->file_id, name, p + S_TAG);
	randombytes_buf(p + S_NONCE, NL_NONCE_BYTES);
	if (crypt_kdf_derive(kek, pass->buf, pass->len, p + S_SALT, kdf) != 0) {
		crypt_secure_free(kek);
		memset(p, 0, HDR_SLOT_SIZE);
		return kdf_oom(err, kdf);
	}
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		p + S_WRAPPED, NULL, sk, crypto_box_SECRETKEYBYTES,
		p + AD_FROM, AD_TO - AD_FROM, NULL, p + S_NONCE, kek);
	crypt_secure_free(kek);
	crypto_box_seal(p + S_SEALED, dek, NL_KEY_BYTES, p + S_PK);
	if (name_seal(h, p, kind == SLOT_USER ? name : NULL, dek) != NL_OK) {
		memset(p, 0, HDR_SLOT_SIZE);
		return nl_error(err, NL_ENOMEM, "out of secure memory");
	}
	slot_seal(h, p);
	parse_slot(h, i);
	return NL_OK;
}

int header_reseal(const struct header *from, const uint8_t *dek_from,
		  struct header *to, const uint8_t *dek_to, struct nl_err *err)
{
	char name[STORE_USER_NAME_MAX + 1];

	for (int i = 0; i < HDR_SLOTS; i++) {
		const uint8_t *src = from->raw + HDR_SLOT_OFF(i);
		uint8_t *p = to->raw + HDR_SLOT_OFF(i);

		memset(p, 0, HDR_SLOT_SIZE);
		if (from->slot[i].state != SLOT_INTACT)
			continue;
		if (header_slot_name(from, i, dek_from, name) != 0)
			return nl_error(err, NL_EHEADER, "the record file's header is damaged: "
					"a user's name does not decrypt");
		memcpy(p, src, S_TAG);
		memcpy(p + S_NONCE, src + S_NONCE, S_SEALED - S_NONCE);
		if (from->slot[i].kind == SLOT_USER)
			name_tag(to->file_id, name, p + S_TAG);
		crypto_box_seal(p + S_SEALED, dek_to, NL_KEY_BYTES, p + S_PK);
		if (name_seal(to, p, from->slot[i].kind == SLOT_USER ? name : NULL, dek_to) != NL_OK)
			return nl_error(err, NL_ENOMEM, "out of secure memory");
		slot_seal(to, p);
		parse_slot(to, i);
	}
	sodium_memzero(name, sizeof(name));
	return NL_OK;
}

void header_clear_slot(struct header *h, int slot)
{
	memset(h->raw + HDR_SLOT_OFF(slot), 0, HDR_SLOT_SIZE);
	memset(&h->slot[slot], 0, sizeof(h->slot[slot]));
}
