#include "device/auth/crypto_dl.h"

ATX_DLSYM_DEFINE(BN_bin2bn);
ATX_DLSYM_DEFINE(BN_free);
ATX_DLSYM_DEFINE(BN_is_odd);
ATX_DLSYM_DEFINE(BN_is_one);
ATX_DLSYM_DEFINE(BN_num_bits);
ATX_DLSYM_DEFINE(CRYPTO_free);
ATX_DLSYM_DEFINE(ECDSA_SIG_free);
ATX_DLSYM_DEFINE(ECDSA_SIG_new);
ATX_DLSYM_DEFINE(ECDSA_SIG_set0);
ATX_DLSYM_DEFINE(ERR_clear_error);
ATX_DLSYM_DEFINE(EVP_Digest);
ATX_DLSYM_DEFINE(EVP_DigestVerify);
ATX_DLSYM_DEFINE(EVP_DigestVerifyInit);
ATX_DLSYM_DEFINE(EVP_MD_CTX_free);
ATX_DLSYM_DEFINE(EVP_MD_CTX_new);
ATX_DLSYM_DEFINE(EVP_PKEY_CTX_free);
ATX_DLSYM_DEFINE(EVP_PKEY_CTX_new_from_name);
ATX_DLSYM_DEFINE(EVP_PKEY_free);
ATX_DLSYM_DEFINE(EVP_PKEY_fromdata);
ATX_DLSYM_DEFINE(EVP_PKEY_fromdata_init);
ATX_DLSYM_DEFINE(EVP_PKEY_get_size);
ATX_DLSYM_DEFINE(EVP_PKEY_new_raw_public_key);
ATX_DLSYM_DEFINE(EVP_sha256);
ATX_DLSYM_DEFINE(EVP_sha384);
ATX_DLSYM_DEFINE(EVP_sha512);
ATX_DLSYM_DEFINE(OSSL_PARAM_BLD_free);
ATX_DLSYM_DEFINE(OSSL_PARAM_BLD_new);
ATX_DLSYM_DEFINE(OSSL_PARAM_BLD_push_BN);
ATX_DLSYM_DEFINE(OSSL_PARAM_BLD_to_param);
ATX_DLSYM_DEFINE(OSSL_PARAM_construct_end);
ATX_DLSYM_DEFINE(OSSL_PARAM_construct_octet_string);
ATX_DLSYM_DEFINE(OSSL_PARAM_construct_utf8_string);
ATX_DLSYM_DEFINE(OSSL_PARAM_free);
ATX_DLSYM_DEFINE(i2d_ECDSA_SIG);

static const AtxDlSymbol crypto_symbols[] = {
  ATX_DLSYM_ARG(BN_bin2bn),
  ATX_DLSYM_ARG(BN_free),
  ATX_DLSYM_ARG(BN_is_odd),
  ATX_DLSYM_ARG(BN_is_one),
  ATX_DLSYM_ARG(BN_num_bits),
  ATX_DLSYM_ARG(CRYPTO_free),
  ATX_DLSYM_ARG(ECDSA_SIG_free),
  ATX_DLSYM_ARG(ECDSA_SIG_new),
  ATX_DLSYM_ARG(ECDSA_SIG_set0),
  ATX_DLSYM_ARG(ERR_clear_error),
  ATX_DLSYM_ARG(EVP_Digest),
  ATX_DLSYM_ARG(EVP_DigestVerify),
  ATX_DLSYM_ARG(EVP_DigestVerifyInit),
  ATX_DLSYM_ARG(EVP_MD_CTX_free),
  ATX_DLSYM_ARG(EVP_MD_CTX_new),
  ATX_DLSYM_ARG(EVP_PKEY_CTX_free),
  ATX_DLSYM_ARG(EVP_PKEY_CTX_new_from_name),
  ATX_DLSYM_ARG(EVP_PKEY_free),
  ATX_DLSYM_ARG(EVP_PKEY_fromdata),
  ATX_DLSYM_ARG(EVP_PKEY_fromdata_init),
  ATX_DLSYM_ARG(EVP_PKEY_get_size),
  ATX_DLSYM_ARG(EVP_PKEY_new_raw_public_key),
  ATX_DLSYM_ARG(EVP_sha256),
  ATX_DLSYM_ARG(EVP_sha384),
  ATX_DLSYM_ARG(EVP_sha512),
  ATX_DLSYM_ARG(OSSL_PARAM_BLD_free),
  ATX_DLSYM_ARG(OSSL_PARAM_BLD_new),
  ATX_DLSYM_ARG(OSSL_PARAM_BLD_push_BN),
  ATX_DLSYM_ARG(OSSL_PARAM_BLD_to_param),
  ATX_DLSYM_ARG(OSSL_PARAM_construct_end),
  ATX_DLSYM_ARG(OSSL_PARAM_construct_octet_string),
  ATX_DLSYM_ARG(OSSL_PARAM_construct_utf8_string),
  ATX_DLSYM_ARG(OSSL_PARAM_free),
  ATX_DLSYM_ARG(i2d_ECDSA_SIG),
  { NULL, NULL },
};

static AtxDlLibrary libcrypto = {
  .soname = "libcrypto.so.3",
  .package = "libssl3",
  .purpose = "to verify signatures",
  .soname_override_env = "ATOMIX_TEST_LIBCRYPTO_SONAME",
  .symbols = crypto_symbols,
};

gboolean
atx_crypto_load(GError **error)
{
  return atx_dl_library_load(&libcrypto, error);
}
