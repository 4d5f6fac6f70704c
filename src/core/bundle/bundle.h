/* Config bundles: a tar (gzip or zstd compressed) holding config.toml and an
 * optional files/ directory.
 *
 * Reading never writes anything: members are checked one by one as they are
 * inflated, so a hostile archive cannot plant symlinks, devices or paths
 * outside the target, and every limit (upload size, decompressed size, member
 * count, member size) fails with a named error before more is read. A member
 * path that appears twice is refused by name: tar's last-one-wins would let a
 * reviewer read one config.toml while the device applies another. A payload
 * that is neither gzip nor zstd (by file name or magic bytes) is a plain
 * config.toml.
 *
 * Two ways to read: atx_bundle_read() from bytes in memory, keeping every
 * member (the CLI's render and diff); atx_bundle_read_fd() from a file
 * descriptor with bounded memory, keeping only config.toml and handing the
 * members under files/ to a sink as they are inflated (the device). The tar
 * is read by tar_reader.h, decompressed by decompressor.h, whose zlib or
 * libzstd is loaded on the first bundle of its kind; a plain config.toml
 * loads neither. All functions are thread-safe (no shared state). */
#pragma once

#include <glib.h>

typedef struct {
  gsize max_upload_bytes;       /* 0 = 32 MiB */
  gsize max_decompressed_bytes; /* 0 = 256 MiB */
  guint max_members;            /* 0 = 4096 */
  gsize max_member_bytes;       /* 0 = 64 MiB */
} AtxBundleLimits;

typedef enum {
  ATX_BUNDLE_PLAIN, /* not a bundle: the bytes are config.toml */
  ATX_BUNDLE_TAR_GZIP,
  ATX_BUNDLE_TAR_ZSTD,
} AtxBundleFormat;

typedef struct {
  char *path;       /* relative to files/, '/'-separated, no "." or ".." parts */
  gboolean is_directory;
  GBytes *content;  /* NULL for directories */
} AtxBundleFile;

typedef struct {
  AtxBundleFormat format;
  GBytes *config_toml;
  gboolean has_files; /* the bundle had a files/ directory (possibly empty) */
  /* AtxBundleFile*, sorted by path, parents before children; NULL when read
   * with atx_bundle_read_fd (the members went to its sink, not into memory). */
  GPtrArray *files;
} AtxBundle;

/* Receives the members under files/ that passed every check, in archive
 * order, with @path relative to files/. Directories a tar left out come as
 * directory() calls before their first child; a directory is reported once.
 * A file is file_begin(), file_data() for each inflated chunk (up to 64 KiB),
 * file_end(). A callback returning FALSE (with @error set) stops the read. */
typedef struct {
  gboolean (*directory)(const char *path, gpointer user_data, GError **error);
  gboolean (*file_begin)(const char *path, gpointer user_data, GError **error);
  gboolean (*file_data)(const void *data, gsize len, gpointer user_data, GError **error);
  gboolean (*file_end)(gpointer user_data, GError **error);
} AtxBundleSink;

void atx_bundle_free(AtxBundle *bundle);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxBundle, atx_bundle_free)

/* By name first (".tar.gz", ".tgz", ".tar.zst", ".tar.zstd", ".tzst"), then by
 * magic bytes. @filename may be NULL. */
AtxBundleFormat atx_bundle_detect(const char *filename, GBytes *data);

/* Reads @data as a bundle or a plain config.toml, every member into memory.
 * @limits may be NULL. */
AtxBundle *atx_bundle_read(GBytes *data, const char *filename, const AtxBundleLimits *limits,
                           GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Reads the payload in @fd from its current offset to its end (the caller
 * keeps and closes @fd) with memory bounded by config.toml's size plus one
 * path per member: members under files/ go to @sink (NULL = checked and
 * dropped) and the result's files is NULL. Refuses exactly what
 * atx_bundle_read() refuses, with the same messages. */
AtxBundle *atx_bundle_read_fd(int fd, const char *filename, const AtxBundleLimits *limits,
                              const AtxBundleSink *sink, gpointer sink_data,
                              GError **error) G_GNUC_WARN_UNUSED_RESULT;
