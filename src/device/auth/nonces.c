#include "device/auth/nonces.h"

#include "core/base/error.h"
#include "device/auth/random.h"

typedef struct {
  char *nonce;
  char *client;
  gint64 issued_us;
  GList global_link; /* in store->issued, oldest first */
  GList client_link; /* in its client's queue, oldest first */
} Nonce;

struct _AtxNonceStore {
  GMutex lock;
  gint64 ttl_us;
  guint per_client, total;
  AtxClock clock;
  GHashTable *by_nonce;  /* nonce -> Nonce* (owned) */
  GHashTable *by_client; /* client -> GQueue* of Nonce* */
  GQueue issued;         /* every outstanding Nonce, oldest first */
  GHashTable *retired;   /* nonce -> GINT_TO_POINTER(verdict) */
  GQueue retired_order;  /* the keys of retired (owned), oldest first */
};

static void
nonce_free(Nonce *nonce)
{
  g_free(nonce->nonce);
  g_free(nonce->client);
  g_free(nonce);
}

/* The links are embedded in the nonces: nothing to free but the queue. */
static void
queue_free(GQueue *queue)
{
  g_free(queue);
}

AtxNonceStore *
atx_nonce_store_new(const AtxNonceLimits *limits, const AtxClock *clock)
{
  AtxNonceLimits defaults = { 0 };
  if (!limits)
    limits = &defaults;
  AtxNonceStore *store = g_new0(AtxNonceStore, 1);
  g_mutex_init(&store->lock);
  guint ttl = limits->ttl_seconds ? limits->ttl_seconds : ATX_NONCE_DEFAULT_TTL_SECONDS;
  store->ttl_us = limits->no_ttl ? 0 : (gint64) ttl * G_USEC_PER_SEC;
  store->per_client = limits->per_client ? limits->per_client : ATX_NONCE_DEFAULT_PER_CLIENT;
  store->total = limits->total ? limits->total : ATX_NONCE_DEFAULT_TOTAL;
  store->clock = *(clock ? clock : atx_clock_system());
  store->by_nonce = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) nonce_free);
  store->by_client = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) queue_free);
  store->retired = g_hash_table_new(g_str_hash, g_str_equal);
  return store;
}

void
atx_nonce_store_free(AtxNonceStore *store)
{
  if (!store)
    return;
  g_hash_table_destroy(store->by_client);
  g_queue_init(&store->issued);
  g_hash_table_destroy(store->by_nonce);
  g_hash_table_destroy(store->retired);
  g_queue_clear_full(&store->retired_order, g_free);
  g_mutex_clear(&store->lock);
  g_free(store);
}

static gint64
now_us(AtxNonceStore *store)
{
  return store->clock.monotonic_us(store->clock.data);
}

static void
remember_retired(AtxNonceStore *store, char *nonce, AtxNonceVerdict why)
{
  if (store->retired_order.length >= ATX_NONCE_TOMBSTONES) {
    char *oldest = g_queue_pop_head(&store->retired_order);
    g_hash_table_remove(store->retired, oldest);
    g_free(oldest);
  }
  g_queue_push_tail(&store->retired_order, nonce); /* takes it */
  g_hash_table_insert(store->retired, nonce, GINT_TO_POINTER(why));
}

/* Takes @nonce out of every index and frees it, remembering why. */
static void
retire(AtxNonceStore *store, Nonce *nonce, AtxNonceVerdict why)
{
  g_queue_unlink(&store->issued, &nonce->global_link);
  GQueue *queue = g_hash_table_lookup(store->by_client, nonce->client);
  g_queue_unlink(queue, &nonce->client_link);
  if (g_queue_is_empty(queue))
    g_hash_table_remove(store->by_client, nonce->client);
  g_hash_table_steal(store->by_nonce, nonce->nonce);
  remember_retired(store, g_steal_pointer(&nonce->nonce), why);
  nonce_free(nonce);
}

static gboolean
expired(AtxNonceStore *store, const Nonce *nonce, gint64 now)
{
  return now - nonce->issued_us >= store->ttl_us;
}

/* Nonces are issued in time order, so the expired ones are at the head. */
static void
prune_expired(AtxNonceStore *store, gint64 now)
{
  Nonce *oldest;
  while ((oldest = g_queue_peek_head(&store->issued)) && expired(store, oldest, now))
    retire(store, oldest, ATX_NONCE_EXPIRED);
}

static char *
random_nonce(GError **error)
{
  guint8 bytes[32];
  if (!atx_random_bytes(bytes, sizeof bytes, error)) {
    g_prefix_error(error, "no randomness available for a nonce: ");
    return NULL;
  }
  char *text = g_base64_encode(bytes, sizeof bytes); /* 44 characters with one '=' */
  for (char *p = text; *p; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  text[43] = '\0';
  return text;
}

char *
atx_nonce_store_issue(AtxNonceStore *store, const char *client, GError **error)
{
  char *text = random_nonce(error);
  if (!text)
    return NULL;
  g_mutex_lock(&store->lock);
  gint64 now = now_us(store);
  prune_expired(store, now);
  GQueue *queue = g_hash_table_lookup(store->by_client, client);
  if (queue && queue->length >= store->per_client)
    retire(store, g_queue_peek_head(queue), ATX_NONCE_EVICTED);
  if (store->issued.length >= store->total)
    retire(store, g_queue_peek_head(&store->issued), ATX_NONCE_EVICTED);
  if (!(queue = g_hash_table_lookup(store->by_client, client))) {
    queue = g_new0(GQueue, 1);
    g_hash_table_insert(store->by_client, g_strdup(client), queue);
  }
  Nonce *nonce = g_new0(Nonce, 1);
  *nonce = (Nonce){ .nonce = g_strdup(text), .client = g_strdup(client), .issued_us = now };
  nonce->global_link.data = nonce->client_link.data = nonce;
  g_queue_push_tail_link(&store->issued, &nonce->global_link);
  g_queue_push_tail_link(queue, &nonce->client_link);
  g_hash_table_insert(store->by_nonce, nonce->nonce, nonce);
  g_mutex_unlock(&store->lock);
  return text;
}

AtxNonceVerdict
atx_nonce_store_consume(AtxNonceStore *store, const char *text)
{
  g_mutex_lock(&store->lock);
  AtxNonceVerdict verdict;
  Nonce *nonce = g_hash_table_lookup(store->by_nonce, text);
  if (nonce) {
    verdict = expired(store, nonce, now_us(store)) ? ATX_NONCE_EXPIRED : ATX_NONCE_VALID;
    retire(store, nonce, verdict == ATX_NONCE_VALID ? ATX_NONCE_REUSED : ATX_NONCE_EXPIRED);
  } else {
    gpointer why;
    verdict =
        g_hash_table_lookup_extended(store->retired, text, NULL, &why) ? GPOINTER_TO_INT(why) : ATX_NONCE_UNKNOWN;
  }
  g_mutex_unlock(&store->lock);
  return verdict;
}

guint
atx_nonce_store_outstanding(AtxNonceStore *store, const char *client)
{
  g_mutex_lock(&store->lock);
  GQueue *queue = client ? g_hash_table_lookup(store->by_client, client) : &store->issued;
  guint count = queue ? queue->length : 0;
  g_mutex_unlock(&store->lock);
  return count;
}
