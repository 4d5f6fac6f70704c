#include "device/auth/sshsig.h"

#include <string.h>

#include "device/auth/crypto_dl.h"

/* The quark name is stringified: clang-format would put spaces into it. */
/* clang-format off */
G_DEFINE_QUARK(atx-sshsig-error-quark, atx_sshsig_error)
/* clang-format on */

#define ARMOR_BEGIN "-----BEGIN SSH SIGNATURE-----"
#define ARMOR_END "-----END SSH SIGNATURE-----"
#define RSA_MIN_BITS 1024
#define RSA_MAX_BITS 16384

struct _AtxSshSig {
  char *namespace;
  char *key_type;
  char *algorithm;
  char *hash;
  GBytes *public_key;
  GBytes *reserved;
  GBytes *signature; /* in the encoding sym_EVP_DigestVerify() expects (DER for ECDSA) */
  EVP_PKEY *pkey;
  const EVP_MD *digest; /* NULL for Ed25519, which hashes internally */
};

void
atx_sshsig_free(AtxSshSig *sig)
{
  if (!sig)
    return;
  g_free(sig->namespace);
  g_free(sig->key_type);
  g_free(sig->algorithm);
  g_free(sig->hash);
  g_clear_pointer(&sig->public_key, g_bytes_unref);
  g_clear_pointer(&sig->reserved, g_bytes_unref);
  g_clear_pointer(&sig->signature, g_bytes_unref);
  sym_EVP_PKEY_free(sig->pkey);
  g_free(sig);
}

/* ---- SSH wire format (RFC 4251 §5) ---- */

typedef struct {
  const guint8 *p;
  gsize left;
} Wire;

static gboolean
wire_u32(Wire *w, guint32 *value)
{
  if (w->left < 4)
    return FALSE;
  *value = (guint32) w->p[0] << 24 | (guint32) w->p[1] << 16 | (guint32) w->p[2] << 8 | w->p[3];
  w->p += 4;
  w->left -= 4;
  return TRUE;
}

static gboolean
wire_string(Wire *w, Wire *out)
{
  guint32 len;
  if (!wire_u32(w, &len) || len > w->left)
    return FALSE;
  *out = (Wire){ .p = w->p, .left = len };
  w->p += len;
  w->left -= len;
  return TRUE;
}

static gboolean
wire_equals(const Wire *w, const char *text)
{
  return w->left == strlen(text) && memcmp(w->p, text, w->left) == 0;
}

/* A printable ASCII name (types, namespaces, algorithms), copied. */
static char *
wire_name(const Wire *w)
{
  for (gsize i = 0; i < w->left; i++)
    if (w->p[i] < 0x20 || w->p[i] > 0x7e)
      return NULL;
  return g_strndup((const char *) w->p, w->left);
}

/* A non-negative mpint without superfluous leading zeros, as OpenSSH
 * requires; @out points at its magnitude. */
static gboolean
wire_mpint(Wire *w, Wire *out)
{
  if (!wire_string(w, out))
    return FALSE;
  if (out->left > 0 && (out->p[0] & 0x80))
    return FALSE; /* negative */
  if (out->left > 0 && out->p[0] == 0) {
    if (out->left == 1 || !(out->p[1] & 0x80))
      return FALSE;
    out->p++;
    out->left--;
  }
  return TRUE;
}

static gboolean
malformed(GError **error, const char *what)
{
  g_set_error(error, ATX_SSHSIG_ERROR, ATX_SSHSIG_ERROR_MALFORMED, "malformed SSH signature: %s", what);
  return FALSE;
}

/* ---- public keys ---- */

/* The curve name inside the key blob, OpenSSL's group name, and the length
 * of an uncompressed point (0x04 || x || y). */
static const struct {
  const char *key_type, *curve, *group;
  gsize point_len;
} ec_curves[] = {
  { "ecdsa-sha2-nistp256", "nistp256", "P-256", 65 },
  { "ecdsa-sha2-nistp384", "nistp384", "P-384", 97 },
  { "ecdsa-sha2-nistp521", "nistp521", "P-521", 133 },
};

static EVP_PKEY *
pkey_from_params(const char *algorithm, OSSL_PARAM *params)
{
  EVP_PKEY *pkey = NULL;
  EVP_PKEY_CTX *ctx = sym_EVP_PKEY_CTX_new_from_name(NULL, algorithm, NULL);
  if (ctx && sym_EVP_PKEY_fromdata_init(ctx) > 0 &&
      sym_EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
    pkey = NULL;
  sym_EVP_PKEY_CTX_free(ctx);
  return pkey;
}

static EVP_PKEY *
ed25519_key(Wire *w)
{
  Wire pk;
  if (!wire_string(w, &pk) || pk.left != 32 || w->left != 0)
    return NULL;
  return sym_EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk.p, pk.left);
}

static EVP_PKEY *
ecdsa_key(Wire *w, guint curve)
{
  Wire name, point;
  if (!wire_string(w, &name) || !wire_equals(&name, ec_curves[curve].curve) || !wire_string(w, &point) ||
      w->left != 0 || point.left != ec_curves[curve].point_len || point.p[0] != 0x04)
    return NULL;
  OSSL_PARAM params[] = {
    sym_OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *) ec_curves[curve].group, 0),
    sym_OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *) point.p, point.left),
    sym_OSSL_PARAM_construct_end(),
  };
  return pkey_from_params("EC", params); /* refuses points off the curve */
}

static EVP_PKEY *
rsa_key(Wire *w)
{
  Wire e, n;
  if (!wire_mpint(w, &e) || !wire_mpint(w, &n) || w->left != 0 || e.left == 0 || e.left > 8 ||
      n.left * 8 > RSA_MAX_BITS + 8)
    return NULL;
  BIGNUM *bn_e = sym_BN_bin2bn(e.p, (int) e.left, NULL), *bn_n = sym_BN_bin2bn(n.p, (int) n.left, NULL);
  OSSL_PARAM_BLD *build = sym_OSSL_PARAM_BLD_new();
  OSSL_PARAM *params = NULL;
  EVP_PKEY *pkey = NULL;
  if (bn_e && bn_n && build && sym_BN_num_bits(bn_n) >= RSA_MIN_BITS && sym_BN_num_bits(bn_n) <= RSA_MAX_BITS &&
      sym_BN_is_odd(bn_e) && !sym_BN_is_one(bn_e) &&
      sym_OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
      sym_OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_E, bn_e) &&
      (params = sym_OSSL_PARAM_BLD_to_param(build)))
    pkey = pkey_from_params("RSA", params);
  sym_OSSL_PARAM_free(params);
  sym_OSSL_PARAM_BLD_free(build);
  sym_BN_free(bn_e);
  sym_BN_free(bn_n);
  return pkey;
}

/* Reads the public key blob into sig->key_type and sig->pkey. */
static gboolean
parse_public_key(AtxSshSig *sig, Wire blob, GError **error)
{
  Wire type;
  if (!wire_string(&blob, &type) || !(sig->key_type = wire_name(&type)))
    return malformed(error, "public key has no type");
  if (g_str_equal(sig->key_type, "ssh-ed25519")) {
    sig->pkey = ed25519_key(&blob);
  } else if (g_str_equal(sig->key_type, "ssh-rsa")) {
    sig->pkey = rsa_key(&blob);
    if (!sig->pkey)
      return malformed(error, "RSA public key is not 1024 to 16384 bits with a valid exponent");
  } else {
    guint curve = 0;
    while (curve < G_N_ELEMENTS(ec_curves) && !g_str_equal(ec_curves[curve].key_type, sig->key_type))
      curve++;
    if (curve == G_N_ELEMENTS(ec_curves)) {
      g_set_error(error, ATX_SSHSIG_ERROR, ATX_SSHSIG_ERROR_UNSUPPORTED,
                  "unsupported key type '%s' (supported: ssh-ed25519, ecdsa-sha2-nistp256, "
                  "ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, ssh-rsa)",
                  sig->key_type);
      return FALSE;
    }
    sig->pkey = ecdsa_key(&blob, curve);
  }
  if (!sig->pkey)
    return malformed(error, "invalid public key");
  return TRUE;
}

/* ---- signatures ---- */

static gboolean
unsupported_algorithm(AtxSshSig *sig, GError **error)
{
  g_set_error(error, ATX_SSHSIG_ERROR, ATX_SSHSIG_ERROR_UNSUPPORTED,
              "unsupported signature algorithm '%s' for a %s key", sig->algorithm, sig->key_type);
  return FALSE;
}

static gboolean
ecdsa_signature(AtxSshSig *sig, Wire blob, GError **error)
{
  Wire r, s;
  if (!wire_mpint(&blob, &r) || !wire_mpint(&blob, &s) || blob.left != 0 || r.left > 66 || s.left > 66)
    return malformed(error, "ECDSA signature is not two integers");
  ECDSA_SIG *ecdsa = sym_ECDSA_SIG_new();
  BIGNUM *bn_r = sym_BN_bin2bn(r.p, (int) r.left, NULL), *bn_s = sym_BN_bin2bn(s.p, (int) s.left, NULL);
  unsigned char *der = NULL;
  int der_len = -1;
  if (ecdsa && bn_r && bn_s && sym_ECDSA_SIG_set0(ecdsa, bn_r, bn_s)) {
    bn_r = bn_s = NULL; /* owned by ecdsa now */
    der_len = sym_i2d_ECDSA_SIG(ecdsa, &der);
  }
  sym_BN_free(bn_r);
  sym_BN_free(bn_s);
  sym_ECDSA_SIG_free(ecdsa);
  if (der_len <= 0)
    return malformed(error, "ECDSA signature could not be encoded");
  sig->signature = g_bytes_new(der, (gsize) der_len);
  sym_CRYPTO_free(der, OPENSSL_FILE, OPENSSL_LINE); /* OPENSSL_free() */
  const char *bits = sig->key_type + strlen("ecdsa-sha2-nistp");
  sig->digest = g_str_equal(bits, "256")   ? sym_EVP_sha256()
                : g_str_equal(bits, "384") ? sym_EVP_sha384()
                                           : sym_EVP_sha512();
  return TRUE;
}

/* OpenSSH accepts RSA signatures shorter than the modulus and left-pads
 * them; OpenSSL wants the full length. */
static gboolean
rsa_signature(AtxSshSig *sig, Wire blob, GError **error)
{
  gsize modulus_len = (gsize) sym_EVP_PKEY_get_size(sig->pkey);
  if (blob.left == 0 || blob.left > modulus_len)
    return malformed(error, "RSA signature longer than the key");
  guint8 *padded = g_malloc0(modulus_len);
  memcpy(padded + modulus_len - blob.left, blob.p, blob.left);
  sig->signature = g_bytes_new_take(padded, modulus_len);
  sig->digest = g_str_equal(sig->algorithm, "rsa-sha2-256") ? sym_EVP_sha256() : sym_EVP_sha512();
  return TRUE;
}

static gboolean
parse_signature(AtxSshSig *sig, Wire blob, GError **error)
{
  Wire algorithm, data;
  if (!wire_string(&blob, &algorithm) || !(sig->algorithm = wire_name(&algorithm)) || !wire_string(&blob, &data) ||
      blob.left != 0)
    return malformed(error, "signature is not an algorithm name and data");
  if (g_str_equal(sig->key_type, "ssh-ed25519")) {
    if (!g_str_equal(sig->algorithm, "ssh-ed25519"))
      return unsupported_algorithm(sig, error);
    if (data.left != 64)
      return malformed(error, "Ed25519 signature is not 64 bytes");
    sig->signature = g_bytes_new(data.p, data.left);
    return TRUE;
  }
  if (g_str_equal(sig->key_type, "ssh-rsa")) {
    if (!g_str_equal(sig->algorithm, "rsa-sha2-256") && !g_str_equal(sig->algorithm, "rsa-sha2-512"))
      return unsupported_algorithm(sig, error);
    return rsa_signature(sig, data, error);
  }
  if (!g_str_equal(sig->algorithm, sig->key_type))
    return unsupported_algorithm(sig, error);
  return ecdsa_signature(sig, data, error);
}

/* ---- SSHSIG blob and armor ---- */

AtxSshSig *
atx_sshsig_parse_blob(const guint8 *data, gsize len, GError **error)
{
  Wire w = { .p = data, .left = len }, key, namespace, reserved, hash, signature;
  guint32 version;
  if (len < 6 || memcmp(data, "SSHSIG", 6) != 0)
    return malformed(error, "no SSHSIG magic"), NULL;
  w.p += 6;
  w.left -= 6;
  if (!wire_u32(&w, &version))
    return malformed(error, "truncated"), NULL;
  if (version != 1) {
    g_set_error(error, ATX_SSHSIG_ERROR, ATX_SSHSIG_ERROR_UNSUPPORTED, "unsupported SSHSIG version %u", version);
    return NULL;
  }
  if (!wire_string(&w, &key) || !wire_string(&w, &namespace) || !wire_string(&w, &reserved) ||
      !wire_string(&w, &hash) || !wire_string(&w, &signature))
    return malformed(error, "truncated"), NULL;
  if (w.left != 0)
    return malformed(error, "trailing data"), NULL;
  /* Every sig->pkey comes from here, so verify and free find it loaded. */
  if (!atx_crypto_load(error))
    return NULL;

  g_autoptr(AtxSshSig) sig = g_new0(AtxSshSig, 1);
  if (!(sig->namespace = wire_name(&namespace)) || !(sig->hash = wire_name(&hash)))
    return malformed(error, "namespace or hash name is not printable text"), NULL;
  if (!g_str_equal(sig->hash, "sha256") && !g_str_equal(sig->hash, "sha512")) {
    g_set_error(error, ATX_SSHSIG_ERROR, ATX_SSHSIG_ERROR_UNSUPPORTED,
                "unsupported message hash '%s' (supported: sha256, sha512)", sig->hash);
    return NULL;
  }
  sig->public_key = g_bytes_new(key.p, key.left);
  sig->reserved = g_bytes_new(reserved.p, reserved.left);
  if (!parse_public_key(sig, key, error) || !parse_signature(sig, signature, error)) {
    sym_ERR_clear_error(); /* OpenSSL's per-thread queue would keep growing */
    return NULL;
  }
  return g_steal_pointer(&sig);
}

static const guint8 base64_value[256] = {
  ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
  ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
  ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
  ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
  ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
  ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
  ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
}; /* value + 1; 0 = not in the alphabet */

GBytes *
atx_base64_decode_strict(const char *text, gsize len, GError **error)
{
  gsize pad = 0;
  while (pad < 2 && pad < len && text[len - 1 - pad] == '=')
    pad++;
  if (len == 0 || len % 4 != 0)
    return malformed(error, "base64 length is not a positive multiple of 4"), NULL;
  GByteArray *out = g_byte_array_sized_new((guint) (len / 4 * 3));
  guint32 bits = 0;
  for (gsize i = 0; i < len - pad; i++) {
    guint8 v = base64_value[(guchar) text[i]];
    if (!v) {
      g_byte_array_free(out, TRUE);
      return malformed(error, "invalid base64 character"), NULL;
    }
    bits = bits << 6 | (guint32) (v - 1);
    if (i % 4 == 3) {
      guint8 bytes[3] = { (guint8) (bits >> 16), (guint8) (bits >> 8), (guint8) bits };
      g_byte_array_append(out, bytes, 3);
    }
  }
  if (pad == 1) {
    guint8 bytes[2] = { (guint8) (bits >> 10), (guint8) (bits >> 2) };
    g_byte_array_append(out, bytes, 2);
  } else if (pad == 2) {
    guint8 byte = (guint8) (bits >> 4);
    g_byte_array_append(out, &byte, 1);
  }
  return g_byte_array_free_to_bytes(out);
}

static const char *
find_text(const char *haystack, gsize len, const char *needle)
{
  return g_strstr_len(haystack, (gssize) len, needle);
}

AtxSshSig *
atx_sshsig_parse_armored(const char *text, gsize len, GError **error)
{
  if (len > ATX_SSHSIG_MAX_ARMORED_BYTES)
    return malformed(error, "longer than 32 KiB"), NULL;
  if (memchr(text, '\0', len))
    return malformed(error, "NUL byte in the armor"), NULL;
  if (len < strlen(ARMOR_BEGIN) || memcmp(text, ARMOR_BEGIN, strlen(ARMOR_BEGIN)) != 0)
    return malformed(error, "no '" ARMOR_BEGIN "' line"), NULL;
  const char *body = text + strlen(ARMOR_BEGIN), *end = text + len;
  const char *armor_end = find_text(body, (gsize) (end - body), ARMOR_END);
  if (!armor_end)
    return malformed(error, "no '" ARMOR_END "' line"), NULL;
  for (const char *p = armor_end + strlen(ARMOR_END); p < end; p++)
    if (*p != '\n' && *p != '\r')
      return malformed(error, "text after the armor"), NULL;

  g_autoptr(GString) base64 = g_string_sized_new((gsize) (armor_end - body));
  for (const char *p = body; p < armor_end; p++)
    if (*p != '\n' && *p != '\r')
      g_string_append_c(base64, *p);
  g_autoptr(GBytes) blob = atx_base64_decode_strict(base64->str, base64->len, error);
  if (!blob)
    return NULL;
  gsize blob_len;
  const guint8 *blob_data = g_bytes_get_data(blob, &blob_len);
  return atx_sshsig_parse_blob(blob_data, blob_len, error);
}

/* ---- verification ---- */

const char *
atx_sshsig_namespace(const AtxSshSig *sig)
{
  return sig->namespace;
}
const char *
atx_sshsig_key_type(const AtxSshSig *sig)
{
  return sig->key_type;
}
const char *
atx_sshsig_algorithm(const AtxSshSig *sig)
{
  return sig->algorithm;
}
const char *
atx_sshsig_hash(const AtxSshSig *sig)
{
  return sig->hash;
}
GBytes *
atx_sshsig_public_key(const AtxSshSig *sig)
{
  return sig->public_key;
}

static void
append_string(GByteArray *out, const void *data, gsize len)
{
  guint8 be[4] = { (guint8) (len >> 24), (guint8) (len >> 16), (guint8) (len >> 8), (guint8) len };
  g_byte_array_append(out, be, 4);
  g_byte_array_append(out, data, (guint) len);
}

/* What the signer actually signed: the magic, the namespace, the reserved
 * field, the hash name and the hash of the message (PROTOCOL.sshsig). */
static GByteArray *
signed_data(const AtxSshSig *sig, const void *message, gsize len)
{
  guint8 hash[EVP_MAX_MD_SIZE];
  unsigned int hash_len = 0;
  const EVP_MD *md = g_str_equal(sig->hash, "sha256") ? sym_EVP_sha256() : sym_EVP_sha512();
  if (!sym_EVP_Digest(message, len, hash, &hash_len, md, NULL))
    return NULL;
  GByteArray *out = g_byte_array_new();
  g_byte_array_append(out, (const guint8 *) "SSHSIG", 6);
  append_string(out, sig->namespace, strlen(sig->namespace));
  append_string(out, g_bytes_get_data(sig->reserved, NULL), g_bytes_get_size(sig->reserved));
  append_string(out, sig->hash, strlen(sig->hash));
  append_string(out, hash, hash_len);
  return out;
}

gboolean
atx_sshsig_verify(const AtxSshSig *sig, const char *namespace, const void *message, gsize len, GError **error)
{
  if (!g_str_equal(sig->namespace, namespace)) {
    g_set_error(error, ATX_SSHSIG_ERROR, ATX_SSHSIG_ERROR_NAMESPACE, "signature is for namespace '%s', not '%s'",
                sig->namespace, namespace);
    return FALSE;
  }
  g_autoptr(GByteArray) data = signed_data(sig, message, len);
  EVP_MD_CTX *ctx = sym_EVP_MD_CTX_new();
  gsize sig_len;
  const guint8 *sig_data = g_bytes_get_data(sig->signature, &sig_len);
  gboolean ok = data && ctx && sym_EVP_DigestVerifyInit(ctx, NULL, sig->digest, NULL, sig->pkey) == 1 &&
                sym_EVP_DigestVerify(ctx, sig_data, sig_len, data->data, data->len) == 1;
  sym_EVP_MD_CTX_free(ctx);
  if (!ok) {
    sym_ERR_clear_error();
    g_set_error(error, ATX_SSHSIG_ERROR, ATX_SSHSIG_ERROR_BAD_SIGNATURE, "the %s signature does not verify",
                sig->algorithm);
    return FALSE;
  }
  return TRUE;
}
