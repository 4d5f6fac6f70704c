#include "device/auth/auth.h"

#include <string.h>

#include "core/base/sshkey.h"
#include "device/auth/nonces.h"
#include "device/auth/origin.h"
#include "device/auth/ratelimit.h"
#include "device/auth/sshsig.h"

/* The quark name is stringified: clang-format would put spaces into it. */
/* clang-format off */
G_DEFINE_QUARK(atx-auth-error-quark, atx_auth_error)
/* clang-format on */

/* The reference's messages start each refusal so old clients keep matching. */
#define REQUIRED "authentication required: provide X-AtomixOS-Nonce and X-AtomixOS-Signature headers"
#define BAD_NONCE "invalid or expired nonce"
#define BAD_ENCODING "invalid signature encoding"
#define FAILED "signature verification failed"

/* A message is four short lines; its base64 fits easily. */
#define ATX_AUTH_MAX_MESSAGE_HEADER 8192u

struct _AtxAuth {
  AtxNonceStore *nonces;
  AtxRateLimiter *limiter;
  gint signers_seen; /* atomic */
  gboolean require_method;
};

AtxAuth *
atx_auth_new(const AtxAuthOptions *options)
{
  AtxAuthOptions defaults = { 0 };
  if (!options)
    options = &defaults;
  AtxAuth *auth = g_new0(AtxAuth, 1);
  AtxNonceLimits nonce_limits = {
    .ttl_seconds = options->nonce_ttl_seconds,
    .per_client = options->nonces_per_client,
    .total = options->nonces_total,
  };
  AtxRateLimits rate_limits = {
    .max_failures = options->failures_allowed,
    .window_seconds = options->failure_window_seconds,
  };
  auth->nonces = atx_nonce_store_new(&nonce_limits, options->clock);
  auth->limiter = atx_rate_limiter_new(&rate_limits, options->clock);
  auth->signers_seen = options->signers_seen;
  auth->require_method = options->require_method;
  return auth;
}

void
atx_auth_free(AtxAuth *auth)
{
  if (!auth)
    return;
  atx_nonce_store_free(auth->nonces);
  atx_rate_limiter_free(auth->limiter);
  g_free(auth);
}

char *
atx_auth_issue_nonce(AtxAuth *auth, const char *client_address, GError **error)
{
  return atx_nonce_store_issue(auth->nonces, client_address ? client_address : "", error);
}

/* Wire-format blobs of the usable keys in admin-signers. */
static GPtrArray *
parse_signers(const char *signers_text)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
  g_auto(GStrv) lines = g_strsplit(signers_text ? signers_text : "", "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    const char *line = g_strstrip(lines[i]);
    g_autoptr(AtxSshKey) key = NULL;
    if (*line && *line != '#' && atx_ssh_key_parse(line, &key) == ATX_SSH_KEY_OK)
      g_ptr_array_add(keys, g_bytes_ref(key->blob));
  }
  return keys;
}

gboolean
atx_auth_signers_present(const char *signers_text)
{
  g_autoptr(GPtrArray) keys = parse_signers(signers_text);
  return keys->len > 0;
}

static gboolean refuse(GError **error, AtxAuthErrorCode code, const char *format, ...) G_GNUC_PRINTF(3, 4);

static gboolean
refuse(GError **error, AtxAuthErrorCode code, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_autofree char *message = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error_literal(error, ATX_AUTH_ERROR, code, message);
  return FALSE;
}

static gboolean
check_nonce(AtxAuth *auth, const char *nonce, GError **error)
{
  AtxNonceVerdict verdict =
      strlen(nonce) > ATX_NONCE_MAX_LENGTH ? ATX_NONCE_UNKNOWN : atx_nonce_store_consume(auth->nonces, nonce);
  switch (verdict) {
  case ATX_NONCE_VALID:
    return TRUE;
  case ATX_NONCE_EXPIRED:
    return refuse(error, ATX_AUTH_ERROR_NONCE_EXPIRED, BAD_NONCE ": the nonce has expired; get a new one");
  case ATX_NONCE_REUSED:
    return refuse(error, ATX_AUTH_ERROR_NONCE_REUSED, BAD_NONCE ": the nonce was already used");
  case ATX_NONCE_EVICTED:
    return refuse(error, ATX_AUTH_ERROR_NONCE_EVICTED,
                  BAD_NONCE ": the nonce was superseded by newer ones (too many outstanding)");
  case ATX_NONCE_UNKNOWN:
  default:
    return refuse(error, ATX_AUTH_ERROR_NONCE_UNKNOWN, BAD_NONCE ": unknown nonce; get one from GET /api/nonce");
  }
}

static AtxSshSig *
decode_signature(const char *header, GError **error)
{
  g_autoptr(GError) local = NULL;
  gsize len = strlen(header);
  if (len > ATX_SSHSIG_MAX_ARMORED_BYTES * 4 / 3 + 4)
    return refuse(error, ATX_AUTH_ERROR_BAD_ENCODING, BAD_ENCODING ": X-AtomixOS-Signature is too long"), NULL;
  g_autoptr(GBytes) armored = atx_base64_decode_strict(header, len, &local);
  if (!armored)
    return refuse(error, ATX_AUTH_ERROR_BAD_ENCODING, BAD_ENCODING ": X-AtomixOS-Signature is not strict base64"),
           NULL;
  gsize armored_len;
  const char *text = g_bytes_get_data(armored, &armored_len);
  AtxSshSig *sig = atx_sshsig_parse_armored(text ? text : "", armored_len, &local);
  if (!sig) {
    gboolean unsupported = g_error_matches(local, ATX_SSHSIG_ERROR, ATX_SSHSIG_ERROR_UNSUPPORTED);
    refuse(error, unsupported ? ATX_AUTH_ERROR_UNSUPPORTED_KEY : ATX_AUTH_ERROR_BAD_ENCODING, "%s: %s",
           unsupported ? FAILED : BAD_ENCODING, local->message);
  }
  return sig;
}

/* "ssh-ed25519 SHA256:..." as ssh-keygen -l shows a key. */
static char *
fingerprint(const AtxSshSig *sig)
{
  gsize len;
  const guint8 *blob = g_bytes_get_data(atx_sshsig_public_key(sig), &len);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(sum, blob, len);
  g_checksum_get_digest(sum, digest, &digest_len);
  g_autofree char *base64 = g_base64_encode(digest, digest_len);
  base64[strcspn(base64, "=")] = '\0';
  return g_strdup_printf("%s SHA256:%s", atx_sshsig_key_type(sig), base64);
}

static gboolean
check_signer(const AtxSshSig *sig, GPtrArray *signers, GError **error)
{
  if (!g_str_equal(atx_sshsig_namespace(sig), ATX_AUTH_NAMESPACE))
    return refuse(error, ATX_AUTH_ERROR_WRONG_NAMESPACE, FAILED ": the signature is for namespace '%s', not '%s'",
                  atx_sshsig_namespace(sig), ATX_AUTH_NAMESPACE);
  for (guint i = 0; i < signers->len; i++)
    if (g_bytes_equal(signers->pdata[i], atx_sshsig_public_key(sig)))
      return TRUE;
  g_autofree char *print = fingerprint(sig);
  return refuse(error, ATX_AUTH_ERROR_KEY_NOT_ALLOWED, FAILED ": the signing key (%s) is not in admin-signers",
                print);
}

static gboolean
signs(const AtxSshSig *sig, const AtxAuthMessage *message)
{
  g_autofree char *text = atx_auth_message_format(message);
  return atx_sshsig_verify(sig, ATX_AUTH_NAMESPACE, text, strlen(text), NULL);
}

static gboolean
refuse_v1(GError **error)
{
  return refuse(error, ATX_AUTH_ERROR_OTHER_METHOD,
                FAILED ": this device requires " ATX_AUTH_MESSAGE_V2 " signatures, which bind the HTTP method");
}

/* With the client's copy of what it signed, say which field differs. */
static gboolean
check_claimed(const AtxAuth *auth, const AtxSshSig *sig, const AtxAuthMessage *actual, const char *header,
              GError **error)
{
  gsize header_len = strlen(header);
  g_autoptr(GBytes) text =
      header_len > ATX_AUTH_MAX_MESSAGE_HEADER ? NULL : atx_base64_decode_strict(header, header_len, NULL);
  g_auto(AtxAuthMessage) claimed = { 0 };
  gsize len = 0;
  const char *data = text ? g_bytes_get_data(text, &len) : NULL;
  if (!text || !atx_auth_message_parse(data ? data : "", len, &claimed, NULL))
    return refuse(error, ATX_AUTH_ERROR_BAD_ENCODING,
                  BAD_ENCODING ": X-AtomixOS-Signed-Message is not a base64 " ATX_AUTH_MESSAGE_V1
                               " or " ATX_AUTH_MESSAGE_V2 " message");
  if (!atx_sshsig_verify(sig, ATX_AUTH_NAMESPACE, data, len, NULL))
    return refuse(error, ATX_AUTH_ERROR_BAD_SIGNATURE,
                  FAILED ": the signature does not verify over X-AtomixOS-Signed-Message");
  if (claimed.version == 1 && auth->require_method)
    return refuse_v1(error);
  if (!g_str_equal(claimed.nonce, actual->nonce))
    return refuse(error, ATX_AUTH_ERROR_OTHER_NONCE, FAILED ": the signature is for another nonce");
  if (claimed.version == 2 && !g_str_equal(claimed.method, actual->method))
    return refuse(error, ATX_AUTH_ERROR_OTHER_METHOD, FAILED ": the signature is for %s, not %s", claimed.method,
                  actual->method);
  if (!g_str_equal(claimed.path, actual->path))
    return refuse(error, ATX_AUTH_ERROR_OTHER_PATH, FAILED ": the signature is for path '%s', not '%s'",
                  claimed.path, actual->path);
  if (!g_str_equal(claimed.sha256, actual->sha256))
    return refuse(error, ATX_AUTH_ERROR_TAMPERED_BODY,
                  FAILED ": the body is not the one that was signed (SHA-256 differs)");
  return TRUE;
}

/* Without it: the request as v2, then v1, then v2 with another method. */
static gboolean
check_request(const AtxAuth *auth, const AtxSshSig *sig, AtxAuthMessage *actual, GError **error)
{
  static const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };
  actual->version = 2;
  if (signs(sig, actual))
    return TRUE;
  actual->version = 1;
  if (signs(sig, actual))
    return auth->require_method ? refuse_v1(error) : TRUE;
  actual->version = 2;
  const char *method = actual->method;
  for (guint i = 0; i < G_N_ELEMENTS(methods); i++) {
    if (g_str_equal(methods[i], method))
      continue;
    actual->method = (char *) methods[i];
    gboolean other = signs(sig, actual);
    actual->method = (char *) method;
    if (other)
      return refuse(error, ATX_AUTH_ERROR_OTHER_METHOD, FAILED ": the signature is for %s, not %s", methods[i],
                    method);
  }
  return refuse(error, ATX_AUTH_ERROR_BAD_SIGNATURE,
                FAILED ": the signature does not match this request's nonce, path and body "
                       "(send X-AtomixOS-Signed-Message to learn which differs)");
}

static gboolean
has_value(const char *header)
{
  return header && *header;
}

/* Everything after the rate limit and the headers; every refusal here counts
 * as a failed attempt. */
static gboolean
verify(AtxAuth *auth, const AtxAuthRequest *request, GPtrArray *signers, GError **error)
{
  if (!check_nonce(auth, request->nonce, error))
    return FALSE;
  g_autoptr(AtxSshSig) sig = decode_signature(request->signature, error);
  if (!sig || !check_signer(sig, signers, error))
    return FALSE;
  g_autofree char *sha256 =
      request->body_sha256 ? g_ascii_strdown(request->body_sha256, -1) : atx_sha256_hex(request->body);
  AtxAuthMessage actual = {
    .method = (char *) (request->method ? request->method : ""),
    .nonce = (char *) request->nonce,
    .path = (char *) (request->path ? request->path : ""),
    .sha256 = sha256,
  };
  if (has_value(request->signed_message))
    return check_claimed(auth, sig, &actual, request->signed_message, error);
  return check_request(auth, sig, &actual, error);
}

gboolean
atx_auth_check_signed(AtxAuth *auth, const AtxAuthRequest *request, const char *signers_text,
                      guint *retry_after_out, GError **error)
{
  const char *client = request->client_address ? request->client_address : "";
  guint retry_after = atx_rate_limiter_blocked_for(auth->limiter, client);
  if (retry_after_out)
    *retry_after_out = retry_after;
  if (retry_after > 0)
    return refuse(error, ATX_AUTH_ERROR_RATE_LIMITED,
                  "too many failed authentication attempts from this address; retry in %u s", retry_after);
  g_autoptr(GPtrArray) signers = parse_signers(signers_text);
  if (signers->len == 0)
    return refuse(error, ATX_AUTH_ERROR_NO_SIGNERS,
                  "authentication required: no admin signers are configured on this device");
  if (!has_value(request->nonce) || !has_value(request->signature))
    return refuse(error, ATX_AUTH_ERROR_MISSING_HEADERS, REQUIRED " (%s missing)",
                  !has_value(request->nonce) && !has_value(request->signature) ? "both are"
                  : has_value(request->nonce)                                  ? "X-AtomixOS-Signature is"
                                                                               : "X-AtomixOS-Nonce is");
  g_atomic_int_set(&auth->signers_seen, TRUE);
  if (!verify(auth, request, signers, error)) {
    atx_rate_limiter_failed(auth->limiter, client);
    return FALSE;
  }
  atx_rate_limiter_succeeded(auth->limiter, client);
  return TRUE;
}

gboolean
atx_auth_check_first_boot_or_signed(AtxAuth *auth, const AtxAuthRequest *request, const char *signers_text,
                                    gboolean provisioned, gboolean *authenticated_out, guint *retry_after_out,
                                    GError **error)
{
  *authenticated_out = FALSE;
  if (retry_after_out)
    *retry_after_out = 0;
  if (!atx_auth_signers_present(signers_text)) {
    if (provisioned || g_atomic_int_get(&auth->signers_seen))
      return refuse(error, ATX_AUTH_ERROR_SIGNERS_UNAVAILABLE, "admin signers temporarily unavailable");
    return TRUE;
  }
  if (!atx_auth_check_signed(auth, request, signers_text, retry_after_out, error))
    return FALSE;
  *authenticated_out = TRUE;
  return TRUE;
}

gboolean
atx_auth_authorize(AtxAuth *auth, AtxAuthClass class, const AtxAuthRequest *request, const char *signers_text,
                   gboolean provisioned, gboolean *authenticated_out, guint *retry_after_out, GError **error)
{
  gboolean authenticated = FALSE;
  if (authenticated_out)
    *authenticated_out = FALSE;
  if (retry_after_out)
    *retry_after_out = 0;
  switch (class) {
  case ATX_AUTH_NONE:
    return TRUE;
  case ATX_AUTH_SIGNED_ONCE_PROVISIONED:
    if (!provisioned)
      break;
    G_GNUC_FALLTHROUGH;
  case ATX_AUTH_SIGNED:
    authenticated = atx_auth_check_signed(auth, request, signers_text, retry_after_out, error);
    if (!authenticated)
      return FALSE;
    break;
  case ATX_AUTH_FIRST_BOOT_OR_SIGNED:
    if (!atx_auth_check_first_boot_or_signed(auth, request, signers_text, provisioned, &authenticated,
                                             retry_after_out, error))
      return FALSE;
    if (!authenticated && !atx_browser_origin_check(request->host, request->origin, request->referer, error))
      return FALSE;
    break;
  default:
    g_set_error(error, ATX_AUTH_ERROR, ATX_AUTH_ERROR_MISSING_HEADERS, "unknown auth class %d", (int) class);
    return FALSE;
  }
  if (authenticated_out)
    *authenticated_out = authenticated;
  return TRUE;
}

guint
atx_auth_refusal_status(const GError *error)
{
  return g_error_matches(error, ATX_AUTH_ERROR, ATX_AUTH_ERROR_RATE_LIMITED) ? 429 : 401;
}
