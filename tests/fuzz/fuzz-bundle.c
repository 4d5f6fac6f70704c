/* Bundle reader on hostile archives: any bytes, read as gzip, zstd and plain,
 * with small limits so the limit paths are reached too, in memory and
 * streamed from a file descriptor. Must never crash, leak or hand back a path
 * that leaves files/, and both readers must agree on accepting or refusing,
 * with the same message (the tar reader's and decompressor's words do not
 * depend on how the input was cut into blocks). */
#include <sys/mman.h>
#include <unistd.h>

#include "core/bundle/bundle.h"

static gboolean
path_escapes(const char *path)
{
  return path[0] == '/' || g_str_equal(path, "..") || g_str_has_prefix(path, "../") || strstr(path, "/../") ||
         g_str_has_suffix(path, "/..");
}

static void
check_paths(const AtxBundle *bundle)
{
  for (guint i = 0; i < bundle->files->len; i++)
    if (path_escapes(((const AtxBundleFile *) g_ptr_array_index(bundle->files, i))->path))
      __builtin_trap();
}

static gboolean
sink_path(const char *path, gpointer user_data, GError **error)
{
  if (path_escapes(path))
    __builtin_trap();
  return TRUE;
}

static gboolean
sink_data(const void *data, gsize len, gpointer user_data, GError **error)
{
  return TRUE;
}

static gboolean
sink_end(gpointer user_data, GError **error)
{
  return TRUE;
}

static const AtxBundleSink checking_sink = {
  .directory = sink_path,
  .file_begin = sink_path,
  .file_data = sink_data,
  .file_end = sink_end,
};

static AtxBundle *
read_streamed(const guint8 *data, size_t size, const char *name, const AtxBundleLimits *limits, GError **error)
{
  int fd = memfd_create("fuzz-bundle", MFD_CLOEXEC);
  if (fd < 0 || write(fd, data, size) != (ssize_t) size || lseek(fd, 0, SEEK_SET) != 0)
    __builtin_trap();
  AtxBundle *bundle = atx_bundle_read_fd(fd, name, limits, &checking_sink, NULL, error);
  close(fd);
  return bundle;
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
    g_autoptr(GError) streamed_error = NULL;
    g_autoptr(AtxBundle) streamed = read_streamed(data, size, names[i], &small, &streamed_error);
    if (!streamed != !bundle)
      __builtin_trap();
    if (error && !g_str_equal(streamed_error->message, error->message))
      __builtin_trap();
  }
  return 0;
}
