#include "core/bundle/decompressor.h"

#include <zstd_errors.h>

#include "core/base/error.h"
#include "core/bundle/compression_dl.h"

struct AtxDecompressor {
  AtxCompression compression;
  AtxByteSourceFunc source;
  gpointer user_data;
  const guint8 *input; /* compressed bytes not consumed yet */
  gsize input_len;
  gboolean input_ended;
  gboolean started;   /* some input was consumed */
  gboolean in_stream; /* inside a gzip member or zstd frame */
  gboolean member_done;
  gboolean padded; /* zero bytes followed the last gzip member */
  gboolean zlib_ready;
  z_stream zlib;
  ZSTD_DCtx *zstd;
};

static const char *
compression_name(AtxCompression compression)
{
  return compression == ATX_COMPRESSION_GZIP ? "gzip" : "zstd";
}

static gboolean
init_gzip(AtxDecompressor *d, GError **error)
{
  /* 16 + MAX_WBITS: a gzip wrapper, not zlib's own. */
  if (!atx_zlib_load(error))
    return FALSE;
  if (sym_inflateInit2_(&d->zlib, 16 + MAX_WBITS, ZLIB_VERSION, (int) sizeof(z_stream)) != Z_OK) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "cannot initialise zlib");
    return FALSE;
  }
  d->zlib_ready = TRUE;
  return TRUE;
}

static gboolean
init_zstd(AtxDecompressor *d, GError **error)
{
  if (!atx_zstd_load(error))
    return FALSE;
  d->zstd = sym_ZSTD_createDCtx();
  if (!d->zstd ||
      sym_ZSTD_isError(sym_ZSTD_DCtx_setParameter(d->zstd, ZSTD_d_windowLogMax, ATX_ZSTD_MAX_WINDOW_LOG))) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "cannot initialise libzstd");
    return FALSE;
  }
  return TRUE;
}

AtxDecompressor *
atx_decompressor_new(AtxCompression compression, AtxByteSourceFunc source, gpointer user_data, GError **error)
{
  g_autoptr(AtxDecompressor) d = g_new0(AtxDecompressor, 1);
  d->compression = compression;
  d->source = source;
  d->user_data = user_data;
  gboolean ok = compression == ATX_COMPRESSION_GZIP ? init_gzip(d, error) : init_zstd(d, error);
  if (!ok)
    return NULL;
  return g_steal_pointer(&d);
}

void
atx_decompressor_free(AtxDecompressor *d)
{
  if (!d)
    return;
  if (d->zlib_ready)
    sym_inflateEnd(&d->zlib);
  if (d->zstd)
    sym_ZSTD_freeDCtx(d->zstd);
  g_free(d);
}

static gboolean
fill(AtxDecompressor *d, GError **error)
{
  if (d->input_len > 0 || d->input_ended)
    return TRUE;
  gssize got = d->source(&d->input, d->user_data, error);
  if (got < 0)
    return FALSE;
  d->input_len = (gsize) got;
  d->input_ended = got == 0;
  return TRUE;
}

static void
consume(AtxDecompressor *d, gsize consumed)
{
  d->input += consumed;
  d->input_len -= consumed;
  if (consumed)
    d->started = TRUE;
}

/* One inflate() call: the bytes written to @buffer, -1 with @error. */
static gssize
step_gzip(AtxDecompressor *d, guint8 *buffer, gsize len, GError **error)
{
  if (!d->in_stream && d->member_done) {
    /* Zero bytes after a member are padding, as gzip(1) reads them (tape
     * blocking); anything else is another member (gzip allows concatenation). */
    gsize zeros = 0;
    while (zeros < d->input_len && d->input[zeros] == 0)
      zeros++;
    if (zeros > 0) {
      consume(d, zeros);
      d->padded = TRUE;
      return 0;
    }
    if (d->padded) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "gzip stream has bytes after its zero padding");
      return -1;
    }
    sym_inflateReset(&d->zlib);
  }
  d->in_stream = TRUE;
  uInt in_len = (uInt) MIN(d->input_len, (gsize) G_MAXUINT);
  uInt out_len = (uInt) MIN(len, (gsize) G_MAXUINT);
  d->zlib.next_in = (Bytef *) d->input;
  d->zlib.avail_in = in_len;
  d->zlib.next_out = buffer;
  d->zlib.avail_out = out_len;
  int rc = sym_inflate(&d->zlib, Z_NO_FLUSH);
  consume(d, in_len - d->zlib.avail_in);
  if (rc == Z_STREAM_END) {
    d->in_stream = FALSE;
    d->member_done = TRUE;
  } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "gzip stream is corrupt: %s",
                d->zlib.msg ? d->zlib.msg : "inflate failed");
    return -1;
  }
  return (gssize) (out_len - d->zlib.avail_out);
}

static gssize
step_zstd(AtxDecompressor *d, guint8 *buffer, gsize len, GError **error)
{
  ZSTD_inBuffer in = { .src = d->input, .size = d->input_len, .pos = 0 };
  ZSTD_outBuffer out = { .dst = buffer, .size = len, .pos = 0 };
  size_t rc = sym_ZSTD_decompressStream(d->zstd, &out, &in);
  consume(d, in.pos);
  if (sym_ZSTD_isError(rc)) {
    if (sym_ZSTD_getErrorCode(rc) == ZSTD_error_frameParameter_windowTooLarge)
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID,
                  "zstd frame needs a window above %u MiB, more than bundles may use (compress without --long "
                  "and at level 19 or below)",
                  (1u << ATX_ZSTD_MAX_WINDOW_LOG) >> 20);
    else
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "zstd stream is corrupt: %s", sym_ZSTD_getErrorName(rc));
    return -1;
  }
  d->in_stream = rc != 0; /* 0: a frame is complete and flushed */
  return (gssize) out.pos;
}

gssize
atx_decompressor_read(AtxDecompressor *d, guint8 *buffer, gsize len, GError **error)
{
  for (;;) {
    if (!fill(d, error))
      return -1;
    gboolean no_input = d->input_len == 0 && d->input_ended;
    if (no_input && !d->in_stream) {
      if (d->started)
        return 0;
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "%s stream is empty", compression_name(d->compression));
      return -1;
    }
    gssize produced = d->compression == ATX_COMPRESSION_GZIP ? step_gzip(d, buffer, len, error)
                                                             : step_zstd(d, buffer, len, error);
    if (produced != 0)
      return produced;
    if (no_input) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "%s stream is truncated", compression_name(d->compression));
      return -1;
    }
  }
}
