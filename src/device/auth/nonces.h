/* Single-use nonces for signed requests (reference §7.2).
 *
 * A nonce is 32 random bytes as unpadded URL-safe base64 (43 characters). It
 * is valid once, for ttl seconds after it was issued. Outstanding nonces are
 * capped per client address and in total; issuing beyond a cap evicts the
 * oldest (of that client, or overall). A client address is only used for the
 * cap: a nonce may be consumed from any address, as before.
 *
 * The store remembers the last ATX_NONCE_TOMBSTONES nonces it retired (used,
 * expired or evicted) so a refusal can say which of those happened instead of
 * "unknown".
 *
 * Thread-safe: every function takes the store's lock. */
#pragma once

#include <glib.h>

#include "device/jobs/jobs.h"

#define ATX_NONCE_DEFAULT_TTL_SECONDS 300u
#define ATX_NONCE_DEFAULT_PER_CLIENT 16u
#define ATX_NONCE_DEFAULT_TOTAL 1024u
#define ATX_NONCE_TOMBSTONES 4096u
#define ATX_NONCE_MAX_LENGTH 128u /* longer X-AtomixOS-Nonce values are never ours */

typedef struct {
  guint ttl_seconds; /* 0 = ATX_NONCE_DEFAULT_TTL_SECONDS */
  guint per_client;  /* 0 = ATX_NONCE_DEFAULT_PER_CLIENT */
  guint total;       /* 0 = ATX_NONCE_DEFAULT_TOTAL */
  gboolean no_ttl;   /* tests: every nonce is already expired when consumed (ttl 0) */
} AtxNonceLimits;

typedef enum {
  ATX_NONCE_VALID,
  ATX_NONCE_UNKNOWN, /* never issued by this process (or forgotten long ago) */
  ATX_NONCE_EXPIRED,
  ATX_NONCE_REUSED,  /* already consumed */
  ATX_NONCE_EVICTED, /* pushed out by newer nonces beyond a cap */
} AtxNonceVerdict;

typedef struct _AtxNonceStore AtxNonceStore;

/* @limits and @clock may be NULL; @clock must outlive the store. */
AtxNonceStore *atx_nonce_store_new(const AtxNonceLimits *limits, const AtxClock *clock);
void atx_nonce_store_free(AtxNonceStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxNonceStore, atx_nonce_store_free)

/* A new nonce for @client (any string, e.g. the peer address); fails only
 * when the system has no randomness. */
char *atx_nonce_store_issue(AtxNonceStore *store, const char *client, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Consumes @nonce: whatever the verdict, it can never be valid again. */
AtxNonceVerdict atx_nonce_store_consume(AtxNonceStore *store, const char *nonce);
/* Outstanding nonces of @client, or of everyone when @client is NULL. */
guint atx_nonce_store_outstanding(AtxNonceStore *store, const char *client);
