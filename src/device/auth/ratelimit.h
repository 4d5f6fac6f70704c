/* Failed authentication attempts, limited per client address.
 *
 * A client that failed max_failures times within the last window seconds is
 * refused until the oldest of those failures leaves the window; the caller
 * answers with Retry-After set to that many seconds. A success forgets the
 * client's failures. At most max_clients addresses are tracked; beyond that
 * the one that failed least recently is forgotten, so memory stays bounded
 * when many addresses fail once.
 *
 * Thread-safe: every function takes the limiter's lock. */
#pragma once

#include <glib.h>

#include "device/jobs/jobs.h"

#define ATX_RATE_DEFAULT_FAILURES 10u
#define ATX_RATE_DEFAULT_WINDOW_SECONDS 60u
#define ATX_RATE_DEFAULT_CLIENTS 4096u
#define ATX_RATE_MAX_FAILURES_CAP 1024u /* larger values are lowered to this */

typedef struct {
  guint max_failures;   /* 0 = ATX_RATE_DEFAULT_FAILURES */
  guint window_seconds; /* 0 = ATX_RATE_DEFAULT_WINDOW_SECONDS */
  guint max_clients;    /* 0 = ATX_RATE_DEFAULT_CLIENTS */
} AtxRateLimits;

typedef struct _AtxRateLimiter AtxRateLimiter;

/* @limits and @clock may be NULL; @clock must outlive the limiter. */
AtxRateLimiter *atx_rate_limiter_new(const AtxRateLimits *limits, const AtxClock *clock);
void atx_rate_limiter_free(AtxRateLimiter *limiter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxRateLimiter, atx_rate_limiter_free)

/* 0 when @client may try now, else whole seconds (at least 1) to wait. */
guint atx_rate_limiter_blocked_for(AtxRateLimiter *limiter, const char *client);
void atx_rate_limiter_failed(AtxRateLimiter *limiter, const char *client);
void atx_rate_limiter_succeeded(AtxRateLimiter *limiter, const char *client);
