/* The tar reader (core/bundle/tar_reader.h) on raw, uncompressed bytes: the
 * first byte picks how many bytes each read hands over, so short reads are
 * fuzzed too. Must never crash or leak, must read back exactly the size it
 * announced for every entry, and must give the same outcome and message
 * however the input is cut. */
#include <string.h>

#include "core/bundle/tar_reader.h"

typedef struct {
  const guint8 *data;
  gsize len;
  gsize at;
  gsize step;
} Feed;

static gssize
feed_read(guint8 *buffer, gsize len, gpointer user_data, GError **error)
{
  Feed *feed = user_data;
  gsize n = MIN(MIN(len, feed->step), feed->len - feed->at);
  memcpy(buffer, feed->data + feed->at, n);
  feed->at += n;
  return (gssize) n;
}

/* Every entry's path, kind and size; NULL with @error when refused. */
static char *
read_all(const guint8 *data, gsize len, gsize step, GError **error)
{
  Feed feed = { .data = data, .len = len, .step = step };
  g_autoptr(AtxTarReader) reader = atx_tar_reader_new(feed_read, &feed);
  g_autoptr(GString) log = g_string_new(NULL);
  guint8 buffer[700];
  for (;;) {
    const AtxTarEntry *entry = NULL;
    if (!atx_tar_reader_next(reader, &entry, error))
      return NULL;
    if (!entry)
      return g_string_free(g_steal_pointer(&log), FALSE);
    g_string_append_printf(log, "%d %s %s %" G_GUINT64_FORMAT "\n", entry->kind, entry->path, entry->linkpath,
                           entry->size);
    if (entry->kind != ATX_TAR_REGULAR || entry->path[0] == 's')
      continue; /* skipped by the next header read */
    guint64 total = 0;
    for (;;) {
      gssize got = atx_tar_reader_read_data(reader, buffer, sizeof buffer, error);
      if (got < 0)
        return NULL;
      if (got == 0)
        break;
      total += (guint64) got;
    }
    if (total != entry->size)
      __builtin_trap();
  }
}

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
  if (size < 1)
    return 0;
  gsize step = (gsize) data[0] + 1;
  g_autoptr(GError) whole_error = NULL;
  g_autofree char *whole = read_all(data + 1, size - 1, G_MAXSIZE, &whole_error);
  g_autoptr(GError) cut_error = NULL;
  g_autofree char *cut = read_all(data + 1, size - 1, step, &cut_error);
  if (!whole != !cut || (whole && !g_str_equal(whole, cut)))
    __builtin_trap();
  if (whole_error && !g_str_equal(whole_error->message, cut_error->message))
    __builtin_trap();
  return 0;
}
