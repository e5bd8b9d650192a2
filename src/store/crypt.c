#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <sodium.h>

#include "needlelog/crypt.h"

#define AD_BYTES (1 + 4 + NL_FILE_ID_BYTES)

static void page_ad(uint8_t ad[AD_BYTES], const uint8_t *file_id,
		    enum crypt_kind kind, uint32_t pgno)
{
	ad[0] = (uint8_t)kind;
	ad[1] = (uint8_t)(pgno >> 24);
	ad[2] = (uint8_t)(pgno >> 16);
	ad[3] = (uint8_t)(pgno >> 8);
	ad[4] = (uint8_t)pgno;
	memcpy(ad + 5, file_id, NL_FILE_ID_BYTES);
}

void crypt_nonces_seed(struct crypt_nonces *n)
{
	randombytes_buf(n->prefix, sizeof(n->prefix));
	atomic_store(&n->count, 0);
}

static void next_nonce(struct crypt_nonces *n, uint8_t *nonce)
{
	uint64_t c = atomic_fetch_add(&n->count, 1);

	memcpy(nonce, n->prefix, NL_NONCE_PREFIX);
	for (int i = 0; i < NL_NONCE_BYTES - NL_NONCE_PREFIX; i++)
		nonce[NL_NONCE_PREFIX + i] = (uint8_t)(c >> (8 * i));
}

void crypt_page_seal(const uint8_t *key, const uint8_t *file_id,
		     struct crypt_nonces *nonces, enum crypt_kind kind,
		     uint32_t pgno, const uint8_t *in, uint8_t *out)
{
	uint8_t ad[AD_BYTES];
	uint8_t *nonce = out + NL_PAGE_DATA;
	uint8_t *tag = nonce + NL_NONCE_BYTES;

	page_ad(ad, file_id, kind, pgno);
	if (nonces)
		next_nonce(nonces, nonce);
	else
		randombytes_buf(nonce, NL_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
		out, tag, NULL, in, NL_PAGE_DATA, ad, sizeof(ad), NULL, nonce,
		key);
}

int crypt_page_open(const uint8_t *key, const uint8_t *file_id,
		    enum crypt_kind kind, uint32_t pgno, uint8_t *page)
{
	uint8_t ad[AD_BYTES];
	const uint8_t *nonce = page + NL_PAGE_DATA;
	const uint8_t *tag = nonce + NL_NONCE_BYTES;

	page_ad(ad, file_id, kind, pgno);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
		    page, NULL, page, NL_PAGE_DATA, tag, ad, sizeof(ad), nonce,
		    key) != 0) {
		sodium_memzero(page, NL_PAGE_DATA);
		return -1;
	}
	return 0;
}

/* A test build (meson -Dtest_kdf=true) may run the KDF at its MIN limits
 * when NEEDLELOG_TEST_KDF=min, so the suite stays fast. A release build
 * has no such path: MIN is neither chosen nor accepted. */
static bool test_kdf_min(void)
{
#ifdef NL_TEST_KDF
	const char *v = getenv("NEEDLELOG_TEST_KDF");
	return v && strcmp(v, "min") == 0;
#else
	return false;
#endif
}

struct crypt_kdf crypt_kdf_preset(enum store_kdf preset)
{
	if (preset == STORE_KDF_DEFAULT)
		preset = test_kdf_min() ? STORE_KDF_MIN : STORE_KDF_MODERATE;
	if (preset == STORE_KDF_MIN && !test_kdf_min())
		preset = STORE_KDF_MODERATE;
	switch (preset) {
	case STORE_KDF_INTERACTIVE:
		return (struct crypt_kdf){ crypto_pwhash_OPSLIMIT_INTERACTIVE,
					   crypto_pwhash_MEMLIMIT_INTERACTIVE };
	case STORE_KDF_SENSITIVE:
		return (struct crypt_kdf){ crypto_pwhash_OPSLIMIT_SENSITIVE,
					   crypto_pwhash_MEMLIMIT_SENSITIVE };
	case STORE_KDF_MIN:
		return (struct crypt_kdf){ crypto_pwhash_OPSLIMIT_MIN,
					   crypto_pwhash_MEMLIMIT_MIN };
	default:
		return (struct crypt_kdf){ crypto_pwhash_OPSLIMIT_MODERATE,
					   crypto_pwhash_MEMLIMIT_MODERATE };
	}
}

bool crypt_kdf_acceptable(const struct crypt_kdf *kdf)
{
	uint64_t min_ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	uint64_t min_mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;

	if (test_kdf_min()) {
		min_ops = crypto_pwhash_OPSLIMIT_MIN;
		min_mem = crypto_pwhash_MEMLIMIT_MIN;
	}
	return kdf->opslimit >= min_ops &&
	       kdf->opslimit <= crypto_pwhash_OPSLIMIT_SENSITIVE &&
	       kdf->memlimit >= min_mem &&
	       kdf->memlimit <= crypto_pwhash_MEMLIMIT_SENSITIVE;
}

/* Every derivation goes through crypt_kdf_derive; the count is what the
 * tests read to prove an operation derives no more than it should. */
static atomic_uint_fast64_t kdf_runs;

uint64_t crypt_kdf_runs(void)
{
	return atomic_load(&kdf_runs);
}

int crypt_kdf_derive(uint8_t *out, const char *pass, size_t passlen,
		     const uint8_t *salt, const struct crypt_kdf *kdf)
{
	atomic_fetch_add(&kdf_runs, 1);
	return crypto_pwhash(out, NL_KEY_BYTES, pass, passlen, salt,
			     kdf->opslimit, (size_t)kdf->memlimit,
			     crypto_pwhash_ALG_ARGON2ID13);
}

void *crypt_secure_alloc(size_t n)
{
	void *p = sodium_malloc(n);

	if (p)
		sodium_memzero(p, n);
	return p;
}

void crypt_secure_free(void *p)
{
	sodium_free(p); /* wipes, and tolerates NULL */
}

void crypt_no_core_dumps(void)
{
	struct rlimit none = { 0, 0 };

	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
