/* A streaming decompressor for bundles: gzip (zlib, concatenated members
 * allowed) or zstd (libzstd, frames needing a window above
 * 2^ATX_ZSTD_MAX_WINDOW_LOG bytes refused, so a hostile frame cannot make us
 * allocate up to 2 GiB). The library is loaded on the first decompressor of
 * its kind (compression_dl.h).
 *
 * Pulls compressed blocks from a source callback and does no I/O itself.
 * Corrupt, truncated or empty streams are ATX_ERROR_INVALID errors; errors
 * from the source pass unchanged. One decompressor per thread. */
#pragma once

#include <glib.h>

#define ATX_ZSTD_MAX_WINDOW_LOG 23 /* 8 MiB: `zstd -19` needs 8 MiB, level 3 2 MiB */

typedef enum {
  ATX_COMPRESSION_GZIP,
  ATX_COMPRESSION_ZSTD,
} AtxCompression;

/* Points *@data at the next compressed bytes (valid until the next call) and
 * returns their count: 0 at the end of input, -1 with @error set. */
typedef gssize (*AtxByteSourceFunc)(const guint8 **data, gpointer user_data, GError **error);

typedef struct AtxDecompressor AtxDecompressor;

/* NULL with @error when the library cannot be loaded. */
AtxDecompressor *atx_decompressor_new(AtxCompression compression, AtxByteSourceFunc source, gpointer user_data,
                                      GError **error) G_GNUC_WARN_UNUSED_RESULT;
void atx_decompressor_free(AtxDecompressor *decompressor);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxDecompressor, atx_decompressor_free)

/* Fills up to @len bytes of @buffer: the count, 0 at the clean end of the
 * stream, -1 with @error set. */
gssize atx_decompressor_read(AtxDecompressor *decompressor, guint8 *buffer, gsize len,
                             GError **error) G_GNUC_WARN_UNUSED_RESULT;
