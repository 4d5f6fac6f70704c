#include "device/auth/ratelimit.h"

typedef struct {
  char *client;
  gint64 *failures_us; /* ring of the last max_failures failure times */
  guint count, next;
  GList link; /* in limiter->by_recency, least recent failure first */
} Client;

struct _AtxRateLimiter {
  GMutex lock;
  guint max_failures, max_clients;
  gint64 window_us;
  AtxClock clock;
  GHashTable *clients; /* client -> Client* (owned) */
  GQueue by_recency;
};

static void
client_free(Client *client)
{
  g_free(client->client);
  g_free(client->failures_us);
  g_free(client);
}

AtxRateLimiter *
atx_rate_limiter_new(const AtxRateLimits *limits, const AtxClock *clock)
{
  AtxRateLimits defaults = { 0 };
  if (!limits)
    limits = &defaults;
  AtxRateLimiter *limiter = g_new0(AtxRateLimiter, 1);
  g_mutex_init(&limiter->lock);
  limiter->max_failures =
      MIN(limits->max_failures ? limits->max_failures : ATX_RATE_DEFAULT_FAILURES, ATX_RATE_MAX_FAILURES_CAP);
  limiter->max_clients = limits->max_clients ? limits->max_clients : ATX_RATE_DEFAULT_CLIENTS;
  limiter->window_us =
      (gint64) (limits->window_seconds ? limits->window_seconds : ATX_RATE_DEFAULT_WINDOW_SECONDS) *
      G_USEC_PER_SEC;
  limiter->clock = *(clock ? clock : atx_clock_system());
  limiter->clients = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) client_free);
  return limiter;
}

void
atx_rate_limiter_free(AtxRateLimiter *limiter)
{
  if (!limiter)
    return;
  g_queue_init(&limiter->by_recency); /* its links live in the clients */
  g_hash_table_destroy(limiter->clients);
  g_mutex_clear(&limiter->lock);
  g_free(limiter);
}

static void
forget(AtxRateLimiter *limiter, Client *client)
{
  g_queue_unlink(&limiter->by_recency, &client->link);
  g_hash_table_remove(limiter->clients, client->client);
}

/* The oldest failure still counted; only meaningful when the ring is full. */
static gint64
oldest_failure(const AtxRateLimiter *limiter, const Client *client)
{
  return client->failures_us[client->next];
}

guint
atx_rate_limiter_blocked_for(AtxRateLimiter *limiter, const char *name)
{
  g_mutex_lock(&limiter->lock);
  guint seconds = 0;
  Client *client = g_hash_table_lookup(limiter->clients, name);
  if (client && client->count >= limiter->max_failures) {
    gint64 wait_us =
        oldest_failure(limiter, client) + limiter->window_us - limiter->clock.monotonic_us(limiter->clock.data);
    if (wait_us > 0)
      seconds = (guint) MAX((wait_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1);
  }
  g_mutex_unlock(&limiter->lock);
  return seconds;
}

void
atx_rate_limiter_failed(AtxRateLimiter *limiter, const char *name)
{
  g_mutex_lock(&limiter->lock);
  Client *client = g_hash_table_lookup(limiter->clients, name);
  if (client) {
    g_queue_unlink(&limiter->by_recency, &client->link);
  } else {
    if (g_hash_table_size(limiter->clients) >= limiter->max_clients)
      forget(limiter, g_queue_peek_head(&limiter->by_recency));
    client = g_new0(Client, 1);
    client->client = g_strdup(name);
    client->failures_us = g_new0(gint64, limiter->max_failures);
    client->link.data = client;
    g_hash_table_insert(limiter->clients, client->client, client);
  }
  g_queue_push_tail_link(&limiter->by_recency, &client->link);
  client->failures_us[client->next] = limiter->clock.monotonic_us(limiter->clock.data);
  client->next = (client->next + 1) % limiter->max_failures;
  client->count = MIN(client->count + 1, limiter->max_failures);
  g_mutex_unlock(&limiter->lock);
}

void
atx_rate_limiter_succeeded(AtxRateLimiter *limiter, const char *name)
{
  g_mutex_lock(&limiter->lock);
  Client *client = g_hash_table_lookup(limiter->clients, name);
  if (client)
    forget(limiter, client);
  g_mutex_unlock(&limiter->lock);
}
