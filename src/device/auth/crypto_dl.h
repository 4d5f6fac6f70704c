/* OpenSSL libcrypto, loaded on first use (core/base/dlopen.h): only signature
 * verification needs it, and an idle `atomixd serve` must not keep libcrypto
 * resident. sshsig.c calls the sym_ pointers below, and
 * only after atx_crypto_load() succeeded. A libcrypto function missing here is
 * a link error, never a silent fallback: add it to both lists. */
#pragma once

#include <glib.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "core/base/dlopen.h"

ATX_DLSYM_PROTOTYPE(BN_bin2bn);
ATX_DLSYM_PROTOTYPE(BN_free);
ATX_DLSYM_PROTOTYPE(BN_is_odd);
ATX_DLSYM_PROTOTYPE(BN_is_one);
ATX_DLSYM_PROTOTYPE(BN_num_bits);
ATX_DLSYM_PROTOTYPE(CRYPTO_free);
ATX_DLSYM_PROTOTYPE(ECDSA_SIG_free);
ATX_DLSYM_PROTOTYPE(ECDSA_SIG_new);
ATX_DLSYM_PROTOTYPE(ECDSA_SIG_set0);
ATX_DLSYM_PROTOTYPE(ERR_clear_error);
ATX_DLSYM_PROTOTYPE(EVP_Digest);
ATX_DLSYM_PROTOTYPE(EVP_DigestVerify);
ATX_DLSYM_PROTOTYPE(EVP_DigestVerifyInit);
ATX_DLSYM_PROTOTYPE(EVP_MD_CTX_free);
ATX_DLSYM_PROTOTYPE(EVP_MD_CTX_new);
ATX_DLSYM_PROTOTYPE(EVP_PKEY_CTX_free);
ATX_DLSYM_PROTOTYPE(EVP_PKEY_CTX_new_from_name);
ATX_DLSYM_PROTOTYPE(EVP_PKEY_free);
ATX_DLSYM_PROTOTYPE(EVP_PKEY_fromdata);
ATX_DLSYM_PROTOTYPE(EVP_PKEY_fromdata_init);
ATX_DLSYM_PROTOTYPE(EVP_PKEY_get_size);
ATX_DLSYM_PROTOTYPE(EVP_PKEY_new_raw_public_key);
ATX_DLSYM_PROTOTYPE(EVP_sha256);
ATX_DLSYM_PROTOTYPE(EVP_sha384);
ATX_DLSYM_PROTOTYPE(EVP_sha512);
ATX_DLSYM_PROTOTYPE(OSSL_PARAM_BLD_free);
ATX_DLSYM_PROTOTYPE(OSSL_PARAM_BLD_new);
ATX_DLSYM_PROTOTYPE(OSSL_PARAM_BLD_push_BN);
ATX_DLSYM_PROTOTYPE(OSSL_PARAM_BLD_to_param);
ATX_DLSYM_PROTOTYPE(OSSL_PARAM_construct_end);
ATX_DLSYM_PROTOTYPE(OSSL_PARAM_construct_octet_string);
ATX_DLSYM_PROTOTYPE(OSSL_PARAM_construct_utf8_string);
ATX_DLSYM_PROTOTYPE(OSSL_PARAM_free);
ATX_DLSYM_PROTOTYPE(i2d_ECDSA_SIG);

/* Loads libcrypto.so.3 once; fails naming the Debian package libssl3.
 * ATOMIX_TEST_LIBCRYPTO_SONAME replaces the soname (tests only). */
gboolean atx_crypto_load(GError **error) G_GNUC_WARN_UNUSED_RESULT;
