/* Bundle reader on hostile archives: any bytes, read as gzip, zstd and plain,
 * with small limits so the limit paths are reached too. Must never crash, leak
 * or hand back a path that leaves files/. */
#include "core/bundle/bundle.h"

static void
check_paths(const AtxBundle *bundle)
{
  for (guint i = 0; i < bundle->files->len; i++) {
    const AtxBundleFile *file = g_ptr_array_index(bundle->files, i);
    if (file->path[0] == '/' || g_str_equal(file->path, "..") || g_str_has_prefix(file->path, "../") ||
        strstr(file->path, "/../") || g_str_has_suffix(file->path, "/.."))
      __builtin_trap();
  }
}

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
  static const char *const names[] = { "bundle.tar.gz", "bundle.tar.zst", "config.toml", NULL };
  static const AtxBundleLimits small = { 1 << 20, 1 << 20, 64, 1 << 16 };
  g_autoptr(GBytes) bytes = g_bytes_new(data, size);
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(AtxBundle) bundle = atx_bundle_read(bytes, names[i], &small, &error);
    if (bundle)
      check_paths(bundle);
    else if (!error)
      __builtin_trap();
  }
  return 0;
}
