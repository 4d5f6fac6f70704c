/* OpenSSH signatures (`ssh-keygen -Y sign`, PROTOCOL.sshsig) verified in
 * process with OpenSSL libcrypto: no ssh-keygen is spawned.
 *
 * Parsing checks the whole structure (armor, strict base64, the SSHSIG blob,
 * the embedded public key and the signature encoding) and builds the OpenSSL
 * key, so verification only does cryptography. Supported: ssh-ed25519,
 * ecdsa-sha2-nistp256/384/521 and ssh-rsa keys (1024..16384 bits) signing
 * with rsa-sha2-256 or rsa-sha2-512; message hashes sha256 and sha512.
 * Anything else (DSA, security keys, certificates, the SHA-1 "ssh-rsa"
 * signature algorithm) is ATX_SSHSIG_ERROR_UNSUPPORTED; bytes that are not
 * a well-formed signature are ATX_SSHSIG_ERROR_MALFORMED. No input crashes.
 *
 * An AtxSshSig is immutable after parsing and may be verified from several
 * threads at once. */
#pragma once

#include <glib.h>

#define ATX_SSHSIG_ERROR (atx_sshsig_error_quark())
GQuark atx_sshsig_error_quark(void);

typedef enum {
  ATX_SSHSIG_ERROR_MALFORMED,     /* not an SSH signature: armor, base64 or blob structure */
  ATX_SSHSIG_ERROR_UNSUPPORTED,   /* well-formed, but a key type or algorithm we refuse */
  ATX_SSHSIG_ERROR_NAMESPACE,     /* signed for another namespace */
  ATX_SSHSIG_ERROR_BAD_SIGNATURE, /* the signature does not verify */
} AtxSshSigError;

/* Armored text is at most this long; the largest supported key and signature
 * (RSA 16384) take about 6 KiB. */
#define ATX_SSHSIG_MAX_ARMORED_BYTES (32u * 1024u)

typedef struct _AtxSshSig AtxSshSig;

void atx_sshsig_free(AtxSshSig *sig);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxSshSig, atx_sshsig_free)

/* "-----BEGIN SSH SIGNATURE-----\n<base64 lines>\n-----END SSH SIGNATURE-----\n"
 * as ssh-keygen writes it (@len bytes; need not be NUL-terminated). */
AtxSshSig *atx_sshsig_parse_armored(const char *text, gsize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The binary SSHSIG blob inside the armor. */
AtxSshSig *atx_sshsig_parse_blob(const guint8 *blob, gsize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The namespace, key type ("ssh-ed25519", ...), signature algorithm
 * ("rsa-sha2-512", ...) and message hash ("sha512") the signer chose. */
const char *atx_sshsig_namespace(const AtxSshSig *sig);
const char *atx_sshsig_key_type(const AtxSshSig *sig);
const char *atx_sshsig_algorithm(const AtxSshSig *sig);
const char *atx_sshsig_hash(const AtxSshSig *sig);
/* The signer's public key in SSH wire format (what an authorized_keys line
 * holds in base64): compare it with allowed keys before trusting anything. */
GBytes *atx_sshsig_public_key(const AtxSshSig *sig);

/* Does @sig sign @message (@len bytes) in @namespace? Fails with
 * ATX_SSHSIG_ERROR_NAMESPACE or ATX_SSHSIG_ERROR_BAD_SIGNATURE. */
gboolean atx_sshsig_verify(const AtxSshSig *sig, const char *namespace, const void *message, gsize len,
                           GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Strict RFC 4648 base64 (standard alphabet, padding required, nothing
 * else allowed): what the X-AtomixOS-Signature header must be. NULL with
 * ATX_SSHSIG_ERROR_MALFORMED otherwise. */
GBytes *atx_base64_decode_strict(const char *text, gsize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;
