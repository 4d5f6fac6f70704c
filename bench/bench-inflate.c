/* bench-inflate FILE.tar.gz...: what decompressing a gzip bundle costs by
 * itself, in C, with nothing else around it. bench/bundle_floor.py uses it to
 * show the floor under bench/validate's bundle row.
 *
 * Ops:
 *   zlib-gunzip        inflateInit2 + one inflate into a buffer + inflateEnd
 *                      (zlib is what core/bundle's decompressor calls)
 *   libdeflate-gunzip  libdeflate_gzip_decompress with a reused decompressor;
 *                      only when the build found libdeflate, which is the
 *                      fastest whole-buffer DEFLATE decoder Debian ships */
#include "bench-common.h"

#include <stdio.h>
#include <zlib.h>
#ifdef HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

static const char usage[] =
  "In-process cost of gunzipping FILE (a .tar.gz) whole into memory, with zlib\n"
  "and, when built with it, libdeflate. One JSON line per input and op.";

static const BenchOpInfo ops[] = {
  { "zlib-gunzip", "zlib inflateInit2(16 + MAX_WBITS) + inflate(Z_FINISH) + inflateEnd" },
#ifdef HAVE_LIBDEFLATE
  { "libdeflate-gunzip", "libdeflate_gzip_decompress, decompressor reused" },
#endif
  { NULL, NULL },
};

/* The bundle limit for decompressed bytes is far larger; a benchmark input
 * that does not fit here is refused rather than measured partially. */
#define OUTPUT_CAPACITY (16u << 20)

typedef struct {
  const guint8 *input;
  gsize input_len;
  guint8 *output;
  gsize output_len;
#ifdef HAVE_LIBDEFLATE
  struct libdeflate_decompressor *decompressor;
#endif
} State;

static gboolean
op_zlib(gpointer user_data)
{
  State *state = user_data;
  z_stream stream = { 0 };
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
    return FALSE;
  stream.next_in = (Bytef *)state->input;
  stream.avail_in = (uInt)state->input_len;
  stream.next_out = state->output;
  stream.avail_out = OUTPUT_CAPACITY;
  int status = inflate(&stream, Z_FINISH);
  state->output_len = stream.total_out;
  inflateEnd(&stream);
  if (status != Z_STREAM_END) {
    g_printerr("zlib: not one complete gzip stream that fits in %u bytes\n", OUTPUT_CAPACITY);
    return FALSE;
  }
  return TRUE;
}

#ifdef HAVE_LIBDEFLATE
static gboolean
op_libdeflate(gpointer user_data)
{
  State *state = user_data;
  size_t produced = 0;
  if (libdeflate_gzip_decompress(state->decompressor, state->input, state->input_len, state->output,
                                 OUTPUT_CAPACITY, &produced) != LIBDEFLATE_SUCCESS) {
    g_printerr("libdeflate: not one complete gzip stream that fits in %u bytes\n", OUTPUT_CAPACITY);
    return FALSE;
  }
  state->output_len = produced;
  return TRUE;
}
#endif

int
main(int argc, char **argv)
{
  BenchOptions options = { 0 };
  if (!bench_parse_args(&argc, &argv, usage, ops, &options))
    return 2;
  g_autofree guint8 *output = g_malloc(OUTPUT_CAPACITY);
  int status = 0;
  for (guint i = 0; options.inputs[i]; i++) {
    g_autoptr(GBytes) bytes = bench_read_file(options.inputs[i]);
    State state = { .output = output };
    state.input = g_bytes_get_data(bytes, &state.input_len);
    if (bench_op_selected(&options, "zlib-gunzip") &&
        !bench_measure(&options, options.inputs[i], state.input_len, "zlib-gunzip", -1, op_zlib, &state))
      status = 1;
#ifdef HAVE_LIBDEFLATE
    state.decompressor = libdeflate_alloc_decompressor();
    if (bench_op_selected(&options, "libdeflate-gunzip") &&
        !bench_measure(&options, options.inputs[i], state.input_len, "libdeflate-gunzip", -1, op_libdeflate,
                       &state))
      status = 1;
    libdeflate_free_decompressor(state.decompressor);
#endif
  }
  bench_options_clear(&options);
  return status;
}
