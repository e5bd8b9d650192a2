#include <string.h>

#include <sodium.h>

#include "header.h"

static const uint8_t magic[16] = "needlelog record";

#define FORMAT_VERSION 1

/* Offsets inside the fixed part. */
#define F_MAGIC 0
#define F_VERSION 16
#define F_PAGE_SIZE 20
#define F_RESERVE 24
#define F_HEADER_SIZE 28
#define F_FILE_ID 32

/* Offsets inside a slot. The wrap's associated data is the fixed part and
 * the slot up to the nonce, so changed parameters fail to unwrap. */
#define S_SEQ 0
#define S_ALG 8
#define S_OPS 12
#define S_MEM 20
#define S_SALT 28
#define S_NONCE 44
#define S_WRAPPED 68
#define S_HASH (S_WRAPPED + NL_KEY_BYTES + NL_TAG_BYTES)
#define S_END (S_HASH + 32)

const int header_slot_offset[HDR_SLOTS] = { 512, 1024 };

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
}

int header_check_fixed(const uint8_t *raw, uint8_t *file_id)
{
	if (memcmp(raw + F_MAGIC, magic, sizeof(magic)) != 0)
		return NL_ENOTFILE;
	if (get32(raw + F_VERSION) != FORMAT_VERSION ||
	    get32(raw + F_PAGE_SIZE) != NL_PAGE_SIZE ||
	    get32(raw + F_RESERVE) != NL_RESERVE ||
	    get32(raw + F_HEADER_SIZE) != HDR_SIZE ||
	    !all_zero(raw + HDR_FIXED_LEN, 512 - HDR_FIXED_LEN) ||
	    !all_zero(raw + 1536, HDR_SIZE - 1536))
		return NL_EHEADER;
	if (file_id)
		memcpy(file_id, raw + F_FILE_ID, NL_FILE_ID_BYTES);
	return NL_OK;
}

static void slot_hash(const uint8_t *raw, const uint8_t *slot, uint8_t out[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, raw, HDR_FIXED_LEN);
	crypto_generichash_update(&st, slot, S_HASH);
	crypto_generichash_final(&st, out, 32);
}

static void parse_slot(const uint8_t *raw, int i, struct header_slot *s)
{
	const uint8_t *p = raw + header_slot_offset[i];
	uint8_t hash[32];

	memset(s, 0, sizeof(*s));
	if (all_zero(p, HDR_SLOT_SIZE) || !all_zero(p + S_END, HDR_SLOT_SIZE - S_END))
		return;
	slot_hash(raw, p, hash);
	if (sodium_memcmp(hash, p + S_HASH, sizeof(hash)) != 0)
		return;
	s->seq = get64(p + S_SEQ);
	s->kdf.opslimit = get64(p + S_OPS);
	s->kdf.memlimit = get64(p + S_MEM);
	s->intact = get32(p + S_ALG) == crypto_pwhash_ALG_ARGON2ID13 &&
		    crypt_kdf_acceptable(&s->kdf);
}

int header_parse(struct header *h, struct nl_err *err)
{
	int rc = header_check_fixed(h->raw, h->file_id);

	if (rc == NL_ENOTFILE)
		return nl_error(err, rc, "not a needlelog record file");
	if (rc != NL_OK)
		return nl_error(err, rc, "the record file's header is damaged");
	for (int i = 0; i < HDR_SLOTS; i++)
		parse_slot(h->raw, i, &h->slot[i]);
	if (header_newest_slot(h) < 0)
		return nl_error(err, NL_EHEADER,
				"the record file's header is damaged: no intact key slot");
	return NL_OK;
}

int header_newest_slot(const struct header *h)
{
	int best = -1;

	for (int i = 0; i < HDR_SLOTS; i++)
		if (h->slot[i].intact &&
		    (best < 0 || h->slot[i].seq > h->slot[best].seq))
			best = i;
	return best;
}

static int unwrap_slot(const struct header *h, int i,
		       const struct store_pass *pass, uint8_t *dek)
{
	const uint8_t *p = h->raw + header_slot_offset[i];
	uint8_t ad[HDR_FIXED_LEN + S_NONCE];
	uint8_t *kek = crypt_secure_alloc(NL_KEY_BYTES);
	int rc;

	if (!kek)
		return NL_ENOMEM;
	if (crypt_kdf_derive(kek, pass->buf, pass->len, p + S_SALT,
			     &h->slot[i].kdf) != 0) {
		crypt_secure_free(kek);
		return NL_ENOMEM;
	}
	memcpy(ad, h->raw, HDR_FIXED_LEN);
	memcpy(ad + HDR_FIXED_LEN, p, S_NONCE);
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
		dek, NULL, NULL, p + S_WRAPPED, NL_KEY_BYTES + NL_TAG_BYTES,
		ad, sizeof(ad), p + S_NONCE, kek);
	crypt_secure_free(kek);
	return rc == 0 ? NL_OK : NL_EPASS;
}

int header_unwrap(const struct header *h, const struct store_pass *pass,
		  uint8_t *dek, int *slot, struct nl_err *err)
{
	int order[HDR_SLOTS] = { 0, 1 };

	if (h->slot[1].intact && (!h->slot[0].intact || h->slot[1].seq > h->slot[0].seq)) {
		order[0] = 1;
		order[1] = 0;
	}
	for (int k = 0; k < HDR_SLOTS; k++) {
		int i = order[k], rc;

		if (!h->slot[i].intact)
			continue;
		rc = unwrap_slot(h, i, pass, dek);
		if (rc == NL_OK) {
			if (slot)
				*slot = i;
			return NL_OK;
		}
		if (rc == NL_ENOMEM)
			return nl_error(err, rc,
					"not enough memory to derive the key (Argon2id needs %llu MiB)",
					(unsigned long long)(h->slot[i].kdf.memlimit >> 20));
	}
	return nl_error(err, NL_EPASS, "wrong passphrase");
}

int header_wrap(struct header *h, int slot, uint64_t seq,
		const struct store_pass *pass, const struct crypt_kdf *kdf,
		const uint8_t *dek, struct nl_err *err)
{
	uint8_t *p = h->raw + header_slot_offset[slot];
	uint8_t ad[HDR_FIXED_LEN + S_NONCE];
	uint8_t *kek = crypt_secure_alloc(NL_KEY_BYTES);

	if (!kek)
		return nl_error(err, NL_ENOMEM, "out of secure memory");
	memset(p, 0, HDR_SLOT_SIZE);
	put64(p + S_SEQ, seq);
	put32(p + S_ALG, crypto_pwhash_ALG_ARGON2ID13);
	put64(p + S_OPS, kdf->opslimit);
	put64(p + S_MEM, kdf->memlimit);
	randombytes_buf(p + S_SALT, HDR_SALT_BYTES);
	randombytes_buf(p + S_NONCE, NL_NONCE_BYTES);
	if (crypt_kdf_derive(kek, pass->buf, pass->len, p + S_SALT, kdf) != 0) {
		crypt_secure_free(kek);
		memset(p, 0, HDR_SLOT_SIZE);
		return nl_error(err, NL_ENOMEM,
				"not enough memory to derive the key (Argon2id needs %llu MiB)",
				(unsigned long long)(kdf->memlimit >> 20));
	}
	memcpy(ad, h->raw, HDR_FIXED_LEN);
	memcpy(ad + HDR_FIXED_LEN, p, S_NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		p + S_WRAPPED, NULL, dek, NL_KEY_BYTES, ad, sizeof(ad), NULL,
		p + S_NONCE, kek);
	crypt_secure_free(kek);
	slot_hash(h->raw, p, p + S_HASH);
	parse_slot(h->raw, slot, &h->slot[slot]);
	return NL_OK;
}

void header_clear_slot(struct header *h, int slot)
{
	memset(h->raw + header_slot_offset[slot], 0, HDR_SLOT_SIZE);
	memset(&h->slot[slot], 0, sizeof(h->slot[slot]));
}
