/* Who may change a device: SSH-signature authentication of API requests
 * (reference §7.2, DESIGN §6.7), the one object the HTTP server holds.
 *
 * The server calls, per route auth class (reference §1.1):
 *   none                   nothing;
 *   GET /api/nonce         atx_auth_issue_nonce();
 *   signed                 atx_auth_check_signed();
 *   first-boot-or-signed   atx_auth_check_first_boot_or_signed(), then, when
 *                          it says the request is not authenticated, the
 *                          browser-origin policy (origin.h).
 * A refusal is FALSE with an ATX_AUTH_ERROR whose message is the 401 detail.
 * ATX_AUTH_ERROR_RATE_LIMITED is the only one that should be answered with
 * 429 and a Retry-After header carrying *@retry_after_out.
 *
 * Order of checks, so the reason is precise: rate limit; admin signers
 * known; both headers present; the nonce (consumed here, burned whatever
 * follows); the signature's encoding; its namespace; its key among the admin
 * signers; then the request it signs (see message.h): other nonce, other
 * method, other path, changed body, or a signature that does not verify.
 *
 * @signers_text is the content of admin-signers, one OpenSSH public key line
 * per admin ("ssh-ed25519 AAAA... comment"); blank lines and '#' comments are
 * skipped, and lines that are not a supported key are ignored (the file is
 * written by provisioning, core/render). The server reads the file per
 * request so a re-provisioning takes effect at once.
 *
 * Thread-safe: every function may be called from any thread at once (the
 * nonce store and the rate limiter have their own locks; signatures are
 * verified without holding a lock). */
#pragma once

#include <glib.h>

#include "device/auth/message.h"
#include "device/jobs/jobs.h"

#define ATX_AUTH_ERROR (atx_auth_error_quark())
GQuark atx_auth_error_quark(void);

typedef enum {
  ATX_AUTH_ERROR_MISSING_HEADERS,     /* X-AtomixOS-Nonce or X-AtomixOS-Signature absent or empty */
  ATX_AUTH_ERROR_NO_SIGNERS,          /* signed route, admin-signers has no key (not provisioned) */
  ATX_AUTH_ERROR_SIGNERS_UNAVAILABLE, /* provisioned, but admin-signers has no key: fail closed */
  ATX_AUTH_ERROR_RATE_LIMITED,        /* too many failures from this address: 429 + Retry-After */
  ATX_AUTH_ERROR_NONCE_UNKNOWN,
  ATX_AUTH_ERROR_NONCE_EXPIRED,
  ATX_AUTH_ERROR_NONCE_REUSED,
  ATX_AUTH_ERROR_NONCE_EVICTED, /* superseded by newer nonces beyond a cap */
  ATX_AUTH_ERROR_BAD_ENCODING,  /* not strict base64 of an armored SSH signature */
  ATX_AUTH_ERROR_WRONG_NAMESPACE,
  ATX_AUTH_ERROR_UNSUPPORTED_KEY, /* key type or signature algorithm we refuse */
  ATX_AUTH_ERROR_KEY_NOT_ALLOWED, /* signed by a key not in admin-signers */
  ATX_AUTH_ERROR_OTHER_NONCE,     /* signature made for another nonce */
  ATX_AUTH_ERROR_OTHER_METHOD,    /* v2 signature made for another HTTP method */
  ATX_AUTH_ERROR_OTHER_PATH,
  ATX_AUTH_ERROR_TAMPERED_BODY, /* the body's SHA-256 is not the signed one */
  ATX_AUTH_ERROR_BAD_SIGNATURE, /* does not verify (and no finer reason is known) */
} AtxAuthErrorCode;

typedef struct {
  const AtxClock *clock;        /* NULL = the system clock; must outlive the AtxAuth */
  guint nonce_ttl_seconds;      /* 0 = 300 */
  guint nonces_per_client;      /* 0 = 16 */
  guint nonces_total;           /* 0 = 1024 */
  guint failures_allowed;       /* per window and client address; 0 = 10 */
  guint failure_window_seconds; /* 0 = 60 */
  gboolean signers_seen;        /* admin-signers held a key at startup (see first-boot-or-signed) */
  gboolean require_method;      /* refuse v1 signatures, which do not bind the method (off: compatible) */
} AtxAuthOptions;

/* One request as the server saw it. Header values are NULL when absent. */
typedef struct {
  const char *method;         /* "PUT" */
  const char *path;           /* URL path without the query string */
  GBytes *body;               /* exact body bytes; NULL = empty */
  const char *body_sha256;    /* optional: lowercase hex SHA-256 of the body, instead of @body */
  const char *nonce;          /* X-AtomixOS-Nonce */
  const char *signature;      /* X-AtomixOS-Signature */
  const char *signed_message; /* X-AtomixOS-Signed-Message (optional) */
  const char *client_address; /* peer address, for caps and rate limits */
  const char *host;           /* Host, Origin, Referer: the first-boot origin policy (origin.h) */
  const char *origin;
  const char *referer;
} AtxAuthRequest;

/* The auth column of the route table (reference §1.1). */
typedef enum {
  ATX_AUTH_NONE,                 /* health, nonce, job reads, OpenAPI */
  ATX_AUTH_SIGNED,               /* every partial edit */
  ATX_AUTH_FIRST_BOOT_OR_SIGNED, /* POST /api/config, POST /api/validate */
  /* Reads only (GET /api/config/export): open while the device is not
   * provisioned (@provisioned FALSE), signed once it is. Before provisioning no one can sign yet and there
   * is nothing to read, so the route's own answer (404 "not provisioned")
   * says more than a 401 would. */
  ATX_AUTH_SIGNED_ONCE_PROVISIONED,
} AtxAuthClass;

typedef struct _AtxAuth AtxAuth;

/* @options may be NULL. */
AtxAuth *atx_auth_new(const AtxAuthOptions *options);
void atx_auth_free(AtxAuth *auth);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxAuth, atx_auth_free)

/* GET /api/nonce: {"nonce": <this>}. */
char *atx_auth_issue_nonce(AtxAuth *auth, const char *client_address, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* "signed" routes. *@retry_after_out (may be NULL) is set to the seconds to
 * wait for ATX_AUTH_ERROR_RATE_LIMITED and to 0 otherwise. */
gboolean atx_auth_check_signed(AtxAuth *auth, const AtxAuthRequest *request, const char *signers_text,
                               guint *retry_after_out, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* "first-boot-or-signed" (POST /api/config): passes unauthenticated
 * (*@authenticated_out = FALSE) only while admin-signers holds no key, no
 * config.toml exists (@provisioned is FALSE) and this process has never seen
 * a signer key; with keys it is atx_auth_check_signed() (TRUE); with no keys
 * on a device that has been provisioned it fails closed
 * (ATX_AUTH_ERROR_SIGNERS_UNAVAILABLE). */
gboolean atx_auth_check_first_boot_or_signed(AtxAuth *auth, const AtxAuthRequest *request,
                                             const char *signers_text, gboolean provisioned,
                                             gboolean *authenticated_out, guint *retry_after_out,
                                             GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Everything a route of class @class requires, in one call: nothing; a
 * signature; nothing before provisioning and a signature after
 * (signed-once-provisioned); or first-boot-or-signed followed, for an
 * unauthenticated request, by the browser-origin policy (refusal in
 * ATX_ORIGIN_ERROR, also a 401). *@authenticated_out (may be NULL) says whether a signature was
 * verified: POST /api/config passes it on as allow_reapply. */
gboolean atx_auth_authorize(AtxAuth *auth, AtxAuthClass class, const AtxAuthRequest *request,
                            const char *signers_text, gboolean provisioned, gboolean *authenticated_out,
                            guint *retry_after_out, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The HTTP status for a refusal of atx_auth_authorize(): 429 for
 * ATX_AUTH_ERROR_RATE_LIMITED (send Retry-After), else 401. */
guint atx_auth_refusal_status(const GError *error);

/* Does @signers_text hold at least one usable key? (the "provisioned" test
 * of the UI routes uses the file's existence instead, reference §1.1) */
gboolean atx_auth_signers_present(const char *signers_text);
