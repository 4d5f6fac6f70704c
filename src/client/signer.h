/* Signing atomixctl's requests for a provisioned device (reference §7.2): per
 * request, fetch a fresh nonce (GET /api/nonce), build the atomixos-reapply-v1
 * message over the nonce, the URL path and the SHA-256 of the exact body, sign
 * it with `ssh-keygen -Y sign -n atomixos-reapply -f KEY` (run with an argv, no
 * shell; so passphrase prompts and ssh-agent behave as operators expect), and
 * send the nonce and the base64 of the armored signature as X-AtomixOS-Nonce
 * and X-AtomixOS-Signature, plus the base64 of the signed text as
 * X-AtomixOS-Signed-Message (it grants nothing; a refusal can then name the
 * field that differs). With bind_method the v2 message also binds the HTTP
 * method; devices that only know v1 (the reference service) refuse it.
 *
 * atx_signer_sign is an AtxHttpSignFunc; its user_data is an AtxSigner that
 * must outlive the request. Not thread-safe (one request at a time). */
#pragma once

#include <glib.h>

#define ATX_SIGNATURE_NAMESPACE "atomixos-reapply"

typedef struct {
  const char *base_url; /* where GET /api/nonce is fetched */
  const char *key_path; /* the private key (or, with ssh-agent, its public key) */
  gboolean bind_method; /* sign atomixos-reapply-v2 (method bound) instead of v1 */
} AtxSigner;

/* v1 (@method NULL): "atomixos-reapply-v1\nnonce:N\npath:P\nsha256:HEX\n";
 * v2: "atomixos-reapply-v2\nmethod:M\nnonce:N\npath:P\nsha256:HEX\n". @path
 * loses any query string (the signed path is the URL path only); @body may be
 * NULL (empty). */
char *atx_signature_message(const char *method, const char *nonce, const char *path, GBytes *body);

/* TRUE when @nonce can travel in a header: 1..256 URL-safe base64 characters. */
gboolean atx_signature_nonce_is_sane(const char *nonce);

gboolean atx_signer_sign(const char *method, const char *path, GBytes *body, GPtrArray *headers, gpointer signer,
                         GError **error) G_GNUC_WARN_UNUSED_RESULT;
